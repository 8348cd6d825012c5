"""Errors the repo map reports to the user."""

from __future__ import annotations

from hunkwise.errors import HunkwiseError


class RepoMapError(HunkwiseError):
    """The map cannot be built: not a git repository, unreadable cache, bad request."""
