"""A throw-away copy of what git sees in a repository, with pending changes laid over it."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from hunkwise.gitrun import run_git
from sandbox.errors import SandboxError


def owned_prefix(kind: str) -> str:
    """Temp-name prefix naming this process as owner, so leftovers of dead owners can be reaped."""
    return f"hunkwise-{kind}-{os.getpid()}-"


def check_repo(repo: Path) -> Path:
    """The repository's resolved top-level path; SandboxError saying what is wrong otherwise."""
    if not repo.exists():
        raise SandboxError(f"repository path {repo} does not exist", "pass --repo DIR")
    if not repo.is_dir():
        raise SandboxError(f"{repo} is not a directory", "pass --repo DIR of a git repository")
    proc = run_git(["rev-parse", "--show-toplevel"], repo, timeout=30)
    if proc.returncode != 0:
        raise SandboxError(
            f"{repo} is not a git repository",
            "run `git init` there, or pass --repo DIR of a git repository",
        )
    return Path(os.fsdecode(proc.stdout.strip())).resolve()


def visible_files(repo: Path) -> list[str]:
    """Repo-relative paths git sees: tracked plus untracked files that are not ignored."""
    listing = ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    proc = run_git(listing, repo, timeout=60)
    if proc.returncode != 0:
        raise SandboxError(
            f"git ls-files failed in {repo}: {proc.stderr.decode(errors='replace').strip()}",
            "check that the repository is readable",
        )
    names = {n for n in proc.stdout.decode("utf-8", errors="surrogateescape").split("\0") if n}
    return sorted(names)


def safe_relpath(path: str) -> PurePosixPath:
    """Validate an overlay path: relative, inside the tree, no `..`, never inside `.git`."""
    rel = PurePosixPath(path)
    if not path or rel.is_absolute() or ".." in rel.parts or rel.parts[:1] == (".git",):
        raise SandboxError(
            f"pending change has an unsafe path {path!r}",
            "paths in a change set are repo-relative and stay inside the repository",
        )
    return rel


def _copy_one(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_symlink():
        # Links are copied as links: whatever they point to is outside the workspace and
        # read-only (or absent) inside the sandbox.
        os.symlink(os.readlink(src), dst)
    elif src.is_file():
        shutil.copy2(src, dst)
    # Deleted-but-tracked files and submodule directories are skipped.


def populate(workspace: Path, repo: Path, overlay: Mapping[str, bytes | None]) -> None:
    """Copy the visible files of `repo` into `workspace`, then apply `overlay` on top."""
    for name in visible_files(repo):
        _copy_one(repo / name, workspace / name)
    for name, content in overlay.items():
        target = workspace / safe_relpath(name)
        if target.is_symlink() or target.exists():
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            else:
                target.unlink()
        if content is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    os.chown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)


@contextmanager
def workspace_copy(
    repo: Path,
    overlay: Mapping[str, bytes | None],
    owner: tuple[int, int] | None = None,
    base_dir: Path | None = None,
) -> Iterator[Path]:
    """Yield a fresh directory holding the repo copy plus overlay; removed afterwards.

    `owner` (uid, gid) hands the copy to the unprivileged sandbox user when we run as root.
    """
    top = check_repo(repo)
    holder = Path(tempfile.mkdtemp(prefix=owned_prefix("ws"), dir=base_dir))
    try:
        os.chmod(holder, 0o711)
        work = holder / "work"
        work.mkdir()
        populate(work, top, overlay)
        if owner is not None:
            _chown_tree(work, *owner)
        yield work
    finally:
        shutil.rmtree(holder, ignore_errors=True)


# A file read back from a run is a report, not a dump: anything bigger is left behind.
COLLECT_LIMIT_BYTES = 8 * 1024 * 1024


def collect_files(workspace: Path, names: list[str]) -> dict[str, bytes]:
    """Read the named workspace files back (regular files only, never following links out)."""
    found: dict[str, bytes] = {}
    for name in names:
        path = workspace / safe_relpath(name)
        try:
            if path.is_symlink() or not path.is_file():
                continue
            if path.stat().st_size <= COLLECT_LIMIT_BYTES:
                found[name] = path.read_bytes()
        except OSError:
            continue
    return found
