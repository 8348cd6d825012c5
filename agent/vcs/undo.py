"""Take back the last hunkwise commit, keeping the user's uncommitted changes in place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.changes.writer import atomic_write
from agent.vcs.commit import update_index, user_index
from agent.vcs.errors import CommitError
from agent.vcs.gitcmd import merge_file, read_blob, run
from agent.vcs.repo import TRAILER, WORKTREE_ORIGIN

if TYPE_CHECKING:
    from agent.vcs.repo import GitRepo


def undo_last(repo: GitRepo, keep_worktree: bool | None = None) -> str:
    """See `GitRepo.undo_last`."""
    repo.check_committable()
    head = repo.head()
    if head is None:
        raise CommitError("there are no commits to undo", "nothing has been committed yet")
    commit = repo.repo.commit(head)
    if TRAILER not in commit.message:
        raise CommitError(
            f"HEAD ({head[:7]} {commit.summary!r}) is not a hunkwise commit",
            "hunkwise only undoes its own last commit; use git revert for others",
        )
    if len(commit.parents) != 1:
        raise CommitError(
            f"HEAD ({head[:7]}) has {len(commit.parents)} parents",
            "only a hunkwise commit with one parent can be undone; use git revert",
        )
    parent = commit.parents[0].hexsha
    listing = run(repo.git, "diff-tree", "-r", "-z", "--no-renames", "--name-only", parent, head)
    paths = [path for path in listing.split("\0") if path]
    if keep_worktree is None:
        keep_worktree = WORKTREE_ORIGIN in commit.message
    plan: dict[str, bytes | None] = {}
    for path in [] if keep_worktree else paths:
        ours = _worktree(repo, path)
        committed = read_blob(repo.repo, head, path)
        previous = read_blob(repo.repo, parent, path)
        if ours == committed:
            plan[path] = previous
        elif ours == previous:
            continue
        elif None in (ours, committed, previous):
            raise _conflict(path)
        else:
            merged = merge_file(repo.git, ours, committed, previous)
            if merged is None:
                raise _conflict(path)
            plan[path] = merged
    repo.snapshot("before undo")
    run(repo.git, "update-ref", "-m", "hunkwise: undo", "HEAD", parent, head)
    _restore_index(repo, head, parent, paths)
    for path, content in plan.items():
        atomic_write(repo.root, path, content)
    return parent


def _worktree(repo: GitRepo, path: str) -> bytes | None:
    try:
        return (repo.root / path).read_bytes()
    except FileNotFoundError:
        return None


def _conflict(path: str) -> CommitError:
    return CommitError(
        f"cannot undo cleanly: {path} was changed since the commit where the commit changed it",
        "edit the file by hand, or use `git revert HEAD`",
    )


def _restore_index(repo: GitRepo, head: str, parent: str, paths: list[str]) -> None:
    """Index entries back to the parent's, keeping anything else the user had staged there."""
    tree = repo.repo.commit(parent).tree
    entries: dict[str, tuple[int, str] | None] = {}
    for path in paths:
        try:
            blob = tree / path
        except KeyError:
            entries[path] = None
            continue
        entries[path] = (blob.mode, blob.hexsha)
    update_index(repo, user_index(repo, head, entries), None)
