"""Pilot tests: real keys on the diff pane change the pending change set."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.changes import Decision
from hunkwise.settings import Settings
from tests.gitrepo import make_repo
from tests.tui.conftest import CALC, SIZE, settle
from tui.app import make_app
from tui.screens.help import HelpScreen
from tui.widgets.chat import ChatInput
from tui.widgets.diff_view import DiffView

pytestmark = pytest.mark.anyio


def decisions(app) -> list[Decision]:
    return [h.decision for f in app.session.files() for h in f.hunks]


async def test_starts_in_chat_input_and_letters_go_there(calc_repo: Path, settings) -> None:
    """On start the chat input has focus; typing `y` types, it does not accept a hunk."""
    app = make_app(calc_repo, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, ChatInput)
        await pilot.press("y", "n")
        assert app.query_one(ChatInput).value == "yn"
        assert decisions(app) == [Decision.UNDECIDED, Decision.UNDECIDED]


async def test_accept_reject_undo_change_the_change_set(calc_repo: Path, settings) -> None:
    """y accepts, n rejects, u undoes; the accepted overlay holds exactly the accepted hunk."""
    app = make_app(calc_repo, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        assert isinstance(app.focused, DiffView)
        await pilot.press("y", "n")
        assert decisions(app) == [Decision.ACCEPTED, Decision.REJECTED]
        overlay = app.session.accepted_overlay()
        assert overlay == {"calc.py": CALC.replace("a - b", "a + b").encode()}
        await pilot.press("k", "u")
        assert decisions(app) == [Decision.UNDECIDED, Decision.REJECTED]
        assert app.session.accepted_overlay() == {}
        await pilot.press("Y")
        assert decisions(app) == [Decision.ACCEPTED, Decision.ACCEPTED]
        await pilot.press("N")
        assert decisions(app) == [Decision.REJECTED, Decision.REJECTED]
        # What the view shows is exactly the change set's own views.
        assert app.query_one(DiffView).files == tuple(app.session.files())
        # Nothing is written while reviewing.
        assert "a ** b" in (calc_repo / "calc.py").read_text()


async def test_file_keys_move_between_files(tmp_path: Path, settings) -> None:
    """J and K jump to the next and previous file."""
    repo = make_repo(tmp_path / "r", {"a.txt": "a\n", "b.txt": "b\n", "c.txt": "c\n"})
    for name in ("a.txt", "b.txt", "c.txt"):
        (repo / name).write_text(name.upper() + "\n")
    app = make_app(repo, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        view = app.query_one(DiffView)
        assert view.current_hunk.path == "a.txt"
        await pilot.press("J", "J")
        assert view.current_hunk.path == "c.txt"
        await pilot.press("K")
        assert view.current_hunk.path == "b.txt"
        await pilot.press("y")
        assert [f.decision for f in app.session.files()] == [
            Decision.UNDECIDED,
            Decision.ACCEPTED,
            Decision.UNDECIDED,
        ]


async def test_line_mode_takes_single_lines(tmp_path: Path, settings) -> None:
    """v enters line mode, j moves over +/- lines, space drops one; y takes only the rest."""
    repo = make_repo(tmp_path / "r", {"notes.txt": "one\ntwo\nthree\n"})
    (repo / "notes.txt").write_text("one\nTWO-A\nTWO-B\nthree\n")
    app = make_app(repo, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab", "v")
        view = app.query_one(DiffView)
        assert view.line_mode
        hunk = view.current_hunk
        assert hunk.lines[view.line_cursor].kind == "-"  # "-two" first
        await pilot.press("j", "j", "space")  # onto "+TWO-B", deselect it
        assert hunk.lines[view.line_cursor].text == "TWO-B"
        await pilot.press("y")
        assert decisions(app) == [Decision.ACCEPTED]
        assert app.session.accepted_overlay() == {"notes.txt": b"one\nTWO-A\nthree\n"}
        assert view.files == tuple(app.session.files())
        assert app.session.files()[0].hunks[0].line_mode


async def test_split_makes_smaller_hunks(tmp_path: Path, settings) -> None:
    """s splits a hunk at its context lines; each part is decided on its own."""
    text = "".join(f"line {i}\n" for i in range(10))
    repo = make_repo(tmp_path / "r", {"f.txt": text})
    (repo / "f.txt").write_text(text.replace("line 2", "LINE 2").replace("line 6", "LINE 6"))
    app = make_app(repo, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(decisions(app)) == 1
        await pilot.press("tab", "s")
        assert len(decisions(app)) == 2
        await pilot.press("n")  # first part rejected; cursor moves to the second
        await pilot.press("y")
        assert decisions(app) == [Decision.REJECTED, Decision.ACCEPTED]
        assert app.session.accepted_overlay() == {
            "f.txt": text.replace("line 6", "LINE 6").encode()
        }


async def test_edit_in_place_replaces_the_new_side(tmp_path: Path, settings) -> None:
    """e opens the hunk's new text; ctrl+s keeps the edit, which is accepted as edited."""
    repo = make_repo(tmp_path / "r", {"f.txt": "a\nb\nc\n"})
    (repo / "f.txt").write_text("a\nB\nc\n")
    app = make_app(repo, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab", "e")
        area = app.screen.query_one("#edit-area")
        assert area.text == "a\nB\nc\n"
        area.text = "a\nBee\nc\n"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.session.accepted_overlay() == {"f.txt": b"a\nBee\nc\n"}


async def test_reject_with_reason_records_it(calc_repo: Path, settings) -> None:
    """r asks for a reason; Enter rejects the hunk with it; Esc would cancel."""
    app = make_app(calc_repo, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab", "j", "r")
        await pilot.press("escape")
        assert decisions(app) == [Decision.UNDECIDED, Decision.UNDECIDED]
        await pilot.press("r")
        await pilot.pause()
        await pilot.press(*"mul must multiply", "enter")
        await pilot.pause()
        rejected = app.session.changes.rejections()
        assert [h.reason for h in rejected] == ["mul must multiply"]


async def test_keys_are_rebindable(calc_repo: Path) -> None:
    """ui.keys rebinds an action; the help screen lists the new key."""
    settings = Settings.model_validate({"ui": {"keys": {"accept": "a", "help": "f1"}}})
    app = make_app(calc_repo, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab", "y")
        assert decisions(app)[0] is Decision.UNDECIDED
        await pilot.press("a")
        assert decisions(app)[0] is Decision.ACCEPTED
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_tab_cycles_panes_and_question_mark_opens_help(calc_repo: Path, settings) -> None:
    """tab goes chat -> diff -> tests -> chat; ? opens help outside the input."""
    app = make_app(calc_repo, settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        seen = []
        for _ in range(3):
            await pilot.press("tab")
            seen.append(app.focused.id)
        assert seen == ["diff-view", "test-log", "chat-input"]
        await pilot.press("tab", "question_mark")
        assert isinstance(app.screen, HelpScreen)
