"""The hunk reviewer: a Line API widget that renders only the visible rows of the pending diff."""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from agent.changes import ChangeSet
from agent.changes.model import Decision, FileView, HunkView
from hunkwise.errors import HunkwiseError
from tui.diff_render import RowCursor, render_row
from tui.diff_rows import DiffLayout, Row, build_layout
from tui.keys import ACTIONS

# Calls that change only the hunk they name (its id stays): re-render just that hunk.
SINGLE_HUNK_CALLS = frozenset({"decide", "toggle_line"})


class DiffView(ScrollView, can_focus=True):
    """Pending hunks with decision markers; keys turn into messages the screen acts on."""

    BINDINGS = [
        Binding(a.keys, a.name, a.label, show=a.show, id=a.name)
        for a in ACTIONS
        if a.scope == "diff"
    ]

    @dataclass
    class Changed(Message):
        """The change set was changed from this view (a decision, split or line toggle)."""

    @dataclass
    class EditRequested(Message):
        """The user wants to edit the hunk's new text (in place or in $EDITOR)."""

        hunk_id: str
        external: bool

    @dataclass
    class ReasonRequested(Message):
        """The user wants to reject a hunk with a reason for the agent."""

        hunk_id: str

    @dataclass
    class CursorMoved(Message):
        """The selected hunk changed; `file_index` is its file."""

        file_index: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.layout_: DiffLayout = build_layout(())
        self.files: tuple[FileView, ...] = ()
        # Decisions are applied here, synchronously, so a key pressed right after (t, c)
        # always sees them; the app hands the change set down and hears `Changed` back.
        self.changes: ChangeSet | None = None
        self.cursor = 0
        self.line_mode = False
        self.line_cursor = 0
        self._width = 0

    # -- state ------------------------------------------------------------------------------
    def show(self, files: tuple[FileView, ...]) -> None:
        """Display `files`, keeping the cursor on the same hunk when it still exists."""
        old_id = self.current_hunk.id if self.current_hunk else None
        self.files = files
        self.layout_ = build_layout(files)
        ids = [h.id for h in self.layout_.hunks]
        if old_id in ids:
            self.cursor = ids.index(old_id)
        else:
            self.cursor = min(self.cursor, max(len(ids) - 1, 0))
        if self.line_mode and not self._changed_lines():
            self.line_mode = False
        self._width = max((self._row_width(r) for r in self.layout_.rows[:5000]), default=0)
        self.virtual_size = Size(max(self._width, 1), len(self.layout_.rows))
        self._follow_cursor()
        self.refresh()

    @property
    def current_hunk(self) -> HunkView | None:
        """The selected hunk, if any."""
        hunks = self.layout_.hunks
        return hunks[self.cursor] if 0 <= self.cursor < len(hunks) else None

    def select_first_undecided(self) -> None:
        """Move the cursor to the first undecided hunk (or the first hunk)."""
        for index, hunk in enumerate(self.layout_.hunks):
            if hunk.decision is Decision.UNDECIDED:
                self._move_to(index)
                return
        self._move_to(0)

    def advance(self) -> None:
        """Move to the next hunk (after a decision made outside the keys, e.g. a reason)."""
        if self.cursor + 1 < len(self.layout_.hunks):
            self._move_to(self.cursor + 1)

    def _move_to(self, index: int) -> None:
        if not self.layout_.hunks:
            return
        old_file = (
            self.layout_.hunk_files[self.cursor] if self.cursor < len(self.layout_.hunks) else -1
        )
        self.cursor = max(0, min(index, len(self.layout_.hunks) - 1))
        self.line_mode = False
        self._follow_cursor()
        self.refresh()
        new_file = self.layout_.hunk_files[self.cursor]
        if new_file != old_file:  # the file list only changes when the file does
            self.post_message(self.CursorMoved(new_file))

    def _follow_cursor(self) -> None:
        if not self.layout_.hunks:
            return
        start = self.layout_.hunk_starts[self.cursor]
        hunk = self.layout_.hunks[self.cursor]
        height = 1 + len(hunk.notes) + len(hunk.lines)
        if self.line_mode:
            row = start + 1 + len(hunk.notes) + self.line_cursor
            self.scroll_to_region(Region(0, row, 1, 1), animate=False, x_axis=False)
            return
        visible = max(self.scrollable_content_region.height, 1)
        self.scroll_to_region(
            Region(0, start, 1, min(height, visible)), animate=False, x_axis=False
        )

    def _changed_lines(self) -> list[int]:
        hunk = self.current_hunk
        if hunk is None:
            return []
        return [i for i, line in enumerate(hunk.lines) if line.kind != " "]

    def _call(self, method: str, *args: object) -> bool:
        """Apply one review call to the change set, re-render, and tell the app."""
        if self.changes is None:
            self.notify("nothing to review yet", severity="warning")
            return False
        try:
            getattr(self.changes, method)(*args)
        except HunkwiseError as exc:
            text = f"{exc.message}\n→ {exc.hint}" if exc.hint else exc.message
            self.notify(text, severity="error", timeout=10)
            return False
        hunk = self.current_hunk
        if method in SINGLE_HUNK_CALLS and hunk is not None and hunk.id == args[0]:
            self._replace_current(self.changes.hunk(hunk.id))
        else:
            self.show(tuple(self.changes.files()))
        self.post_message(self.Changed())
        return True

    def _replace_current(self, new: HunkView) -> None:
        """Swap in the selected hunk's new view without re-rendering or re-laying-out the rest."""
        old = self.layout_.hunks[self.cursor]
        file_index = self.layout_.hunk_files[self.cursor]
        first = self.layout_.hunk_files.index(file_index)
        view = self.files[file_index]
        hunks = list(view.hunks)
        hunks[self.cursor - first] = new
        files = list(self.files)
        files[file_index] = replace(view, hunks=tuple(hunks))
        if (len(new.lines), len(new.notes), new.id) != (len(old.lines), len(old.notes), old.id):
            self.show(tuple(files))
            return
        self.files = tuple(files)
        flat = list(self.layout_.hunks)
        flat[self.cursor] = new
        self.layout_ = replace(self.layout_, hunks=tuple(flat))  # same rows, same positions
        self.refresh()

    # -- actions ----------------------------------------------------------------------------
    def action_next_hunk(self) -> None:
        if self.line_mode:
            self._step_line(1)
        else:
            self._move_to(self.cursor + 1)

    def action_prev_hunk(self) -> None:
        if self.line_mode:
            self._step_line(-1)
        else:
            self._move_to(self.cursor - 1)

    def _step_line(self, step: int) -> None:
        changed = self._changed_lines()
        if not changed:
            return
        later = [i for i in changed if (i - self.line_cursor) * step > 0]
        if later:
            self.line_cursor = later[0] if step > 0 else later[-1]
            self._follow_cursor()
            self.refresh()

    def action_next_file(self) -> None:
        self._jump_file(1)

    def action_prev_file(self) -> None:
        self._jump_file(-1)

    def _jump_file(self, step: int) -> None:
        if not self.layout_.hunks:
            return
        current = self.layout_.hunk_files[self.cursor]
        targets = [i for i, f in enumerate(self.layout_.hunk_files) if (f - current) * step > 0]
        if targets:
            target_file = self.layout_.hunk_files[targets[0] if step > 0 else targets[-1]]
            self._move_to(self.layout_.hunk_files.index(target_file))

    def _decide(self, decision: Decision) -> None:
        hunk = self.current_hunk
        if hunk is not None:
            if self._call("decide", hunk.id, decision) and decision is not Decision.UNDECIDED:
                self.advance()

    def action_accept(self) -> None:
        self._decide(Decision.ACCEPTED)

    def action_reject(self) -> None:
        self._decide(Decision.REJECTED)

    def action_undo_decision(self) -> None:
        self._decide(Decision.UNDECIDED)

    def _decide_file(self, decision: Decision) -> None:
        hunk = self.current_hunk
        if hunk is not None:
            if self._call("decide_file", hunk.path, decision):
                self._jump_file(1)

    def action_accept_file(self) -> None:
        self._decide_file(Decision.ACCEPTED)

    def action_reject_file(self) -> None:
        self._decide_file(Decision.REJECTED)

    def action_split(self) -> None:
        hunk = self.current_hunk
        if hunk is not None:
            before = len(self.layout_.hunks)
            if self._call("split", hunk.id) and len(self.layout_.hunks) == before:
                self.notify("this hunk cannot be split further; use line mode (v)")

    def action_line_mode(self) -> None:
        changed = self._changed_lines()
        self.line_mode = bool(changed) and not self.line_mode
        self.line_cursor = changed[0] if changed else 0
        self._follow_cursor()
        self.refresh()

    def action_toggle_line(self) -> None:
        hunk = self.current_hunk
        if hunk is not None and self.line_mode:
            self._call("toggle_line", hunk.id, self.line_cursor)

    def action_edit(self) -> None:
        if self.current_hunk is not None:
            self.post_message(self.EditRequested(self.current_hunk.id, external=False))

    def action_edit_external(self) -> None:
        if self.current_hunk is not None:
            self.post_message(self.EditRequested(self.current_hunk.id, external=True))

    def action_reject_reason(self) -> None:
        if self.current_hunk is not None:
            self.post_message(self.ReasonRequested(self.current_hunk.id))

    # -- rendering --------------------------------------------------------------------------
    def _row_width(self, row: Row) -> int:
        if row.kind == "line":
            hunk = self.layout_.hunks[row.hunk_index]
            return 16 + len(hunk.lines[row.line_index].text.expandtabs(4))
        return 8 + len(row.text)

    def render_line(self, y: int) -> Strip:
        """Render one visible row; rows off screen are never touched."""
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        rows = self.layout_.rows
        if index >= len(rows):
            return Strip.blank(width, self.rich_style)
        cursor = RowCursor(self.cursor, self.line_mode, self.line_cursor)
        text, background = render_row(rows[index], self.layout_, self.files, cursor)
        strip = Strip(list(text.render(self.app.console)))
        base = self.rich_style + background
        return strip.crop_extend(scroll_x, scroll_x + width, base).apply_style(base)
