"""Everything the agent tells the outside world, as one discriminated union through one callback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from agent.contracts import AgentState, Review, TaskSpec
from sandbox.protocol import TestReport


class TokenDelta(BaseModel):
    """A piece of streamed model text."""

    type: Literal["token_delta"] = "token_delta"
    text: str
    role: str = Field("main", description="Model role that produced it: main, review, weak.")


class ToolCallStarted(BaseModel):
    """The model asked for a tool."""

    type: Literal["tool_call_started"] = "tool_call_started"
    call_id: str
    name: str
    arguments: dict[str, Any] | str = Field(
        default_factory=dict, description="Parsed arguments, or the raw text if not JSON."
    )


class ToolCallFinished(BaseModel):
    """A tool call ended; `summary` is one short line for display."""

    type: Literal["tool_call_finished"] = "tool_call_finished"
    call_id: str
    name: str
    ok: bool
    summary: str


class PatchProposed(BaseModel):
    """The pending change set grew or changed."""

    type: Literal["patch_proposed"] = "patch_proposed"
    files: list[str]
    hunks: int


class TestRunStarted(BaseModel):
    """Tests started in the sandbox."""

    __test__ = False
    type: Literal["test_run_started"] = "test_run_started"
    command: list[str]
    backend: str


class TestOutput(BaseModel):
    """A batch of test output lines (batched, never one event per byte)."""

    __test__ = False
    type: Literal["test_output"] = "test_output"
    lines: list[str]


class TestRunFinished(BaseModel):
    """Tests finished; the report says how."""

    __test__ = False
    type: Literal["test_run_finished"] = "test_run_finished"
    report: TestReport


class ReviewNotes(BaseModel):
    """The self-review verdict; findings are also attached to hunks."""

    type: Literal["review_notes"] = "review_notes"
    review: Review


class PlanReady(BaseModel):
    """The plan step's result, before any edit: what done means."""

    type: Literal["plan_ready"] = "plan_ready"
    spec: TaskSpec


class CostUpdate(BaseModel):
    """Tokens and dollars of the last call and of the session so far."""

    type: Literal["cost_update"] = "cost_update"
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    session_cost_usd: float
    session_tokens: int
    model: str = Field("", description="Model that served the call; replay models say 'replay'.")


class StateChanged(BaseModel):
    """The loop moved to a new state."""

    type: Literal["state_changed"] = "state_changed"
    state: AgentState
    detail: str = ""


class Error(BaseModel):
    """Something went wrong that the user should see."""

    type: Literal["error"] = "error"
    message: str
    hint: str = ""


AgentEvent = Annotated[
    TokenDelta
    | ToolCallStarted
    | ToolCallFinished
    | PatchProposed
    | TestRunStarted
    | TestOutput
    | TestRunFinished
    | ReviewNotes
    | PlanReady
    | CostUpdate
    | StateChanged
    | Error,
    Field(discriminator="type"),
]

EventSink = Callable[[AgentEvent], None]

EVENT_ADAPTER: TypeAdapter[AgentEvent] = TypeAdapter(AgentEvent)


def event_to_json(event: AgentEvent) -> str:
    """One JSON line for an event."""
    return event.model_dump_json()


def event_from_json(text: str) -> AgentEvent:
    """Parse one JSON line back into its event class."""
    return EVENT_ADAPTER.validate_json(text)
