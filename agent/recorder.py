"""Where a run's facts go: the event callback and, when a session is open, the SQLite store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agent.events import AgentEvent, EventSink

if TYPE_CHECKING:
    from agent.sessions import SessionStore
    from sandbox.protocol import TestReport


class Recorder:
    """Delivers events to the UI and persists events, transcript, audit rows and test runs."""

    def __init__(self, on_event: EventSink, store: SessionStore | None = None,
                 session_id: str | None = None) -> None:
        self.on_event = on_event
        self.store = store if session_id is not None else None
        self.session_id = session_id

    def emit(self, event: AgentEvent) -> None:
        """Store the event (if a session is open), then hand it to the callback."""
        if self.store is not None:
            self.store.record_event(self.session_id, event.type, event.model_dump_json())
        self.on_event(event)

    def audit(self, kind: str, name: str, detail: Any, ok: bool, result: str) -> None:
        """One audit row: what ran, with what arguments, and how it ended."""
        if self.store is not None:
            self.store.audit(self.session_id, kind, name, detail, ok, result)

    def test_run(self, report: TestReport, selection: list[str] | None) -> None:
        """A sandboxed test run, as a report and an audit row."""
        if self.store is not None:
            passed = report.status == "passed"
            self.store.record_test_run(self.session_id, str(report.status), report.passed,
                                       report.failed, report.model_dump_json())
            self.audit("tests", " ".join(report.command), {"selection": selection}, passed,
                       str(report.status))

    def transcript(self, messages: list[dict[str, Any]]) -> None:
        """Save the conversation so far."""
        if self.store is not None:
            self.store.save_messages(self.session_id, messages)

    def finished(self, state: str, reason: str, pending: dict[str, bytes | None],
                 cost_usd: float, tokens: int, turns: int) -> None:
        """The run's end state and pending changes, so `--resume` can continue it."""
        if self.store is not None:
            self.store.save_pending(self.session_id, pending)
            self.store.update(self.session_id, state=state, summary=reason[:500],
                              cost_usd=cost_usd, tokens=tokens, turns=turns)
