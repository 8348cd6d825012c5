"""Errors of the pending change set: each says what went wrong and how to fix it."""

from __future__ import annotations

from hunkwise.errors import HunkwiseError


class ChangeError(HunkwiseError):
    """A change that cannot be made or a decision that cannot be applied."""


class PathError(ChangeError):
    """A path outside the repository, under `.git/`, through an escaping symlink, or denied."""


class BinaryFileError(ChangeError):
    """An edit to a file that is not text."""


class EditError(ChangeError):
    """An edit whose `old` text does not match exactly once; str() is a message for the model."""

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class UnknownHunkError(ChangeError):
    """A hunk id that is not (or no longer) in the change set."""


class PatchError(ChangeError):
    """A patch that cannot be parsed or does not apply to the working tree."""
