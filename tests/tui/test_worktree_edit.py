"""Pilot tests: a hunk edited while reviewing your own changes is on disk after the commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from agent.changes import Decision
from hunkwise.settings import Settings
from tests.gitrepo import git, make_repo
from tests.tui.conftest import SIZE, settle
from tui.app import make_app
from tui.screens.commit import CommitScreen
from tui.widgets.diff_view import DiffView

pytestmark = pytest.mark.anyio

HEAD = "".join(f"line {i}\r\n" for i in range(20)).encode()
WORK = HEAD.replace(b"line 2\r\n", b"LINE 2\r\n").replace(b"line 15\r\n", b"LINE 15\r\n")
EDITED = WORK.replace(b"LINE 2\r\n", b"Line two, as reviewed\r\n")


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A CRLF file with two uncommitted hunks and an LF file with one."""
    root = make_repo(tmp_path / "r", {"crlf.txt": HEAD, "plain.txt": "alpha\n"})
    (root / "crlf.txt").write_bytes(WORK)
    (root / "plain.txt").write_text("alpha\nbeta\n")
    return root


def decisions(app) -> list[Decision]:
    return [h.decision for f in app.session.files() for h in f.hunks]


def blob(repo: Path, spec: str) -> bytes:
    """A committed file's exact bytes (`git` in tests.gitrepo reads text, folding CRLF)."""
    return subprocess.run(
        ["git", "cat-file", "blob", spec], cwd=repo, check=True, capture_output=True
    ).stdout


def settings() -> Settings:
    """No model (a review of the user's own changes) and no repo map: neither is under test."""
    return Settings.model_validate({"ui": {"build_map_on_start": False}})


async def review_and_commit(pilot, before_commit=lambda: None) -> None:
    """e on crlf.txt's first hunk, edit it, ctrl+s; n on its second; y on plain.txt; commit."""
    app = pilot.app
    await settle(pilot)
    await pilot.press("tab", "e")
    area = app.screen.query_one("#edit-area")
    assert "LINE 2\n" in area.text
    area.text = area.text.replace("LINE 2\n", "Line two, as reviewed\n")
    await pilot.press("ctrl+s")
    await pilot.pause()
    view = app.query_one(DiffView)
    view.focus()
    await pilot.press("j", "n", "y")
    assert decisions(app) == [Decision.ACCEPTED, Decision.REJECTED, Decision.ACCEPTED]
    before_commit()
    await pilot.press("c")
    await settle(pilot)
    assert isinstance(app.screen, CommitScreen)
    await pilot.press("o", "o")  # no tests run here: commit by explicit override
    await settle(pilot)


async def test_edited_hunk_is_on_disk_after_commit(repo: Path) -> None:
    """The commit and the working file both hold the edit; only the rejected hunk stays a diff."""
    app = make_app(repo, settings())
    async with app.run_test(size=SIZE) as pilot:
        await review_and_commit(pilot)
        assert not [n for n in app._notifications if n.severity != "information"]
    committed = HEAD.replace(b"line 2\r\n", b"Line two, as reviewed\r\n")
    assert blob(repo, "HEAD:crlf.txt") == committed
    assert (repo / "crlf.txt").read_bytes() == EDITED
    assert (repo / "plain.txt").read_text() == "alpha\nbeta\n"
    assert git(repo, "status", "--porcelain").strip() == "M crlf.txt"
    changed = [
        line
        for line in git(repo, "diff", "HEAD", "--", "crlf.txt").splitlines()
        if line[:1] in ("+", "-") and line[:3] not in ("+++", "---")
    ]
    assert changed == ["-line 15", "+LINE 15"]


async def test_file_changed_since_loading_is_left_alone_and_the_user_told(repo: Path) -> None:
    """Typing into the file during the review wins on disk; a warning says where the edit is."""
    newer = WORK + b"typed while reviewing\r\n"
    app = make_app(repo, settings())
    async with app.run_test(size=SIZE) as pilot:
        await review_and_commit(pilot, lambda: (repo / "crlf.txt").write_bytes(newer))
        warnings = [n for n in app._notifications if n.severity == "warning"]
    assert (repo / "crlf.txt").read_bytes() == newer
    assert b"Line two, as reviewed" in blob(repo, "HEAD:crlf.txt")
    assert len(warnings) == 1
    assert "crlf.txt changed on disk" in warnings[0].message
    assert "git diff HEAD -- crlf.txt" in warnings[0].message
