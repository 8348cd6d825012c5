"""Pilot tests with the agent on the demo's replay model (litellm's real path, no network)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from agent.changes import Decision
from hunkwise.settings import Settings
from tests.tui.conftest import SIZE, settle
from tui.app import make_app
from tui.demo import DEMO_TASK, demo_model, prepare_demo
from tui.widgets.chat import ChatInput
from tui.widgets.diff_view import DiffView

pytestmark = pytest.mark.anyio

REASON = "keep round(amount, 2): truncating loses a cent"


@pytest.fixture()
def demo_repo(tmp_path: Path) -> Path:
    """The bundled demo project, committed in a temp dir."""
    return prepare_demo(tmp_path / "demo")


async def run_demo_task(pilot) -> None:
    """Wait for the scripted proposal to arrive."""
    await settle(pilot, rounds=4)
    assert pilot.app.status_info.agent_state == "ready_for_review", pilot.app._notifications


async def test_proposal_moves_focus_to_first_undecided_hunk(demo_repo: Path, settings) -> None:
    """When the agent hands over, the diff pane has focus on the first undecided hunk."""
    app = make_app(demo_repo, settings, model=demo_model(), initial_task=DEMO_TASK)
    async with app.run_test(size=SIZE) as pilot:
        await run_demo_task(pilot)
        view = app.query_one(DiffView)
        assert app.focused is view
        assert view.current_hunk.path == "CHANGELOG.md"
        paths = [h.path for f in app.session.files() for h in f.hunks]
        assert paths == [
            "CHANGELOG.md",
            "shopcart/cart.py",
            "shopcart/cart.py",
            "tests/test_cart.py",
        ]
        # The review finding sits at the wrong hunk.
        notes = app.session.files()[1].hunks[1].notes
        assert notes and "truncates" in notes[0]


async def test_rejected_reason_reaches_the_agent(demo_repo: Path, settings) -> None:
    """r + reason on the wrong hunk, then /redo: the model's next request carries the reason."""
    app = make_app(demo_repo, settings, model=demo_model(), initial_task=DEMO_TASK)
    async with app.run_test(size=SIZE) as pilot:
        await run_demo_task(pilot)
        await pilot.press("j", "j", "r")
        await pilot.pause()
        await pilot.press(*REASON, "enter")
        await pilot.pause()
        [rejected] = app.session.changes.rejections()
        assert rejected.reason == REASON and "int(amount" in rejected.as_text()
        script = app._agent.client.replay_script()
        before = len(script.requests)
        await pilot.press("tab", "tab")
        assert isinstance(app.focused, ChatInput)
        await pilot.press(*"/redo", "enter")
        await settle(pilot, rounds=4)
        sent = [r for r in script.requests[before:] if r["role"] == "main"]
        assert sent, "the agent made no model call after /redo"
        last_user = [m for m in sent[0]["messages"] if m["role"] == "user"][-1]["content"]
        assert REASON in last_user and "int(amount * 100)" in last_user
        # The rejected hunk left the proposal; the others remain for review.
        assert all("int(amount" not in h.as_text() for f in app.session.files() for h in f.hunks)


async def test_demo_flow_reject_test_commit(demo_repo: Path, settings) -> None:
    """The demo's story: reject the wrong hunk, accept the rest, tests pass, commit."""
    app = make_app(demo_repo, settings, model=demo_model(), initial_task=DEMO_TASK)
    async with app.run_test(size=SIZE) as pilot:
        await run_demo_task(pilot)
        await pilot.press("y", "y", "n", "y", "t")
        await settle(pilot)
        assert app.tests_pane.report.status == "passed", app.tests_pane.report
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        decisions = [h.decision for f in app.session.files() for h in f.hunks]
        assert decisions == []  # decided hunks leave the change set once committed
    cart = (demo_repo / "shopcart/cart.py").read_text()
    assert "(100 - percent)" in cart and "round(amount, 2)" in cart and "int(amount" not in cart
    from tests.gitrepo import git

    log = git(demo_repo, "log", "--format=%s", "-2").splitlines()
    assert log[0] == "fix(cart): take discounts off instead of charging them"
    body = git(demo_repo, "log", "-1", "--format=%B")
    assert "Assisted-by" in body and "Tests: passed - 6 passed" in body
    assert git(demo_repo, "status", "--porcelain").strip() == ""


async def test_sessions_lists_the_agent_session(demo_repo: Path, settings) -> None:
    """The app's agent records a session; /sessions lists it with its state."""
    app = make_app(demo_repo, settings, model=demo_model(), initial_task=DEMO_TASK)
    async with app.run_test(size=SIZE) as pilot:
        await run_demo_task(pilot)
        await pilot.press("tab", "tab", *"/sessions", "enter")
        await settle(pilot)
        text = app.chat.transcript.query("Markdown").last().source
        assert "ready_for_review" in text and "The cart totals are wrong" in text


async def test_no_model_opens_and_explains(tmp_path: Path) -> None:
    """Without a model the app opens, the chat says how to configure one, tasks are refused."""
    repo = prepare_demo(Path(tempfile.mkdtemp(dir=tmp_path)) / "p")
    app = make_app(repo, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        transcript = " ".join(str(s.render()) for s in app.chat.transcript.children)
        assert "No model is configured" in transcript and "HUNKWISE_MODEL" in transcript
        await pilot.press(*"fix it", "enter")
        await settle(pilot)
        assert any("no model is configured" in n.message for n in app._notifications)
        assert app.session.files() == ()  # a clean tree has nothing to review
        assert Decision.UNDECIDED  # the review keys still work on from_worktree sets


async def test_model_switch_then_task(demo_repo: Path, settings) -> None:
    """Open without a model, /model sets one, and the next message runs the agent."""
    app = make_app(demo_repo, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.status_info.model == "no model"
        await pilot.press(*f"/model {demo_model()}", "enter")
        await settle(pilot)
        assert app.status_info.model == "replay:replay.json"
        assert not app.session.from_worktree
        await pilot.press(*DEMO_TASK, "enter")
        await run_demo_task(pilot)
        assert len([h for f in app.session.files() for h in f.hunks]) == 4
