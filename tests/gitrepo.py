"""Real git repositories for tests: one helper shared by every test tier."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

# A fixed identity and branch name so tests never depend on the machine's git config.
IDENTITY = ("-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main")


def git(repo: Path, *args: str) -> str:
    """Run git in `repo`; return stdout (raises on a non-zero exit)."""
    return subprocess.run(
        ["git", *IDENTITY, *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Write text or bytes files under `root`, creating directories."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")


def make_repo(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """A git repository at `root` (branch main) with `files` committed."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    write_files(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root
