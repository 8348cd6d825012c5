"""Typed contracts of the agent loop: the plan, the review, terminal states and run outcomes."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class AgentState(StrEnum):
    """Where the loop is; the last four are terminal."""

    IDLE = "idle"
    PLANNING = "planning"
    WORKING = "working"
    TESTING = "testing"
    REVIEWING = "reviewing"
    READY_FOR_REVIEW = "ready_for_review"
    NEEDS_HUMAN = "needs_human"
    BUDGET_EXCEEDED = "budget_exceeded"
    BLOCKED_BY_POLICY = "blocked_by_policy"
    CANCELLED = "cancelled"
    ERROR = "error"


TERMINAL_STATES: frozenset[AgentState] = frozenset(
    {
        AgentState.READY_FOR_REVIEW,
        AgentState.NEEDS_HUMAN,
        AgentState.BUDGET_EXCEEDED,
        AgentState.BLOCKED_BY_POLICY,
        AgentState.CANCELLED,
        AgentState.ERROR,
    }
)


class TaskSpec(BaseModel):
    """The plan step's output: what done means before any edit."""

    summary: str
    acceptance_criteria: list[str] = Field(default_factory=list)
    files_likely_affected: list[str] = Field(default_factory=list)
    risk: Literal["low", "medium", "high"] = "medium"


class Finding(BaseModel):
    """One review remark about a line of the proposed diff."""

    path: str
    line: int = Field(0, description="Line number in the proposed file; 0 = whole file.")
    severity: Literal["info", "minor", "major", "blocker"] = "minor"
    message: str


class Review(BaseModel):
    """The review model's verdict on the pending diff."""

    status: Literal["approved", "needs_revision"]
    findings: list[Finding] = Field(default_factory=list)


class RunOutcome(BaseModel):
    """How one `Agent.run` ended."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    state: AgentState
    summary: str = ""
    turns: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    session_id: str | None = None
    reason: str | None = Field(None, description="Why the run stopped, for non-ready states.")
    tests_passed: bool | None = Field(None, description="Last sandboxed test run, if any.")
