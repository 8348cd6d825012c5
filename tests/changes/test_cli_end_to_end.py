"""The issue's end-to-end case through the real CLI on a real repository with a user's edit."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.changes.conftest import git

ROOT = Path(__file__).resolve().parents[2]
LINES = [f"line {i}" for i in range(1, 41)]
CRLF = ("\r\n".join(LINES) + "\r\n").encode()
NO_FINAL_NEWLINE = "\n".join(LINES).encode()
USER_EDIT = NO_FINAL_NEWLINE.replace(b"line 20\n", b"line 20 (user's own edit)\n")


def hunkwise(*args: str, repo: Path) -> subprocess.CompletedProcess[str]:
    """Run the real `hunkwise` command line in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "hunkwise", "--repo", str(repo), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
        timeout=120,
    )


def five_hunk_patch(repo: Path) -> str:
    """A git diff with hunks: 1-2 in crlf.txt, 3 creating new.txt, 4-5 in nonl.py."""
    (repo / "crlf.txt").write_bytes(
        CRLF.replace(b"line 3\r\n", b"LINE 3\r\n").replace(b"line 30\r\n", b"LINE 30\r\n")
    )
    (repo / "nonl.py").write_bytes(
        NO_FINAL_NEWLINE.replace(b"line 5\n", b"LINE 5\n").replace(b"line 40", b"LINE 40")
    )
    (repo / "new.txt").write_bytes(b"brand new\n")
    git(repo, "add", "--intent-to-add", "new.txt")
    patch = git(repo, "diff")
    git(repo, "rm", "-q", "--cached", "new.txt")
    (repo / "new.txt").unlink()
    (repo / "crlf.txt").write_bytes(CRLF)
    (repo / "nonl.py").write_bytes(NO_FINAL_NEWLINE)
    return patch


def test_take_hunks_1_3_5_commit_them_and_undo(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({"crlf.txt": CRLF, "nonl.py": NO_FINAL_NEWLINE})
    patch_file = repo.parent / "change.patch"
    patch_file.write_text(five_hunk_patch(repo))
    (repo / "nonl.py").write_bytes(USER_EDIT)  # uncommitted, in a file the patch touches
    before = git(repo, "rev-parse", "HEAD").strip()

    listing = hunkwise("apply", str(patch_file), "--list", repo=repo)
    assert listing.returncode == 0, listing.stderr
    numbered = [line for line in listing.stdout.splitlines() if line.startswith("[")]
    assert [line.split()[1] for line in numbered] == [
        "crlf.txt",
        "crlf.txt",
        "new.txt",
        "nonl.py",
        "nonl.py",
    ]

    applied = hunkwise(
        "--model",
        "replay:demo",
        "apply",
        str(patch_file),
        "--accept",
        "1,3,5",
        "--commit",
        "-m",
        "Take three hunks",
        repo=repo,
    )
    assert applied.returncode == 0, applied.stderr
    head = git(repo, "rev-parse", "HEAD").strip()
    assert git(repo, "rev-parse", "HEAD^").strip() == before

    # The commit holds exactly hunks 1, 3 and 5, byte for byte, and not the user's edit.
    expected = {
        "crlf.txt": CRLF.replace(b"line 3\r\n", b"LINE 3\r\n"),
        "new.txt": b"brand new\n",
        "nonl.py": NO_FINAL_NEWLINE.replace(b"line 40", b"LINE 40"),
    }
    for path, content in expected.items():
        blob = subprocess.run(
            ["git", "show", f"HEAD:{path}"], cwd=repo, capture_output=True, check=True
        ).stdout
        assert blob == content, path
    assert git(repo, "diff", "--name-only", "HEAD^", "HEAD").split() == sorted(expected)
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("Take three hunks")
    assert "Assisted-by: hunkwise (replay:demo)" in message

    # The working tree has the taken hunks plus the user's edit, which is still uncommitted.
    assert (repo / "nonl.py").read_bytes() == USER_EDIT.replace(b"line 40", b"LINE 40")
    assert (repo / "crlf.txt").read_bytes() == expected["crlf.txt"]
    assert git(repo, "status", "--porcelain") == " M nonl.py\n"
    assert "(user's own edit)" in git(repo, "diff", "HEAD")
    assert git(repo, "for-each-ref", "refs/hunkwise/snapshots")

    undone = hunkwise("undo", repo=repo)
    assert undone.returncode == 0, undone.stderr
    assert git(repo, "rev-parse", "HEAD").strip() == before
    assert git(repo, "cat-file", "-t", head).strip() == "commit"  # still recoverable
    assert (repo / "nonl.py").read_bytes() == USER_EDIT
    assert (repo / "crlf.txt").read_bytes() == CRLF
    assert not (repo / "new.txt").exists()
    assert git(repo, "status", "--porcelain") == " M nonl.py\n"

    again = hunkwise("undo", repo=repo)
    assert again.returncode == 2
    assert "not a hunkwise commit" in again.stderr and "hint:" in again.stderr


def test_apply_without_commit_writes_only_taken_hunks(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({"crlf.txt": CRLF, "nonl.py": NO_FINAL_NEWLINE})
    patch_file = repo.parent / "change.patch"
    patch_file.write_text(five_hunk_patch(repo))
    result = hunkwise("apply", str(patch_file), "--accept", "2,4", repo=repo)
    assert result.returncode == 0, result.stderr
    assert (repo / "crlf.txt").read_bytes() == CRLF.replace(b"line 30\r\n", b"LINE 30\r\n")
    assert (repo / "nonl.py").read_bytes() == NO_FINAL_NEWLINE.replace(b"line 5\n", b"LINE 5\n")
    assert not (repo / "new.txt").exists()
    assert git(repo, "log", "--format=%s") == "initial\n"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--accept", "0"], "outside 1-5"),
        (["--accept", "2-x"], "bad hunk spec"),
        (["--accept", "6"], "outside 1-5"),
    ],
)
def test_bad_specs_are_clear_errors(
    make_repo: Callable[..., Path], args: list[str], needle: str
) -> None:
    repo = make_repo({"crlf.txt": CRLF, "nonl.py": NO_FINAL_NEWLINE})
    patch_file = repo.parent / "change.patch"
    patch_file.write_text(five_hunk_patch(repo))
    result = hunkwise("apply", str(patch_file), *args, repo=repo)
    assert result.returncode == 2
    assert needle in result.stderr and "hint:" in result.stderr
    assert "Traceback" not in result.stderr
    assert git(repo, "status", "--porcelain") == ""


def test_missing_patch_and_garbage_patch(make_repo: Callable[..., Path], tmp_path: Path) -> None:
    repo = make_repo({"a.txt": "a\n"})
    missing = hunkwise("apply", str(tmp_path / "nope.patch"), "--list", repo=repo)
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    garbage = tmp_path / "garbage.patch"
    garbage.write_text("this is not a diff\n")
    bad = hunkwise("apply", str(garbage), "--list", repo=repo)
    assert bad.returncode == 2 and "no file changes" in bad.stderr
    assert "Traceback" not in missing.stderr + bad.stderr


def test_commit_without_identity_refuses_before_writing(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({"crlf.txt": CRLF, "nonl.py": NO_FINAL_NEWLINE})
    patch_file = repo.parent / "change.patch"
    patch_file.write_text(five_hunk_patch(repo))
    for key in ("user.name", "user.email"):
        git(repo, "config", "--unset", key)
    git(repo, "config", "user.useConfigOnly", "true")
    result = hunkwise("apply", str(patch_file), "--accept-all", "--commit", repo=repo)
    assert result.returncode == 2 and "user.name" in result.stderr
    assert git(repo, "status", "--porcelain") == ""  # nothing was written


def test_interactive_split_take_and_quit(make_repo: Callable[..., Path]) -> None:
    body = "".join(f"line {i}\n" for i in range(1, 31))
    repo = make_repo({"f.txt": body})
    (repo / "f.txt").write_text(
        body.replace("line 2\n", "LINE 2\n")
        .replace("line 7\n", "LINE 7\n")
        .replace("line 25\n", "LINE 25\n")
    )
    patch_file = repo.parent / "p.patch"
    patch_file.write_text(git(repo, "diff"))
    (repo / "f.txt").write_text(body)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "hunkwise",
            "--repo",
            str(repo),
            "apply",
            str(patch_file),
            "-i",
            "--commit",
            "-m",
            "picked",
        ],
        input="?\ns\nn\ny\nq\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Split into 2 hunks." in result.stdout and "s - split" in result.stdout
    assert git(repo, "show", "HEAD:f.txt") == body.replace("line 7\n", "LINE 7\n")
    assert git(repo, "log", "-1", "--format=%s").strip() == "picked"
