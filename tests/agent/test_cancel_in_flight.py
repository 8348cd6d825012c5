"""Slow replay turns through litellm's real path, and cancelling a model call while it streams."""

from __future__ import annotations

import threading
import time

import pytest

from agent.contracts import AgentState
from agent.models.cancel import Cancelled
from agent.models.client import ModelClient
from agent.settings import ModelSettings
from hunkwise.errors import ConfigError
from tests.agent.conftest import CALC_BUGGY, call, turn
from tests.agent.helpers import make_agent, of_type
from tests.gitrepo import git

SLOW = 30.0  # far longer than any test may wait: finishing it means cancel did not work
TEXT = "Now I will look at mul as well, reading it line by line. " * 4
FIX = {"path": "calc.py", "old": "return a - b", "new": "return a + b"}


def _client(path) -> ModelClient:
    return ModelClient(ModelSettings(main=f"replay:{path}", retry_base_s=0.001))


def test_a_slow_turn_streams_its_pieces_over_its_delay(replay_file) -> None:
    path = replay_file([{"content": "x" * 64, "delay_seconds": 0.6}])
    seen: list[float] = []
    start = time.monotonic()
    result = _client(path).complete(
        "main",
        [{"role": "user", "content": "hi"}],
        None,
        lambda text: seen.append(time.monotonic()),
    )
    assert result.content == "x" * 64
    assert len(seen) == 4, "four 16-character pieces"
    assert seen[-1] - seen[0] >= 0.4, "the pieces are spread over the delay, not sent at once"
    assert time.monotonic() - start >= 0.6


@pytest.mark.parametrize("delay", [-1, "soon", True])
def test_a_bad_delay_is_a_clear_error(replay_file, delay) -> None:
    path = replay_file([{"content": "x", "delay_seconds": delay}])
    with pytest.raises(ConfigError, match="delay_seconds") as info:
        _client(path).complete("main", [{"role": "user", "content": "x"}])
    assert "number >= 0" in info.value.hint


def test_cancel_interrupts_a_model_call_in_flight(replay_file) -> None:
    path = replay_file([{"content": TEXT, "delay_seconds": SLOW}])
    cancel = threading.Event()
    pieces: list[str] = []

    def on_text(text: str) -> None:
        pieces.append(text)
        cancel.set()  # stop as soon as the answer has started

    start = time.monotonic()
    with pytest.raises(Cancelled):
        _client(path).complete("main", [{"role": "user", "content": "x"}], None, on_text, cancel)
    assert time.monotonic() - start < 5, "cancel waited for the slow turn to end"
    assert pieces == [TEXT[:16]], "nothing is delivered after the cancel"


def test_cancel_during_a_slow_turn_keeps_what_was_proposed(calc_repo, replay_file) -> None:
    """The second turn is slow; cancel while it streams: cancelled at once, the edit stays."""
    script = replay_file(
        {
            "main": [
                turn(call("edit_file", FIX, "e1"), content="Fixing add."),
                {
                    **turn(call("finish", {"summary": "too late"}, "f1"), content=TEXT),
                    "delay_seconds": SLOW,
                },
                turn(call("finish", {"summary": "fresh run"}, "f2")),
            ]
        }
    )
    holder: dict = {}
    agent, events = make_agent(calc_repo, script, sandbox=False, agent={"self_review": False})

    def on_event(event) -> None:
        events.append(event)
        if event.type == "token_delta" and event.text.startswith("Now I will"):
            holder["at"] = time.monotonic()
            agent.cancel()

    agent.recorder.on_event = on_event
    outcome = agent.run("fix add")
    assert outcome.state == AgentState.CANCELLED and outcome.reason == "cancelled by the user"
    assert time.monotonic() - holder["at"] < 1.5, "the loop waited for the model call to end"
    assert of_type(events, "state_changed")[-1].state == AgentState.CANCELLED
    assert not of_type(events, "error"), "a cancel is not an error"
    assert [f.path for f in agent.changes.files()] == ["calc.py"]
    assert (calc_repo / "calc.py").read_text() == CALC_BUGGY
    assert git(calc_repo, "status", "--porcelain").strip() == ""
    # The next message is a fresh run: it is not cancelled and gets the next scripted turn.
    outcome = agent.run("go on")
    assert outcome.state == AgentState.READY_FOR_REVIEW and outcome.summary == "fresh run"
    last = agent.client.replay_script().requests[-1]["messages"]
    assert last[-1]["role"] == "user" and last[-1]["content"] == "go on"


def test_cancel_ends_a_backoff_wait(replay_file) -> None:
    path = replay_file([{"error": "rate_limit"}, {"content": "too late"}])
    client = ModelClient(ModelSettings(main=f"replay:{path}", retry_base_s=SLOW))
    cancel = threading.Event()
    client.on_retry = lambda kind, attempt, delay: threading.Timer(0.2, cancel.set).start()
    start = time.monotonic()
    with pytest.raises(Cancelled):
        client.complete("main", [{"role": "user", "content": "x"}], None, None, cancel)
    assert time.monotonic() - start < 5, "the retry backoff ignored the cancel"
