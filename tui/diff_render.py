"""How one diff row looks: gutter, decision marker, line numbers, highlighted code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text

from agent.changes.model import Decision, FileKind, FileView
from tui.diff_rows import LINE_BACKGROUNDS, MARKERS, DiffLayout, Row, highlight_code

CURSOR = Style(bgcolor="#2a3550")
NUMBER = Style(color="#6c7086")
FILE_ROW = Style(bold=True, bgcolor="#1e2233")
KIND_LABEL = {FileKind.CREATE: "new file", FileKind.MODIFY: "", FileKind.DELETE: "deleted"}


@dataclass(frozen=True)
class RowCursor:
    """Where the reviewer is: the selected hunk, and the line when in line mode."""

    hunk: int
    line_mode: bool
    line: int


def render_row(
    row: Row, layout: DiffLayout, files: Sequence[FileView], cursor: RowCursor
) -> tuple[Text, Style]:
    """The row's text and the background its whole width takes."""
    selected = row.hunk_index == cursor.hunk and row.kind != "file"
    gutter = Text("▌" if selected else " ", style="bold #89b4fa")
    if row.kind == "file":
        view = files[row.file_index]
        marker, style = MARKERS[view.decision]
        kind = KIND_LABEL[view.kind]
        counts = file_counts(view)
        text = Text.assemble(
            gutter,
            (f"{marker} ", style),
            (view.path, "bold"),
            (f"  {kind}" if kind else "", "italic #f9e2af"),
            (f"  {counts}", "dim"),
        )
        return text, FILE_ROW
    hunk = layout.hunks[row.hunk_index]
    if row.kind == "hunk":
        marker, style = MARKERS[hunk.decision]
        extra = ""
        if hunk.reason:
            extra = f"  reason: {hunk.reason}"
        if hunk.line_mode:
            extra += "  (some lines)"
        if hunk.stale:
            extra += "  STALE: file changed on disk"
        label = f" {hunk.decision.value}" if hunk.decision is not Decision.UNDECIDED else ""
        text = Text.assemble(
            gutter,
            (f"{marker} ", style),
            (hunk.header, "#89dceb"),
            (label, style),
            (extra, "italic #fab387"),
        )
        return text, CURSOR if selected and not cursor.line_mode else Style()
    if row.kind == "note":
        return Text.assemble(
            gutter, ("  ⚑ review: ", "bold #f9e2af"), (row.text, "#f9e2af")
        ), Style()
    line = hunk.lines[row.line_index]
    old = f"{line.old_no:>5}" if line.old_no is not None else "     "
    new = f"{line.new_no:>5}" if line.new_no is not None else "     "
    if cursor.line_mode and selected and line.kind != " ":
        sign = "[x]" if line.selected else "[ ]"
    else:
        sign = f" {line.kind} "
    code = highlight_code(hunk.path, line.text.expandtabs(4))
    if line.kind != " " and not line.selected:
        code = Text(line.text.expandtabs(4), style="dim strike", end="")
    text = Text.assemble(gutter, (old, NUMBER), (new, NUMBER), (sign, "bold"), code)
    text.end = ""
    background = LINE_BACKGROUNDS[line.kind]
    if cursor.line_mode and selected and row.line_index == cursor.line:
        background = CURSOR
    return text, background


def file_counts(view: FileView) -> str:
    """ "3 hunks · 1 accepted · 1 rejected"."""
    total = len(view.hunks)
    accepted = sum(1 for h in view.hunks if h.decision is Decision.ACCEPTED)
    rejected = sum(1 for h in view.hunks if h.decision is Decision.REJECTED)
    return f"{total} hunks · {accepted} accepted · {rejected} rejected"
