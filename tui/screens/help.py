"""The help screen: every key (as currently bound) and every slash command."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.commands import SLASH_COMMANDS
from tui.keys import ACTIONS, display_key


def help_table(keys: dict[str, str]) -> Table:
    """Keys and slash commands as one two-column table."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold #89b4fa", no_wrap=True)
    table.add_column()
    table.add_row("[b]Keys[/b]", "")
    for action in ACTIONS:
        table.add_row(display_key(keys[action.name]), action.help)
    table.add_row("", "")
    table.add_row("[b]In the chat[/b]", "")
    for name, (usage, text) in SLASH_COMMANDS.items():
        table.add_row(usage or f"/{name}", text)
    table.add_row("↑ / ↓", "Input history")
    return table


class HelpScreen(ModalScreen[None]):
    """Lists the keys and commands; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "close", show=True),
    ]

    def __init__(self, keys: dict[str, str]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = "hunkwise — keys and commands"
            yield Static(help_table(self.keys))

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
