"""Pilot tests: tests run on exactly the accepted state, and commit is gated on them passing."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.protocol import RunStatus
from tests.gitrepo import git
from tests.tui.conftest import CALC, SIZE, settle
from tui.app import make_app
from tui.screens.commit import CommitScreen

pytestmark = pytest.mark.anyio


async def test_commit_refused_while_tests_fail_allowed_after_they_pass(
    calc_repo: Path, settings
) -> None:
    """Accepting the breaking hunk fails the tests and Enter refuses; reject it, test, commit."""
    head = git(calc_repo, "rev-parse", "HEAD").strip()
    app = make_app(calc_repo, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab", "y", "y", "t")  # the fix and the breakage
        await settle(pilot)
        report = app.tests_pane.report
        assert report is not None and report.status is RunStatus.FAILED, report
        assert [f.test_id.split("::")[-1] for f in report.failures] == ["test_mul"]

        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CommitScreen)
        assert not app.screen.plan.tests_passed
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CommitScreen), "Enter must not commit failing tests"
        await pilot.press("escape")
        assert git(calc_repo, "rev-parse", "HEAD").strip() == head

        await pilot.press("n", "c")  # reject the breakage (cursor is on it): tested state is stale
        await settle(pilot)
        assert not app.screen.plan.tests_passed
        await pilot.press("escape", "t")
        await settle(pilot)
        assert app.tests_pane.report.status is RunStatus.PASSED
        await pilot.press("c")
        await settle(pilot)
        assert app.screen.plan.tests_passed
        await pilot.press("enter")
        await settle(pilot)

    new_head = git(calc_repo, "rev-parse", "HEAD").strip()
    assert new_head != head
    committed = git(calc_repo, "show", "HEAD:calc.py")
    assert committed == CALC.replace("a - b", "a + b")
    message = git(calc_repo, "log", "-1", "--format=%B")
    assert "calc.py" in message and "Tests: passed - 2 passed" in message
    # The rejected change is still in the working tree, uncommitted.
    assert "a ** b" in (calc_repo / "calc.py").read_text()
    assert git(calc_repo, "status", "--porcelain").strip() == "M calc.py"


async def test_override_needs_a_second_confirmation_and_is_recorded(
    calc_repo: Path, settings
) -> None:
    """Without passing tests, o arms the override and a second o commits, noting the override."""
    head = git(calc_repo, "rev-parse", "HEAD").strip()
    app = make_app(calc_repo, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab", "y", "c")
        await settle(pilot)
        assert isinstance(app.screen, CommitScreen)
        await pilot.press("tab", *"Edited: ", "tab")  # into the message, type, back out
        assert app.focused.id == "commit-gate"
        await pilot.press("o")
        assert app.screen.armed
        assert git(calc_repo, "rev-parse", "HEAD").strip() == head
        await pilot.press("o")
        await settle(pilot)
    message = git(calc_repo, "log", "-1", "--format=%B")
    assert git(calc_repo, "rev-parse", "HEAD").strip() != head
    assert "explicit override" in message and "tests were not run" in message
    assert message.startswith("Edited: Update calc.py")


async def test_nothing_accepted_means_nothing_to_commit(calc_repo: Path, settings) -> None:
    """c with no accepted hunk explains itself and opens no dialog."""
    app = make_app(calc_repo, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab", "c")
        await settle(pilot)
        assert not isinstance(app.screen, CommitScreen)
        assert any("nothing accepted" in n.message for n in app._notifications)


async def test_undo_last_commit(calc_repo: Path, settings) -> None:
    """U takes back the hunkwise commit; HEAD returns to where it was."""
    head = git(calc_repo, "rev-parse", "HEAD").strip()
    app = make_app(calc_repo, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab", "y", "n", "t")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert git(calc_repo, "rev-parse", "HEAD").strip() != head
        await pilot.press("tab", "tab", "tab", "U")  # back in the diff pane
        await settle(pilot)
    assert git(calc_repo, "rev-parse", "HEAD").strip() == head
