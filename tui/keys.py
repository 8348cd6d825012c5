"""The key map: every action, its default keys and where it applies, rebindable from settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hunkwise.errors import ConfigError

Scope = Literal["diff", "app"]


@dataclass(frozen=True)
class KeyAction:
    """One rebindable action: its name, default keys, footer label and help text."""

    name: str
    keys: str
    label: str
    help: str
    scope: Scope
    show: bool = True


ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("next_hunk", "j,down", "next", "Next hunk (or next line in line mode)", "diff"),
    KeyAction("prev_hunk", "k,up", "prev", "Previous hunk (or previous line)", "diff", False),
    KeyAction("next_file", "J", "file", "Next file", "diff"),
    KeyAction("prev_file", "K", "prev file", "Previous file", "diff", False),
    KeyAction("accept", "y", "accept", "Accept the hunk", "diff"),
    KeyAction("reject", "n", "reject", "Reject the hunk", "diff"),
    KeyAction("undo_decision", "u", "undo", "Undo the decision on the hunk", "diff"),
    KeyAction("accept_file", "Y", "accept file", "Accept the whole file", "diff", False),
    KeyAction("reject_file", "N", "reject file", "Reject the whole file", "diff", False),
    KeyAction("split", "s", "split", "Split the hunk into smaller hunks", "diff"),
    KeyAction("line_mode", "v", "lines", "Line mode: pick single lines of the hunk", "diff"),
    KeyAction("toggle_line", "space", "toggle", "Toggle the line under the cursor", "diff", False),
    KeyAction("edit", "e", "edit", "Edit the hunk's new text in place", "diff"),
    KeyAction("edit_external", "E", "$EDITOR", "Edit the hunk in $EDITOR", "diff", False),
    KeyAction("reject_reason", "r", "reason", "Reject with a reason the agent gets back", "diff"),
    KeyAction("run_tests", "t", "test", "Run the tests on exactly the accepted state", "app"),
    KeyAction("commit", "c", "commit", "Commit the accepted changes", "app"),
    KeyAction("undo_commit", "U", "undo commit", "Undo the last hunkwise commit", "app", False),
    KeyAction("next_pane", "tab", "pane", "Next pane", "app", False),
    KeyAction("help", "question_mark", "help", "Show this help", "app"),
    KeyAction("palette", "ctrl+p", "palette", "Command palette", "app", False),
    KeyAction("stop_agent", "escape", "stop", "Stop the running agent now (its test run too)",
              "app", False),
    KeyAction("quit", "q", "quit", "Quit", "app"),
)

ACTION_NAMES: frozenset[str] = frozenset(a.name for a in ACTIONS)


def resolve_keys(overrides: dict[str, str]) -> dict[str, str]:
    """Action name -> comma-separated keys after applying the user's rebindings."""
    unknown = sorted(set(overrides) - ACTION_NAMES)
    if unknown:
        raise ConfigError(
            f"unknown action(s) in ui.keys: {', '.join(unknown)}",
            f"valid actions: {', '.join(sorted(ACTION_NAMES))}",
        )
    resolved = {a.name: a.keys for a in ACTIONS}
    for name, keys in overrides.items():
        cleaned = ",".join(k.strip() for k in keys.split(",") if k.strip())
        if not cleaned:
            raise ConfigError(f"ui.keys.{name} is empty", "give at least one key, e.g. 'y'")
        resolved[name] = cleaned
    return resolved


def display_key(keys: str) -> str:
    """A short human form of a comma-separated key list, for the help screen."""
    names = {"question_mark": "?", "space": "space", "down": "↓", "up": "↑"}
    return " / ".join(names.get(k, k) for k in keys.split(","))
