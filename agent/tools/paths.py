"""Path policy: repository-relative, inside the repository, outside `.git/`, not denied."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from pathlib import Path, PurePosixPath


class ToolInputError(Exception):
    """A tool call that cannot be served (no such file, bad pattern); str() is for the model."""


class PolicyError(ToolInputError):
    """A path the tools refuse on principle; str() is the message shown to the model."""


def is_denied(path: str, deny_globs: Sequence[str]) -> bool:
    """True when the path or any of its components matches a deny glob."""
    parts = PurePosixPath(path).parts
    return any(
        fnmatch.fnmatch(path, glob) or any(fnmatch.fnmatch(part, glob) for part in parts)
        for glob in deny_globs
    )


def check_path(repo: Path, path: str, deny_globs: Sequence[str]) -> str:
    """Normalise `path` to a repo-relative POSIX path or raise PolicyError saying why not."""
    raw = path.strip().replace("\\", "/")
    if not raw:
        raise ToolInputError("empty path")
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":"):
        root = repo.resolve()
        try:
            raw = Path(raw).resolve().relative_to(root).as_posix()
        except ValueError:
            raise PolicyError(
                f"{path}: outside the repository; only files inside it can be read or edited"
            ) from None
    parts: list[str] = []
    for part in PurePosixPath(raw).parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise PolicyError(f"{path}: outside the repository")
            parts.pop()
            continue
        parts.append(part)
    if not parts:
        raise ToolInputError(f"{path}: is the repository root, not a file")
    clean = "/".join(parts)
    if parts[0] == ".git":
        raise PolicyError(f"{path}: git internals are off limits")
    if is_denied(clean, deny_globs):
        raise PolicyError(f"{path}: denied by policy (may hold secrets); it is never read")
    resolved = (repo / clean).resolve()
    if not resolved.is_relative_to(repo.resolve()):
        raise PolicyError(f"{path}: a symlink that leads outside the repository")
    return clean
