"""The app's shared state and helpers that every handler mixin uses."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App

from hunkwise.errors import HunkwiseError
from tui.session import ReviewSession
from tui.widgets.chat import ChatPane
from tui.widgets.diff_pane import DiffPane
from tui.widgets.diff_view import DiffView
from tui.widgets.status import StatusBar, StatusInfo
from tui.widgets.tests_pane import TestsPane

if TYPE_CHECKING:
    from agent.loop import Agent
    from repomap.protocol import RepoMap


class AppBase(App[None]):
    """State the mixins share: the review session, the lazily built agent and repo map."""

    session: ReviewSession
    status_info: StatusInfo
    keys: dict[str, str]
    _agent: Agent | None
    _repo_map: RepoMap | None

    @property
    def repo(self) -> Path:
        """The repository under work."""
        return self.session.repo

    @property
    def chat(self) -> ChatPane:
        """The chat pane."""
        return self.query_one(ChatPane)

    @property
    def diff_view(self) -> DiffView:
        """The hunk reviewer inside the diff pane."""
        return self.query_one(DiffView)

    @property
    def tests_pane(self) -> TestsPane:
        """The test pane."""
        return self.query_one(TestsPane)

    def set_status(self, **changes: object) -> None:
        """Update fields of the status bar."""
        self.status_info = replace(self.status_info, **changes)  # type: ignore[arg-type]
        self.query_one(StatusBar).info = self.status_info

    def refresh_diff(self) -> None:
        """Push the change set's current views down into the diff pane."""
        self.diff_view.changes = self.session.changes
        self.query_one(DiffPane).files = self.session.files()
        pane = self.tests_pane
        pane.stale = not self.session.tests_current()
        if pane.report is not None:
            pane.report = pane.report  # re-render the "stale" flag

    def show_error(self, error: BaseException) -> None:
        """A notification with what went wrong and what to do; never a traceback."""
        if isinstance(error, HunkwiseError):
            text = f"{error.message}\n→ {error.hint}" if error.hint else error.message
        else:
            text = f"{type(error).__name__}: {error}\n→ this is a bug in hunkwise; please report it"
        self.notify(text, severity="error", timeout=10)
