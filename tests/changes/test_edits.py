"""Agent-side edits: exact, tolerant-when-unique, and errors that teach the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.changes import BinaryFileError, ChangeError, ChangeSet, EditError, FileKind

SOURCE = "def a():\n    x = 1\n    return x\n\n\ndef b():\n    x = 1\n    return x + 1\n"


@pytest.fixture
def changes(tmp_path: Path) -> ChangeSet:
    (tmp_path / "mod.py").write_text(SOURCE)
    return ChangeSet(tmp_path)


def test_exact_edit_is_pending_until_written(changes: ChangeSet, tmp_path: Path) -> None:
    view = changes.edit("mod.py", "    return x + 1\n", "    return x + 2\n")
    assert view.kind is FileKind.MODIFY and len(view.hunks) == 1
    assert "return x + 2" in changes.read_text("mod.py")
    assert (tmp_path / "mod.py").read_text() == SOURCE  # nothing touched disk
    assert changes.proposed_overlay() == {"mod.py": SOURCE.replace("x + 1", "x + 2").encode()}


def test_ambiguous_edit_names_the_places_and_changes_nothing(changes: ChangeSet) -> None:
    with pytest.raises(EditError) as info:
        changes.edit("mod.py", "    x = 1\n", "    x = 2\n")
    text = str(info.value)
    assert "mod.py" in text and "2 times" in text and "lines 2, 7" in text
    assert "more surrounding lines" in text
    assert len(changes) == 0


def test_tolerant_match_fixes_indentation_when_unique(changes: ChangeSet) -> None:
    changes.edit("mod.py", "def b():\n  x = 1\n  return x + 1", "def b():\n  y = 2\n  return y")
    assert changes.read_text("mod.py").endswith("def b():\n    y = 2\n    return y\n")


def test_tolerant_match_refuses_when_ambiguous(changes: ChangeSet) -> None:
    with pytest.raises(EditError, match="matches 2 places once whitespace is ignored"):
        changes.edit("mod.py", "x  =  1", "x = 3")
    assert len(changes) == 0


def test_failed_match_shows_the_closest_lines(changes: ChangeSet) -> None:
    with pytest.raises(EditError) as info:
        changes.edit("mod.py", "def b():\n    x = 10\n    return x + 1\n", "pass\n")
    text = str(info.value)
    assert "not found" in text and "closest lines" in text
    assert "    6 | def b():" in text and "    8 |     return x + 1" in text


def test_edits_on_crlf_files_keep_crlf(tmp_path: Path) -> None:
    (tmp_path / "w.txt").write_bytes(b"one\r\ntwo\r\nthree\r\n")
    changes = ChangeSet(tmp_path)
    changes.edit("w.txt", "two\nthree\n", "2\n3\n")
    assert changes.proposed_overlay()["w.txt"] == b"one\r\n2\r\n3\r\n"


def test_binary_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    changes = ChangeSet(tmp_path)
    with pytest.raises(BinaryFileError):
        changes.read_text("img.png")
    with pytest.raises(BinaryFileError):
        changes.write("img.png", "text now\n")
    with pytest.raises(BinaryFileError):
        changes.write("blob.bin", b"a\0b")
    assert len(changes) == 0


def test_create_and_delete(changes: ChangeSet) -> None:
    created = changes.edit("pkg/new.py", "", "print('hi')\n")
    assert created.kind is FileKind.CREATE
    deleted = changes.delete("mod.py")
    assert deleted.kind is FileKind.DELETE
    assert changes.proposed_overlay() == {"mod.py": None, "pkg/new.py": b"print('hi')\n"}
    assert not changes.exists("mod.py")
    with pytest.raises(ChangeError, match="does not exist"):
        changes.read_text("mod.py")
    with pytest.raises(ChangeError, match="does not exist"):
        changes.delete("missing.py")


def test_writing_the_original_back_drops_the_file(changes: ChangeSet) -> None:
    changes.edit("mod.py", "x + 1", "x + 2")
    changes.write("mod.py", SOURCE)
    assert changes.files() == []


def test_search_replace_blocks_apply_all_or_nothing(changes: ChangeSet) -> None:
    reply = (
        "Here is the fix.\n\nmod.py\n```python\n<<<<<<< SEARCH\n    return x + 1\n=======\n"
        "    return x + 3\n>>>>>>> REPLACE\n```\n\n`notes.md`\n```\n<<<<<<< SEARCH\n=======\n"
        "# Notes\n>>>>>>> REPLACE\n```\n"
    )
    views = changes.apply_search_replace(reply)
    assert [v.path for v in views] == ["mod.py", "notes.md"]
    assert "x + 3" in changes.read_text("mod.py")
    assert changes.read_text("notes.md") == "# Notes\n"

    broken = (
        "mod.py\n<<<<<<< SEARCH\n    return x + 3\n=======\n    return 0\n>>>>>>> REPLACE\n"
        "mod.py\n<<<<<<< SEARCH\n    nowhere()\n=======\n    x\n>>>>>>> REPLACE\n"
    )
    before = changes.proposed_overlay()
    with pytest.raises(EditError, match="not found"):
        changes.apply_search_replace(broken)
    assert changes.proposed_overlay() == before


@pytest.mark.parametrize(
    ("reply", "needle"),
    [
        ("no blocks here", "no SEARCH/REPLACE blocks"),
        ("mod.py\n<<<<<<< SEARCH\nx\n", "without a ======= divider"),
        ("mod.py\n<<<<<<< SEARCH\nx\n=======\ny\n", "REPLACE line"),
        ("<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n", "no file path"),
    ],
)
def test_malformed_blocks_explain_the_format(changes: ChangeSet, reply: str, needle: str) -> None:
    with pytest.raises(EditError) as info:
        changes.apply_search_replace(reply)
    assert needle in str(info.value) and "<<<<<<< SEARCH" in str(info.value)


def test_editing_a_missing_file_tells_the_model_how_to_create_it(changes: ChangeSet) -> None:
    with pytest.raises(EditError, match="does not exist") as info:
        changes.edit("nope.py", "x", "y")
    assert "empty old text" in str(info.value)


def test_whole_file_text_over_a_crlf_file_keeps_crlf(tmp_path: Path) -> None:
    (tmp_path / "w.txt").write_bytes(b"one\r\ntwo\r\n")
    changes = ChangeSet(tmp_path)
    view = changes.write("w.txt", "one\ntwo\nthree\n")
    assert changes.proposed_overlay()["w.txt"] == b"one\r\ntwo\r\nthree\r\n"
    assert [line.kind for line in view.hunks[0].lines] == [" ", " ", "+"]
    changes.write("w.txt", b"raw\n")  # bytes are exact
    assert changes.proposed_overlay()["w.txt"] == b"raw\n"
