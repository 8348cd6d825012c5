"""Commit approval: the editable message, what goes in, the latest test result, and the gate."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from tui.session import CommitPlan
from tui.widgets.tests_pane import summary_text


@dataclass(frozen=True)
class CommitChoice:
    """The user's answer: the final message and whether tests were overridden."""

    message: str
    override: bool


class Gate(Static, can_focus=True):
    """The focusable line that says whether Enter commits (so Enter never lands in the message)."""


class CommitScreen(ModalScreen[CommitChoice | None]):
    """Enter commits when tests passed; otherwise `o` twice overrides; Esc cancels."""

    BINDINGS = [
        Binding("enter", "confirm", "commit", priority=False),
        Binding("o", "override", "override", show=False),
        Binding("escape", "cancel", "cancel"),
    ]

    def __init__(self, plan: CommitPlan) -> None:
        super().__init__()
        self.plan = plan
        self.armed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="commit-box", classes="dialog") as box:
            box.border_title = "Commit the accepted changes"
            box.border_subtitle = "enter commit · tab edit message · esc cancel"
            yield Label("Message", classes="field-label")
            yield TextArea(self.plan.message, id="commit-message", soft_wrap=True)
            yield Static(self._files_text(), id="commit-files")
            yield Static(self._undecided_text(), id="commit-undecided")
            yield Static(self._tests_text(), id="commit-tests")
            yield Gate(self._gate_text(), id="commit-gate")

    def on_mount(self) -> None:
        self.query_one("#commit-undecided").display = self.plan.undecided > 0
        self.query_one("#commit-gate").focus()

    def _files_text(self) -> Text:
        text = Text()
        hunks = sum(accepted for _, accepted, _ in self.plan.files)
        text.append(f"{len(self.plan.files)} files, {hunks} accepted hunks\n", style="bold")
        for path, accepted, total in self.plan.files:
            text.append(f"  {path}", style="")
            text.append(f"  {accepted}/{total} hunks\n", style="dim")
        text.rstrip()
        return text

    def _undecided_text(self) -> Text:
        if not self.plan.undecided:
            return Text("")
        return Text(
            f"{self.plan.undecided} undecided hunk(s) stay out of this commit", style="yellow"
        )

    def _tests_text(self) -> Text:
        if self.plan.report is None:
            return Text("Tests: not run on this state — press t first", style="yellow")
        return Text.assemble("Tests: ", summary_text(self.plan.report, self.plan.tests_current))

    def _gate_text(self) -> Text:
        if self.plan.tests_passed:
            return Text("▶ Enter commits", style="bold green")
        if self.armed:
            return Text(
                "Press o again to commit WITHOUT passing tests (recorded in the message)",
                style="bold red",
            )
        return Text(
            "Commit refused: tests have not passed on exactly this accepted state. "
            "Run them with t, or press o to override.",
            style="bold yellow",
        )

    def message(self) -> str:
        """The message as currently edited."""
        return self.query_one("#commit-message", TextArea).text.strip()

    def action_confirm(self) -> None:
        if isinstance(self.focused, TextArea):
            return
        if not self.plan.tests_passed:
            self.app.bell()
            self.notify("tests have not passed on this state", severity="warning")
            return
        if not self.message():
            self.notify("the commit message is empty", severity="error")
            return
        self.dismiss(CommitChoice(self.message(), override=False))

    def action_override(self) -> None:
        if isinstance(self.focused, TextArea) or self.plan.tests_passed:
            return
        if not self.armed:
            self.armed = True
            self.query_one("#commit-gate", Gate).update(self._gate_text())
            return
        self.dismiss(CommitChoice(self.message(), override=True))

    def action_cancel(self) -> None:
        self.dismiss(None)
