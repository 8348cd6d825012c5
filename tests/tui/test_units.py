"""Unit tests of the app's pure parts: keys, slash commands, digests, batching, layout, CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.changes import ChangeSet
from hunkwise.cli import main
from hunkwise.errors import ConfigError
from sandbox.settings import SandboxSettings
from tests.gitrepo import make_repo
from tests.tui.conftest import SIZE, settle
from tui.commands import SLASH_COMMANDS, parse_slash
from tui.diff_rows import build_layout
from tui.keys import ACTIONS, resolve_keys
from tui.messages import LineBatcher
from tui.session import overlay_digest
from tui.widgets.status import short_model

ROOT = Path(__file__).resolve().parents[2]


def test_every_issue_key_is_bound_by_default() -> None:
    keys = resolve_keys({})
    wanted = {
        "next_hunk": "j,down",
        "prev_hunk": "k,up",
        "next_file": "J",
        "prev_file": "K",
        "accept": "y",
        "reject": "n",
        "undo_decision": "u",
        "accept_file": "Y",
        "reject_file": "N",
        "split": "s",
        "line_mode": "v",
        "toggle_line": "space",
        "edit": "e",
        "reject_reason": "r",
        "run_tests": "t",
        "commit": "c",
        "undo_commit": "U",
        "next_pane": "tab",
        "help": "question_mark",
        "palette": "ctrl+p",
        "quit": "q",
    }
    assert {name: keys[name] for name in wanted} == wanted
    assert len({a.name for a in ACTIONS}) == len(ACTIONS)


def test_rebinding_and_bad_rebindings() -> None:
    assert resolve_keys({"accept": " a , y "})["accept"] == "a,y"
    with pytest.raises(ConfigError) as unknown:
        resolve_keys({"acept": "a"})
    assert "acept" in unknown.value.message and "accept" in unknown.value.hint
    with pytest.raises(ConfigError):
        resolve_keys({"accept": " , "})


def test_slash_commands_parse() -> None:
    assert parse_slash("fix the bug") is None
    command = parse_slash("/map why does login fail")
    assert (command.name, command.argument) == ("map", "why does login fail")
    issue = {
        "help",
        "model",
        "add",
        "drop",
        "map",
        "test",
        "diff",
        "commit",
        "undo",
        "cost",
        "clear",
        "sessions",
    }
    assert issue <= set(SLASH_COMMANDS)
    with pytest.raises(ConfigError) as err:
        parse_slash("/frobnicate")
    assert "/help" in err.value.hint


overlays = st.dictionaries(
    st.text(min_size=1, max_size=8), st.one_of(st.none(), st.binary(max_size=16)), max_size=5
)


@settings(max_examples=300, deadline=None)
@given(overlays, overlays)
def test_overlay_digest_is_equal_exactly_for_equal_overlays(a, b) -> None:
    assert (overlay_digest(a) == overlay_digest(b)) == (a == b)
    assert overlay_digest(dict(reversed(list(a.items())))) == overlay_digest(a)


def test_deleted_is_not_empty() -> None:
    assert overlay_digest({"f": None}) != overlay_digest({"f": b""})


def test_line_batcher_posts_batches_and_the_rest() -> None:
    posted: list[list[str]] = []
    batcher = LineBatcher(posted.append, interval_s=3600)
    for i in range(1203):
        batcher.add(str(i))
    assert [len(b) for b in posted] == [500, 500]
    batcher.flush()
    batcher.flush()
    assert [len(b) for b in posted] == [500, 500, 203]
    assert [line for batch in posted for line in batch] == [str(i) for i in range(1203)]


def test_layout_rows_and_starts(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.py": "".join(f"x{i} = {i}\n" for i in range(40))})
    changes = ChangeSet(repo)
    changes.write("a.py", "".join(f"x{i} = {i * (i % 20 == 0) + i}\n" for i in range(40)))
    changes.write("b.txt", "new\n")
    changes.attach_note("a.py", 1, "note")
    layout = build_layout(changes.files())
    hunks = [h for f in changes.files() for h in f.hunks]
    assert len(layout.rows) == 2 + sum(1 + len(h.notes) + len(h.lines) for h in hunks)
    assert all(layout.rows[start].kind == "hunk" for start in layout.hunk_starts)
    assert [layout.rows[s].kind for s in layout.file_starts] == ["file", "file"]
    assert layout.rows[layout.hunk_starts[0] + 1].kind == "note"


def test_short_model_never_shows_paths() -> None:
    assert short_model(None) == "no model"
    assert short_model("replay:/tmp/x/demo.json") == "replay:demo.json"
    assert short_model("openai/gpt-4o") == "openai/gpt-4o"


def test_cli_errors_are_messages_not_tracebacks(tmp_path: Path, capsys) -> None:
    assert main(["--repo", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "is not a directory" in err and "hint:" in err and "Traceback" not in err
    (tmp_path / "plain").mkdir()
    assert main(["--repo", str(tmp_path / "plain")]) == 2
    assert "hint:" in capsys.readouterr().err
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    assert main(["demo", "--dir", str(tmp_path / "full")]) == 2
    assert "not empty" in capsys.readouterr().err


def test_help_lists_demo_and_stays_cheap() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "hunkwise", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0 and "demo" in out.stdout


@pytest.mark.anyio
async def test_sandbox_refusal_is_a_notification(tmp_path: Path) -> None:
    """No usable sandbox: t shows what went wrong and what to do, and nothing crashes."""
    from hunkwise.settings import Settings
    from tui.app import make_app

    repo = make_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    app = make_app(repo, Settings(sandbox=SandboxSettings(backend="local")))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("tab", "t")
        await settle(pilot)
        [note] = [n for n in app._notifications if n.severity == "error"]
        assert "not allowed" in note.message and "allow_local" in note.message
        assert app.is_running


def test_unknown_theme_is_a_config_error(tmp_path: Path) -> None:
    from hunkwise.settings import Settings
    from tui.app import make_app

    repo = make_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    with pytest.raises(ConfigError) as err:
        make_app(repo, Settings.model_validate({"ui": {"theme": "no-such-theme"}}))
    assert "nord" in err.value.hint
    assert make_app(repo, Settings.model_validate({"ui": {"theme": "nord"}})).theme == "nord"
