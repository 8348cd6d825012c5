"""The bundled demo: a small project with a real bug, and a replay model that proposes a fix."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hunkwise.errors import RepoError
from hunkwise.gitrun import run_git

HERE = Path(__file__).parent
PROJECT = HERE / "project"
REPLAY = HERE / "replay.json"
DEMO_TASK = "The cart totals are wrong (tests fail). Find the bug and fix it."
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "hunkwise demo",
    "GIT_AUTHOR_EMAIL": "demo@hunkwise.invalid",
    "GIT_COMMITTER_NAME": "hunkwise demo",
    "GIT_COMMITTER_EMAIL": "demo@hunkwise.invalid",
}


def demo_model() -> str:
    """The scripted model of the demo (served through litellm like any model)."""
    return f"replay:{REPLAY}"


def prepare_demo(target: Path | None = None) -> Path:
    """Copy the example project to `target` (default: a new temp dir) and commit it there."""
    if target is None:
        target = Path(tempfile.mkdtemp(prefix="hunkwise-demo-"))
    target = target.expanduser().resolve()
    if target.exists() and any(target.iterdir()):
        raise RepoError(f"{target} is not empty", "pass --dir with a new or empty directory")
    if shutil.which("git") is None:
        raise RepoError("git is not installed", "install git (e.g. apt-get install git)")
    shutil.copytree(
        PROJECT,
        target,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"),
    )
    for step in (
        ["init", "-q", "-b", "main"],
        ["add", "."],
        ["commit", "-q", "-m", "shopcart: items, discounts, totals"],
    ):
        done = run_git(step, target, env=GIT_IDENTITY)
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip()
            raise RepoError(
                f"could not create the demo repository: git {step[0]}: {detail}",
                "check that git works",
            )
    return target
