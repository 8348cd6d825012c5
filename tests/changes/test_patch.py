"""Loading unified diffs: positions found despite drift, mismatches refused, deletions."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.changes import ChangeSet, Decision, FileKind, PatchError
from tests.changes.test_cli_end_to_end import hunkwise

BASE = "".join(f"row {i}\n" for i in range(1, 21))
PATCH = (
    "diff --git a/t.txt b/t.txt\n--- a/t.txt\n+++ b/t.txt\n"
    "@@ -2,3 +2,3 @@\n row 2\n-row 3\n+ROW 3\n row 4\n"
    "@@ -15,3 +15,4 @@\n row 15\n row 16\n+row 16.5\n row 17\n"
)


def test_hunks_are_found_when_the_user_shifted_the_lines(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text("user line a\nuser line b\n" + BASE)
    changes = ChangeSet.from_patch(tmp_path, PATCH)
    first, second = changes.numbered()
    assert [(n.kind, n.text, n.old_no) for n in first.lines if n.kind != " "] == [
        ("-", "row 3", 5),
        ("+", "ROW 3", None),
    ]
    assert [(n.text, n.new_no) for n in second.lines if n.kind == "+"] == [("row 16.5", 19)]
    changes.decide_all(Decision.ACCEPTED)
    expected = "user line a\nuser line b\n" + BASE.replace("row 3\n", "ROW 3\n").replace(
        "row 16\n", "row 16\nrow 16.5\n"
    )
    assert changes.accepted_overlay()["t.txt"].decode() == expected


def test_a_hunk_that_does_not_match_is_refused_with_its_number(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text(BASE.replace("row 16\n", "row sixteen\n"))
    with pytest.raises(PatchError, match=r"t.txt: hunk 2 .* does not match") as info:
        ChangeSet.from_patch(tmp_path, PATCH)
    assert "regenerate" in info.value.hint


def test_crlf_files_take_lf_patches_and_keep_crlf(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_bytes(BASE.replace("\n", "\r\n").encode())
    changes = ChangeSet.from_patch(tmp_path, PATCH)
    changes.decide(changes.numbered()[0].id, Decision.ACCEPTED)
    content = changes.accepted_overlay()["t.txt"]
    assert content == BASE.replace("\n", "\r\n").replace("row 3\r", "ROW 3\r").encode()


def test_deleting_and_creating_files(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").write_text("a\nb\n")
    patch = (
        "diff --git a/gone.txt b/gone.txt\ndeleted file mode 100644\n--- a/gone.txt\n"
        "+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n"
        "diff --git a/made.txt b/made.txt\nnew file mode 100644\n--- /dev/null\n"
        "+++ b/made.txt\n@@ -0,0 +1 @@\n+hello\n"
    )
    changes = ChangeSet.from_patch(tmp_path, patch)
    assert [(v.path, v.kind) for v in changes.files()] == [
        ("gone.txt", FileKind.DELETE),
        ("made.txt", FileKind.CREATE),
    ]
    changes.decide_all(Decision.ACCEPTED)
    assert changes.accepted_overlay() == {"gone.txt": None, "made.txt": b"hello\n"}
    report = changes.write_accepted(snapshot=False)
    assert report.deleted == ("gone.txt",) and report.written == ("made.txt",)
    assert not (tmp_path / "gone.txt").exists()


def test_patch_refusals(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text(BASE)
    with pytest.raises(PatchError, match="already exists"):
        ChangeSet.from_patch(tmp_path, "--- /dev/null\n+++ b/t.txt\n@@ -0,0 +1 @@\n+x\n")
    with pytest.raises(PatchError, match="does not exist"):
        ChangeSet.from_patch(tmp_path, PATCH.replace("t.txt", "u.txt"))
    with pytest.raises(PatchError, match="no file changes"):
        ChangeSet.from_patch(tmp_path, "hello\n")


def test_apply_reads_the_patch_from_stdin(repo: Path) -> None:
    import subprocess
    import sys

    patch = "--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-# demo\n+# demo, patched\n"
    result = subprocess.run(
        [sys.executable, "-m", "hunkwise", "--repo", str(repo), "apply", "-", "--accept-all"],
        input=patch,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (repo / "README.md").read_text() == "# demo, patched\n"
    listing = hunkwise("apply", "/dev/null", repo=repo)
    assert listing.returncode == 2 and "no file changes" in listing.stderr
