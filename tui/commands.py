"""Slash commands typed in the chat, and the same actions offered in the command palette."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from hunkwise.errors import ConfigError

if TYPE_CHECKING:
    from tui.app import HunkwiseApp

# name -> (usage, what it does)
SLASH_COMMANDS: dict[str, tuple[str, str]] = {
    "help": ("", "Keys and commands"),
    "model": ("/model [NAME]", "Show or switch the model (litellm name or replay:PATH)"),
    "add": ("/add PATH…", "Add files to the chat (the agent sees them in full)"),
    "drop": ("/drop [PATH…]", "Drop files from the chat (all when none given)"),
    "map": ("/map [QUERY]", "Show the repo map, ranked for QUERY"),
    "test": ("", "Run the tests on exactly the accepted state"),
    "diff": ("", "Review the pending changes (or the working tree's own changes)"),
    "commit": ("", "Commit the accepted changes"),
    "undo": ("", "Undo the last hunkwise commit"),
    "cost": ("", "Tokens and dollars this session"),
    "clear": ("", "Clear the conversation"),
    "sessions": ("", "List recent sessions"),
    "plan": ("/plan TASK", "Plan first (acceptance criteria), then work on TASK"),
    "redo": ("", "Send the rejected hunks and their reasons back to the agent"),
    "stop": ("", "Stop the running agent (as Escape does)"),
}


@dataclass(frozen=True)
class SlashCommand:
    """A parsed slash command: its name and the rest of the line."""

    name: str
    argument: str


def parse_slash(text: str) -> SlashCommand | None:
    """The slash command in `text`, None for a normal message; unknown commands raise."""
    if not text.startswith("/"):
        return None
    name, _, argument = text[1:].partition(" ")
    name = name.lower()
    if name not in SLASH_COMMANDS:
        raise ConfigError(f"unknown command /{name}", "type /help for the list of commands")
    return SlashCommand(name, argument.strip())


class SlashProvider(Provider):
    """Offers every slash command in the command palette (ctrl+p)."""

    @property
    def _app(self) -> HunkwiseApp:
        return self.app  # type: ignore[return-value]

    def _run(self, name: str) -> None:
        self._app.run_slash(SlashCommand(name, ""))

    async def discover(self) -> Hits:
        for name, (_, text) in SLASH_COMMANDS.items():
            if name not in {"add", "drop", "plan"}:
                yield DiscoveryHit(f"/{name}", partial(self._run, name), help=text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, (_, text) in SLASH_COMMANDS.items():
            if name in {"add", "drop", "plan"}:
                continue
            score = matcher.match(f"/{name} {text}")
            if score > 0:
                yield Hit(score, matcher.highlight(f"/{name}"), partial(self._run, name), help=text)
