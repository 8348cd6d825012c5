"""The workspace copy: what git sees plus the overlay, never the user's tree itself."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.errors import SandboxError
from sandbox.workspace import collect_files, workspace_copy
from tests.gitrepo import git


def _tree(root: Path) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


def test_copies_tracked_and_untracked_not_ignored(repo: Path) -> None:
    with workspace_copy(repo, {}) as work:
        tree = _tree(work)
        assert set(tree) == {"test_ok.py", ".gitignore", "untracked.txt"}
        assert work != repo and not str(work).startswith(str(repo))
    assert not work.exists()


def test_overlay_adds_changes_and_deletes(repo: Path) -> None:
    overlay = {"test_ok.py": b"changed\n", "pkg/new.py": b"new\n", "untracked.txt": None}
    before = _tree(repo)
    with workspace_copy(repo, overlay) as work:
        tree = _tree(work)
    assert tree["test_ok.py"] == b"changed\n"
    assert tree["pkg/new.py"] == b"new\n"
    assert "untracked.txt" not in tree
    assert _tree(repo) == before  # the user's tree is untouched


@pytest.mark.parametrize("bad", ["../escape.txt", "/etc/passwd", ".git/config", "a/../../b"])
def test_unsafe_overlay_paths_are_refused(repo: Path, bad: str) -> None:
    with pytest.raises(SandboxError, match="unsafe path"):
        with workspace_copy(repo, {bad: b"x"}):
            pass


def test_symlinks_stay_links(repo: Path, tmp_path: Path) -> None:
    (repo / "link").symlink_to("/etc/hostname")
    git(repo, "add", "link")
    with workspace_copy(repo, {}) as work:
        assert os.readlink(work / "link") == "/etc/hostname"


def test_owner_hands_the_copy_over(repo: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("chown needs root")
    with workspace_copy(repo, {}, owner=(65534, 65534)) as work:
        assert {p.stat().st_uid for p in work.rglob("*")} == {65534}


def test_collect_reads_files_but_not_links(repo: Path) -> None:
    with workspace_copy(repo, {"report.xml": b"<x/>"}) as work:
        (work / "leak.xml").symlink_to("/etc/hostname")
        got = collect_files(work, ["report.xml", "leak.xml", "missing.xml"])
    assert got == {"report.xml": b"<x/>"}


def test_missing_path_and_non_repo_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(SandboxError, match="does not exist"):
        with workspace_copy(tmp_path / "nope", {}):
            pass
    with pytest.raises(SandboxError, match="not a git repository") as info:
        with workspace_copy(tmp_path, {}):
            pass
    assert "git init" in info.value.hint
