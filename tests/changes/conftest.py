"""Real git repositories in temporary directories for the change-set and git tests."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str, check: bool = True) -> str:
    """Run plain git (as the user would) in `repo` and return stdout."""
    out = subprocess.run(
        ["git", *args],
        cwd=repo,
        capture_output=True,
        check=check,
        env={**os.environ, **GIT_ENV},
    )
    return out.stdout.decode("utf-8", "replace")


@pytest.fixture(autouse=True)
def _isolated_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    # Our own git calls must not depend on the machine's ~/.gitconfig.
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """Create a git repo with the given files committed (bytes or str values)."""
    counter = iter(range(1000))

    def make(files: dict[str, bytes | str] | None = None, commit: bool = True) -> Path:
        repo = tmp_path / f"repo{next(counter)}"
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        git(repo, "config", "user.name", "Test User")
        git(repo, "config", "user.email", "test@example.com")
        for name, content in (files or {}).items():
            path = repo / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode() if isinstance(content, str) else content)
        if commit and files:
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "-m", "initial")
        return repo

    return make


@pytest.fixture
def repo(make_repo: Callable[..., Path]) -> Path:
    """A small committed repository."""
    body = "".join(f"def f{i}():\n    return {i}\n\n" for i in range(20))
    return make_repo({"app.py": body, "README.md": "# demo\n"})
