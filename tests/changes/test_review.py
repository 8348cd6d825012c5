"""Review-side operations: decisions, split, line mode, hunk edits, notes, stale files, writing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agent.changes import ChangeSet, Decision, FileKind, UnknownHunkError
from tests.changes.conftest import git

BASE = "".join(f"line {i}\n" for i in range(1, 31))


@pytest.fixture
def changes(tmp_path: Path) -> ChangeSet:
    (tmp_path / "f.txt").write_text(BASE)
    cs = ChangeSet(tmp_path)
    proposed = BASE.replace("line 2\n", "LINE 2\n").replace("line 7\n", "LINE 7\nnew 7b\n")
    cs.write("f.txt", proposed.replace("line 25\n", ""))
    return cs


def test_hunks_and_headers(changes: ChangeSet) -> None:
    [view] = changes.files()
    assert view.kind is FileKind.MODIFY and view.decision is Decision.UNDECIDED
    assert [h.header for h in view.hunks] == ["@@ -1,10 +1,11 @@", "@@ -22,7 +23,6 @@"]
    assert view.hunks[1].lines[3].kind == "-" and view.hunks[1].lines[3].text == "line 25"


def test_decisions_and_file_summary(changes: ChangeSet) -> None:
    first, second = changes.files()[0].hunks
    changes.decide(first.id, Decision.ACCEPTED)
    changes.decide(second.id, Decision.REJECTED, "keep line 25")
    assert changes.hunk(first.id).decision is Decision.ACCEPTED
    [rejected] = changes.rejections()
    assert rejected.id == second.id and rejected.reason == "keep line 25"
    assert changes.accepted_overlay()["f.txt"].decode() == BASE.replace(
        "line 2\n", "LINE 2\n"
    ).replace("line 7\n", "LINE 7\nnew 7b\n")
    changes.decide_file("f.txt", Decision.ACCEPTED)
    assert changes.files()[0].decision is Decision.ACCEPTED
    with pytest.raises(UnknownHunkError):
        changes.decide("nope", Decision.ACCEPTED)


def test_split_gives_children_that_compose(changes: ChangeSet) -> None:
    first = changes.files()[0].hunks[0]
    children = changes.split(first.id)
    assert len(children) == 2 and first.id not in children
    assert changes.split(children[0]) == [children[0]]  # a single change cannot split further
    changes.decide(children[1], Decision.ACCEPTED)
    assert changes.accepted_overlay()["f.txt"].decode() == BASE.replace(
        "line 7\n", "LINE 7\nnew 7b\n"
    )


def test_line_mode_takes_selected_lines_only(changes: ChangeSet) -> None:
    hunk = changes.split(changes.files()[0].hunks[0].id)[1]
    view = changes.hunk(hunk)
    plus = [i for i, line in enumerate(view.lines) if line.kind == "+"]
    minus = [i for i, line in enumerate(view.lines) if line.kind == "-"]
    changes.decide(hunk, Decision.ACCEPTED)
    toggled = changes.toggle_line(hunk, plus[0])  # drop "LINE 7", keep "new 7b"
    assert toggled.line_mode and not toggled.lines[plus[0]].selected
    changes.toggle_line(hunk, minus[0])  # and keep the old "line 7"
    assert changes.accepted_overlay()["f.txt"].decode() == BASE.replace(
        "line 7\n", "line 7\nnew 7b\n"
    )
    changes.select_lines(hunk, plus + minus)
    assert not changes.hunk(hunk).line_mode
    with pytest.raises(Exception, match="not an added or removed line"):
        changes.toggle_line(hunk, 0)


def test_edit_hunk_replaces_only_that_hunk(changes: ChangeSet) -> None:
    first, second = changes.files()[0].hunks
    new_side = [line.text for line in first.lines if line.kind != "-"]
    new_side[1] = "Line Two (edited)"
    edited = changes.edit_hunk(first.id, "\n".join(new_side) + "\n")
    assert edited is not None and edited.decision is Decision.ACCEPTED and edited.id != first.id
    assert changes.hunk(second.id).decision is Decision.UNDECIDED
    content = changes.accepted_overlay()["f.txt"].decode()
    assert "Line Two (edited)\n" in content and "line 25\n" in content
    undone = changes.edit_hunk(edited.id, "".join(f"line {i}\n" for i in range(1, 11)))
    assert undone is None and len(changes.files()[0].hunks) == 1


def test_notes_attach_to_the_covering_hunk(changes: ChangeSet) -> None:
    first, second = changes.files()[0].hunks
    assert changes.attach_note("f.txt", 24, "why delete line 25?") == second.id
    assert changes.hunk(second.id).notes == ("why delete line 25?",)
    assert changes.attach_note("f.txt", 3, "ok") == first.id
    assert changes.attach_note("other.txt", 1, "x") is None
    assert changes.attach_note("../../etc/passwd", 1, "x") is None


def test_drop_rejected_returns_them_and_keeps_the_rest(changes: ChangeSet) -> None:
    first, second = changes.files()[0].hunks
    changes.decide(second.id, Decision.REJECTED, "keep it")
    [gone] = changes.drop_rejected()
    assert gone.reason == "keep it"
    assert [h.id for h in changes.hunks()] == [first.id]
    assert "line 25\n" in changes.read_text("f.txt")


def test_agent_edit_keeps_decisions_of_untouched_hunks(changes: ChangeSet) -> None:
    first, second = changes.files()[0].hunks
    changes.decide(first.id, Decision.ACCEPTED)
    changes.split(second.id)
    changes.edit("f.txt", "line 15\n", "line 15 changed\n")
    views = changes.files()[0].hunks
    assert len(views) == 3
    assert changes.hunk(first.id).decision is Decision.ACCEPTED
    assert changes.hunk(second.id).lines == second.lines


def test_user_deleting_the_file_makes_hunks_stale_and_write_refuses(
    changes: ChangeSet, tmp_path: Path
) -> None:
    changes.decide_all(Decision.ACCEPTED)
    (tmp_path / "f.txt").unlink()
    view = changes.files()[0]
    assert view.stale and all(h.stale for h in view.hunks)
    report = changes.write_accepted(snapshot=False)
    assert not report.ok and report.conflicts == ("f.txt",)
    assert "changed on disk" in report.messages[0]
    assert not (tmp_path / "f.txt").exists()


def test_concurrent_human_edit_wins(changes: ChangeSet, tmp_path: Path) -> None:
    changes.decide_all(Decision.ACCEPTED)
    (tmp_path / "f.txt").write_text(BASE + "human\n")
    report = changes.write_accepted(snapshot=False)
    assert report.conflicts == ("f.txt",)
    assert (tmp_path / "f.txt").read_text() == BASE + "human\n"


def test_write_accepted_keeps_the_rest_pending(repo: Path) -> None:
    changes = ChangeSet(repo)
    changes.edit("app.py", "    return 1\n", "    return 100\n")
    changes.edit("app.py", "    return 15\n", "    return 150\n")
    changes.write("docs/new.md", "# new\n")
    first, second = changes.files()[0].hunks
    changes.decide(first.id, Decision.ACCEPTED)
    changes.decide(second.id, Decision.REJECTED, "no")
    changes.decide_file("docs/new.md", Decision.ACCEPTED)
    report = changes.write_accepted()
    assert report.ok and report.written == ("app.py", "docs/new.md")
    assert report.snapshot and report.snapshot.startswith("refs/hunkwise/snapshots/")
    text = (repo / "app.py").read_text()
    assert "return 100" in text and "return 150" not in text
    [left] = changes.hunks()
    assert left.decision is Decision.REJECTED and left.reason == "no"
    assert changes.accepted_overlay() == {}


def test_from_worktree_reviews_the_users_changes(repo: Path) -> None:
    (repo / "app.py").write_text((repo / "app.py").read_text().replace("return 4", "return 44"))
    (repo / "untracked.txt").write_text("mine\n")
    (repo / "README.md").unlink()
    changes = ChangeSet.from_worktree(repo)
    kinds = {view.path: view.kind for view in changes.files()}
    assert kinds == {
        "README.md": FileKind.DELETE,
        "app.py": FileKind.MODIFY,
        "untracked.txt": FileKind.CREATE,
    }
    changes.decide_file("app.py", Decision.ACCEPTED)
    assert b"return 44" in changes.accepted_overlay()["app.py"]
    with pytest.raises(Exception, match="already in the working tree"):
        changes.write_accepted()
    with pytest.raises(Exception, match="takes no edits"):
        changes.write("x.txt", "y")


def test_empty_file_create_and_delete_have_a_decision(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({"empty.txt": ""})
    changes = ChangeSet(repo)
    changes.delete("empty.txt")
    changes.write("blank.txt", "")
    views = {view.path: view for view in changes.files()}
    assert views["empty.txt"].kind is FileKind.DELETE and len(views["empty.txt"].hunks) == 1
    assert views["blank.txt"].kind is FileKind.CREATE and len(views["blank.txt"].hunks) == 1
    changes.decide_all(Decision.ACCEPTED)
    assert changes.accepted_overlay() == {"blank.txt": b"", "empty.txt": None}
    changes.write_accepted()
    assert (repo / "blank.txt").exists() and not (repo / "empty.txt").exists()
    assert "empty.txt" in git(repo, "status", "--porcelain")


def test_dropping_rejections_keeps_an_accepted_deletion(repo: Path) -> None:
    changes = ChangeSet(repo)
    changes.delete("README.md")
    changes.edit("app.py", "    return 2\n", "    return 22\n")
    changes.decide_file("README.md", Decision.ACCEPTED)
    changes.decide_file("app.py", Decision.REJECTED, "no")
    assert [h.reason for h in changes.drop_rejected()] == ["no"]
    assert changes.proposed_overlay() == {"README.md": None}
    assert changes.accepted_overlay() == {"README.md": None}


def test_from_worktree_in_a_subfolder(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({"web/app.js": "let a = 1;\n", "top.txt": "t\n"})
    (repo / "web/app.js").write_text("let a = 2;\n")
    (repo / "top.txt").write_text("changed outside the folder\n")
    changes = ChangeSet.from_worktree(repo / "web")
    assert [view.path for view in changes.files()] == ["app.js"]
    changes.decide_all(Decision.ACCEPTED)
    assert changes.accepted_overlay() == {"app.js": b"let a = 2;\n"}


def test_edit_hunk_keeps_a_missing_final_newline(tmp_path: Path) -> None:
    (tmp_path / "n.txt").write_bytes(b"a\nb\nc")
    changes = ChangeSet(tmp_path)
    changes.write("n.txt", b"a\nB\nc")
    [hunk] = changes.hunks()
    text = "".join(line.text + "\n" for line in hunk.lines if line.kind != "-")  # as editors save
    changes.edit_hunk(hunk.id, text.replace("B", "Bee"))
    assert changes.accepted_overlay()["n.txt"] == b"a\nBee\nc"


def test_a_file_turned_into_a_folder_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("a\n")
    (tmp_path / "f.txt").write_text("b\n")
    changes = ChangeSet(tmp_path)
    changes.write("ok.txt", "A\n")
    changes.write("f.txt", "B\n")
    changes.decide_all(Decision.ACCEPTED)
    (tmp_path / "f.txt").unlink()
    (tmp_path / "f.txt").mkdir()
    assert changes.files()[0].stale
    report = changes.write_accepted(snapshot=False)
    assert report.written == ("ok.txt",) and report.conflicts == ("f.txt",)


def test_a_file_where_a_folder_should_be_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pkg").write_text("i am a file\n")
    with pytest.raises(Exception, match="is a file, not a folder"):
        ChangeSet(tmp_path).write("pkg/mod.py", "x = 1\n")
