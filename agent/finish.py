"""Ending a run: whether the model's finish hands over or sends it back, and the RunOutcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from agent import phases
from agent.contracts import AgentState, Review, RunOutcome

if TYPE_CHECKING:
    from agent.budget import Spend
    from agent.turns import Progress

# Runs the whole suite on the pending changes: (passed, or None if it could not run; report).
RunSuite = Callable[[], tuple[bool | None, str]]


def send_back(progress: Progress, *, has_changes: bool, run_suite: RunSuite | None,
              review: Callable[[], Review | None] | None, max_revisions: int) -> str | None:
    """The user message that sends the model back to work, or None to hand the run over.

    Stale tests run first (`run_suite` is None without a sandbox); a failure sends the model
    back once, then a needs-revision review (`review` is None without self-review) does, up
    to `max_revisions` times.
    """
    if not has_changes:
        return None
    if progress.tests_stale and run_suite is not None:
        progress.tests_stale = False
        passed, text = run_suite()
        if passed is False and not progress.finish_warned:
            progress.finish_warned = True
            return ("Tests on your pending changes fail:\n" + text +
                    "\nFix them, or call finish again to hand over as is.")
    if review is not None:
        verdict = review()
        if (verdict is not None and verdict.status == "needs_revision"
                and progress.revisions < max_revisions):
            progress.revisions += 1
            progress.finish_warned = False
            return phases.findings_message(verdict)
    return None


def outcome(state: AgentState, reason: str, spend: Spend, session_id: str | None,
            tests_passed: bool | None) -> RunOutcome:
    """What a run ended with: a summary when ready for review, else the reason it stopped."""
    ready = state == AgentState.READY_FOR_REVIEW
    return RunOutcome(
        state=state, summary=reason if ready else "", reason=None if ready else reason,
        turns=spend.turns, prompt_tokens=spend.prompt_tokens,
        completion_tokens=spend.completion_tokens, cost_usd=spend.cost_usd,
        session_id=session_id, tests_passed=tests_passed,
    )
