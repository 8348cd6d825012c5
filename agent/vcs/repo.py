"""A git repository as hunkwise uses it: state checks, snapshots, exact commits, undo."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import git

from agent.settings import GitSettings
from agent.vcs.errors import CommitError
from agent.vcs.gitcmd import SNAPSHOT_IDENTITY, run, safe_git, temporary_index
from hunkwise.errors import RepoError

if TYPE_CHECKING:
    from sandbox.protocol import TestReport

SNAPSHOT_REFS = "refs/hunkwise/snapshots"
TRAILER = "Assisted-by: hunkwise"
WORKTREE_ORIGIN = "Hunkwise-Origin: worktree"


class GitRepo:
    """One repository; every git call runs with hooks and fsmonitor inert unless opted in."""

    def __init__(self, repo: git.Repo, settings: GitSettings, prefix: str = "") -> None:
        self.repo = repo
        self.settings = settings
        self.root = Path(repo.working_dir).resolve()
        # Paths given to commit_contents are relative to the folder the repo was opened at.
        self.prefix = prefix
        self.git = safe_git(repo, settings)

    def __enter__(self) -> GitRepo:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop GitPython's helper processes (cat-file) for this repository."""
        self.repo.close()

    def repo_path(self, path: str) -> str:
        """`path` (relative to the folder the repo was opened at) relative to the root."""
        return f"{self.prefix}/{path}" if self.prefix else path

    @classmethod
    def open(cls, path: Path | str, settings: GitSettings | None = None) -> GitRepo:
        """Open the repository containing `path`; RepoError with a hint when that is impossible."""
        where = Path(path).expanduser()
        if not where.exists():
            raise RepoError(f"{where} does not exist", "pass --repo with an existing folder")
        try:
            repo = git.Repo(where, search_parent_directories=True)
        except git.InvalidGitRepositoryError as exc:
            raise RepoError(
                f"{where} is not inside a git repository",
                "run `git init` there (and commit once), or pass --repo with a git repository",
            ) from exc
        except git.NoSuchPathError as exc:
            raise RepoError(
                f"{where} does not exist", "pass --repo with an existing folder"
            ) from exc
        if repo.bare or repo.working_dir is None:
            raise RepoError(f"{where} is a bare repository", "use a clone with a working tree")
        root = Path(repo.working_dir).resolve()
        folder = where.resolve() if where.is_dir() else where.resolve().parent
        prefix = folder.relative_to(root).as_posix() if folder != root else ""
        return cls(repo, settings or GitSettings(), "" if prefix == "." else prefix)

    @property
    def git_dir(self) -> Path:
        """The repository's .git directory."""
        return Path(self.repo.git_dir)

    def head(self) -> str | None:
        """The sha of HEAD, or None before the first commit."""
        try:
            return self.repo.head.commit.hexsha
        except ValueError:
            return None

    def branch(self) -> str:
        """The current branch name, or `(detached <sha>)` when HEAD is detached."""
        if self.repo.head.is_detached:
            return f"(detached {self.repo.head.commit.hexsha[:7]})"
        return self.repo.head.ref.name

    def in_progress(self) -> str | None:
        """The operation in progress (merge, rebase, ...) that makes committing unsafe."""
        markers = {
            "MERGE_HEAD": "a merge",
            "rebase-merge": "a rebase",
            "rebase-apply": "a rebase or `git am`",
            "CHERRY_PICK_HEAD": "a cherry-pick",
            "REVERT_HEAD": "a revert",
            "BISECT_LOG": "a bisect",
        }
        for marker, what in markers.items():
            if (self.git_dir / marker).exists():
                return what
        return None

    def check_committable(self) -> None:
        """Raise CommitError unless we can commit on a branch with nothing in progress."""
        busy = self.in_progress()
        if busy:
            raise CommitError(
                f"{busy} is in progress in {self.root}",
                "finish or abort it with git first; hunkwise will not commit in the middle",
            )
        if self.repo.head.is_detached:
            raise CommitError(
                f"HEAD is detached at {self.repo.head.commit.hexsha[:7]}",
                "switch to a branch (git switch -c NAME) so the commit is not lost",
            )
        run(self.git, "var", "GIT_AUTHOR_IDENT")  # fails early, with a hint, without identity

    def snapshot(self, reason: str) -> str:
        """Record the working tree (tracked and untracked) as a commit under refs/hunkwise/."""
        head = self.head()
        with temporary_index(self.repo, self.git_dir / "index") as env:
            env = {**env, **SNAPSHOT_IDENTITY}
            run(self.git, "add", "--all", "--", ".", env=env)
            tree = run(self.git, "write-tree", env=env)
            parents = ["-p", head] if head else []
            message = f"hunkwise snapshot: {reason}\n".encode()
            sha = run(self.git, "commit-tree", tree, *parents, "-F", "-", env=env, stdin=message)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        ref = f"{SNAPSHOT_REFS}/{stamp}"
        run(self.git, "update-ref", "-m", f"hunkwise snapshot: {reason}", ref, sha)
        self._prune_snapshots()
        return ref

    def _prune_snapshots(self) -> None:
        """Keep the newest `settings.snapshots_kept` snapshots; older ones become unreachable."""
        refs = run(
            self.git, "for-each-ref", "--sort=-refname", "--format=%(refname)", SNAPSHOT_REFS
        )
        stale = refs.splitlines()[self.settings.snapshots_kept :]
        if stale:
            commands = "".join(f"delete {ref}\n" for ref in stale).encode()
            run(self.git, "update-ref", "--stdin", stdin=commands)

    def snapshots(self) -> list[tuple[str, str]]:
        """(ref, subject) of every snapshot, newest first."""
        out = run(
            self.git,
            "for-each-ref",
            "--sort=-refname",
            "--format=%(refname)%00%(subject)",
            SNAPSHOT_REFS,
        )
        return [tuple(line.split("\0", 1)) for line in out.splitlines() if line]

    def commit_contents(
        self,
        contents: Mapping[str, bytes | None],
        message: str,
        model: str | None,
        test_report: TestReport | None = None,
        override_note: str | None = None,
        bases: Mapping[str, bytes | None] | None = None,
        from_worktree: bool = False,
    ) -> str:
        """Commit exactly `contents` (path -> bytes, None = delete) on HEAD; returns the sha.

        With `bases` (the content each change was made against), only the change from base to
        content is committed, so the user's other uncommitted edits in those files stay out.
        The working tree is never touched; the user's index is updated for these paths only.
        `from_worktree` marks a commit of the user's own edits, which `undo_last` keeps on disk.
        """
        from agent.vcs.commit import commit_contents

        return commit_contents(
            self, contents, message, model, test_report, override_note, bases or {}, from_worktree
        )

    def undo_last(self, keep_worktree: bool | None = None) -> str:
        """Take back the last hunkwise commit when it is HEAD; returns the new HEAD sha.

        Its changes leave the working tree too (user edits made since are kept), except for a
        commit of the user's own worktree edits, or with `keep_worktree=True`: then only HEAD and
        the index move back and the files stay as they are.
        """
        from agent.vcs.undo import undo_last

        return undo_last(self, keep_worktree)
