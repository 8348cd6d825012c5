"""Leftovers of a killed hunkwise process (workspaces, cgroups) are reaped; live ones stay."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from sandbox.cgroups import RunCgroup
from sandbox.leftovers import reap_leftovers


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_dead_owners_workspaces_go_live_ones_stay(tmp_path: Path) -> None:
    dead = tmp_path / f"hunkwise-ws-{_dead_pid()}-abc"
    (dead / "work").mkdir(parents=True)
    (dead / "work" / "file.py").write_text("x")
    live = tmp_path / f"hunkwise-session-{os.getpid()}-def"
    live.mkdir()
    stranger = tmp_path / "hunkwise-something-else"
    stranger.mkdir()
    removed = reap_leftovers(tmp_path)
    assert dead in removed
    assert not dead.exists()
    assert live.exists() and stranger.exists()


def test_empty_cgroup_of_a_dead_owner_is_removed() -> None:
    group = RunCgroup.create(pids=8, memory_mb=64, cpus=1.0)
    if group is None:
        pytest.skip("cannot create cgroups here (needs root and a writable cgroup tree)")
    try:
        dead_pid = _dead_pid()
        renamed = {}
        for kind, directory in group.dirs.items():
            target = directory.with_name(f"hunkwise-cg-{dead_pid}-test")
            directory.rename(target)
            renamed[kind] = target
        group.dirs = renamed
        removed = reap_leftovers(Path("/nonexistent"))
        assert set(renamed.values()) <= set(removed)
        assert not any(d.exists() for d in renamed.values())
    finally:
        group.remove()
