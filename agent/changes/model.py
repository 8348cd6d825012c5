"""The frozen views of pending changes that the agent loop and the UI read."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Decision(StrEnum):
    """What the human decided about a hunk."""

    UNDECIDED = "undecided"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class FileKind(StrEnum):
    """Whether a pending change creates, modifies or deletes its file."""

    CREATE = "create"
    MODIFY = "modify"
    DELETE = "delete"


@dataclass(frozen=True)
class HunkLine:
    """One line of a hunk; `selected` says whether a +/- line is taken when the hunk is accepted."""

    kind: Literal[" ", "-", "+"]
    text: str
    old_no: int | None
    new_no: int | None
    selected: bool = True


@dataclass(frozen=True)
class HunkView:
    """One hunk of a file's pending change, with its decision; `id` is stable across decisions."""

    id: str
    path: str
    header: str
    lines: tuple[HunkLine, ...]
    decision: Decision = Decision.UNDECIDED
    reason: str | None = None
    notes: tuple[str, ...] = ()
    line_mode: bool = False
    stale: bool = False

    @property
    def added(self) -> int:
        """How many lines this hunk adds."""
        return sum(1 for line in self.lines if line.kind == "+")

    @property
    def removed(self) -> int:
        """How many lines this hunk removes."""
        return sum(1 for line in self.lines if line.kind == "-")

    def as_text(self) -> str:
        """The hunk as unified-diff text (header and lines, no file header)."""
        body = "".join(f"{line.kind}{line.text}\n" for line in self.lines)
        return f"{self.header}\n{body}"


@dataclass(frozen=True)
class FileView:
    """One touched file: its kind and its hunks in file order."""

    path: str
    kind: FileKind
    hunks: tuple[HunkView, ...]
    stale: bool = False

    @property
    def decision(self) -> Decision:
        """ACCEPTED or REJECTED when every hunk agrees, else UNDECIDED."""
        decisions = {hunk.decision for hunk in self.hunks}
        if len(decisions) == 1:
            return decisions.pop()
        return Decision.UNDECIDED

    @property
    def decided(self) -> bool:
        """Whether every hunk of the file has a decision."""
        return all(hunk.decision is not Decision.UNDECIDED for hunk in self.hunks)


@dataclass(frozen=True)
class WriteReport:
    """What `ChangeSet.write_accepted` did: files written, files refused and why, the snapshot."""

    written: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()
    snapshot: str | None = None

    @property
    def ok(self) -> bool:
        """True when nothing was refused."""
        return not self.conflicts
