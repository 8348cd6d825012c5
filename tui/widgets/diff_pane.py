"""The diff pane: the file list with per-file state beside the hunk reviewer."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Static

from agent.changes.model import Decision, FileView
from tui.diff_rows import MARKERS
from tui.widgets.diff_view import DiffView


class FileList(Static):
    """Touched files with a marker for their overall decision; the current file is highlighted."""

    def show(self, files: tuple[FileView, ...], current: int) -> None:
        """Render the list with `current` highlighted."""
        if not files:
            self.update(Text("no pending changes", style="dim italic"))
            return
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, view in enumerate(files):
            decided = [h for h in view.hunks if h.decision is not Decision.UNDECIDED]
            marker, style = MARKERS[view.decision]
            if decided and view.decision is Decision.UNDECIDED:
                marker, style = "◐", "bold yellow"
            line_style = "reverse" if index == current else ""
            text.append(f"{marker} ", style=style)
            text.append(f"{len(decided)}/{len(view.hunks)} ", style="dim")
            text.append(f"{view.path}\n", style=line_style)
        text.rstrip()
        self.update(text)


class DiffPane(Horizontal):
    """Owns the change set's file views (one reactive) and shows them in both children."""

    files: reactive[tuple[FileView, ...]] = reactive((), always_update=True)

    def compose(self) -> ComposeResult:
        yield FileList(id="file-list")
        yield DiffView(id="diff-view")

    def watch_files(self, files: tuple[FileView, ...]) -> None:
        view = self.query_one(DiffView)
        view.show(files)
        current = view.layout_.hunk_files[view.cursor] if view.layout_.hunks else -1
        self.query_one(FileList).show(files, current)
        self.border_subtitle = self._summary(files)

    @on(DiffView.Changed)
    def _changed(self) -> None:
        view = self.query_one(DiffView)
        current = view.layout_.hunk_files[view.cursor] if view.layout_.hunks else -1
        self.query_one(FileList).show(view.files, current)
        self.border_subtitle = self._summary(view.files)

    @on(DiffView.CursorMoved)
    def _cursor_moved(self, event: DiffView.CursorMoved) -> None:
        self.query_one(FileList).show(self.query_one(DiffView).files, event.file_index)

    @staticmethod
    def _summary(files: tuple[FileView, ...]) -> str:
        hunks = [h for f in files for h in f.hunks]
        if not hunks:
            return ""
        accepted = sum(1 for h in hunks if h.decision is Decision.ACCEPTED)
        rejected = sum(1 for h in hunks if h.decision is Decision.REJECTED)
        return f"{len(hunks)} hunks · {accepted} accepted · {rejected} rejected"
