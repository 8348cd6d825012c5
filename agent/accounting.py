"""What the model calls of a session cost: session totals and the running drive's budget."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.events import CostUpdate

if TYPE_CHECKING:
    from agent.budget import Spend
    from agent.models.client import ModelTurn


@dataclass
class Ledger:
    """Tokens and dollars of the session, and the Spend of the drive in progress (if any)."""

    session_cost: float = 0.0
    session_tokens: int = 0
    # The running drive's budget; None between drives, so a commit message counts against none.
    spend: Spend | None = None

    def add(self, turn: ModelTurn, model: str) -> CostUpdate:
        """Count one call (plan and review calls count too) and return the event that says so."""
        self.session_cost += turn.cost_usd
        self.session_tokens += turn.prompt_tokens + turn.completion_tokens
        if self.spend is not None:
            self.spend.turns += 1
            self.spend.prompt_tokens += turn.prompt_tokens
            self.spend.completion_tokens += turn.completion_tokens
            self.spend.cost_usd += turn.cost_usd
        return CostUpdate(prompt_tokens=turn.prompt_tokens,
                          completion_tokens=turn.completion_tokens, cost_usd=turn.cost_usd,
                          session_cost_usd=self.session_cost,
                          session_tokens=self.session_tokens, model=model)
