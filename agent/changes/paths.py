"""Path safety: every path the change set touches is a regular file inside the repository."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath

from agent.changes.errors import PathError


def normalize(repo: Path, path: str | Path, deny_globs: Sequence[str] = ()) -> str:
    """The repo-relative POSIX form of `path`, or PathError saying why it is refused."""
    raw = str(path)
    if not raw or "\0" in raw:
        raise PathError(f"invalid path {raw!r}", "give a path relative to the repository root")
    if PurePosixPath(raw).is_absolute() or PureWindowsPath(raw).drive:
        raise PathError(
            f"{raw}: absolute paths are refused",
            "give the path relative to the repository root, e.g. src/app.py",
        )
    parts = [part for part in PurePosixPath(raw.replace("\\", "/")).parts if part not in ("", ".")]
    if not parts:
        raise PathError(f"{raw!r} is not a file path", "name a file inside the repository")
    if ".." in parts:
        raise PathError(f"{raw}: '..' is refused", "paths must stay inside the repository")
    if any(part.lower() == ".git" for part in parts):
        raise PathError(f"{raw}: files under .git/ are never edited", "edit working-tree files")
    rel = "/".join(parts)
    for glob in deny_globs:
        if fnmatch.fnmatch(rel, glob) or fnmatch.fnmatch(parts[-1], glob):
            raise PathError(
                f"{rel}: matches the deny pattern {glob!r}",
                "this file is never read or edited by hunkwise; edit it yourself",
            )
    _check_on_disk(repo, rel)
    return rel


def _check_on_disk(repo: Path, rel: str) -> None:
    root = repo.resolve()
    target = root / rel
    # Walk each existing ancestor: a symlinked directory must not lead outside, and a
    # directory holding its own .git is a submodule or nested repository we never touch.
    current = root
    for part in PurePosixPath(rel).parts[:-1]:
        current = current / part
        if current.exists() and not current.is_dir():
            raise PathError(
                f"{rel}: {current.relative_to(root)} is a file, not a folder",
                "pick a path whose folders are folders",
            )
        if current.is_symlink():
            resolved = current.resolve()
            if not resolved.is_relative_to(root):
                raise PathError(
                    f"{rel}: {current.relative_to(root)} is a symlink leading outside the repo",
                    "hunkwise only writes inside the repository",
                )
        if (current / ".git").exists():
            raise PathError(
                f"{rel}: {current.relative_to(root)} is a submodule or nested repository",
                "change it from inside that repository",
            )
    if target.is_symlink():
        raise PathError(
            f"{rel} is a symlink; hunkwise edits regular files only",
            "edit the file the link points to instead",
        )
    if target.exists() and not target.is_file():
        raise PathError(f"{rel} is not a regular file", "name a file, not a directory")
    if not target.resolve().is_relative_to(root):
        raise PathError(f"{rel} resolves outside the repository", "use a path inside the repo")
