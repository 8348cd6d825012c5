"""The pair-programming loop: plan, edit, test, self-review, stop in a clear state within budget."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent import context, finish, phases, sidesteps, turns
from agent.accounting import Ledger
from agent.budget import Spend
from agent.calls import ModelCalls
from agent.contracts import AgentState, Review, RunOutcome
from agent.events import AgentEvent, Error, EventSink, PatchProposed, StateChanged
from agent.mapview import ConversationMap
from agent.models.cancel import Cancelled
from agent.models.client import ModelClient, ToolCall
from agent.recorder import Recorder
from agent.secrets import SecretMasker
from agent.summarise import Summariser
from agent.testrun import SandboxFactory, TestBridge, report_text
from agent.tools.args import WORK_TOOLS
from agent.tools.toolbox import ToolBox, ToolResult
from agent.tools.workspace import Workspace
from agent.turns import MAX_IDLE_TURNS, Progress
from hunkwise.errors import HunkwiseError

if TYPE_CHECKING:
    from agent.changes import ChangeSet
    from agent.sessions import SessionStore
    from hunkwise.settings import Settings
    from repomap.protocol import RepoMap


class Agent:
    """Drives one conversation with the main model over a pending change set."""

    def __init__(self, repo: Path, settings: Settings, changes: ChangeSet,
                 sandbox_factory: SandboxFactory | None, repo_map: RepoMap | None,
                 on_event: EventSink, *, client: ModelClient | None = None,
                 store: SessionStore | None = None, session_id: str | None = None) -> None:
        self.repo = Path(repo).resolve()
        self.settings = settings
        self.changes = changes
        self.sandbox_factory = sandbox_factory
        self.repo_map = repo_map
        self.recorder = Recorder(on_event, store, session_id)
        model_client = client or ModelClient(settings.model)
        self.session_id = session_id
        self.masker = SecretMasker.for_repo(self.repo)
        self.workspace = Workspace(self.repo, changes, settings.agent.deny_globs)
        self.messages: list[dict[str, Any]] = []
        self.task = ""
        self.ledger = Ledger()
        self.state = AgentState.IDLE
        self.last_review: Review | None = None
        self.tests_passed: bool | None = None
        self._cancel = threading.Event()
        self._plan_requested = settings.agent.plan
        self.calls = ModelCalls(model_client, settings.model, self.masker, self.ledger,
                                self._emit, self._cancel)
        self.map = ConversationMap(repo_map, settings.agent.map_tokens, self._emit)
        # Summaries are bookkeeping, not part of the conversation: they are not streamed.
        self.summariser = Summariser(
            lambda role, messages, tools: self.calls.call(role, messages, tools, stream=False),
            self._emit)
        if store is not None and session_id is not None:
            info = store.get(session_id)
            self.messages = store.messages(session_id)
            self.task, self.ledger.session_cost = info.task, info.cost_usd
            self.ledger.session_tokens = info.tokens

    @property
    def client(self) -> ModelClient:
        """The model client (replaceable: tests hand one replay script to a second agent)."""
        return self.calls.client

    @client.setter
    def client(self, client: ModelClient) -> None:
        self.calls.client = client

    @property
    def session_cost(self) -> float:
        """Dollars spent in this session so far, across runs."""
        return self.ledger.session_cost

    @property
    def session_tokens(self) -> int:
        """Tokens used in this session so far, across runs."""
        return self.ledger.session_tokens

    # -- public -------------------------------------------------------------------------

    def run(self, task: str, plan: bool | None = None) -> RunOutcome:
        """Work on `task` (or a follow-up in the same session) until a terminal state.

        `plan` overrides `settings.agent.plan` for this run (the app's /plan).
        """
        self._cancel.clear()
        self._plan_requested = self.settings.agent.plan if plan is None else plan
        if not self.messages:
            self.task = task
            self.messages = [context.system_message(self.repo),
                             context.task_message(task, self.map.render(task))]
        else:
            self.messages.append({"role": "user", "content": task})
        return self._drive()

    def redo_rejected(self) -> RunOutcome:
        """Send rejected hunks and their reasons back; the model redoes only those parts."""
        rejected = self.changes.drop_rejected()
        if not rejected:
            return self._finish(AgentState.READY_FOR_REVIEW, Spend(), "nothing was rejected")
        self._cancel.clear()
        if not self.messages:
            self.messages = [context.system_message(self.repo),
                             context.task_message(self.task or "(resumed)", "")]
        self.messages.append({"role": "user", "content": phases.rejections_message(rejected)})
        self._patch_event()
        return self._drive()

    def cancel(self) -> None:
        """Stop now: a model call in flight is abandoned, a running tool call ends first."""
        self._cancel.set()

    def commit_message(self, diff: str) -> str:
        """A conventional commit message for `diff`, written by the weak model."""
        prompt = ("Write a git commit message for this diff in conventional-commit style: "
                  "a subject line under 72 characters (type(scope): summary), a blank line, "
                  "then a short body saying why. Answer with the message only.\n\n" + diff)
        messages = self.masker.mask_messages([{"role": "user", "content": prompt}])
        turn = self.client.complete("weak", messages, None, None)
        self.calls.account(turn, "weak")
        text = turn.content.strip().strip("`").strip()
        return text or "chore: apply reviewed changes"

    # -- the loop -----------------------------------------------------------------------

    def _drive(self) -> RunOutcome:
        progress = Progress(Spend())
        self.ledger.spend = progress.spend
        self.summariser.reset()
        try:
            with TestBridge(self.repo, self.settings.sandbox, self._sandbox_factory(),
                            self._emit, self._cancel) as tests:
                toolbox = ToolBox(self.workspace, WORK_TOOLS, self.repo_map,
                                  lambda sel: self._run_tests(tests, sel),
                                  self.settings.agent.map_tokens)
                if self._plan_requested and len(self.messages) == 2:
                    self._plan()
                while True:
                    outcome = self._turn(toolbox, tests, progress)
                    if outcome is not None:
                        return outcome
        except Cancelled:  # the user stopped a model call in flight; its answer is dropped
            return self._finish(AgentState.CANCELLED, progress.spend, "cancelled by the user")
        except HunkwiseError as exc:  # model gave up, replay used up, sandbox unusable
            self._emit(Error(message=exc.message, hint=exc.hint))
            return self._finish(AgentState.ERROR, progress.spend, exc.message)

    def _turn(self, toolbox: ToolBox, tests: TestBridge, p: Progress) -> RunOutcome | None:
        """One model turn and its tool calls; a RunOutcome when the run ends."""
        if self._cancel.is_set():
            return self._finish(AgentState.CANCELLED, p.spend, "cancelled by the user")
        over = p.spend.exceeded(self.settings.budget)
        if over:
            return self._finish(AgentState.BUDGET_EXCEEDED, p.spend, over)
        self._set_state(AgentState.WORKING)
        self._refresh_map(toolbox.chat_files)
        self.messages = self.summariser.fit(self.messages, self.calls.context_limit("main"),
                                            self.calls.context_limit("weak"))
        over = p.spend.exceeded(self.settings.budget)  # a summary call counts as a turn
        if over:
            return self._finish(AgentState.BUDGET_EXCEEDED, p.spend, over)
        turn = self.calls.call("main", self.messages, toolbox.schemas())
        self.messages.append(turn.assistant_message())
        if not turn.tool_calls:
            p.idle += 1
            if p.idle >= MAX_IDLE_TURNS:
                return self._finish(AgentState.NEEDS_HUMAN, p.spend,
                                    "the model stopped calling tools")
            self.messages.append({"role": "user", "content": (
                "Continue with the tools; call finish(summary) when done.")})
            return None
        p.idle = 0
        done = turns.dispatch(turn.tool_calls, toolbox, self._run_tool, self.messages,
                              self._cancel, p)
        self.recorder.transcript(self.messages)
        stuck = p.stuck()
        if stuck is not None:
            state, reason = stuck
            return self._finish(state, p.spend, reason)
        return None if done is None else self._on_finish(done, tests, p)

    def _on_finish(self, done: ToolResult, tests: TestBridge, p: Progress) -> RunOutcome | None:
        """The model says it is done: test if stale, self-review, maybe send it back."""
        summary = done.value.summary
        can_test = self.sandbox_factory is not None
        note = finish.send_back(
            p, has_changes=bool(self.changes.files()),
            run_suite=(lambda: self._run_suite(tests)) if can_test else None,
            review=(lambda: self._review(tests)) if self.settings.agent.self_review else None,
            max_revisions=self.settings.agent.max_revisions)
        if note is None:
            return self._finish(AgentState.READY_FOR_REVIEW, p.spend, summary)
        self.messages.append({"role": "user", "content": note})
        return None

    # -- steps --------------------------------------------------------------------------

    def _run_tool(self, toolbox: ToolBox, call: ToolCall) -> ToolResult:
        """Run one tool call with start/finish events and an audit row."""
        return turns.run_tool(toolbox, call, self.recorder,
                              self.settings.agent.max_tool_output_chars, self._patch_event)

    def _run_tests(self, tests: TestBridge, selection: list[str] | None) -> str:
        """Run tests in the sandbox on the pending changes; the report as the model reads it."""
        if self.sandbox_factory is None:
            return "tests cannot run: no sandbox is configured"
        self._set_state(AgentState.TESTING)
        try:
            report = tests.run(self.changes.proposed_overlay(), selection)
        except HunkwiseError as exc:
            self._emit(Error(message=f"tests could not run: {exc.message}", hint=exc.hint))
            raise
        finally:
            self._set_state(AgentState.WORKING)
        self.tests_passed = report.status == "passed"
        self.recorder.test_run(report, selection)
        return report_text(report)

    def _run_suite(self, tests: TestBridge) -> tuple[bool | None, str]:
        """The whole suite before handing over: (passed, or None if it could not run; report)."""
        try:
            text = self._run_tests(tests, None)
        except HunkwiseError:
            text, self.tests_passed = "", None  # reported as an Error event already
        return self.tests_passed, text

    def _review(self, tests: TestBridge) -> Review | None:
        self._set_state(AgentState.REVIEWING)
        review = sidesteps.review(self.task, self.changes, tests.last_report, self._side_talk())
        if review is not None:
            self.last_review = review
            sidesteps.file_findings(review, self.changes, self._emit)
        return review

    def _plan(self) -> None:
        self._set_state(AgentState.PLANNING)
        message = sidesteps.plan(self.task, self.map.render(self.task), self._side_talk())
        if message is not None:
            self.messages.append({"role": "user", "content": message})

    # -- helpers ------------------------------------------------------------------------

    def _side_talk(self) -> sidesteps.SideTalk:
        return sidesteps.SideTalk(self.workspace, self.repo_map, self.calls.call,
                                  self._run_tool, self._emit)

    def _sandbox_factory(self) -> SandboxFactory:
        if self.sandbox_factory is not None:
            return self.sandbox_factory
        from sandbox.select import open_sandbox

        return lambda: open_sandbox(self.settings.sandbox)

    def _refresh_map(self, chat_files: list[str]) -> None:
        """Re-rank the map for the conversation so far and put it in the task message."""
        if len(self.messages) < 2:
            return
        text = self.map.for_conversation(self.task, self.messages, chat_files)
        if text is not None:
            self.messages[1] = context.task_message(self.task, text)

    def _patch_event(self) -> None:
        files = self.changes.files()
        self._emit(PatchProposed(files=[f.path for f in files],
                                 hunks=sum(len(f.hunks) for f in files)))

    def _set_state(self, state: AgentState, detail: str = "") -> None:
        if state != self.state or detail:
            self.state = state
            self._emit(StateChanged(state=state, detail=detail))

    def _emit(self, event: AgentEvent) -> None:
        self.recorder.emit(event)

    def _finish(self, state: AgentState, spend: Spend, reason: str) -> RunOutcome:
        self.ledger.spend = None  # later calls (a commit message) belong to no run's budget
        self._set_state(state, reason)
        self.recorder.transcript(self.messages)
        self.recorder.finished(str(state), reason, self.changes.proposed_overlay(),
                               self.session_cost, self.session_tokens, spend.turns)
        return finish.outcome(state, reason, spend, self.session_id, self.tests_passed)
