"""Load the user's own uncommitted changes (HEAD -> working tree) into a change set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.changes.errors import ChangeError
from agent.changes.filechange import FileChange
from agent.changes.lines import is_binary

if TYPE_CHECKING:
    from agent.changes.changeset import ChangeSet

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def load_worktree(changes: ChangeSet) -> None:
    """Add every changed text file: base is HEAD's content, proposal is the file on disk."""
    from agent.vcs import GitRepo
    from agent.vcs.gitcmd import read_blob, run

    with GitRepo.open(changes.repo, changes.git_settings) as repo:
        head = repo.head()
        scope = repo.prefix or "."
        tracked = run(
            repo.git, "diff", "--name-only", "-z", "--no-renames", head or EMPTY_TREE, "--", scope
        )
        untracked = run(repo.git, "ls-files", "--others", "--exclude-standard", "-z", "--", scope)
        strip = f"{repo.prefix}/" if repo.prefix else ""
        paths = sorted(
            {p.removeprefix(strip) for p in (tracked + "\0" + untracked).split("\0") if p}
        )
        for path in paths:
            try:
                rel = changes._path(path)
            except ChangeError:
                continue  # denied, submodule, symlink: never offered for review
            base = read_blob(repo.repo, head, repo.repo_path(rel))
            disk = changes._disk(rel)
            if is_binary(base) or is_binary(disk):
                continue
            change = FileChange(rel, base, disk=disk)
            change.propose(disk)
            if change.hunks:
                changes._files[rel] = change
