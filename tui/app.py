"""The hunkwise app: chat, diff and test panes; the app mediates between panes and the domain."""

from __future__ import annotations

import threading
from contextlib import ExitStack
from pathlib import Path

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from hunkwise.errors import ConfigError
from hunkwise.settings import Settings
from tui.commands import SlashProvider
from tui.events import AgentEventsMixin
from tui.keys import ACTIONS, resolve_keys
from tui.messages import (
    BranchKnown,
    ChangesLoaded,
    CommitMessageReady,
    Committed,
    CommitUndone,
    MapProgress,
    MapReady,
    Notice,
    TestLines,
    TestsFinished,
    TestsStarted,
)
from tui.review import ReviewMixin
from tui.screens.help import HelpScreen
from tui.session import ReviewSession
from tui.slash import SlashMixin
from tui.widgets.chat import ChatInput, ChatPane
from tui.widgets.diff_pane import DiffPane
from tui.widgets.status import StatusBar, StatusInfo, short_model
from tui.widgets.tests_pane import TestsPane
from tui.workers import SandboxFactory, WorkersMixin

STYLES = Path(__file__).parent / "styles"

MAIN_SCREEN_ACTIONS = frozenset({"run_tests", "commit", "undo_commit", "help"})

NO_MODEL_HELP = (
    "No model is configured, so the agent is off. You can still review this repository's "
    "uncommitted changes hunk by hunk (diff pane), run the tests (t) and commit (c).\n"
    "To use an agent: `hunkwise --model anthropic/claude-sonnet-4-5` (any litellm name), or set "
    'HUNKWISE_MODEL, or `[model] main = "..."` in ~/.config/hunkwise/config.toml.'
)


class HunkwiseApp(SlashMixin, ReviewMixin, AgentEventsMixin, WorkersMixin):
    """The pair-programming app; construct it through `make_app`."""

    TITLE = "hunkwise"
    CSS_PATH = [STYLES / "app.tcss", STYLES / "dialogs.tcss"]
    COMMANDS = App.COMMANDS | {SlashProvider}
    # Below 130 columns the file list gives its width to the diff (the file rows stay inline).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (130, "-wide")]
    BINDINGS = [
        Binding(a.keys, a.name, a.label, show=a.show, id=a.name, priority=a.name == "next_pane")
        for a in ACTIONS
        if a.scope == "app"
    ]

    def __init__(
        self,
        repo: Path,
        settings: Settings,
        model: str | None = None,
        *,
        sandbox_factory: SandboxFactory | None = None,
        initial_task: str | None = None,
    ) -> None:
        super().__init__()
        self.session = ReviewSession(repo, settings, model or settings.model.main)
        self.sandbox_factory = sandbox_factory
        self.initial_task = initial_task
        self._agent = None
        self._repo_map = None
        self._tests_cancel = threading.Event()
        self._resources = ExitStack()
        self.keys = resolve_keys(settings.ui.keys)
        self.set_keymap(self.keys)
        if settings.ui.theme:
            if settings.ui.theme not in self.available_themes:
                raise ConfigError(
                    f"unknown theme {settings.ui.theme!r} in ui.theme",
                    f"pick one of: {', '.join(sorted(self.available_themes))}",
                )
            self.theme = settings.ui.theme
        self.status_info = StatusInfo(
            model=short_model(self.session.model),
            backend=f"sandbox: {settings.sandbox.backend}",
        )

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            chat = ChatPane(id="chat")
            chat.border_title = "chat"
            yield chat
            with Vertical(id="right"):
                diff = DiffPane(id="diff")
                diff.border_title = "pending changes"
                yield diff
                tests = TestsPane(id="tests")
                tests.border_title = "tests"
                yield tests
        yield StatusBar(id="status")
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one(ChatInput).focus()
        self.set_status()
        self.load_changes(from_worktree=self.session.model is None)
        self.load_branch()
        if self.session.settings.ui.build_map_on_start:
            self.build_map(None)
        if self.session.model is None:
            await self.chat.add_notice(NO_MODEL_HELP, "hint")

    def on_unmount(self) -> None:
        self._tests_cancel.set()
        self._resources.close()

    # -- worker results ---------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.show_error(event.worker.error)
            if event.worker.group == "agent":
                self.set_status(agent_state="error")
            if event.worker.group == "tests":
                self.tests_pane.query_one("#test-summary").update("test run failed to start")

    @on(ChangesLoaded)
    async def _changes_loaded(self, event: ChangesLoaded) -> None:
        self.session.changes = event.changes
        self.session.from_worktree = event.from_worktree
        self._agent = None  # an agent is bound to one change set
        self.refresh_diff()
        if self.initial_task:
            task, self.initial_task = self.initial_task, None
            await self.submit_task(task)

    @on(BranchKnown)
    def _branch(self, event: BranchKnown) -> None:
        self.set_status(branch=event.branch)

    @on(TestsStarted)
    def _tests_started(self, event: TestsStarted) -> None:
        self.tests_pane.start(event.command, event.backend)
        self.set_status(backend=f"sandbox: {event.backend}")

    @on(TestLines)
    def _test_lines(self, event: TestLines) -> None:
        self.tests_pane.add_lines(event.lines)

    @on(TestsFinished)
    def _tests_finished(self, event: TestsFinished) -> None:
        self.session.record_tests(event.report, event.digest)
        pane = self.tests_pane
        pane.stale = not self.session.tests_current()
        pane.report = event.report
        self.set_status(backend=f"sandbox: {event.report.backend.value}")

    @on(CommitMessageReady)
    def _commit_message_ready(self, event: CommitMessageReady) -> None:
        self.open_commit_dialog(event.message)

    @on(Committed)
    async def _committed(self, event: Committed) -> None:
        self.notify(f"committed {event.sha[:10]}: {event.summary}", title="commit")
        await self.chat.add_notice(f"✓ committed {event.sha[:10]} {event.summary}", "ok")
        self.session.report = None
        self.session.tested_digest = None
        self.tests_pane.report = None
        if self.session.from_worktree:
            self.load_changes(from_worktree=True)
        elif self.session.changes is not None:
            self.session.changes.clear_decided()  # written and committed; undecided stay
            self.refresh_diff()
        self.load_branch()

    @on(CommitUndone)
    async def _undone(self, event: CommitUndone) -> None:
        self.notify(f"last commit undone; HEAD is {event.sha[:10]}", title="undo")
        await self.chat.add_notice(f"↶ undid the last hunkwise commit; HEAD is {event.sha[:10]}")
        self.load_changes(from_worktree=self.session.from_worktree)

    @on(MapProgress)
    def _map_progress(self, event: MapProgress) -> None:
        self.set_status(
            map_state=f"map: {event.done}/{event.total}", map_done=event.done, map_total=event.total
        )

    @on(MapReady)
    async def _map_ready(self, event: MapReady) -> None:
        plural = "" if event.files == 1 else "s"
        self.set_status(map_state=f"map: {event.files} file{plural}", map_done=0, map_total=0)
        if event.text is not None:
            await self.chat.add_markdown(f"```\n{event.text}\n```")

    @on(Notice)
    async def _notice(self, event: Notice) -> None:
        if event.markdown:
            await self.chat.add_markdown(event.text)
        else:
            await self.chat.add_notice(event.text)

    # -- app-wide actions -------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Tests, commit, undo and help act on the main screen only (never behind a dialog)."""
        if action in MAIN_SCREEN_ACTIONS and len(self.screen_stack) > 1:
            return False
        return True

    def action_next_pane(self) -> None:
        if self.screen is not self.screen_stack[0]:
            self.screen.focus_next()
            return
        order = [self.query_one(ChatInput), self.diff_view, self.tests_pane.query_one("#test-log")]
        focused = self.focused
        index = next((i for i, w in enumerate(order) if w is focused), -1)
        order[(index + 1) % len(order)].focus()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.keys))

    def action_palette(self) -> None:
        self.action_command_palette()

    def action_quit(self) -> None:  # type: ignore[override]
        self.cancel_agent()
        self._tests_cancel.set()
        self.exit()


def make_app(
    repo: Path,
    settings: Settings,
    model: str | None = None,
    *,
    sandbox_factory: SandboxFactory | None = None,
    initial_task: str | None = None,
) -> HunkwiseApp:
    """The app for `repo`; tests and the demo build it exactly like the command line does."""
    return HunkwiseApp(
        repo.resolve(), settings, model, sandbox_factory=sandbox_factory, initial_task=initial_task
    )
