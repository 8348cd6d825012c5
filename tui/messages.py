"""Messages the workers post to the app: each carries the result of one piece of slow work."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from agent.changes import ChangeSet
    from agent.contracts import RunOutcome
    from agent.events import AgentEvent
    from sandbox.protocol import TestReport


@dataclass
class AgentEventPosted(Message):
    """One event from the agent loop, bridged onto the UI thread."""

    event: AgentEvent


@dataclass
class AgentFinished(Message):
    """`Agent.run` or `redo_rejected` returned."""

    outcome: RunOutcome


@dataclass
class ChangesLoaded(Message):
    """A change set is ready for review (from the working tree or freshly created)."""

    changes: ChangeSet
    from_worktree: bool


@dataclass
class TestsStarted(Message):
    """A sandboxed test run began."""

    __test__ = False
    command: list[str]
    backend: str


@dataclass
class TestLines(Message):
    """A batch of test output lines."""

    __test__ = False
    lines: list[str]


@dataclass
class TestsFinished(Message):
    """A test run ended; `digest` names the accepted state it ran on."""

    __test__ = False
    report: TestReport
    digest: str


@dataclass
class CommitMessageReady(Message):
    """A commit message was written (by the weak model, or the plain fallback)."""

    message: str


@dataclass
class Committed(Message):
    """The accepted changes were committed."""

    sha: str
    summary: str


@dataclass
class CommitUndone(Message):
    """The last hunkwise commit was undone; HEAD is now `sha`."""

    sha: str


@dataclass
class BranchKnown(Message):
    """The repository's current branch."""

    branch: str


@dataclass
class MapProgress(Message):
    """Repo map build progress."""

    done: int
    total: int


@dataclass
class MapReady(Message):
    """The repo map is built; `text` is a rendering when one was asked for."""

    text: str | None
    files: int
    tokens: int


@dataclass
class Notice(Message):
    """A line of text for the chat (e.g. /sessions output)."""

    text: str
    markdown: bool = False


class LineBatcher:
    """Collects lines from a worker thread and posts them in batches (not one message a line)."""

    def __init__(self, post: Callable[[list[str]], Any], interval_s: float = 0.05) -> None:
        self._post = post
        self._interval_s = interval_s
        self._lines: list[str] = []
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def add(self, line: str) -> None:
        """Add one line; posts the batch when it is due."""
        with self._lock:
            self._lines.append(line)
            due = time.monotonic() - self._last >= self._interval_s or len(self._lines) >= 500
        if due:
            self.flush()

    def flush(self) -> None:
        """Post whatever is collected."""
        with self._lock:
            lines, self._lines = self._lines, []
            self._last = time.monotonic()
        if lines:
            self._post(lines)
