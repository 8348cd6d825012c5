"""Git errors: each says what is wrong with the repository and how to fix it."""

from __future__ import annotations

from hunkwise.errors import RepoError


class CommitError(RepoError):
    """A commit (or undo) that cannot be made safely."""
