"""Hostile paths, patches and repositories: everything refused or inert, nothing written outside."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from agent.changes import ChangeSet, Decision, PathError
from agent.settings import GitSettings
from agent.vcs import GitRepo
from tests.changes.conftest import git
from tests.changes.test_cli_end_to_end import hunkwise

HOSTILE_PATHS = [
    "../outside.txt",
    "sub/../../outside.txt",
    "/etc/hunkwise-owned",
    "/tmp/hunkwise-owned",
    ".git/config",
    ".git/hooks/pre-commit",
    "sub/.GIT/config",
    "./.git/HEAD",
    "",
    "a\0b",
]


def _tree(path: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(path)): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the repository that must never change."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("do not touch\n")
    return folder


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_hostile_paths_are_refused_for_every_operation(
    repo: Path, outside: Path, path: str
) -> None:
    before_git = _tree(repo / ".git")
    changes = ChangeSet(repo)
    for attempt in (
        lambda: changes.write(path, "owned\n"),
        lambda: changes.edit(path, "", "owned\n"),
        lambda: changes.read_text(path),
        lambda: changes.delete(path),
    ):
        with pytest.raises(PathError) as info:
            attempt()
        assert info.value.hint
    assert len(changes) == 0
    assert _tree(repo / ".git") == before_git
    assert not Path("/tmp/hunkwise-owned").exists()
    assert _tree(outside) == {"secret.txt": b"do not touch\n"}


def test_symlinks_leading_outside_are_refused(repo: Path, outside: Path) -> None:
    (repo / "linkdir").symlink_to(outside, target_is_directory=True)
    (repo / "leak.txt").symlink_to(outside / "secret.txt")
    changes = ChangeSet(repo)
    for path in ("linkdir/evil.txt", "linkdir/secret.txt", "leak.txt"):
        with pytest.raises(PathError):
            changes.write(path, "owned\n")
        with pytest.raises(PathError):
            changes.read_text(path)
    assert _tree(outside) == {"secret.txt": b"do not touch\n"}


def test_symlink_swapped_in_after_review_is_refused_at_write(repo: Path, outside: Path) -> None:
    changes = ChangeSet(repo)
    changes.write("docs/notes.txt", "fine\n")
    changes.decide_all(Decision.ACCEPTED)
    (repo / "docs").symlink_to(outside, target_is_directory=True)  # planted after the review
    with pytest.raises(PathError):
        changes.write_accepted()
    assert _tree(outside) == {"secret.txt": b"do not touch\n"}


def test_deny_globs_keep_secrets_out(repo: Path) -> None:
    (repo / ".env").write_text("TOKEN=1\n")
    changes = ChangeSet(repo, deny_globs=[".env*", "*.pem"])
    for path in (".env", "config/server.pem"):
        with pytest.raises(PathError, match="deny pattern"):
            changes.read_text(path)
        with pytest.raises(PathError, match="deny pattern"):
            changes.write(path, "x\n")


@pytest.mark.parametrize(
    "target", ["../../outside/secret.txt", "/tmp/hunkwise-owned", ".git/config"]
)
def test_hostile_patch_writes_nothing(
    repo: Path, outside: Path, tmp_path: Path, target: str
) -> None:
    patch = tmp_path / "evil.patch"
    patch.write_text(f"--- /dev/null\n+++ b/{target}\n@@ -0,0 +1 @@\n+owned\n")
    with pytest.raises(PathError):
        ChangeSet.from_patch(repo, patch.read_text())
    before = _tree(repo)
    result = hunkwise("apply", str(patch), "--accept-all", "--commit", repo=repo)
    assert result.returncode == 2, result.stdout
    assert "hint:" in result.stderr and "Traceback" not in result.stderr
    assert _tree(repo) == before
    assert _tree(outside) == {"secret.txt": b"do not touch\n"}
    assert not Path("/tmp/hunkwise-owned").exists()


def _plant(repo: Path, marker_dir: Path) -> list[Path]:
    """Hooks and an fsmonitor command that each leave a marker file when they run."""
    hooks = repo / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    markers = []
    for name in (
        "pre-commit",
        "commit-msg",
        "post-commit",
        "reference-transaction",
        "post-index-change",
        "post-checkout",
        "pre-auto-gc",
    ):
        marker = marker_dir / name
        script = hooks / name
        script.write_text(f"#!/bin/sh\ntouch {marker}\n")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        markers.append(marker)
    monitor = repo.parent / "fsmonitor.sh"
    marker = marker_dir / "fsmonitor"
    monitor.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    monitor.chmod(0o755)
    git(repo, "config", "core.fsmonitor", str(monitor))
    markers.append(marker)
    return markers


def test_planted_hooks_and_fsmonitor_stay_inert(repo: Path, tmp_path: Path, outside: Path) -> None:
    marker_dir = tmp_path / "markers"
    marker_dir.mkdir()
    markers = _plant(repo, marker_dir)
    (repo / "app.py").write_text((repo / "app.py").read_text() + "# user's edit\n")

    git_repo = GitRepo.open(repo, GitSettings())
    git_repo.snapshot("attack test")
    changes = ChangeSet(repo)
    changes.edit("app.py", "    return 3\n", "    return 33\n")
    changes.write("added.txt", "new\n")
    changes.decide_all(Decision.ACCEPTED)
    overlay, bases = changes.accepted_overlay(), changes.base_overlay()
    changes.write_accepted()
    git_repo.commit_contents(overlay, "attack", "replay:x", bases=bases)
    git_repo.undo_last()
    patch = tmp_path / "p.patch"
    patch.write_text("--- /dev/null\n+++ b/other.txt\n@@ -0,0 +1 @@\n+x\n")
    assert hunkwise("apply", str(patch), "--accept-all", "--commit", repo=repo).returncode == 0
    assert hunkwise("undo", repo=repo).returncode == 0
    assert sorted(p.name for p in marker_dir.iterdir()) == []
    assert _tree(outside) == {"secret.txt": b"do not touch\n"}

    # The plants are live: plain git runs them, so the test above could have failed.
    git(repo, "status")
    git(repo, "commit", "-q", "--allow-empty", "-m", "plain git")
    fired = {p.name for p in marker_dir.iterdir()}
    assert {"fsmonitor", "pre-commit", "post-commit"} <= fired
    assert all(m.parent == marker_dir for m in markers)


def test_hooks_run_when_the_user_opts_in(repo: Path, tmp_path: Path) -> None:
    marker_dir = tmp_path / "markers"
    marker_dir.mkdir()
    _plant(repo, marker_dir)
    git_repo = GitRepo.open(repo, GitSettings(run_hooks=True))
    git_repo.commit_contents({"x.txt": b"x\n"}, "opted in", None)
    assert (marker_dir / "pre-commit").exists() and (marker_dir / "post-commit").exists()


def test_writes_keep_file_mode(repo: Path) -> None:
    script = repo / "run.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o750)
    changes = ChangeSet(repo)
    changes.edit("run.sh", "echo hi", "echo hello")
    changes.decide_all(Decision.ACCEPTED)
    changes.write_accepted()
    assert script.read_text() == "#!/bin/sh\necho hello\n"
    assert stat.S_IMODE(os.stat(script).st_mode) == 0o750
    assert not [p for p in repo.iterdir() if p.name.endswith(".hunkwise")]


def test_a_hardlink_to_an_outside_file_is_replaced_not_written_through(
    repo: Path, outside: Path
) -> None:
    os.link(outside / "secret.txt", repo / "linked.txt")
    changes = ChangeSet(repo)
    changes.write("linked.txt", "repo's own content\n")
    changes.decide_all(Decision.ACCEPTED)
    changes.write_accepted()
    assert (repo / "linked.txt").read_text() == "repo's own content\n"
    assert _tree(outside) == {"secret.txt": b"do not touch\n"}


def test_opted_in_failing_pre_commit_hook_blocks_the_commit(repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\necho 'lint failed' >&2\nexit 1\n")
    hook.chmod(0o755)
    head = git(repo, "rev-parse", "HEAD")
    from agent.vcs import CommitError

    with pytest.raises(CommitError, match="pre-commit hook failed.*lint failed"):
        GitRepo.open(repo, GitSettings(run_hooks=True)).commit_contents({"x": b"x\n"}, "m", None)
    assert git(repo, "rev-parse", "HEAD") == head
    GitRepo.open(repo).commit_contents({"x": b"x\n"}, "m", None)  # not opted in: not run
