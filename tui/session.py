"""What the app keeps between keystrokes: the change set, the tested state and the git repo."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agent.changes.model import Decision, FileView
from hunkwise.settings import Settings
from sandbox.protocol import RunStatus, TestReport

if TYPE_CHECKING:
    from agent.changes import ChangeSet


def overlay_digest(overlay: Mapping[str, bytes | None]) -> str:
    """A hash of an overlay: equal digests mean byte-identical states."""
    digest = hashlib.sha256()
    for path in sorted(overlay):
        content = overlay[path]
        digest.update(path.encode() + b"\0")
        digest.update(b"-" if content is None else b"+" + hashlib.sha256(content).digest())
    return digest.hexdigest()


@dataclass(frozen=True)
class CommitPlan:
    """What the commit dialog shows: message, files with accepted/total hunks, test evidence."""

    message: str
    files: tuple[tuple[str, int, int], ...]
    report: TestReport | None
    tests_current: bool
    undecided: int = 0

    @property
    def tests_passed(self) -> bool:
        """Tests passed on exactly the accepted state being committed."""
        return (
            self.report is not None
            and self.tests_current
            and self.report.status is RunStatus.PASSED
        )


@dataclass(frozen=True)
class CommitRequest:
    """Everything a commit needs, captured before anything is written."""

    contents: dict[str, bytes | None]
    bases: dict[str, bytes | None]
    message: str
    report: TestReport | None
    override_note: str | None


class ReviewSession:
    """Holds the change set under review and the evidence of the last test run."""

    def __init__(self, repo: Path, settings: Settings, model: str | None) -> None:
        self.repo = repo
        self.settings = settings
        self.model: str | None = None
        self.use_model(model or settings.model.main)
        self.changes: ChangeSet | None = None
        self.from_worktree = False
        self.report: TestReport | None = None
        self.tested_digest: str | None = None
        self.chat_files: list[str] = []

    def use_model(self, name: str | None) -> None:
        """Make `name` the main model (the settings the agent gets say so too)."""
        self.model = name
        if name is not None and name != self.settings.model.main:
            model = self.settings.model.model_copy(update={"main": name})
            self.settings = self.settings.model_copy(update={"model": model})

    def files(self) -> tuple[FileView, ...]:
        """The file views to display (none before a change set exists)."""
        return tuple(self.changes.files()) if self.changes is not None else ()

    def accepted_overlay(self) -> dict[str, bytes | None]:
        """Exactly what tests and commit use."""
        return dict(self.changes.accepted_overlay()) if self.changes is not None else {}

    def digest(self) -> str:
        """Digest of the accepted state right now."""
        return overlay_digest(self.accepted_overlay())

    def record_tests(self, report: TestReport, digest: str) -> None:
        """Remember a finished run and the state it ran on."""
        self.report = report
        self.tested_digest = digest

    def tests_current(self) -> bool:
        """Whether the last test run was on exactly the current accepted state."""
        return self.tested_digest is not None and self.tested_digest == self.digest()

    def accepted_counts(self) -> tuple[tuple[str, int, int], ...]:
        """Per file with anything accepted: (path, accepted hunks, all hunks)."""
        counts = []
        for view in self.files():
            accepted = sum(1 for h in view.hunks if h.decision is Decision.ACCEPTED)
            if accepted:
                counts.append((view.path, accepted, len(view.hunks)))
        return tuple(counts)

    def undecided(self) -> int:
        """Hunks nobody has decided yet."""
        return sum(1 for v in self.files() for h in v.hunks if h.decision is Decision.UNDECIDED)

    def fallback_message(self) -> str:
        """A plain commit message when no model can write one."""
        counts = self.accepted_counts()
        paths = [path for path, _, _ in counts]
        subject = f"Update {', '.join(paths[:3])}" + (" and more" if len(paths) > 3 else "")
        body = "\n".join(f"- {path}: {a} of {t} hunks" for path, a, t in counts)
        return f"{subject}\n\n{body}" if body else subject

    def plan(self, message: str) -> CommitPlan:
        """The commit dialog's contents for `message`."""
        return CommitPlan(
            message=message,
            files=self.accepted_counts(),
            report=self.report,
            tests_current=self.tests_current(),
            undecided=self.undecided(),
        )

    def commit_request(self, message: str, override: bool) -> CommitRequest:
        """Freeze the accepted state, its bases and the test evidence for one commit."""
        changes = self.changes
        return CommitRequest(
            contents=self.accepted_overlay(),
            bases=dict(changes.base_overlay()) if changes is not None else {},
            message=message,
            report=self.report if self.tests_current() else None,
            override_note=self.override_note() if override else None,
        )

    def write_review_edits(self) -> str | None:
        """After a commit of your own changes, put the hunks you edited in the review on disk.

        Returns what to tell the user about files left alone because they changed on disk
        since the review loaded them, or None when nothing was left alone.
        """
        if not self.from_worktree or self.changes is None:
            return None
        from agent.changes.writeback import KEPT_HINT

        report = self.changes.write_review_edits()
        return (
            "\n".join(
                f"{message}\n→ {KEPT_HINT.format(path=path)}"
                for path, message in zip(report.conflicts, report.messages, strict=True)
            )
            or None
        )

    def override_note(self) -> str:
        """The line recorded in the commit when the user overrides the test gate."""
        if self.report is None:
            state = "tests were not run"
        elif not self.tests_current():
            state = "the last test run was on a different state"
        else:
            state = f"tests {self.report.status.value}"
        return f"Committed by explicit override: {state} on the accepted changes."
