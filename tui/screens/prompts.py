"""Small modal prompts: a rejection reason, and editing a hunk's new text in place."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, TextArea


class ReasonScreen(ModalScreen[str | None]):
    """Asks why a hunk is rejected; Enter sends the reason, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, header: str) -> None:
        super().__init__()
        self.header = header

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-box", classes="dialog") as box:
            box.border_title = "Reject with a reason"
            yield Label(f"{self.header} — the agent gets this reason back")
            yield Input(placeholder="why is this hunk wrong?", id="reason-input")

    @on(Input.Submitted, "#reason-input")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class EditHunkScreen(ModalScreen[str | None]):
    """Edits the new side of one hunk; ctrl+s keeps the edit, Esc cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", "keep edit", priority=True),
        Binding("escape", "cancel", "cancel"),
    ]

    def __init__(self, header: str, text: str) -> None:
        super().__init__()
        self.header = header
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="edit-box", classes="dialog") as box:
            box.border_title = f"Edit {self.header}"
            box.border_subtitle = "ctrl+s keep · esc cancel"
            yield TextArea(self.text, id="edit-area", show_line_numbers=True)

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
