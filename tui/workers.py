"""The app's slow work, each a thin thread worker: one domain call, then a message."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from typing import TYPE_CHECKING

from textual import work

from tui.base import AppBase
from tui.messages import (
    AgentEventPosted,
    AgentFinished,
    BranchKnown,
    ChangesLoaded,
    CommitMessageReady,
    Committed,
    CommitUndone,
    LineBatcher,
    MapProgress,
    MapReady,
    Notice,
    TestLines,
    TestsFinished,
    TestsStarted,
)
from tui.session import CommitRequest

if TYPE_CHECKING:
    from agent.loop import Agent
    from repomap.protocol import RepoMap
    from sandbox.protocol import Sandbox

SandboxFactory = Callable[[], AbstractContextManager["Sandbox"]]


class WorkersMixin(AppBase):
    """Workers never touch widgets: they post messages that the app's handlers act on."""

    sandbox_factory: SandboxFactory | None
    _resources: ExitStack  # the sessions database of the agent; closed when the app ends
    _tests_cancel: threading.Event

    def _open_sandbox(self) -> AbstractContextManager[Sandbox]:
        if self.sandbox_factory is not None:
            return self.sandbox_factory()
        from sandbox.select import open_sandbox

        return open_sandbox(self.session.settings.sandbox)

    def _get_repo_map(self) -> RepoMap:
        if self._repo_map is None:
            from repomap import open_repo_map

            settings = self.session.settings
            self._repo_map = open_repo_map(self.repo, settings.repomap, self.session.model)
        return self._repo_map

    def _get_agent(self, task: str = "") -> Agent:
        """The agent over the current change set, recording a session (created on first use)."""
        if self._agent is None:
            from agent.loop import Agent
            from agent.sessions import db_path_for, open_store

            settings = self.session.settings
            assert self.session.changes is not None
            store = self._resources.enter_context(open_store(db_path_for(settings)))
            session_id = store.create(self.repo, task, settings.model.main or "")
            self._agent = Agent(
                self.repo,
                settings,
                self.session.changes,
                self._open_sandbox,
                self._get_repo_map(),
                lambda event: self.post_message(AgentEventPosted(event)),
                store=store,
                session_id=session_id,
            )
        return self._agent

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_changes(self, from_worktree: bool) -> None:
        """A change set over the repo: the working tree's own changes, or an empty one."""
        from agent.changes import ChangeSet

        if from_worktree:
            changes = ChangeSet.from_worktree(self.repo)
        else:
            changes = ChangeSet(self.repo, self.session.settings.agent.deny_globs)
        self.post_message(ChangesLoaded(changes, from_worktree))

    @work(thread=True, exclusive=True, group="git", exit_on_error=False)
    def load_branch(self) -> None:
        """Ask git for the current branch."""
        from agent.vcs import GitRepo

        with GitRepo.open(self.repo, self.session.settings.git) as git:
            self.post_message(BranchKnown(git.branch()))

    @work(thread=True, exclusive=True, group="agent", exit_on_error=False)
    def run_agent(self, task: str, redo: bool = False, plan: bool | None = None) -> None:
        """Run the agent on `task` (or send the rejected hunks back) until it stops."""
        agent = self._get_agent(task)
        outcome = agent.redo_rejected() if redo else agent.run(task, plan=plan)
        self.post_message(AgentFinished(outcome))

    def cancel_agent(self) -> None:
        """Ask a running agent to stop (a model call at once, a tool or test run once it ends)."""
        if self._agent is not None:
            self._agent.cancel()

    def cancel_tests(self) -> threading.Event:
        """Stop the running test run (if any); returns the event for the next one."""
        self._tests_cancel.set()
        self._tests_cancel = threading.Event()
        return self._tests_cancel

    @work(thread=True, exclusive=True, group="tests", exit_on_error=False)
    def run_tests(
        self, overlay: dict[str, bytes | None], digest: str, cancel: threading.Event
    ) -> None:
        """Run the repo's tests in the sandbox on exactly `overlay` (stops when `cancel` is set)."""
        from sandbox.testing import detect_test_command, run_tests

        settings = self.session.settings.sandbox
        batcher = LineBatcher(lambda lines: self.post_message(TestLines(lines)))
        with self._open_sandbox() as sandbox:
            command = detect_test_command(self.repo, settings)
            self.post_message(TestsStarted(command, str(sandbox.name)))
            report = run_tests(
                sandbox,
                self.repo,
                overlay,
                settings,
                on_line=lambda line: batcher.add(line.text),
                cancel=cancel,
            )
        batcher.flush()
        self.post_message(TestsFinished(report, digest))

    @work(thread=True, exclusive=True, group="commit", exit_on_error=False)
    def write_commit_message(self, diff: str, fallback: str) -> None:
        """Ask the weak model for a commit message; fall back to a plain summary."""
        message = fallback
        if self.session.model and self.session.changes is not None:
            message = self._get_agent().commit_message(diff).strip() or fallback
        self.post_message(CommitMessageReady(message))

    @work(thread=True, exclusive=True, group="commit", exit_on_error=False)
    def commit(self, request: CommitRequest) -> None:
        """Write the accepted state (unless it is the user's own tree) and commit exactly it.

        A review of the user's own tree instead gets its edited hunks written back after the
        commit, so the working tree does not silently undo them.
        """
        from agent.changes.errors import ChangeError
        from agent.vcs import GitRepo

        session = self.session
        if not session.from_worktree and session.changes is not None:
            written = session.changes.write_accepted()
            if not written.ok:
                raise ChangeError(
                    "some files changed on disk since the agent read them: "
                    + ", ".join(written.conflicts),
                    "nothing was committed; review the files and ask the agent again",
                )
        with GitRepo.open(self.repo, session.settings.git) as git:
            sha = git.commit_contents(
                request.contents,
                request.message,
                session.model,
                request.report,
                request.override_note,
                request.bases,
                from_worktree=session.from_worktree,
            )
        try:
            kept = session.write_review_edits()
        finally:
            self.post_message(Committed(sha, request.message.splitlines()[0]))
        if kept:
            self.notify(
                kept,
                title="your edit is in the commit only",
                severity="warning",
                timeout=20,
                markup=False,
            )  # notify is thread-safe

    @work(thread=True, exclusive=True, group="commit", exit_on_error=False)
    def undo_commit(self) -> None:
        """Undo the last hunkwise commit."""
        from agent.vcs import GitRepo

        with GitRepo.open(self.repo, self.session.settings.git) as git:
            self.post_message(CommitUndone(git.undo_last()))

    @work(thread=True, exclusive=True, group="map", exit_on_error=False)
    def build_map(self, query: str | None = None) -> None:
        """Build (or refresh) the repo map; render it when `query` is given."""
        from repomap.protocol import MapRequest

        repo_map = self._get_repo_map()
        last = [-1]

        def progress(done: int, total: int) -> None:
            percent = done * 100 // max(total, 1)
            if percent != last[0]:  # coalesce: at most 100 messages per build
                last[0] = percent
                self.post_message(MapProgress(done, total))

        repo_map.build(progress)
        result = repo_map.render(MapRequest(query=query or ""))
        text = result.text if query is not None else None
        self.post_message(MapReady(text, len(result.files), result.tokens))

    @work(thread=True, exclusive=True, group="sessions", exit_on_error=False)
    def list_sessions(self) -> None:
        """Recent sessions, as a chat notice."""
        from agent.sessions import list_sessions

        rows = list_sessions(self.session.settings, self.repo, limit=20)
        lines = [
            f"- `{r.id}` {r.state} · {r.turns} turns · ${r.cost_usd:.4f} · {r.task[:60]}"
            for r in rows
        ]
        self.post_message(Notice("\n".join(lines) or "no sessions in this repository yet", True))
