"""Git commands run through GitPython with hunkwise.gitrun's options and environment."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import git
from gitdb.base import IStream

from agent.settings import GitSettings
from agent.vcs.errors import CommitError
from hunkwise.gitrun import filter_overrides, git_argv, git_env, safe_config

ZERO_OID = "0" * 40
SNAPSHOT_IDENTITY = {
    "GIT_AUTHOR_NAME": "hunkwise",
    "GIT_AUTHOR_EMAIL": "hunkwise@localhost",
    "GIT_COMMITTER_NAME": "hunkwise",
    "GIT_COMMITTER_EMAIL": "hunkwise@localhost",
}


@dataclass(frozen=True)
class SafeGit:
    """GitPython's command runner plus the `-c` options every one of our git calls gets."""

    runner: git.Git
    options: tuple[str, ...]


def safe_git(repo: git.Repo, settings: GitSettings) -> SafeGit:
    """A runner whose every call runs nothing the repository planted (hooks and fsmonitor
    only when the user opted in); filter drivers in the repository's config are blanked."""
    root = Path(repo.working_dir)
    options = safe_config(
        run_hooks=settings.run_hooks,
        allow_fsmonitor=settings.allow_fsmonitor,
        extra=filter_overrides(root),
    )
    return SafeGit(git.Git(root), options)


def run(
    command: SafeGit, *args: str, env: Mapping[str, str] | None = None, stdin: bytes | None = None
) -> str:
    """Run `git args...` and return stdout; failures become CommitError with git's message."""
    # GitPython sets LC_ALL=C itself; keep it so git's messages (matched below) stay English.
    full_env = git_env({"LC_ALL": "C", "LANGUAGE": "C", **(env or {})})
    try:
        with tempfile.TemporaryFile() as feed:
            if stdin is not None:
                feed.write(stdin)
                feed.seek(0)
            return command.runner.execute(
                git_argv(args, command.options),
                env=full_env,
                istream=feed if stdin is not None else None,
            )
    except git.GitCommandError as exc:
        stderr = (exc.stderr or "").strip().removeprefix("stderr: ").strip("' \n")
        hint = "check `git status`; if another git command is running, wait and retry"
        if "tell me who you are" in stderr or "auto-detect email" in stderr:
            hint = (
                'set who you are: git config --global user.name "Your Name" && '
                "git config --global user.email you@example.com"
            )
        raise CommitError(f"git {args[0]} failed: {stderr or exc}", hint) from exc


def store_blob(repo: git.Repo, data: bytes) -> str:
    """Write `data` as a blob into the object database (pure Python: nothing else runs)."""
    return repo.odb.store(IStream("blob", len(data), BytesIO(data))).hexsha.decode("ascii")


def read_blob(repo: git.Repo, rev: str | None, path: str) -> bytes | None:
    """The content of `path` at commit `rev`, or None when it is absent there."""
    if rev is None:
        return None
    try:
        blob = repo.commit(rev).tree / path
    except KeyError:
        return None
    if blob.type != "blob":
        return None
    return blob.data_stream.read()


def tree_mode(repo: git.Repo, rev: str | None, path: str) -> int | None:
    """The mode of `path` at `rev` (0o160000 for a submodule), or None when absent."""
    if rev is None:
        return None
    try:
        return (repo.commit(rev).tree / path).mode
    except KeyError:
        return None


@contextmanager
def temporary_index(repo: git.Repo, copy_from: Path | None = None) -> Iterator[dict[str, str]]:
    """An env mapping that points git at a throwaway index file (optionally a copy of one)."""
    with tempfile.TemporaryDirectory(prefix="hunkwise-index-") as tmp:
        index = Path(tmp) / "index"
        if copy_from is not None and copy_from.exists():
            index.write_bytes(copy_from.read_bytes())
        yield {"GIT_INDEX_FILE": str(index)}


def merge_file(command: SafeGit, ours: bytes, base: bytes, theirs: bytes) -> bytes | None:
    """Three-way merge of text (git merge-file); None when the changes overlap."""
    with tempfile.TemporaryDirectory(prefix="hunkwise-merge-") as tmp:
        paths = []
        for name, data in (("ours", ours), ("base", base), ("theirs", theirs)):
            path = Path(tmp) / name
            path.write_bytes(data)
            paths.append(str(path))
        status, out, _err = command.runner.execute(
            git_argv(["merge-file", "-p", *paths], command.options),
            env=git_env({"LC_ALL": "C", "LANGUAGE": "C"}),
            with_extended_output=True,
            with_exceptions=False,
            stdout_as_string=False,
            strip_newline_in_stdout=False,
        )
        return out if status == 0 else None
