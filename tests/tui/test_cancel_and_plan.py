"""Escape stops the agent mid-answer, and /plan shows the plan first, in the real app."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from agent.changes import Decision
from tests.gitrepo import git, make_repo
from tests.tui.conftest import SIZE, settle
from tui.app import make_app
from tui.widgets.chat import ChatInput
from tui.widgets.diff_view import DiffView

pytestmark = pytest.mark.anyio

CALC = "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n"
CALC_TEST = (
    "from calc import add, mul\n\n\n"
    "def test_add():\n    assert add(2, 3) == 5\n\n\n"
    "def test_mul():\n    assert mul(2, 3) == 6\n"
)
FIX = {"path": "calc.py", "old": "return a - b", "new": "return a + b"}
SLOW = 30.0  # far longer than the test waits: finishing it means Escape did not stop it
SLOW_TEXT = "Now I will read mul as well, line by line, before I finish. " * 3
APPROVED = {"status": "approved", "findings": []}
PLAN = {
    "summary": "make add return the sum",
    "acceptance_criteria": ["test_add passes", "mul is untouched"],
    "files_likely_affected": ["calc.py"],
    "risk": "low",
}


def call(name: str, arguments: dict[str, Any], call_id: str) -> dict[str, Any]:
    """One OpenAI-format tool call."""
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }


def turn(*calls: dict[str, Any], content: str = "", **extra: Any) -> dict[str, Any]:
    """One assistant turn (extra keys such as delay_seconds go to the replay provider)."""
    return {"content": content, "tool_calls": list(calls), **extra}


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A clean repository whose `add` is wrong and whose test says so."""
    return make_repo(
        tmp_path / "calc", {"calc.py": CALC, "tests/test_calc.py": CALC_TEST, "conftest.py": ""}
    )


def replay(tmp_path: Path, script: dict[str, Any]) -> str:
    """Write a replay script; returns the model name that serves it."""
    path = tmp_path / "replay.json"
    path.write_text(json.dumps(script))
    return f"replay:{path}"


def transcript_text(app) -> str:
    """Everything the chat shows: notices, user lines, Markdown blocks, tool titles."""
    parts = []
    for child in app.chat.transcript.children:
        source = getattr(child, "source", None)
        title = getattr(child, "title", None)
        parts.append(source if source is not None else title if title else str(child.render()))
    return "\n".join(parts)


def notices(app) -> list[str]:
    """The messages of the app's notifications (for assertion messages)."""
    return [n.message for n in app._notifications]


async def wait_for(pilot, predicate, timeout: float = 20.0) -> None:
    """Let the app run until `predicate()` holds (fails after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.05)


def edit_then_slow_turn(
    tmp_path: Path, then: Sequence[dict[str, Any]] = (), review: Sequence[dict[str, Any]] = ()
) -> str:
    """A model that proposes one edit, takes SLOW seconds over its next answer, then answers
    with the turns `then` (and `review` as the reviewer)."""
    slow = turn(
        call("finish", {"summary": "too late"}, "f1"), content=SLOW_TEXT, delay_seconds=SLOW
    )
    edit = turn(call("edit_file", FIX, "e1"), content="`add` subtracts; fixing it.")
    script: dict[str, Any] = {"main": [edit, slow, *then]}
    if review:
        script["review"] = list(review)
    return replay(tmp_path, script)


async def test_escape_stops_a_slow_turn_and_keeps_the_proposal(
    repo: Path, tmp_path: Path, settings
) -> None:
    """Escape during a slow second turn: cancelled at once, the first edit stays reviewable,
    nothing reaches disk or git, and the next message starts a fresh run."""
    model = edit_then_slow_turn(
        tmp_path,
        then=[turn(call("finish", {"summary": "fixed add after the restart"}, "f2"))],
        review=[turn(call("submit_review", APPROVED, "r1"))],
    )
    app = make_app(repo, settings, model=model)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"fix add", "enter")
        # The slow answer is streaming: its first words are in the chat, the rest is pending.
        await wait_for(pilot, lambda: "Now I will read mul" in transcript_text(app))
        assert app.status_info.agent_state == "working"
        assert [f.path for f in app.session.files()] == ["calc.py"]
        assert isinstance(app.focused, ChatInput)
        # A second message meanwhile is refused (it would race the running agent), kept in
        # the input's history, and nothing else is asked of the model.
        await pilot.press(*"hello", "enter")
        await pilot.pause()
        assert any("still working" in m for m in notices(app)), notices(app)
        assert app.query_one(ChatInput).history[-1] == "hello"
        assert len(app._agent.client.replay_script().requests) == 2

        await pilot.press("escape")
        started = time.monotonic()
        await asyncio.wait_for(settle(pilot), timeout=10)
        assert time.monotonic() - started < 5, "the app waited for the slow answer"
        assert app.status_info.agent_state == "cancelled"
        status = str(app.query_one("#status-text").render())
        assert "agent: cancelled" in status
        assert "agent cancelled: cancelled by the user" in transcript_text(app)
        assert "too late" not in transcript_text(app), "the dropped answer's tool call ran"
        messages = [n.message for n in app._notifications]
        assert any("stopping the agent" in m for m in messages), messages
        assert not any(n.severity == "error" for n in app._notifications), messages

        # What was proposed before stays reviewable, and the app answers keys.
        view = app.query_one(DiffView)
        assert app.focused is view and view.current_hunk.path == "calc.py"
        await pilot.press("y")
        await pilot.pause()
        [hunk] = app.session.files()[0].hunks
        assert hunk.decision is Decision.ACCEPTED
        assert (repo / "calc.py").read_text() == CALC
        assert git(repo, "status", "--porcelain") == ""
        assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"

        # A new message is a fresh run, not cancelled, on the next scripted turn.
        await pilot.press("tab", "tab")
        assert isinstance(app.focused, ChatInput)
        await pilot.press(*"go on", "enter")
        await settle(pilot, rounds=4)
        assert app.status_info.agent_state == "ready_for_review", notices(app)
        assert "fixed add after the restart" in transcript_text(app)
        sent = [r for r in app._agent.client.replay_script().requests if r["role"] == "main"]
        assert len(sent) == 3 and sent[-1]["messages"][-1]["content"] == "go on"
    assert (repo / "calc.py").read_text() == CALC
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"


async def stopped_at_once(pilot) -> None:
    """The agent ends cancelled within seconds of the stop (not after the slow answer)."""
    started = time.monotonic()
    await asyncio.wait_for(settle(pilot), timeout=10)
    assert time.monotonic() - started < 5, "the app waited for the slow answer"
    assert pilot.app.status_info.agent_state == "cancelled", notices(pilot.app)


async def test_escape_stops_the_agent_from_the_diff_pane_too(
    repo: Path, tmp_path: Path, settings
) -> None:
    """Escape is app-wide: with the diff pane focused it stops the agent as well."""
    app = make_app(repo, settings, model=edit_then_slow_turn(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"fix add", "enter")
        await wait_for(pilot, lambda: "Now I will read mul" in transcript_text(app))
        app.query_one(DiffView).focus()
        await pilot.pause()
        assert isinstance(app.focused, DiffView)
        await pilot.press("escape")
        await stopped_at_once(pilot)
        assert [f.path for f in app.session.files()] == ["calc.py"]


async def test_stop_command_stops_the_agent(repo: Path, tmp_path: Path, settings) -> None:
    """/stop (also in the palette) does what Escape does; idle, it just says so."""
    app = make_app(repo, settings, model=edit_then_slow_turn(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"/stop", "enter")
        await settle(pilot)
        assert "the agent is not running" in transcript_text(app)
        await pilot.press(*"fix add", "enter")
        await wait_for(pilot, lambda: "Now I will read mul" in transcript_text(app))
        await pilot.press(*"/stop", "enter")
        await stopped_at_once(pilot)


async def test_plan_shows_the_plan_before_the_work(repo: Path, tmp_path: Path, settings) -> None:
    """/plan TASK: the plan and its acceptance criteria appear in the chat before any edit,
    the work gets the plan, and the run ends ready for review; the next task is not planned."""
    model = replay(
        tmp_path,
        {
            "main": [
                turn(call("submit_plan", PLAN, "p1"), content="Planning before I edit."),
                turn(call("edit_file", FIX, "e1"), content="Fixing add as planned."),
                turn(call("finish", {"summary": "add adds"}, "f1")),
                turn(call("finish", {"summary": "nothing else to do"}, "f2")),
            ],
            "review": [
                turn(call("submit_review", APPROVED, "r1")),
                turn(call("submit_review", APPROVED, "r2")),
            ],
        },
    )
    app = make_app(repo, settings, model=model)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"/plan fix add", "enter")
        await settle(pilot, rounds=4)
        assert app.status_info.agent_state == "ready_for_review", notices(app)
        text = transcript_text(app)
        plan_at = text.find("mul is untouched")
        assert plan_at >= 0, f"the acceptance criteria are not shown:\n{text}"
        assert "test_add passes" in text and "make add return the sum" in text
        assert plan_at < text.find("edit_file"), "the plan must come before the work"
        assert "agent ready_for_review: add adds" in text
        [first, work, *_] = app._agent.client.replay_script().requests
        assert "plan the task" in first["messages"][0]["content"]
        assert any("Plan (risk low)" in str(m["content"]) for m in work["messages"])
        assert [f.path for f in app.session.files()] == ["calc.py"]

        # /plan is for this task only: the settings every later conversation starts from
        # do not plan, and the next message goes straight to work.
        assert app.session.settings.agent.plan is False
        app.query_one(ChatInput).focus()
        await pilot.press(*"anything else?", "enter")
        await settle(pilot, rounds=4)
        assert app.status_info.agent_state == "ready_for_review", notices(app)
        last = app._agent.client.replay_script().requests[-1]
        assert "plan the task" not in last["messages"][0]["content"]
        assert "› fix add" not in text, "the task is echoed once, as the /plan line"


async def test_plan_without_a_task_is_an_error_with_a_hint(repo: Path, tmp_path, settings) -> None:
    """/plan alone: an error saying a task is needed, with an example; no agent run."""
    app = make_app(repo, settings, model=replay(tmp_path, {"main": []}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"/plan", "enter")
        await settle(pilot)
        [error] = [n for n in app._notifications if n.severity == "error"]
        assert "/plan needs a task" in error.message and "→ e.g. /plan" in error.message
        assert app.status_info.agent_state == "idle" and app._agent is None
