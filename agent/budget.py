"""Budgets of one run: turns, tokens, dollars and wall time."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from agent.settings import BudgetSettings


@dataclass
class Spend:
    """What a run has used so far."""

    turns: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    started: float = field(default_factory=time.monotonic)

    @property
    def tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens

    def exceeded(self, budget: BudgetSettings) -> str | None:
        """Why the budget is used up, or None while there is room for another turn."""
        if self.turns >= budget.max_turns:
            return f"turn budget used up ({self.turns} of {budget.max_turns} turns)"
        if budget.max_tokens is not None and self.tokens >= budget.max_tokens:
            return f"token budget used up ({self.tokens} of {budget.max_tokens} tokens)"
        if budget.max_cost_usd is not None and self.cost_usd >= budget.max_cost_usd:
            return f"cost budget used up (${self.cost_usd:.4f} of ${budget.max_cost_usd:.4f})"
        elapsed = time.monotonic() - self.started
        if budget.max_wall_s is not None and elapsed >= budget.max_wall_s:
            return f"wall-time budget used up ({elapsed:.0f} s of {budget.max_wall_s:.0f} s)"
        return None
