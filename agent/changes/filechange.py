"""One touched file: its original, its hunks, and the operations a reviewer performs on them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from agent.changes.errors import ChangeError
from agent.changes.hunks import (
    CONTEXT_LINES,
    Block,
    Hunk,
    bounds,
    compose,
    diff_blocks,
    group_blocks,
    hunk_id,
    layout,
    render,
    render_one,
)
from agent.changes.lines import Lines, join_lines, line_ending, split_lines, text_to_lines
from agent.changes.model import Decision, FileKind, FileView, HunkView


@dataclass
class FileChange:
    """A file's pending change: original bytes (None = absent) and hunks over its lines."""

    path: str
    original: bytes | None
    hunks: list[Hunk] = field(default_factory=list)
    deleted: bool = False
    # What we expect on disk; differs from `original` only when the proposal is the worktree.
    disk: bytes | None = None

    @property
    def original_lines(self) -> Lines:
        """The original as lines (split once per original)."""
        cached = self.__dict__.get("_lines")
        if cached is None or cached[0] is not self.original:
            cached = (self.original, split_lines(self.original))
            self.__dict__["_lines"] = cached
        return cached[1]

    @property
    def kind(self) -> FileKind:
        """Create, modify or delete."""
        if self.original is None:
            return FileKind.CREATE
        return FileKind.DELETE if self.deleted else FileKind.MODIFY

    def proposed(self) -> bytes | None:
        """The full proposal, every hunk and line applied (None = delete)."""
        if self.deleted:
            return None
        return join_lines(compose(self.original_lines, self.hunks, lambda h: True, False))

    def accepted(self) -> tuple[bool, bytes | None]:
        """(changed, content) with only accepted hunks and selected lines applied."""
        taken = [h for h in self.hunks if h.decision is Decision.ACCEPTED]
        if self.kind is FileKind.DELETE:
            if self.hunks and len(taken) == len(self.hunks) and not any(h.line_mode for h in taken):
                return True, None
        if self.kind is FileKind.CREATE and not taken:
            return False, None
        content = join_lines(
            compose(self.original_lines, self.hunks, lambda h: h.decision is Decision.ACCEPTED)
        )
        return content != self.original, content

    def view(self, stale: bool = False) -> FileView:
        """The frozen view of this file."""
        hunks = render(self.path, self.hunks, self.original_lines, stale)
        return FileView(path=self.path, kind=self.kind, hunks=hunks, stale=stale)

    def hunk_view(self, number: int, stale: bool = False) -> HunkView:
        """The frozen view of one hunk."""
        return render_one(self.path, self.hunks, number, self.original_lines, stale)

    # -- the proposal changes -------------------------------------------------------------

    def propose(self, content: bytes | None) -> None:
        """Replace the proposal, keeping hunks (and their decisions) that are unchanged."""
        self.deleted = content is None
        fresh = diff_blocks(self.original_lines, split_lines(content))
        fresh_keys = {block.key for block in fresh}
        kept = [h for h in self.hunks if h.blocks and all(b.key in fresh_keys for b in h.blocks)]
        kept_keys = {b.key for h in kept for b in h.blocks}
        rest = [block for block in fresh if block.key not in kept_keys]
        self.hunks = _untangle(self.path, kept + group_blocks(self.path, rest))
        self._placeholder(content)

    def _placeholder(self, content: bytes | None) -> None:
        # Creating or deleting an empty file has no lines to show but still needs a decision.
        if not self.hunks and (self.original is None) != (content is None):
            self.hunks = [Hunk(hunk_id(self.path, []) + ("d" if content is None else "c"), [])]

    def rebase(self, written: bytes | None) -> None:
        """After `written` went to disk, keep what is still pending with its decisions."""
        proposal = self.proposed()
        translated = self._translate(split_lines(written))
        self.original = self.disk = written
        if translated is None or self._compose_all(translated) != proposal:
            translated = self._rediff(proposal)
        self.hunks = translated
        self.deleted = proposal is None
        self._placeholder(proposal)

    def _compose_all(self, hunks: list[Hunk]) -> bytes | None:
        if self.deleted:
            return None
        return join_lines(compose(self.original_lines, hunks, lambda h: True, False))

    def _translate(self, written: Lines) -> list[Hunk] | None:
        """Untaken blocks moved by the lines taken before them; leftovers of line selections."""
        shift = 0
        hunks: list[Hunk] = []
        for hunk in self.hunks:
            kept, leftover = [], []
            for block in hunk.blocks:
                start = block.old_start + shift
                if hunk.decision is Decision.ACCEPTED:
                    region = tuple(
                        [line for k, line in enumerate(block.old) if not block.old_selected[k]]
                        + [line for k, line in enumerate(block.new) if block.new_selected[k]]
                    )
                    shift += len(region) - len(block.old)
                    if region != block.new:
                        leftover.append(Block(start, region, block.new))
                else:
                    kept.append(
                        Block(
                            start,
                            block.old,
                            block.new,
                            list(block.old_selected),
                            list(block.new_selected),
                        )
                    )
            for blocks, decision in ((kept, hunk.decision), (leftover, Decision.UNDECIDED)):
                if not blocks:
                    continue
                if any(written[b.old_start : b.old_end] != b.old for b in blocks):
                    return None
                reason = hunk.reason if decision is hunk.decision else None
                hunks.append(
                    Hunk(hunk_id(self.path, blocks), blocks, decision, reason, list(hunk.notes))
                )
        return _untangle(self.path, hunks)

    def _rediff(self, proposal: bytes | None) -> list[Hunk]:
        """Fallback: diff what was written against the proposal, carrying decisions by content."""
        owners: dict[tuple[Lines, Lines], list[Hunk]] = {}
        for hunk in self.hunks:
            if hunk.decision is not Decision.ACCEPTED:
                for block in hunk.blocks:
                    owners.setdefault((block.old, block.new), []).append(hunk)
        groups: dict[int, tuple[Hunk, list[Block]]] = {}
        loose: list[Block] = []
        for block in diff_blocks(self.original_lines, split_lines(proposal)):
            candidates = owners.get((block.old, block.new))
            if candidates:
                owner = candidates.pop(0)
                groups.setdefault(id(owner), (owner, []))[1].append(block)
            else:
                loose.append(block)
        hunks = [
            Hunk(hunk_id(self.path, blocks), blocks, old.decision, old.reason, list(old.notes))
            for old, blocks in groups.values()
        ]
        return _untangle(self.path, hunks + group_blocks(self.path, loose))

    def drop(self, doomed: Callable[[Decision], bool]) -> bool:
        """Remove hunks whose decision is `doomed` from the proposal; True when any were."""
        kept = [h for h in self.hunks if not doomed(h.decision)]
        if len(kept) == len(self.hunks):
            return False
        self.hunks = kept
        self.deleted = False  # a deletion is one hunk: if it is dropped, so is the deletion
        self.propose(self.proposed() if kept else self.original)
        return True

    # -- review operations ----------------------------------------------------------------

    def nearest_hunk(self, line: int) -> int:
        """Index of the hunk whose lines cover `line` (new numbering), else the closest one."""

        def distance(view: HunkView) -> int:
            numbers = [n.new_no or n.old_no or 0 for n in view.lines] or [0]
            if min(numbers) <= line <= max(numbers):
                return 0
            return min(abs(line - n) for n in numbers)

        views = self.view().hunks
        return min(range(len(views)), key=lambda i: distance(views[i]))

    def split(self, number: int) -> list[str]:
        """Split hunk `number` into one hunk per block; returns the new ids."""
        hunk = self.hunks[number]
        if len(hunk.blocks) < 2:
            return [hunk.id]
        children = [
            Hunk(hunk_id(self.path, [block]), [block], hunk.decision, hunk.reason, list(hunk.notes))
            for block in hunk.blocks
        ]
        self.hunks[number : number + 1] = children
        return [child.id for child in children]

    def set_lines(self, number: int, selected: dict[int, bool]) -> None:
        """Set the selection of +/- lines by their index in the hunk view."""
        hunk = self.hunks[number]
        slots = self._slots(number)
        for index, value in selected.items():
            if not 0 <= index < len(slots) or slots[index].kind == " ":
                raise ChangeError(
                    f"line {index} of hunk {hunk.id} is not an added or removed line",
                    "only + and - lines can be selected",
                )
            slot = slots[index]
            side = "old_selected" if slot.kind == "-" else "new_selected"
            getattr(hunk.blocks[slot.block], side)[slot.index] = value

    def selectable(self, number: int) -> list[int]:
        """Indexes of the +/- lines of hunk `number`."""
        return [i for i, slot in enumerate(self._slots(number)) if slot.kind != " "]

    def line_selected(self, number: int, index: int) -> bool:
        """Whether line `index` of hunk `number` is selected."""
        return self.hunk_view(number).lines[index].selected

    def _slots(self, number: int) -> list:
        lower, upper, delta = bounds(self.hunks, number, len(self.original_lines))
        return layout(self.hunks[number], self.original_lines, lower, upper, delta)

    def edit(self, number: int, new_text: str) -> str | None:
        """Replace the new side of hunk `number` (context and + lines) with `new_text`."""
        original = self.original_lines
        hunk = self.hunks[number]
        lower, upper, delta = bounds(self.hunks, number, len(original))
        start = max(lower, hunk.old_start - CONTEXT_LINES)
        end = min(upper, hunk.old_end + CONTEXT_LINES)
        slots = layout(hunk, original, lower, upper, delta)
        new_side = [s.line for s in slots if s.kind != "-"]
        terminate = end < len(original) or not new_side or new_side[-1].endswith(b"\n")
        if not terminate and new_text.endswith("\n"):
            # Editors add a final newline; the file's missing one at this hunk's end is kept.
            new_text = new_text[:-1].removesuffix("\r")
        lines = text_to_lines(new_text, line_ending(original + tuple(new_side)), terminate)
        blocks = [
            Block(b.old_start + start, b.old, b.new)
            for b in diff_blocks(original[start:end], lines)
        ]
        self.deleted = False
        if not blocks:
            del self.hunks[number]
            self._placeholder(self.proposed())
            return None
        edited = Hunk(hunk_id(self.path, blocks), blocks, Decision.ACCEPTED, None, list(hunk.notes))
        self.hunks[number] = edited
        return edited.id


def _untangle(path: str, hunks: list[Hunk]) -> list[Hunk]:
    """Sort hunks by position; any hunk whose span overlaps another is split into its blocks."""
    hunks = sorted(hunks, key=lambda h: h.old_start)
    tangled = {
        j
        for i in range(len(hunks) - 1)
        if hunks[i].old_end > hunks[i + 1].old_start
        for j in (i, i + 1)
    }
    if not tangled:
        return hunks
    flat: list[Hunk] = []
    for number, hunk in enumerate(hunks):
        if number in tangled and len(hunk.blocks) > 1:
            flat += [
                Hunk(hunk_id(path, [b]), [b], hunk.decision, hunk.reason, list(hunk.notes))
                for b in hunk.blocks
            ]
        else:
            flat.append(hunk)
    return sorted(flat, key=lambda h: h.old_start)
