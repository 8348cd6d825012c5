"""Edits made while reviewing your own uncommitted changes reach the working tree after commit."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from agent.changes import ChangeError, ChangeSet, Decision
from agent.vcs import GitRepo
from tests.changes.conftest import git

CRLF_HEAD = "".join(f"line {i}\r\n" for i in range(20)).encode()
CRLF_WORK = CRLF_HEAD.replace(b"line 2\r\n", b"LINE 2\r\n").replace(b"line 15\r", b"LINE 15\r")
CRLF_EDITED = CRLF_WORK.replace(b"LINE 2\r\n", b"Line two, as reviewed\r\n")
PLAIN_HEAD = "alpha\nbeta\n"
PLAIN_WORK = "alpha\nbeta\ngamma\n"


@pytest.fixture
def worktree(make_repo: Callable[..., Path]) -> Path:
    """Two files with uncommitted edits: a CRLF executable (two hunks) and an LF file (one)."""
    repo = make_repo({"tool.txt": CRLF_HEAD, "plain.txt": PLAIN_HEAD})
    os.chmod(repo / "tool.txt", 0o755)
    git(repo, "add", "tool.txt")
    git(repo, "commit", "-q", "-m", "executable")
    (repo / "tool.txt").write_bytes(CRLF_WORK)
    (repo / "plain.txt").write_text(PLAIN_WORK)
    return repo


def review(repo: Path) -> ChangeSet:
    """Load the worktree, edit tool.txt's first hunk (accepted), reject its second, take plain."""
    changes = ChangeSet.from_worktree(repo)
    first, second = [h.id for h in changes.files()[1].hunks]
    text = "".join(f"{line.text}\n" for line in changes.hunk(first).lines if line.kind != "-")
    assert "LINE 2\n" in text  # the editor sees LF text, as the TUI's edit prompt gives it
    changes.edit_hunk(first, text.replace("LINE 2\n", "Line two, as reviewed\n"))
    changes.decide(second, Decision.REJECTED)
    changes.decide_file("plain.txt", Decision.ACCEPTED)
    return changes


def commit(repo: Path, changes: ChangeSet) -> str:
    """Commit the accepted state as the app does for a review of the user's own changes."""
    with GitRepo.open(repo) as git_repo:
        return git_repo.commit_contents(
            changes.accepted_overlay(),
            "reviewed",
            None,
            bases=changes.base_overlay(),
            from_worktree=True,
        )


def test_edited_text_reaches_disk_and_the_rejected_change_stays(worktree: Path) -> None:
    """Commit has the edit; disk has the edit and the rejected hunk; git diff HEAD = rejected."""
    changes = review(worktree)
    commit(worktree, changes)
    report = changes.write_review_edits()

    committed = CRLF_HEAD.replace(b"line 2\r\n", b"Line two, as reviewed\r\n")
    assert git(worktree, "cat-file", "blob", "HEAD:tool.txt").encode() == committed
    assert report.written == ("tool.txt",) and report.ok
    assert (worktree / "tool.txt").read_bytes() == CRLF_EDITED
    assert (worktree / "tool.txt").stat().st_mode & 0o777 == 0o755
    assert (worktree / "plain.txt").read_text() == PLAIN_WORK
    diff = git(worktree, "diff", "HEAD", "--stat")
    assert "tool.txt" in diff and "plain.txt" not in diff
    body = [
        line
        for line in git(worktree, "diff", "HEAD", "--", "tool.txt").split("\n")
        if line[:1] in ("+", "-") and line[:3] not in ("+++", "---")
    ]
    assert body == ["-line 15\r", "+LINE 15\r"]
    # The text the edit replaced stays reachable in the safety snapshot.
    assert report.snapshot is not None
    assert git(worktree, "cat-file", "blob", f"{report.snapshot}:tool.txt").encode() == CRLF_WORK


def test_file_changed_on_disk_since_loading_is_left_alone(worktree: Path) -> None:
    """The user kept typing after the review loaded: their file wins, the conflict is told."""
    changes = review(worktree)
    newer = CRLF_WORK + b"typed while reviewing\r\n"
    (worktree / "tool.txt").write_bytes(newer)
    commit(worktree, changes)
    report = changes.write_review_edits()

    assert not report.ok and report.conflicts == ("tool.txt",)
    assert "changed on disk" in report.messages[0]
    assert report.written == () and report.snapshot is None
    assert (worktree / "tool.txt").read_bytes() == newer
    committed = git(worktree, "cat-file", "blob", "HEAD:tool.txt").encode()
    assert b"Line two, as reviewed\r\n" in committed  # the other version is in the commit


def test_an_edited_hunk_keeps_its_edit_when_rejected_or_undecided(worktree: Path) -> None:
    """Rejecting (or undeciding) an edited hunk keeps it out of the commit, not off the disk."""
    changes = review(worktree)
    edited = changes.files()[1].hunks[0]
    changes.decide(edited.id, Decision.REJECTED)
    commit(worktree, changes)  # plain.txt only
    changes.write_review_edits()
    assert git(worktree, "cat-file", "blob", "HEAD:tool.txt").encode() == CRLF_HEAD
    assert (worktree / "tool.txt").read_bytes() == CRLF_EDITED

    (worktree / "plain.txt").write_text(PLAIN_WORK + "delta\n")
    again = ChangeSet.from_worktree(worktree)
    hunk = again.files()[0].hunks[0]
    edited_again = again.edit_hunk(hunk.id, "alpha\nbeta\ngamma\nDelta\n")
    assert edited_again is not None
    again.decide(edited_again.id, Decision.UNDECIDED)
    again.decide_file("tool.txt", Decision.ACCEPTED)
    commit(worktree, again)
    again.write_review_edits()
    assert (worktree / "plain.txt").read_text() == PLAIN_WORK + "Delta\n"


def test_an_edit_back_to_head_is_written_too(worktree: Path) -> None:
    """Editing a hunk back to the committed text drops it from the review, and from disk."""
    changes = ChangeSet.from_worktree(worktree)
    plain = changes.files()[0].hunks[0]
    assert changes.edit_hunk(plain.id, "alpha\nbeta\n") is None
    assert [f.path for f in changes.files()] == ["tool.txt"]
    changes.decide_file("tool.txt", Decision.ACCEPTED)
    commit(worktree, changes)
    assert changes.write_review_edits().written == ("plain.txt",)
    assert (worktree / "plain.txt").read_text() == PLAIN_HEAD
    assert git(worktree, "status", "--porcelain").strip() == ""


def test_nothing_edited_writes_nothing(worktree: Path) -> None:
    """Without an edit the working tree is the review's text already: no write, no snapshot."""
    changes = ChangeSet.from_worktree(worktree)
    changes.decide_file("plain.txt", Decision.ACCEPTED)
    commit(worktree, changes)
    report = changes.write_review_edits()
    assert report.written == () and report.snapshot is None and report.ok
    assert (worktree / "tool.txt").read_bytes() == CRLF_WORK


def test_undo_keeps_the_edited_working_tree(worktree: Path) -> None:
    """Undoing the commit moves HEAD back and leaves the files as the review left them."""
    head = git(worktree, "rev-parse", "HEAD").strip()
    changes = review(worktree)
    commit(worktree, changes)
    changes.write_review_edits()
    with GitRepo.open(worktree) as git_repo:
        assert git_repo.undo_last() == head
    assert (worktree / "tool.txt").read_bytes() == CRLF_EDITED
    assert (worktree / "plain.txt").read_text() == PLAIN_WORK


def test_only_a_review_of_your_own_changes_writes_edits_back(repo: Path) -> None:
    """An agent's change set is written with write_accepted; this call refuses it clearly."""
    with pytest.raises(ChangeError) as caught:
        ChangeSet(repo).write_review_edits()
    assert "write_accepted" in (caught.value.hint or "")


def test_a_file_that_cannot_be_written_is_reported_and_the_others_are_written(
    worktree: Path,
) -> None:
    """A failed write (here: a name longer than the file system allows) is a conflict with a
    message; the other planned files are still written, and only those count as written."""
    from agent.changes.writer import write_plan

    blocked = "b" * 300
    plan = {blocked: b"x\n", "new.txt": b"written\n"}
    report, done = write_plan(
        ChangeSet(worktree), plan, False, "test", (["earlier"], ["refused earlier"]),
        "could not write {rel}: {reason}",
    )  # fmt: skip
    assert done == ["new.txt"] and report.written == ("new.txt",)
    assert report.conflicts == ("earlier", blocked)
    assert report.messages[0] == "refused earlier"
    assert report.messages[1].startswith(f"could not write {blocked}: ")
    assert (worktree / "new.txt").read_bytes() == b"written\n"
