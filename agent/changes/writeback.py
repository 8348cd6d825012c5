"""After a review of the user's own changes is committed, put the hunks they edited on disk."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from agent.changes.errors import ChangeError
from agent.changes.model import WriteReport
from agent.changes.writer import write_plan

if TYPE_CHECKING:
    from agent.changes.changeset import ChangeSet
    from agent.changes.filechange import FileChange

KEPT_HINT = (
    "the commit holds your edited text and the file on disk was left as it is; "
    "compare them with `git diff HEAD -- {path}` and keep the version you want"
)


def write_review_edits(
    changes: ChangeSet, edited: Mapping[str, FileChange], snapshot: bool
) -> WriteReport:
    """Write each edited file's reviewed text where the file is still as loaded; see ChangeSet.

    The reviewed text is the file as loaded with every hunk's current new text in place, so an
    edited hunk keeps its edit on disk whatever its decision (accepted, rejected or undecided):
    the edit is what the user typed, and rejecting a hunk only keeps it out of the commit.
    """
    plan: dict[str, bytes | None] = {}
    conflicts: list[str] = []
    messages: list[str] = []
    for rel, change in sorted(edited.items()):
        reviewed = change.proposed()
        if reviewed == change.disk:
            continue  # edited back to what was on disk: nothing to write
        try:
            unchanged = changes._disk(rel) == change.disk
        except ChangeError:
            unchanged = False  # unreadable now (a folder, no permission): not what we loaded
        if not unchanged:
            conflicts.append(rel)
            messages.append(
                f"{rel} changed on disk after the review loaded it, "
                "so your edit from the review was not written there"
            )
            continue
        plan[rel] = reviewed
    # The pre-edit working tree stays reachable: the edit replaces text the user wrote.
    report, done = write_plan(
        changes, plan, snapshot, "before writing review edits", (conflicts, messages),
        "could not write your edit to {rel}: {reason}; it is unchanged",
    )  # fmt: skip
    for rel in done:
        edited[rel].disk = plan[rel]
    return report
