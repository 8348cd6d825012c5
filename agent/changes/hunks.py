"""Hunks as edits on the original's lines: diffing, grouping, rendering views and composing."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from agent.changes.large_diff import LARGE_DIFF_CELLS, large_diff_spans
from agent.changes.lines import Lines, display, line_ending
from agent.changes.model import Decision, HunkLine, HunkView

CONTEXT_LINES = 3


@dataclass
class Block:
    """One contiguous change: original lines [old_start, old_start+len(old)) become `new`."""

    old_start: int
    old: Lines
    new: Lines
    old_selected: list[bool] = field(default_factory=list)
    new_selected: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.old_selected) != len(self.old):
            self.old_selected = [True] * len(self.old)
        if len(self.new_selected) != len(self.new):
            self.new_selected = [True] * len(self.new)

    @property
    def old_end(self) -> int:
        """Index just past the last original line this block replaces."""
        return self.old_start + len(self.old)

    @property
    def key(self) -> tuple[int, Lines, Lines]:
        """Position and content: equal keys are the same change."""
        return (self.old_start, self.old, self.new)

    @property
    def fully_selected(self) -> bool:
        """Whether every +/- line is selected."""
        return all(self.old_selected) and all(self.new_selected)


@dataclass
class Hunk:
    """A group of blocks decided together."""

    id: str
    blocks: list[Block]
    decision: Decision = Decision.UNDECIDED
    reason: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def old_start(self) -> int:
        """Where the hunk's first change starts in the original."""
        return self.blocks[0].old_start if self.blocks else 0

    @property
    def old_end(self) -> int:
        """Where the hunk's last change ends in the original."""
        return self.blocks[-1].old_end if self.blocks else 0

    @property
    def line_mode(self) -> bool:
        """Whether some +/- lines are deselected."""
        return not all(block.fully_selected for block in self.blocks)


def hunk_id(path: str, blocks: Sequence[Block]) -> str:
    """A stable id from the path, the positions and the content of the blocks."""
    digest = hashlib.sha1(path.encode("utf-8", "surrogateescape"))
    for block in blocks:
        digest.update(b"\0@%d\0" % block.old_start)
        for line in block.old:
            digest.update(b"-" + line)
        digest.update(b"\0")
        for line in block.new:
            digest.update(b"+" + line)
    return digest.hexdigest()[:12]


def diff_blocks(old: Lines, new: Lines) -> list[Block]:
    """The changes that turn `old` into `new`, as blocks in order."""
    # Skip the common head and tail first: most edits touch a small part of a big file.
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_mid, new_mid = old[head : len(old) - tail], new[head : len(new) - tail]
    if len(old_mid) * len(new_mid) > LARGE_DIFF_CELLS:
        spans = large_diff_spans(old_mid, new_mid)
    else:
        matcher = difflib.SequenceMatcher(None, old_mid, new_mid, autojunk=False)
        spans = [
            (i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
        ]
    return [Block(head + i1, old_mid[i1:i2], new_mid[j1:j2]) for i1, i2, j1, j2 in spans]


def group_blocks(path: str, blocks: Sequence[Block], context: int = CONTEXT_LINES) -> list[Hunk]:
    """Blocks closer than two contexts apart share a hunk, as in `diff -U3`."""
    groups: list[list[Block]] = []
    for block in blocks:
        if groups and block.old_start - groups[-1][-1].old_end <= 2 * context:
            groups[-1].append(block)
        else:
            groups.append([block])
    return [Hunk(hunk_id(path, group), group) for group in groups]


SlotKind = Literal[" ", "-", "+"]


@dataclass(frozen=True)
class Slot:
    """One rendered line of a hunk and where it lives (block index and side) when it is +/-."""

    kind: SlotKind
    line: bytes
    old_no: int | None
    new_no: int | None
    block: int = -1
    index: int = -1


def layout(
    hunk: Hunk, original: Lines, lower: int, upper: int, delta: int, context: int = CONTEXT_LINES
) -> list[Slot]:
    """The hunk's lines with context clamped to [lower, upper) so hunks never share lines."""
    if not hunk.blocks:
        return []
    start = max(lower, hunk.old_start - context)
    end = min(upper, hunk.old_end + context)
    slots: list[Slot] = []
    old_pos, new_pos = start, start + delta

    def context_until(stop: int) -> None:
        nonlocal old_pos, new_pos
        while old_pos < stop:
            slots.append(Slot(" ", original[old_pos], old_pos + 1, new_pos + 1))
            old_pos += 1
            new_pos += 1

    for number, block in enumerate(hunk.blocks):
        context_until(block.old_start)
        for k, line in enumerate(block.old):
            slots.append(Slot("-", line, old_pos + 1, None, number, k))
            old_pos += 1
        for k, line in enumerate(block.new):
            slots.append(Slot("+", line, None, new_pos + 1, number, k))
            new_pos += 1
    context_until(end)
    return slots


def header(slots: Sequence[Slot], start: int, delta: int) -> str:
    """The `@@ -a,b +c,d @@` line for the rendered slots."""
    old_count = sum(1 for s in slots if s.kind != "+")
    new_count = sum(1 for s in slots if s.kind != "-")
    old_first = next((s.old_no for s in slots if s.old_no is not None), None)
    new_first = next((s.new_no for s in slots if s.new_no is not None), None)
    old_start = old_first if old_first is not None else start
    new_start = new_first if new_first is not None else start + delta
    return f"@@ -{old_start},{old_count} +{new_start},{new_count} @@"


def _growth(hunk: Hunk) -> int:
    return sum(len(b.new) - len(b.old) for b in hunk.blocks)


def bounds(
    hunks: Sequence[Hunk], number: int, length: int, delta: int | None = None
) -> tuple[int, int, int]:
    """Context limits and the new-line offset (all earlier hunks applied) of hunks[number].

    `delta`, when the caller already knows it, saves re-summing the earlier hunks.
    """
    lower = hunks[number - 1].old_end if number > 0 else 0
    upper = hunks[number + 1].old_start if number + 1 < len(hunks) else length
    if delta is None:
        delta = sum(_growth(h) for h in hunks[:number])
    return lower, upper, delta


def render(
    path: str, hunks: Sequence[Hunk], original: Lines, stale: bool = False
) -> tuple[HunkView, ...]:
    """Frozen views of a file's hunks (which must be sorted by position), in linear time."""
    views = []
    delta = 0
    for number, hunk in enumerate(hunks):
        views.append(render_one(path, hunks, number, original, stale, delta))
        delta += _growth(hunk)
    return tuple(views)


def render_one(
    path: str,
    hunks: Sequence[Hunk],
    number: int,
    original: Lines,
    stale: bool = False,
    delta: int | None = None,
) -> HunkView:
    """The frozen view of hunks[number]."""
    hunk = hunks[number]
    lower, upper, delta = bounds(hunks, number, len(original), delta)
    slots = layout(hunk, original, lower, upper, delta)
    lines = tuple(
        HunkLine(
            kind=s.kind,
            text=display(s.line),
            old_no=s.old_no,
            new_no=s.new_no,
            selected=_selected(hunk, s),
        )
        for s in slots
    )
    return HunkView(
        id=hunk.id,
        path=path,
        header=header(slots, hunk.old_start, delta),
        lines=lines,
        decision=hunk.decision,
        reason=hunk.reason,
        notes=tuple(hunk.notes),
        line_mode=hunk.line_mode,
        stale=stale,
    )


def _selected(hunk: Hunk, slot: Slot) -> bool:
    if slot.kind == "-":
        return hunk.blocks[slot.block].old_selected[slot.index]
    if slot.kind == "+":
        return hunk.blocks[slot.block].new_selected[slot.index]
    return True


def iter_blocks(hunks: Sequence[Hunk]) -> Iterator[tuple[Hunk, Block]]:
    """Every block with its hunk, in file order."""
    pairs = [(hunk, block) for hunk in hunks for block in hunk.blocks]
    pairs.sort(key=lambda pair: pair[1].old_start)
    return iter(pairs)


def compose(
    original: Lines, hunks: Sequence[Hunk], take: Callable[[Hunk], bool], selection: bool = True
) -> list[bytes]:
    """The original with the blocks of hunks where `take(hunk)` applied (only selected lines)."""
    ending = line_ending(original)
    out: list[bytes] = []

    def emit(line: bytes) -> None:
        # A kept unterminated last line followed by taken lines would merge two lines into one.
        if out and not out[-1].endswith(b"\n"):
            out[-1] += ending
        out.append(line)

    position = 0
    for hunk, block in iter_blocks(hunks):
        for line in original[position : block.old_start]:
            emit(line)
        if take(hunk):
            for k, line in enumerate(block.old):
                if selection and not block.old_selected[k]:
                    emit(line)
            for k, line in enumerate(block.new):
                if not selection or block.new_selected[k]:
                    emit(line)
        else:
            for line in block.old:
                emit(line)
        position = block.old_end
    for line in original[position:]:
        emit(line)
    return out
