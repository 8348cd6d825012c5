"""One turn's tool calls: run each with events and an audit row, answer it, count the progress."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agent import context
from agent.contracts import AgentState
from agent.events import ToolCallFinished, ToolCallStarted

if TYPE_CHECKING:
    import threading

    from agent.budget import Spend
    from agent.models.client import ToolCall
    from agent.recorder import Recorder
    from agent.tools.toolbox import ToolBox, ToolResult

MAX_IDLE_TURNS = 3  # turns without a tool call before we call the run stuck
MAX_FAILED_CALLS = 8  # failed tool calls in a row before we call the run stuck
MAX_POLICY_REFUSALS = 6  # refused calls (shell, network, paths outside) before we stop

RunTool = Callable[["ToolBox", "ToolCall"], "ToolResult"]


@dataclass
class Progress:
    """Counters of one drive through the loop."""

    spend: Spend
    idle: int = 0
    failed: int = 0
    refused: int = 0
    revisions: int = 0
    tests_stale: bool = True
    finish_warned: bool = False

    def record(self, result: ToolResult) -> None:
        """Count one tool call's result: failures in a row, refusals, whether tests are stale."""
        self.failed = 0 if result.ok else self.failed + 1
        self.refused += int(result.policy)
        self.tests_stale = (self.tests_stale or result.changed) and not (
            result.name == "run_tests" and result.ok)

    def stuck(self) -> tuple[AgentState, str] | None:
        """The terminal state and reason when the tool calls so far say stop, else None."""
        if self.refused >= MAX_POLICY_REFUSALS:
            return AgentState.BLOCKED_BY_POLICY, f"{self.refused} tool calls refused by policy"
        if self.failed >= MAX_FAILED_CALLS:
            return AgentState.NEEDS_HUMAN, f"{self.failed} failed tool calls in a row"
        return None


def run_tool(toolbox: ToolBox, call: ToolCall, recorder: Recorder, max_output_chars: int,
             on_changed: Callable[[], None]) -> ToolResult:
    """Run one tool call with start/finish events and an audit row; `on_changed` after edits."""
    arguments: dict[str, Any] | str = call.arguments
    try:
        parsed = json.loads(call.arguments or "{}")
        arguments = parsed if isinstance(parsed, dict) else call.arguments
    except ValueError:
        pass
    recorder.emit(ToolCallStarted(call_id=call.id, name=call.name, arguments=arguments))
    result = toolbox.call(call)
    result.output = context.compress(result.output, max_output_chars)
    recorder.emit(ToolCallFinished(call_id=call.id, name=call.name, ok=result.ok,
                                   summary=result.summary))
    recorder.audit("tool", call.name, arguments, result.ok, result.summary)
    if result.changed:
        on_changed()
    return result


def dispatch(calls: list[ToolCall], toolbox: ToolBox, run: RunTool,
             messages: list[dict[str, Any]], cancel: threading.Event,
             progress: Progress) -> ToolResult | None:
    """Run a turn's calls in order, answering each in `messages`; the finish result, if any.

    Every call gets an answer (the model API wants one per call id), so calls after a finish
    or a cancel are answered as skipped rather than run.
    """
    finish: ToolResult | None = None
    for call in calls:
        if finish is not None or cancel.is_set():
            messages.append(_tool_message(call.id, "skipped: the turn already ended"))
            continue
        result = run(toolbox, call)
        messages.append(_tool_message(call.id, result.output))
        progress.record(result)
        if result.terminal:
            finish = result
    return finish


def _tool_message(call_id: str, output: str) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": output}
