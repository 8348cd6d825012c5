"""The map's cache files under .git/ are data: a planted or damaged one is rebuilt, never run."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from repomap import datafile, open_repo_map
from repomap.protocol import MapRequest
from repomap.settings import RepoMapSettings

ROOT = Path(__file__).resolve().parents[2]


class _Payload:
    """What an attacker pickles: unpickling it runs a shell command."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple:
        return (os.system, (self.command,))


def test_a_planted_pickle_snapshot_does_not_run_on_hunkwise_map(
    shop_repo: Path, tmp_path: Path
) -> None:
    open_repo_map(shop_repo, RepoMapSettings()).build()  # the cache database the plant sits in
    snapshot = shop_repo / ".git" / "hunkwise" / "ranker.snapshot"
    canary = tmp_path / "canary"
    generation = snapshot.read_bytes()[:40]
    snapshot.write_bytes(generation + pickle.dumps(_Payload(f"touch {canary}"), protocol=5))
    env = {**os.environ, "HUNKWISE_DATA_DIR": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run(
        [sys.executable, "-m", "hunkwise", "map", "--repo", str(shop_repo), "--query",
         "compute_invoice_total"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert not canary.exists(), "the planted pickle ran"
    assert result.returncode == 0, result.stderr
    assert "shop/invoice.py" in result.stdout
    assert snapshot.read_bytes()[40:48] == datafile.MAGIC  # rebuilt in the data-only format


def test_a_forged_snapshot_with_out_of_range_indices_is_rebuilt(shop_repo: Path) -> None:
    from repomap.rank import SNAPSHOT_VERSION, Ranker

    request = MapRequest(query="invoice total rounding", max_tokens=500)
    first = open_repo_map(shop_repo, RepoMapSettings())
    first.build()
    expected = first.render(request)
    path = shop_repo / ".git" / "hunkwise" / "ranker.snapshot"
    data = path.read_bytes()
    ranker_part, features_part = Ranker.split_snapshot(data[40:])
    fields = datafile.unpack(ranker_part)
    fields["source"] = np.full_like(fields["source"], 10**6)  # edges to nodes that do not exist
    forged = datafile.pack(
        {"version": SNAPSHOT_VERSION, "ranker": datafile.pack(fields), "features": features_part}
    )
    path.write_bytes(data[:40] + forged)
    again = open_repo_map(shop_repo, RepoMapSettings())
    again.build()
    result = again.render(request)
    assert (result.files, result.text) == (expected.files, expected.text)


plain_arrays = st.sampled_from(["<i4", "<i8", "<f8", "|b1", "|u1"]).flatmap(
    lambda dtype: st.lists(st.integers(0, 100), max_size=20).map(
        lambda values: np.array(values, dtype=np.dtype(dtype))
    )
)
values = st.one_of(
    st.integers(-(2**62), 2**62),
    st.binary(max_size=50),
    st.lists(st.text(st.characters(blacklist_characters="\0"), max_size=8), max_size=10),
    plain_arrays,
)


@given(st.dictionaries(st.text(min_size=1, max_size=8), values, max_size=6))
def test_pack_then_unpack_gives_the_fields_back(fields: dict) -> None:
    back = datafile.unpack(datafile.pack(fields))
    assert back.keys() == fields.keys()
    for name, value in fields.items():
        if isinstance(value, np.ndarray):
            assert back[name].dtype == value.dtype and np.array_equal(back[name], value)
        elif isinstance(value, list):
            assert back[name] == value
        else:
            assert back[name] == value


@given(st.binary(max_size=200))
def test_unpacking_any_bytes_gives_fields_or_a_data_file_error(noise: bytes) -> None:
    for data in (noise, datafile.MAGIC + noise):
        try:
            datafile.unpack(data)
        except datafile.DataFileError:
            pass


def test_object_arrays_are_refused_both_ways() -> None:
    with pytest.raises(datafile.DataFileError):
        datafile.pack({"x": np.array([object()], dtype=object)})
    good = datafile.pack({"x": np.arange(3, dtype=np.int64)})
    forged = good.replace(b'"<i8"', b'"|O8"')
    with pytest.raises(datafile.DataFileError, match="not allowed"):
        datafile.unpack(forged)
