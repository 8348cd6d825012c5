"""The agent's model calls: history trimmed, secrets masked, tokens streamed, cost booked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agent import context
from agent.events import Error, EventSink, TokenDelta

if TYPE_CHECKING:
    import threading

    from agent.accounting import Ledger
    from agent.models.client import ModelClient, ModelTurn
    from agent.secrets import SecretMasker
    from agent.settings import ModelSettings


class ModelCalls:
    """Makes every model call of one agent and books it in the agent's ledger."""

    def __init__(self, client: ModelClient, settings: ModelSettings, masker: SecretMasker,
                 ledger: Ledger, emit: EventSink, cancel: threading.Event) -> None:
        self.client = client
        self.settings = settings
        self.masker = masker
        self.ledger = ledger
        self.emit = emit
        self.cancel = cancel  # set: a call in flight raises Cancelled
        self.client.on_retry = self.on_retry  # retries show up as this agent's Error events

    def call(self, role: str, messages: list[dict[str, Any]],
             tools: list[dict[str, Any]], stream: bool = True) -> ModelTurn:
        """One model call with history trimming, secret masking, streaming and accounting."""
        trimmed = context.trim_history(messages, self.context_limit(role))
        outbound = self.masker.mask_messages(trimmed)
        turn = self.client.complete(
            role, outbound, tools or None,
            (lambda text: self.emit(TokenDelta(text=text, role=role))) if stream else None,
            self.cancel,
        )
        self.account(turn, role)
        return turn

    def context_limit(self, role: str) -> int:
        """Where history trimming starts: the setting, or less when the model's window is."""
        window = self.client.context_window(role)
        limit = self.settings.context_tokens
        return min(limit, window) if window else limit

    def account(self, turn: ModelTurn, role: str) -> None:
        """Book a call made for `role` in the ledger and report the new totals."""
        label = "replay" if self.client.is_replay(role) else turn.model
        self.emit(self.ledger.add(turn, label))

    def on_retry(self, kind: str, attempt: int, delay: float) -> None:
        """Tell the user a transient model failure is being retried."""
        self.emit(Error(message=f"model {kind}; retry {attempt} in {delay:.1f} s",
                        hint="transient; hunkwise retries with backoff"))
