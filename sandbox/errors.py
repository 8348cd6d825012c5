"""Raised when the sandbox cannot run at all (a failing command is a result, not an error)."""

from __future__ import annotations

from hunkwise.errors import HunkwiseError


class SandboxError(HunkwiseError):
    """No engine, no image, a bad repository path: nothing could be run."""
