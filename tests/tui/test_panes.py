"""Pilot tests of the chat and test panes: history, slash commands, jumping to failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Markdown, OptionList, RichLog

from agent.events import TokenDelta
from hunkwise.settings import Settings
from tests.gitrepo import make_repo
from tests.tui.conftest import SIZE, settle
from tests.tui.scenes import FAILING, FAILING_OUTPUT, review_app
from tui.app import make_app
from tui.messages import AgentEventPosted, TestLines, TestsFinished, TestsStarted
from tui.screens.help import HelpScreen
from tui.widgets.chat import ChatInput

pytestmark = pytest.mark.anyio


def transcript_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.chat.transcript.children)


async def test_failing_tests_are_listed_and_jumpable(tmp_path: Path) -> None:
    """Selecting a failing test scrolls the output to where it is reported."""
    app = review_app(tmp_path / "r")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.post_message(TestsStarted(FAILING.command, "container"))
        app.post_message(TestLines(FAILING_OUTPUT * 4))
        app.post_message(TestsFinished(FAILING, app.session.digest()))
        await settle(pilot)
        failures = app.query_one("#test-failures", OptionList)
        assert failures.option_count == 2
        log = app.query_one(RichLog)
        await pilot.pause(0.2)  # the log follows its output to the end first
        assert log.scroll_y == log.max_scroll_y > 10
        failures.focus()
        failures.highlighted = 1
        await pilot.press("enter")
        await settle(pilot)
        target = FAILING_OUTPUT.index(
            "___________________________ test_report_columns ________________________________"
        )
        assert log.scroll_y == min(target, log.max_scroll_y)


async def test_input_history_and_slash_commands(tmp_path: Path) -> None:
    """Up/down recall what was sent; /add, /drop, /cost, /clear and /help do their jobs."""
    repo = make_repo(tmp_path / "r", {"a.py": "x = 1\n", "b.py": "y = 2\n"})
    app = make_app(repo, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for line in ("/add a.py b.py", "/drop b.py", "/cost"):
            await pilot.press(*line, "enter")
            await settle(pilot)
        assert app.session.chat_files == ["a.py"]
        text = transcript_text(app)
        assert "files in the chat: a.py" in text and "session: 0 tokens" in text
        await pilot.press(*"/add nope.py", "enter")
        await settle(pilot)
        assert any("no such file: nope.py" in n.message for n in app._notifications)
        chat_input = app.query_one(ChatInput)
        await pilot.press("up")
        assert chat_input.value == "/add nope.py"
        await pilot.press("up", "up")
        assert chat_input.value == "/drop b.py"
        await pilot.press("down", "down", "down")
        assert chat_input.value == ""
        await pilot.press(*"/clear", "enter")
        await settle(pilot)
        assert len(app.chat.transcript.children) == 0
        await pilot.press(*"/help", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)


async def test_streamed_tokens_become_one_markdown_answer(tmp_path: Path) -> None:
    """Many small token events end up as one Markdown block with the whole text."""
    app = review_app(tmp_path / "r", model="replay:/nowhere/x.json")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        words = [f"word{i} " for i in range(300)]
        for word in words:
            app.post_message(AgentEventPosted(TokenDelta(text=word)))
        await settle(pilot)
        await app.chat.end_stream()
        answers = list(app.chat.transcript.query(Markdown))
        assert len(answers) == 1
        assert answers[0].source == "".join(words)


async def test_the_review_models_words_get_their_own_labelled_block(tmp_path: Path) -> None:
    """Tokens of another role never run on in the main model's answer."""
    app = review_app(tmp_path / "r", model="replay:/nowhere/x.json")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for text, role in [("I changed ", "main"), ("the cart.", "main"),
                           ("Rounding ", "review"), ("looks wrong.", "review"),
                           ("Fixed it.", "main")]:  # fmt: skip
            app.post_message(AgentEventPosted(TokenDelta(text=text, role=role)))
        await settle(pilot)
        await app.chat.end_stream()
        blocks = list(app.chat.transcript.query(Markdown))
        assert [b.source for b in blocks] == [
            "I changed the cart.",
            "*review model:* Rounding looks wrong.",
            "Fixed it.",
        ]
        assert [b.has_class("review") for b in blocks] == [False, True, False]


async def test_map_command_shows_the_map(tmp_path: Path) -> None:
    """/map QUERY renders the ranked map into the chat; the status bar counts its files."""
    app = review_app(tmp_path / "r")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"/map reorder", "enter")
        await settle(pilot)
        answers = list(app.chat.transcript.query(Markdown))
        assert answers and "needs_reorder" in answers[-1].source
        assert app.status_info.map_state == "map: 1 file"


async def test_palette_runs_slash_commands_and_dialogs_block_app_keys(tmp_path: Path) -> None:
    """ctrl+p offers the slash commands; while a dialog is open, c does not stack another."""
    app = review_app(tmp_path / "r")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"/cost")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert "session: 0 tokens" in transcript_text(app)
        await pilot.press("tab", "y", "c")
        await settle(pilot)
        depth = len(app.screen_stack)
        assert depth == 2
        await pilot.press("c", "t")
        await settle(pilot)
        assert len(app.screen_stack) == depth and app.tests_pane.report is None


async def test_diff_command_picks_up_new_working_tree_edits(tmp_path: Path) -> None:
    """Without a model, /diff re-reads the working tree (when nothing is decided yet)."""
    repo = make_repo(tmp_path / "r", {"a.txt": "a\n", "b.txt": "b\n"})
    (repo / "a.txt").write_text("A\n")
    app = make_app(repo, Settings())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert [f.path for f in app.session.files()] == ["a.txt"]
        (repo / "b.txt").write_text("B\n")
        await pilot.press(*"/diff", "enter")
        await settle(pilot)
        assert [f.path for f in app.session.files()] == ["a.txt", "b.txt"]
