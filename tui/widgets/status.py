"""The status bar: model, session tokens and cost, branch, sandbox backend and repo-map state."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import ProgressBar, Static


@dataclass(frozen=True)
class StatusInfo:
    """Everything the status bar shows."""

    model: str = "no model"
    tokens: int = 0
    cost_usd: float = 0.0
    branch: str = "?"
    backend: str = "sandbox: ?"
    map_state: str = "map: not built"
    map_done: int = 0
    map_total: int = 0
    agent_state: str = "idle"


def short_model(name: str | None) -> str:
    """The model as the status bar shows it (a replay script by file name, never a path)."""
    if not name:
        return "no model"
    if name.startswith("replay:"):
        return "replay:" + name.split("/")[-1]
    return name


class StatusBar(Horizontal):
    """One line at the bottom; a progress bar appears while the repo map is first built."""

    info: reactive[StatusInfo] = reactive(StatusInfo, always_update=True)

    def compose(self) -> ComposeResult:
        yield Static(id="status-text")
        yield ProgressBar(total=None, show_eta=False, id="map-progress")

    def watch_info(self, info: StatusInfo) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        parts = [
            (f" {info.model} ", "bold #1e1e2e on #89b4fa"),
            (f" {info.tokens:,} tok · ${info.cost_usd:.4f} ", ""),
            (f"⎇ {info.branch} ", "#a6e3a1"),
            (f"{info.backend} ", "#f9e2af"),
            (f"{info.map_state} ", "#cba6f7"),
            (f"agent: {info.agent_state}", "dim"),
        ]
        for index, (part, style) in enumerate(parts):
            if index > 1:
                text.append("│ ", style="dim")
            text.append(part, style=style)
        self.query_one("#status-text", Static).update(text)
        bar = self.query_one(ProgressBar)
        building = info.map_total > 0 and info.map_done < info.map_total
        bar.display = building
        if building:
            bar.update(total=info.map_total, progress=info.map_done)
