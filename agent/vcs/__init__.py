"""Git for hunkwise: snapshots, commits of exactly the accepted contents, undo."""

from agent.vcs.errors import CommitError
from agent.vcs.repo import SNAPSHOT_REFS, TRAILER, GitRepo
from hunkwise.errors import RepoError

__all__ = ["SNAPSHOT_REFS", "TRAILER", "CommitError", "GitRepo", "RepoError"]
