"""Commit exactly given file contents on HEAD without touching the working tree."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from agent.changes.paths import normalize
from agent.vcs.errors import CommitError
from agent.vcs.gitcmd import (
    ZERO_OID,
    merge_file,
    read_blob,
    run,
    store_blob,
    temporary_index,
    tree_mode,
)
from agent.vcs.repo import TRAILER, WORKTREE_ORIGIN

if TYPE_CHECKING:
    from agent.vcs.repo import GitRepo
    from sandbox.protocol import TestReport

SUBMODULE_MODE = 0o160000


def commit_message(
    message: str,
    model: str | None,
    test_report: TestReport | None = None,
    override_note: str | None = None,
    from_worktree: bool = False,
) -> str:
    """The caller's message plus test evidence, override note and the Assisted-by trailer."""
    text = message.strip() or "hunkwise: apply accepted changes"
    body = []
    if test_report is not None:
        body.append(
            f"Tests: {test_report.status} - {test_report.passed} passed, "
            f"{test_report.failed} failed, {test_report.errors} errors, "
            f"{test_report.skipped} skipped ({' '.join(test_report.command)}; "
            f"{test_report.backend} sandbox, {test_report.duration_s:.1f}s)"
        )
    if override_note:
        body.append(f"Override: {override_note.strip()}")
    if body:
        text += "\n\n" + "\n".join(body)
    trailers = f"{TRAILER} ({model or 'no model'})\n"
    if from_worktree:
        trailers += f"{WORKTREE_ORIGIN}\n"
    return f"{text}\n\n{trailers}"


def commit_contents(
    repo: GitRepo,
    contents: Mapping[str, bytes | None],
    message: str,
    model: str | None,
    test_report: TestReport | None,
    override_note: str | None,
    bases: Mapping[str, bytes | None],
    from_worktree: bool = False,
) -> str:
    """See `GitRepo.commit_contents`."""
    repo.check_committable()
    if not contents:
        raise CommitError("nothing to commit: no accepted changes", "accept some hunks first")
    head = repo.head()
    bases = {normalize(repo.root, repo.repo_path(p)): c for p, c in bases.items()}
    entries: dict[str, tuple[int, str] | None] = {}
    for raw_path, content in sorted(contents.items()):
        path = normalize(repo.root, repo.repo_path(raw_path))
        mode = _mode(repo, head, path)
        data = _committed_content(repo, head, path, content, bases)
        entries[path] = None if data is None else (mode, store_blob(repo.repo, data))
    with temporary_index(repo.repo) as env:
        if head:
            run(repo.git, "read-tree", head, env=env)
        update_index(repo, entries, env)
        tree = run(repo.git, "write-tree", env=env)
    if head and repo.repo.commit(head).tree.hexsha == tree:
        raise CommitError(
            "nothing to commit: HEAD already has exactly these contents",
            "the accepted changes may have been committed already",
        )
    if repo.settings.run_hooks:
        run_hook(repo, "pre-commit")
    parents = ["-p", head] if head else []
    text = commit_message(message, model, test_report, override_note, from_worktree).encode()
    sha = run(repo.git, "commit-tree", tree, *parents, "-F", "-", stdin=text)
    run(repo.git, "update-ref", "-m", "hunkwise: commit", "HEAD", sha, head or ZERO_OID)
    update_index(repo, user_index(repo, head, entries), None)
    if repo.settings.run_hooks:
        run_hook(repo, "post-commit")
    return sha


def run_hook(repo: GitRepo, name: str) -> None:
    """Run the repository's hook `name` (only when the user opted in); CommitError if it fails."""
    import subprocess

    hooks = Path(run(repo.git, "rev-parse", "--git-path", "hooks"))
    script = hooks if hooks.is_absolute() else repo.root / hooks
    script = script / name
    if not (script.is_file() and os.access(script, os.X_OK)):
        return
    done = subprocess.run([str(script)], cwd=repo.root, capture_output=True, text=True)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()[-2000:]
        raise CommitError(
            f"the {name} hook failed (exit {done.returncode}): {output}",
            "fix what the hook reports, or set git.run_hooks = false to skip hooks",
        )


def _mode(repo: GitRepo, head: str | None, path: str) -> int:
    """The file mode to commit: HEAD's regular-file mode, else the executable bit on disk."""
    mode = tree_mode(repo.repo, head, path)
    if mode == SUBMODULE_MODE:
        raise CommitError(f"{path} is a submodule", "hunkwise never changes submodules")
    if mode is not None and mode & 0o170000 == 0o040000:
        raise CommitError(f"{path} is a folder in HEAD", "commit files, not folders")
    if mode in (0o100644, 0o100755):
        return mode
    # A symlink at HEAD that is now a regular file is committed as a regular file.
    on_disk = repo.root / path
    if on_disk.is_file() and on_disk.stat().st_mode & 0o111:
        return 0o100755
    return 0o100644


def _committed_content(
    repo: GitRepo,
    head: str | None,
    path: str,
    content: bytes | None,
    bases: Mapping[str, bytes | None],
) -> bytes | None:
    """What to commit for `path`: content itself, or its change from base replayed on HEAD."""
    if path not in bases:
        return content
    base = bases[path]
    at_head = read_blob(repo.repo, head, path)
    if base == at_head or content is None or base is None or at_head is None:
        return content
    merged = merge_file(repo.git, at_head, base, content)
    if merged is None:
        raise CommitError(
            f"{path}: your uncommitted changes overlap the accepted hunks",
            f"commit or stash your own change to {path} first, then commit again",
        )
    return merged


def user_index(
    repo: GitRepo, head: str | None, entries: Mapping[str, tuple[int, str] | None]
) -> dict[str, tuple[int, str] | None]:
    """Index entries for the user's index: what we committed, plus anything they had staged."""
    listing = run(repo.git, "ls-files", "--stage", "-z", "--", *entries) if entries else ""
    staged: dict[str, tuple[int, str]] = {}
    for record in filter(None, listing.split("\0")):
        info, path = record.split("\t", 1)
        mode, sha, _stage = info.split()
        staged[path] = (int(mode, 8), sha)
    tree = repo.repo.commit(head).tree if head else None
    result: dict[str, tuple[int, str] | None] = {}
    for path, entry in entries.items():
        try:
            at_head = (tree[path].mode, tree[path].hexsha) if tree is not None else None
        except KeyError:
            at_head = None
        mine = staged.get(path)
        if mine == at_head:
            result[path] = entry  # nothing of the user's staged here
        elif mine is not None and at_head is not None and entry is not None:
            merged = merge_file(
                repo.git,
                repo.repo.odb.stream(bytes.fromhex(mine[1])).read(),
                repo.repo.odb.stream(bytes.fromhex(at_head[1])).read(),
                repo.repo.odb.stream(bytes.fromhex(entry[1])).read(),
            )
            if merged is not None:  # keep their staged edit on top of our commit
                result[path] = (mine[0], store_blob(repo.repo, merged))
        # Otherwise their staged entry stays exactly as it was.
    return result


def update_index(
    repo: GitRepo, entries: Mapping[str, tuple[int, str] | None], env: dict[str, str] | None
) -> None:
    args: list[str] = []
    removals: list[str] = []
    for path, entry in entries.items():
        if entry is None:
            removals.append(path)
        else:
            args += ["--cacheinfo", f"{entry[0]:o},{entry[1]},{path}"]
    if args:
        run(repo.git, "update-index", "--add", *args, env=env)
    if removals:
        run(repo.git, "update-index", "--force-remove", "--", *removals, env=env)
