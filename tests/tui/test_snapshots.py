"""SVG snapshots of the app's main states (pytest-textual-snapshot); each says what it must show."""

from __future__ import annotations

from pathlib import Path

from hunkwise.settings import Settings
from tests.gitrepo import make_repo
from tests.tui.scenes import (
    FAILING,
    FAILING_OUTPUT,
    SIZE,
    review_app,
    steady,
    stream_answer,
)
from tui.app import make_app
from tui.messages import TestLines, TestsFinished, TestsStarted


def test_empty_app(snap_compare, tmp_path: Path) -> None:
    """A clean repo and no model: empty diff pane ("no pending changes"), the chat explains how
    to configure a model, the test pane says "press t", status bar shows "no model" and main."""
    repo = make_repo(tmp_path / "clean", {"app.py": "print('hi')\n"})
    assert snap_compare(make_app(repo, Settings()), terminal_size=SIZE, run_before=steady)


def test_streaming_answer(snap_compare, tmp_path: Path) -> None:
    """The user's message, a collapsed read_file tool line with a tick, the cost of the turn,
    and a Markdown answer cut off mid-list (still streaming); status says agent: working."""
    app = review_app(tmp_path / "r", model="replay:/nowhere/scene.json")
    assert snap_compare(app, terminal_size=SIZE, run_before=stream_answer)


def test_diff_mixed_decisions(snap_compare, tmp_path: Path) -> None:
    """inventory.py: hunk 1 accepted (green tick), hunk 2 rejected (red cross), hunk 3 selected
    and undecided; file list shows inventory.py half-decided (◐ 2/3) and README.md undecided."""

    async def decide(pilot) -> None:
        await steady(pilot)
        await pilot.press("tab", "J", "y", "n")

    assert snap_compare(review_app(tmp_path / "r"), terminal_size=SIZE, run_before=decide)


def test_line_mode(snap_compare, tmp_path: Path) -> None:
    """Line mode on the `sell` hunk: [x]/[ ] boxes on its +/- lines, the cursor row on the
    second added line, which is unticked and struck through."""

    async def lines(pilot) -> None:
        await steady(pilot)
        await pilot.press("tab", "J", "j", "v", "j", "space")

    assert snap_compare(review_app(tmp_path / "r"), terminal_size=SIZE, run_before=lines)


def test_failing_tests(snap_compare, tmp_path: Path) -> None:
    """Test pane: red FAILED summary (7 passed, 2 failed, container image), the two failing
    tests listed, and the pytest output below them."""

    async def failed(pilot) -> None:
        await steady(pilot)
        app = pilot.app
        # The messages a real test worker posts, in its order.
        app.post_message(TestsStarted(FAILING.command, "container"))
        app.post_message(TestLines(FAILING_OUTPUT))
        app.post_message(TestsFinished(FAILING, app.session.digest()))
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(review_app(tmp_path / "r"), terminal_size=SIZE, run_before=failed)


def test_commit_dialog(snap_compare, tmp_path: Path) -> None:
    """Commit dialog: the editable message, inventory.py 2/3 hunks, 1 undecided hunk left out,
    the failing test result, and the yellow "Commit refused ... press o to override" gate."""

    async def dialog(pilot) -> None:
        await steady(pilot)
        app = pilot.app
        await pilot.press("tab", "y", "y")
        app.session.record_tests(FAILING, app.session.digest())
        app.open_commit_dialog("fix(inventory): refuse to sell stock we do not have")
        await pilot.pause()

    assert snap_compare(review_app(tmp_path / "r"), terminal_size=SIZE, run_before=dialog)


def test_help_screen(snap_compare, tmp_path: Path) -> None:
    """Help: every key with what it does (j/k, J/K, y, n, u, Y/N, s, v, space, e, E, r, t, c, U,
    tab, ?, ctrl+p, q) and every slash command."""

    async def help_(pilot) -> None:
        await steady(pilot)
        await pilot.press("tab", "question_mark")

    assert snap_compare(review_app(tmp_path / "r"), terminal_size=SIZE, run_before=help_)
