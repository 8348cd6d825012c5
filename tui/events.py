"""Agent events bridged into the panes: tokens to the chat, patches to the diff, costs to status."""

from __future__ import annotations

from textual import on

from agent.contracts import AgentState
from agent.events import (
    CostUpdate,
    Error,
    PatchProposed,
    PlanReady,
    ReviewNotes,
    StateChanged,
    TestOutput,
    TestRunFinished,
    TestRunStarted,
    TokenDelta,
    ToolCallFinished,
    ToolCallStarted,
)
from tui.base import AppBase
from tui.messages import AgentEventPosted, AgentFinished

SEVERITY_MARK = {"info": "ℹ", "minor": "•", "major": "▲", "blocker": "⛔"}


class AgentEventsMixin(AppBase):
    """Renders what the agent reports; the agent's own test runs show in the test pane."""

    @on(AgentEventPosted)
    async def _agent_event(self, message: AgentEventPosted) -> None:
        event = message.event
        chat = self.chat
        match event:
            case TokenDelta(text=text, role=role):
                await chat.stream_token(text, role)
            case ToolCallStarted(call_id=call_id, name=name, arguments=arguments):
                await chat.tool_started(call_id, name, arguments)
            case ToolCallFinished(call_id=call_id, name=name, ok=ok, summary=summary):
                chat.tool_finished(call_id, name, ok, summary)
            case PatchProposed():
                self.refresh_diff()
            case TestRunStarted(command=command, backend=backend):
                self.tests_pane.start(command, f"{backend} (agent, on all proposed changes)")
                self.set_status(backend=f"sandbox: {backend}")
            case TestOutput(lines=lines):
                self.tests_pane.add_lines(lines)
            case TestRunFinished(report=report):
                self.tests_pane.stale = True  # the agent tests everything proposed, not accepted
                self.tests_pane.report = report
            case ReviewNotes(review=review):
                lines = [f"**Review: {review.status.replace('_', ' ')}**"]
                lines += [
                    f"- {SEVERITY_MARK[f.severity]} `{f.path}:{f.line}` {f.message}"
                    for f in review.findings
                ]
                await chat.add_markdown("\n".join(lines))
                self.refresh_diff()
            case PlanReady(spec=spec):
                criteria = [f"- {c}" for c in spec.acceptance_criteria] or ["- (none given)"]
                lines = [f"**Plan** (risk {spec.risk}): {spec.summary}", "", "Acceptance criteria:"]
                lines += criteria
                if spec.files_likely_affected:
                    files = ", ".join(f"`{path}`" for path in spec.files_likely_affected)
                    lines += ["", f"Files likely affected: {files}"]
                await chat.add_markdown("\n".join(lines))
            case CostUpdate() as cost:
                self.set_status(tokens=cost.session_tokens, cost_usd=cost.session_cost_usd)
                turn = cost.prompt_tokens + cost.completion_tokens
                await chat.cost_line(f"{turn:,} tokens · ${cost.cost_usd:.4f} this turn")
            case StateChanged(state=state):
                self.set_status(agent_state=state.value)
            case Error(message=text, hint=hint):
                self.notify(f"{text}\n→ {hint}" if hint else text, severity="error", timeout=10)

    @on(AgentFinished)
    async def _agent_finished(self, message: AgentFinished) -> None:
        outcome = message.outcome
        await self.chat.end_stream()
        self.set_status(agent_state=outcome.state.value)
        self.refresh_diff()
        summary = outcome.summary or outcome.reason or outcome.state.value
        kind = "ok" if outcome.state is AgentState.READY_FOR_REVIEW else "warn"
        await self.chat.add_notice(f"agent {outcome.state.value}: {summary}", kind)
        if any(view.hunks for view in self.session.files()):
            self.diff_view.focus()
            self.diff_view.select_first_undecided()
