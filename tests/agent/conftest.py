"""Fixtures for the agent tests: real git repositories in temp dirs and replay scripts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.gitrepo import make_repo

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

CALC_BUGGY = "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n"
CALC_TEST = (
    "from calc import add, mul\n\n\n"
    "def test_add():\n    assert add(2, 3) == 5\n\n\n"
    "def test_mul():\n    assert mul(2, 3) == 6\n"
)


@pytest.fixture()
def calc_repo(tmp_path: Path) -> Path:
    """A repo whose `add` is wrong and whose test says so."""
    return make_repo(tmp_path / "calc", {"calc.py": CALC_BUGGY, "tests/test_calc.py": CALC_TEST})


def call(name: str, arguments: dict[str, Any] | str, call_id: str | None = None) -> dict:
    """One OpenAI-format tool call."""
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {
        "id": call_id or f"call_{name}_{abs(hash(text)) % 10_000}",
        "type": "function",
        "function": {"name": name, "arguments": text},
    }


def turn(*calls: dict, content: str = "") -> dict:
    """One assistant turn."""
    return {"content": content, "tool_calls": list(calls)}


@pytest.fixture()
def replay_file(tmp_path: Path) -> Callable[[Any], Path]:
    """Write a replay script and return its path."""
    counter = iter(range(1000))

    def write(script: Any) -> Path:
        path = tmp_path / f"replay{next(counter)}.json"
        path.write_text(json.dumps(script))
        return path

    return write


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Sessions go to a temp dir, never the user's data dir."""
    path = tmp_path / "data"
    monkeypatch.setenv("HUNKWISE_DATA_DIR", str(path))
    return path


def sandbox_available() -> str | None:
    """None when bubblewrap can run here, else why not."""
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed"
    probe = subprocess.run(
        ["bwrap", "--ro-bind", "/", "/", "--unshare-user", "true"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        return f"bubblewrap cannot run here: {probe.stderr.strip()[:200]}"
    return None
