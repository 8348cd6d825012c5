"""The pair-programming loop: plan, edit, test, self-review, stop in a clear state within budget."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent import context, phases
from agent.budget import Spend
from agent.contracts import AgentState, Review, RunOutcome
from agent.events import (
    AgentEvent,
    CostUpdate,
    Error,
    EventSink,
    PatchProposed,
    PlanReady,
    ReviewNotes,
    StateChanged,
    TokenDelta,
    ToolCallFinished,
    ToolCallStarted,
)
from agent.mapview import ConversationMap
from agent.models.cancel import Cancelled
from agent.models.client import ModelClient, ModelTurn, ToolCall
from agent.recorder import Recorder
from agent.secrets import SecretMasker
from agent.summarise import Summariser
from agent.testrun import SandboxFactory, TestBridge, report_text
from agent.tools.args import WORK_TOOLS
from agent.tools.toolbox import ToolBox, ToolResult
from agent.tools.workspace import Workspace
from hunkwise.errors import HunkwiseError

if TYPE_CHECKING:
    from agent.changes import ChangeSet
    from agent.sessions import SessionStore
    from hunkwise.settings import Settings
    from repomap.protocol import RepoMap

MAX_IDLE_TURNS = 3  # turns without a tool call before we call the run stuck
MAX_FAILED_CALLS = 8  # failed tool calls in a row before we call the run stuck
MAX_POLICY_REFUSALS = 6  # refused calls (shell, network, paths outside) before we stop


@dataclass
class _Progress:
    """Counters of one drive through the loop."""

    spend: Spend
    idle: int = 0
    failed: int = 0
    refused: int = 0
    revisions: int = 0
    tests_stale: bool = True
    finish_warned: bool = False


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
        self.client = client or ModelClient(settings.model)
        self.client.on_retry = self._on_retry
        self.session_id = session_id
        self.masker = SecretMasker.for_repo(self.repo)
        self.workspace = Workspace(self.repo, changes, settings.agent.deny_globs)
        self.messages: list[dict[str, Any]] = []
        self.task = ""
        self.session_cost = 0.0
        self.session_tokens = 0
        self.state = AgentState.IDLE
        self.last_review: Review | None = None
        self.tests_passed: bool | None = None
        self._cancel = threading.Event()
        self._plan_requested = settings.agent.plan
        self._spend: Spend | None = None
        self.map = ConversationMap(repo_map, settings.agent.map_tokens, self._emit)
        # Summaries are bookkeeping, not part of the conversation: they are not streamed.
        self.summariser = Summariser(
            lambda role, messages, tools: self._call(role, messages, tools, stream=False),
            self._emit)
        if store is not None and session_id is not None:
            info = store.get(session_id)
            self.messages = store.messages(session_id)
            self.task, self.session_cost = info.task, info.cost_usd
            self.session_tokens = info.tokens

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
        self._account(turn, "weak")
        text = turn.content.strip().strip("`").strip()
        return text or "chore: apply reviewed changes"

    # -- the loop -----------------------------------------------------------------------

    def _drive(self) -> RunOutcome:
        progress = _Progress(Spend())
        self._spend = progress.spend
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

    def _turn(self, toolbox: ToolBox, tests: TestBridge, p: _Progress) -> RunOutcome | None:
        """One model turn and its tool calls; a RunOutcome when the run ends."""
        if self._cancel.is_set():
            return self._finish(AgentState.CANCELLED, p.spend, "cancelled by the user")
        over = p.spend.exceeded(self.settings.budget)
        if over:
            return self._finish(AgentState.BUDGET_EXCEEDED, p.spend, over)
        self._set_state(AgentState.WORKING)
        self._refresh_map(toolbox.chat_files)
        self.messages = self.summariser.fit(self.messages, self._context_limit("main"),
                                            self._context_limit("weak"))
        over = p.spend.exceeded(self.settings.budget)  # a summary call counts as a turn
        if over:
            return self._finish(AgentState.BUDGET_EXCEEDED, p.spend, over)
        turn = self._call("main", self.messages, toolbox.schemas())
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
        finish: ToolResult | None = None
        for call in turn.tool_calls:
            if finish is not None or self._cancel.is_set():
                self._tool_message(call.id, "skipped: the turn already ended")
                continue
            result = self._run_tool(toolbox, call)
            self._tool_message(call.id, result.output)
            p.failed = 0 if result.ok else p.failed + 1
            p.refused += int(result.policy)
            p.tests_stale = (p.tests_stale or result.changed) and not (
                result.name == "run_tests" and result.ok)
            if result.terminal:
                finish = result
        self.recorder.transcript(self.messages)
        if p.refused >= MAX_POLICY_REFUSALS:
            return self._finish(AgentState.BLOCKED_BY_POLICY, p.spend,
                                f"{p.refused} tool calls refused by policy")
        if p.failed >= MAX_FAILED_CALLS:
            return self._finish(AgentState.NEEDS_HUMAN, p.spend,
                                f"{p.failed} failed tool calls in a row")
        return None if finish is None else self._on_finish(finish, tests, p)

    def _on_finish(self, finish: ToolResult, tests: TestBridge,
                   p: _Progress) -> RunOutcome | None:
        """The model says it is done: test if stale, self-review, maybe send it back."""
        summary = finish.value.summary
        if not self.changes.files():
            return self._finish(AgentState.READY_FOR_REVIEW, p.spend, summary)
        if p.tests_stale and self.sandbox_factory is not None:
            p.tests_stale = False
            try:
                text = self._run_tests(tests, None)
            except HunkwiseError:
                text, self.tests_passed = "", None  # reported as an Error event already
            if self.tests_passed is False and not p.finish_warned:
                p.finish_warned = True
                self.messages.append({"role": "user", "content": (
                    "Tests on your pending changes fail:\n" + text +
                    "\nFix them, or call finish again to hand over as is.")})
                return None
        if self.settings.agent.self_review:
            review = self._review(tests)
            if (review is not None and review.status == "needs_revision"
                    and p.revisions < self.settings.agent.max_revisions):
                p.revisions += 1
                p.finish_warned = False
                self.messages.append({"role": "user",
                                      "content": phases.findings_message(review)})
                return None
        return self._finish(AgentState.READY_FOR_REVIEW, p.spend, summary)

    # -- steps --------------------------------------------------------------------------

    def _call(self, role: str, messages: list[dict[str, Any]],
              tools: list[dict[str, Any]], stream: bool = True) -> ModelTurn:
        """One model call with history trimming, secret masking, streaming and accounting."""
        trimmed = context.trim_history(messages, self._context_limit(role))
        outbound = self.masker.mask_messages(trimmed)
        turn = self.client.complete(
            role, outbound, tools or None,
            (lambda text: self._emit(TokenDelta(text=text, role=role))) if stream else None,
            self._cancel,
        )
        self._account(turn, role)
        return turn

    def _context_limit(self, role: str) -> int:
        """Where history trimming starts: the setting, or less when the model's window is."""
        window = self.client.context_window(role)
        limit = self.settings.model.context_tokens
        return min(limit, window) if window else limit

    def _account(self, turn: ModelTurn, role: str) -> None:
        """Add a call to the session totals and to the running drive's budget (plan and review
        calls count too)."""
        self.session_cost += turn.cost_usd
        self.session_tokens += turn.prompt_tokens + turn.completion_tokens
        spend = self._spend
        if spend is not None:
            spend.turns += 1
            spend.prompt_tokens += turn.prompt_tokens
            spend.completion_tokens += turn.completion_tokens
            spend.cost_usd += turn.cost_usd
        label = "replay" if self.client.is_replay(role) else turn.model
        self._emit(CostUpdate(prompt_tokens=turn.prompt_tokens,
                              completion_tokens=turn.completion_tokens, cost_usd=turn.cost_usd,
                              session_cost_usd=self.session_cost,
                              session_tokens=self.session_tokens, model=label))

    def _run_tool(self, toolbox: ToolBox, call: ToolCall) -> ToolResult:
        """Run one tool call with start/finish events and an audit row."""
        arguments: dict[str, Any] | str = call.arguments
        try:
            parsed = json.loads(call.arguments or "{}")
            arguments = parsed if isinstance(parsed, dict) else call.arguments
        except ValueError:
            pass
        self._emit(ToolCallStarted(call_id=call.id, name=call.name, arguments=arguments))
        result = toolbox.call(call)
        result.output = context.compress(result.output, self.settings.agent.max_tool_output_chars)
        self._emit(ToolCallFinished(call_id=call.id, name=call.name, ok=result.ok,
                                    summary=result.summary))
        self.recorder.audit("tool", call.name, arguments, result.ok, result.summary)
        if result.changed:
            self._patch_event()
        return result

    def _run_tests(self, tests: TestBridge, selection: list[str] | None) -> str:
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

    def _review(self, tests: TestBridge) -> Review | None:
        self._set_state(AgentState.REVIEWING)
        evidence = report_text(tests.last_report) if tests.last_report else ""
        review = phases.run_review(self.task, self.changes, evidence, self.workspace,
                                   self.repo_map, self._call, self._run_tool)
        if review is None:
            self._emit(Error(message="the review model gave no verdict",
                             hint="the changes are handed over unreviewed"))
            return None
        self.last_review = review
        for finding in review.findings:
            try:
                self.changes.attach_note(finding.path, finding.line,
                                         f"[{finding.severity}] {finding.message}")
            except HunkwiseError:
                pass  # a finding about a file outside the change set stays in the event only
        self._emit(ReviewNotes(review=review))
        return review

    def _plan(self) -> None:
        self._set_state(AgentState.PLANNING)
        spec = phases.run_plan(self.task, self.map.render(self.task), self.workspace,
                               self.repo_map, self._call, self._run_tool)
        if spec is None:
            self._emit(Error(message="the model gave no plan",
                             hint="the agent goes on with the task without a plan"))
        else:
            self._emit(PlanReady(spec=spec))
            criteria = "\n".join(f"- {c}" for c in spec.acceptance_criteria)
            self.messages.append({"role": "user", "content": (
                f"Plan (risk {spec.risk}): {spec.summary}\nAcceptance criteria:\n{criteria}\n"
                f"Files likely affected: {', '.join(spec.files_likely_affected)}")})

    # -- helpers ------------------------------------------------------------------------

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

    def _tool_message(self, call_id: str, output: str) -> None:
        self.messages.append({"role": "tool", "tool_call_id": call_id, "content": output})

    def _set_state(self, state: AgentState, detail: str = "") -> None:
        if state != self.state or detail:
            self.state = state
            self._emit(StateChanged(state=state, detail=detail))

    def _emit(self, event: AgentEvent) -> None:
        self.recorder.emit(event)

    def _on_retry(self, kind: str, attempt: int, delay: float) -> None:
        self._emit(Error(message=f"model {kind}; retry {attempt} in {delay:.1f} s",
                         hint="transient; hunkwise retries with backoff"))

    def _finish(self, state: AgentState, spend: Spend, reason: str) -> RunOutcome:
        self._spend = None  # later calls (a commit message) belong to no run's budget
        self._set_state(state, reason)
        self.recorder.transcript(self.messages)
        self.recorder.finished(str(state), reason, self.changes.proposed_overlay(),
                               self.session_cost, self.session_tokens, spend.turns)
        ready = state == AgentState.READY_FOR_REVIEW
        return RunOutcome(
            state=state, summary=reason if ready else "", reason=None if ready else reason,
            turns=spend.turns, prompt_tokens=spend.prompt_tokens,
            completion_tokens=spend.completion_tokens, cost_usd=spend.cost_usd,
            session_id=self.session_id, tests_passed=self.tests_passed,
        )
