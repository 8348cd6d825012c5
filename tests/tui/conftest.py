"""Fixtures for the app tests: real git repos in temp dirs, a real sandbox, Pilot helpers."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import cache
from pathlib import Path

import pytest

from hunkwise.settings import Settings
from sandbox.protocol import Sandbox
from sandbox.settings import SandboxSettings
from tests.gitrepo import make_repo

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

SIZE = (160, 48)

CALC = (
    "def add(a, b):\n    return a - b\n"
    + "\n\n# filler\n" * 4
    + "\ndef mul(a, b):\n    return a * b\n"
)
CALC_TEST = (
    "from calc import add, mul\n\n\n"
    "def test_add():\n    assert add(2, 3) == 5\n\n\n"
    "def test_mul():\n    assert mul(2, 3) == 6\n"
)


@pytest.fixture()
def calc_repo(tmp_path: Path) -> Path:
    """`add` is wrong and a test says so; the working tree fixes add and breaks mul (2 hunks)."""
    repo = make_repo(
        tmp_path / "calc",
        {"calc.py": CALC, "tests/test_calc.py": CALC_TEST, "conftest.py": ""},
    )
    fixed = CALC.replace("return a - b", "return a + b").replace("return a * b", "return a ** b")
    (repo / "calc.py").write_text(fixed)
    return repo


@cache
def sandbox_settings() -> SandboxSettings:
    """An isolated backend when this machine has one, else the local backend (stated)."""
    from sandbox.errors import SandboxError
    from sandbox.select import open_sandbox

    settings = SandboxSettings(timeout_s=120)
    try:
        with open_sandbox(settings):
            return settings
    except SandboxError as exc:
        print(f"tests/tui: no isolated sandbox ({exc.message}); app tests use the local backend")
        return SandboxSettings(backend="local", allow_local=True, timeout_s=120)


@pytest.fixture()
def settings() -> Settings:
    """Default settings with a sandbox that works on this machine."""
    return Settings(sandbox=sandbox_settings())


SandboxFactory = Callable[[], AbstractContextManager[Sandbox]]


async def settle(pilot, rounds: int = 3) -> None:
    """Wait until every worker is done and the messages they posted are handled."""
    app = pilot.app
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()
    await pilot.pause(0.05)


@pytest.fixture(autouse=True)
def _sessions_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Agent sessions go to a temp database, never the user's."""
    monkeypatch.setenv("HUNKWISE_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture()
def anyio_backend() -> str:
    """Pilot tests run on asyncio (Textual's loop)."""
    return "asyncio"
