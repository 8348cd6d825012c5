"""GitRepo on real repositories: state checks, snapshots, exact commits, undo refusals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agent.settings import GitSettings
from agent.vcs import CommitError, GitRepo, RepoError
from sandbox.protocol import BackendName, RunStatus, TestReport
from tests.changes.conftest import git


def test_open_refuses_clearly(tmp_path: Path) -> None:
    with pytest.raises(RepoError, match="does not exist") as info:
        GitRepo.open(tmp_path / "missing")
    assert info.value.hint
    with pytest.raises(RepoError, match="not inside a git repository") as info:
        GitRepo.open(tmp_path)
    assert "git init" in info.value.hint


def test_snapshot_records_tracked_and_untracked_without_touching_anything(repo: Path) -> None:
    (repo / "app.py").write_text("changed\n")
    (repo / "scratch.txt").write_text("untracked\n")
    git(repo, "add", "README.md")
    index_before = (repo / ".git" / "index").read_bytes()
    status_before = git(repo, "status", "--porcelain")
    ref = GitRepo.open(repo).snapshot("test")
    assert ref.startswith("refs/hunkwise/snapshots/")
    assert git(repo, "show", f"{ref}:app.py") == "changed\n"
    assert git(repo, "show", f"{ref}:scratch.txt") == "untracked\n"
    assert git(repo, "log", "-1", "--format=%s", ref).strip() == "hunkwise snapshot: test"
    assert (repo / ".git" / "index").read_bytes() == index_before
    assert git(repo, "status", "--porcelain") == status_before
    assert GitRepo.open(repo).snapshots()[0][0] == ref


def test_commit_contents_is_exact_and_leaves_the_rest_alone(repo: Path) -> None:
    user = (repo / "app.py").read_text().replace("return 0", "return 'user'")
    (repo / "app.py").write_text(user)
    (repo / "other.txt").write_text("user's untracked file\n")
    git(repo, "add", "other.txt")
    (repo / "README.md").unlink()  # as write_accepted does before the commit
    git_repo = GitRepo.open(repo)
    base = user.encode()
    ours = base.replace(b"return 19", b"return 1900")
    report = TestReport(
        status=RunStatus.PASSED,
        command=["pytest", "-q"],
        passed=12,
        skipped=1,
        backend=BackendName.BWRAP,
        duration_s=3.2,
    )
    sha = git_repo.commit_contents(
        {"app.py": ours, "README.md": None},
        "Make f19 bigger",
        "openai/gpt-x",
        test_report=report,
        override_note="reviewed by hand",
        bases={"app.py": base},
    )
    committed = git(repo, "show", f"{sha}:app.py")
    assert "return 1900" in committed and "return 'user'" not in committed
    assert git(repo, "ls-tree", "--name-only", sha).split() == ["app.py"]
    message = git(repo, "log", "-1", "--format=%B")
    assert "Tests: passed - 12 passed, 0 failed, 0 errors, 1 skipped (pytest -q; bwrap" in message
    assert "Override: reviewed by hand" in message
    assert message.rstrip().endswith("Assisted-by: hunkwise (openai/gpt-x)")
    # The user's edits: still in the tree, still uncommitted; their staged file still staged.
    assert (repo / "app.py").read_text() == user
    status = git(repo, "status", "--porcelain").splitlines()
    assert status == [" M app.py", "A  other.txt"]


def test_overlapping_user_change_is_refused(repo: Path) -> None:
    user = (repo / "app.py").read_text().replace("return 3\n", "return 'user'\n")
    (repo / "app.py").write_text(user)
    ours = user.replace("return 'user'\n", "return 'agent'\n").encode()
    head = git(repo, "rev-parse", "HEAD")
    with pytest.raises(CommitError, match="overlap"):
        GitRepo.open(repo).commit_contents(
            {"app.py": ours}, "x", None, bases={"app.py": user.encode()}
        )
    assert git(repo, "rev-parse", "HEAD") == head


def test_first_commit_in_an_empty_repository(make_repo: Callable[..., Path]) -> None:
    repo = make_repo()
    git_repo = GitRepo.open(repo)
    assert git_repo.head() is None and git_repo.branch() == "main"
    git_repo.snapshot("unborn")
    sha = git_repo.commit_contents({"hello.txt": b"hi\n"}, "first", "m")
    assert git(repo, "rev-parse", "HEAD").strip() == sha
    assert git(repo, "show", "HEAD:hello.txt") == "hi\n"
    with pytest.raises(CommitError, match="0 parents"):
        git_repo.undo_last()  # a root commit has nothing to go back to


def test_detached_head_and_merge_in_progress_are_refused(repo: Path) -> None:
    git_repo = GitRepo.open(repo)
    git(repo, "checkout", "-q", "--detach")
    assert git_repo.branch().startswith("(detached ")
    with pytest.raises(CommitError, match="detached") as info:
        git_repo.commit_contents({"a.txt": b"a\n"}, "x", None)
    assert "git switch" in info.value.hint
    git(repo, "checkout", "-q", "main")
    (repo / ".git" / "MERGE_HEAD").write_text(git(repo, "rev-parse", "HEAD"))
    with pytest.raises(CommitError, match="a merge is in progress"):
        git_repo.commit_contents({"a.txt": b"a\n"}, "x", None)
    with pytest.raises(CommitError, match="a merge is in progress"):
        git_repo.undo_last()


def test_nothing_to_commit(repo: Path) -> None:
    git_repo = GitRepo.open(repo)
    with pytest.raises(CommitError, match="nothing to commit"):
        git_repo.commit_contents({}, "x", None)
    with pytest.raises(CommitError, match="already has exactly"):
        git_repo.commit_contents({"README.md": b"# demo\n"}, "x", None)


def test_undo_refuses_foreign_head_and_conflicting_edits(repo: Path) -> None:
    git_repo = GitRepo.open(repo)
    with pytest.raises(CommitError, match="not a hunkwise commit"):
        git_repo.undo_last()
    original = (repo / "app.py").read_text()
    ours = original.replace("return 5\n", "return 55\n")
    (repo / "app.py").write_text(ours)
    sha = git_repo.commit_contents({"app.py": ours.encode()}, "ours", None)
    (repo / "app.py").write_text(ours.replace("return 55\n", "return 555\n"))  # user edits it
    with pytest.raises(CommitError, match="cannot undo cleanly"):
        git_repo.undo_last()
    assert git(repo, "rev-parse", "HEAD").strip() == sha
    (repo / "app.py").write_text(ours)
    assert git_repo.undo_last() == git(repo, "rev-parse", "HEAD").strip()
    assert (repo / "app.py").read_text() == original
    assert git(repo, "status", "--porcelain") == ""


def test_submodules_are_never_touched(repo: Path, make_repo: Callable[..., Path]) -> None:
    inner = make_repo({"inner.txt": "inner\n"})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "sub")
    git(repo, "commit", "-q", "-m", "add submodule")
    from agent.changes import ChangeSet, PathError

    with pytest.raises(PathError, match="submodule"):
        ChangeSet(repo).write("sub/inner.txt", "owned\n")
    with pytest.raises((CommitError, PathError)):
        GitRepo.open(repo, GitSettings()).commit_contents({"sub": b"x"}, "x", None)
    assert (repo / "sub" / "inner.txt").read_text() == "inner\n"


def test_undo_of_a_worktree_review_keeps_the_users_files(repo: Path) -> None:
    from agent.changes import ChangeSet, Decision

    edited = (repo / "app.py").read_text().replace("return 1\n", "return 'a'\n")
    edited = edited.replace("return 18\n", "return 'b'\n")
    (repo / "app.py").write_text(edited)
    changes = ChangeSet.from_worktree(repo)
    first, second = changes.files()[0].hunks
    changes.decide(first.id, Decision.ACCEPTED)
    git_repo = GitRepo.open(repo)
    git_repo.commit_contents(
        changes.accepted_overlay(), "mine", None, bases=changes.base_overlay(), from_worktree=True
    )
    assert "return 'b'" not in git(repo, "show", "HEAD:app.py")
    assert git(repo, "diff", "--stat").count("app.py") == 1  # hunk 2 still uncommitted
    git_repo.undo_last()
    assert (repo / "app.py").read_text() == edited  # the user's own edits stay on disk
    assert git(repo, "log", "--format=%s") == "initial\n"


def test_undo_keep_worktree_only_moves_head(repo: Path) -> None:
    git_repo = GitRepo.open(repo)
    (repo / "README.md").write_text("# changed\n")
    git_repo.commit_contents({"README.md": b"# changed\n"}, "readme", None)
    git_repo.undo_last(keep_worktree=True)
    assert (repo / "README.md").read_text() == "# changed\n"
    assert git(repo, "status", "--porcelain") == " M README.md\n"


def test_users_staged_edit_stays_staged_after_our_commit(make_repo: Callable[..., Path]) -> None:
    body = "".join(f"v{i}\n" for i in range(30))
    repo = make_repo({"pkg/data.txt": body})
    staged = body.replace("v2\n", "v2 staged by user\n")
    (repo / "pkg/data.txt").write_text(staged)
    git(repo, "add", "pkg/data.txt")
    ours = staged.replace("v25\n", "v25 agent\n")
    (repo / "pkg/data.txt").write_text(ours)
    GitRepo.open(repo).commit_contents(
        {"pkg/data.txt": ours.encode()}, "agent", None, bases={"pkg/data.txt": staged.encode()}
    )
    assert git(repo, "show", "HEAD:pkg/data.txt") == body.replace("v25\n", "v25 agent\n")
    assert git(repo, "show", ":pkg/data.txt") == ours  # their staged line is still staged
    assert git(repo, "diff", "--cached", "--stat").count("1 insertion") == 1
    assert git(repo, "diff") == ""


def test_opened_in_a_subfolder_paths_are_relative_to_it(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({"web/app.js": "let a = 1;\n", "README.md": "r\n"})
    git_repo = GitRepo.open(repo / "web")
    assert git_repo.root == repo.resolve() and git_repo.prefix == "web"
    git_repo.commit_contents({"app.js": b"let a = 2;\n"}, "sub", None)
    assert git(repo, "show", "HEAD:web/app.js") == "let a = 2;\n"
    assert git(repo, "ls-tree", "-r", "--name-only", "HEAD").split() == ["README.md", "web/app.js"]


def test_snapshots_are_pruned_to_the_newest(repo: Path) -> None:
    git_repo = GitRepo.open(repo, GitSettings(snapshots_kept=3))
    made = [git_repo.snapshot(f"n{i}") for i in range(5)]
    assert [ref for ref, _subject in git_repo.snapshots()] == made[:1:-1]


def test_undo_keeps_what_the_user_staged_since(make_repo: Callable[..., Path]) -> None:
    body = "".join(f"v{i}\n" for i in range(30))
    repo = make_repo({"d.txt": body})
    git_repo = GitRepo.open(repo)
    ours = body.replace("v25\n", "v25 agent\n")
    (repo / "d.txt").write_text(ours)
    git_repo.commit_contents({"d.txt": ours.encode()}, "agent", None)
    mine = ours.replace("v2\n", "v2 user\n")
    (repo / "d.txt").write_text(mine)
    git(repo, "add", "d.txt")
    git_repo.undo_last()
    assert (repo / "d.txt").read_text() == body.replace("v2\n", "v2 user\n")
    assert git(repo, "show", ":d.txt") == body.replace("v2\n", "v2 user\n")  # still staged


@pytest.mark.parametrize(
    ("marker", "what"),
    [
        ("rebase-merge", "a rebase"),
        ("rebase-apply", "a rebase or `git am`"),
        ("CHERRY_PICK_HEAD", "a cherry-pick"),
        ("REVERT_HEAD", "a revert"),
    ],
)
def test_operations_in_progress_are_refused(repo: Path, marker: str, what: str) -> None:
    path = repo / ".git" / marker
    if "-" in marker:
        path.mkdir()
    else:
        path.write_text(git(repo, "rev-parse", "HEAD"))
    git_repo = GitRepo.open(repo)
    assert git_repo.in_progress() == what
    with pytest.raises(CommitError, match=f"{what} is in progress") as info:
        git_repo.commit_contents({"a.txt": b"a\n"}, "x", None)
    assert "finish or abort" in info.value.hint


def test_missing_identity_says_how_to_set_it(
    make_repo: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo({"a.txt": "a\n"})
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    git(repo, "config", "user.useConfigOnly", "true")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(CommitError) as info:
        GitRepo.open(repo).commit_contents({"a.txt": b"b\n"}, "x", None)
    assert "git config --global user.name" in info.value.hint
    assert git(repo, "log", "--format=%s") == "initial\n"


def test_modes_regular_executable_and_former_symlink(make_repo: Callable[..., Path]) -> None:
    repo = make_repo({"tool.sh": "#!/bin/sh\n", "target.txt": "t\n"})
    (repo / "tool.sh").chmod(0o755)
    (repo / "link").symlink_to("target.txt")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "modes")
    (repo / "link").unlink()
    (repo / "link").write_text("now a file\n")
    GitRepo.open(repo).commit_contents(
        {"tool.sh": b"#!/bin/sh\necho\n", "link": b"now a file\n", "new.txt": b"n\n"}, "m", None
    )
    modes = {line.split()[3]: line.split()[0] for line in git(repo, "ls-tree", "HEAD").splitlines()}
    assert modes == {
        "link": "100644",
        "new.txt": "100644",
        "target.txt": "100644",
        "tool.sh": "100755",
    }
    with pytest.raises(CommitError, match="folder"):
        (repo / "dir").mkdir()
        (repo / "dir" / "f").write_text("f\n")
        git(repo, "add", "dir")
        git(repo, "commit", "-q", "-m", "dir")
        (repo / "dir" / "f").unlink()
        (repo / "dir").rmdir()
        GitRepo.open(repo).commit_contents({"dir": b"x\n"}, "m", None)
