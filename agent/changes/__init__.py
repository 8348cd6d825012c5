"""Pending changes: the agent proposes edits, the human takes them hunk by hunk or line by line."""

from agent.changes.changeset import ChangeSet
from agent.changes.errors import (
    BinaryFileError,
    ChangeError,
    EditError,
    PatchError,
    PathError,
    UnknownHunkError,
)
from agent.changes.model import Decision, FileKind, FileView, HunkLine, HunkView, WriteReport

__all__ = [
    "BinaryFileError",
    "ChangeError",
    "ChangeSet",
    "Decision",
    "EditError",
    "FileKind",
    "FileView",
    "HunkLine",
    "HunkView",
    "PatchError",
    "PathError",
    "UnknownHunkError",
    "WriteReport",
]
