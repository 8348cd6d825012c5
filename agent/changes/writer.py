"""Write accepted content to the working tree: snapshot first, then atomic per-file replaces."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from agent.changes.model import Decision, WriteReport
from agent.changes.paths import normalize

if TYPE_CHECKING:
    from agent.changes.changeset import ChangeSet
    from agent.changes.filechange import FileChange


def atomic_write(root: Path, rel: str, data: bytes | None) -> None:
    """Replace `root/rel` with `data` (None = delete): temp file in the same dir, fsync, rename."""
    target = root / normalize(root, rel)
    if data is None:
        target.unlink(missing_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".hunkwise", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def write_plan(
    changes: ChangeSet,
    plan: Mapping[str, bytes | None],
    snapshot: bool,
    why: str,
    refused: tuple[list[str], list[str]],
    could_not: str,
) -> tuple[WriteReport, list[str]]:
    """Snapshot the work tree (if asked and anything is planned), then write each planned file
    atomically. Returns the report, holding the (paths, messages) `refused` earlier plus
    `could_not.format(rel=..., reason=...)` per failed write, and the paths written."""
    conflicts, messages = refused
    ref = None
    if plan and snapshot:
        from agent.vcs import GitRepo

        with GitRepo.open(changes.repo, changes.git_settings) as git_repo:
            ref = git_repo.snapshot(why)
    written: list[str] = []
    deleted: list[str] = []
    for rel, content in plan.items():
        try:
            atomic_write(changes.repo, rel, content)
        except OSError as exc:
            conflicts.append(rel)
            messages.append(could_not.format(rel=rel, reason=exc.strerror or exc))
            continue
        (deleted if content is None else written).append(rel)
    report = WriteReport(
        written=tuple(written),
        deleted=tuple(deleted),
        conflicts=tuple(conflicts),
        messages=tuple(messages),
        snapshot=ref,
    )
    return report, [*written, *deleted]


def write_accepted(
    changes: ChangeSet, files: Mapping[str, FileChange], snapshot: bool
) -> WriteReport:
    """Write every file whose accepted content differs from its original; see ChangeSet."""
    plan: dict[str, bytes | None] = {}
    conflicts: list[str] = []
    messages: list[str] = []
    for rel, change in sorted(files.items()):
        changed, content = change.accepted()
        if not changed:
            if any(h.decision is Decision.ACCEPTED for h in change.hunks):
                change.rebase(change.original)  # accepted, but no line of it selected
            continue
        if changes.is_stale(rel):
            conflicts.append(rel)
            messages.append(
                f"{rel} changed on disk since hunkwise read it; your version was kept and "
                "its hunks are stale (re-run the task or review again)"
            )
            continue
        normalize(changes.repo, rel, changes.deny_globs)
        plan[rel] = content
    report, done = write_plan(
        changes, plan, snapshot, "before writing", (conflicts, messages),
        "could not write {rel}: {reason}; it is unchanged",
    )  # fmt: skip
    for rel in done:
        files[rel].rebase(plan[rel])
    for rel in list(files):
        if not files[rel].hunks:
            changes._files.pop(rel, None)
    return report
