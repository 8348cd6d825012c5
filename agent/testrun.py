"""Runs tests in the sandbox for the agent: one sandbox per run, batched output events."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from agent.events import EventSink, TestOutput, TestRunFinished, TestRunStarted

if TYPE_CHECKING:
    from sandbox.protocol import OutputLine, Sandbox, TestReport
    from sandbox.settings import SandboxSettings

SandboxFactory = Callable[[], AbstractContextManager["Sandbox"]]
BATCH_LINES = 50
BATCH_SECONDS = 0.25


class _LineBatcher:
    """Coalesces test output lines into TestOutput events (never one event per line)."""

    def __init__(self, emit: EventSink) -> None:
        self.emit = emit
        self.lines: list[str] = []
        self.last = time.monotonic()
        self.lock = threading.Lock()

    def add(self, line: OutputLine) -> None:
        with self.lock:
            self.lines.append(line.text.rstrip("\n"))
            due = time.monotonic() - self.last >= BATCH_SECONDS
            if len(self.lines) >= BATCH_LINES or due:
                self._flush()

    def flush(self) -> None:
        with self.lock:
            self._flush()

    def _flush(self) -> None:
        if self.lines:
            self.emit(TestOutput(lines=self.lines))
            self.lines = []
        self.last = time.monotonic()


class TestBridge:
    """Opens the sandbox lazily on first use and keeps it for the rest of the run."""

    __test__ = False

    def __init__(self, repo: Path, settings: SandboxSettings, factory: SandboxFactory,
                 emit: EventSink, cancel: threading.Event | None = None) -> None:
        self.repo = repo
        self.settings = settings
        self.factory = factory
        self.emit = emit
        self.cancel = cancel  # set: a test run in progress stops (its report says cancelled)
        self.stack = ExitStack()
        self.sandbox: Sandbox | None = None
        self.last_report: TestReport | None = None

    def __enter__(self) -> TestBridge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()
        self.sandbox = None

    def run(self, overlay: Mapping[str, bytes | None],
            selection: list[str] | None = None) -> TestReport:
        """Run the repo's tests on the tree plus `overlay`; raises SandboxError if it cannot."""
        from sandbox.testing import detect_test_command, run_tests

        if self.sandbox is None:
            self.sandbox = self.stack.enter_context(self.factory())
        command = detect_test_command(self.repo, self.settings) + list(selection or [])
        self.emit(TestRunStarted(command=command, backend=str(self.sandbox.name)))
        batcher = _LineBatcher(self.emit)
        try:
            report = run_tests(self.sandbox, self.repo, overlay, self.settings,
                               selection=selection, on_line=batcher.add, cancel=self.cancel)
        finally:
            batcher.flush()
        self.emit(TestRunFinished(report=report))
        self.last_report = report
        return report


def report_text(report: TestReport) -> str:
    """What the model reads about a test run: one status line, then the compact excerpt."""
    head = (f"tests {report.status}: {report.passed} passed, {report.failed} failed, "
            f"{report.errors} errors, {report.skipped} skipped "
            f"({report.backend}, {report.duration_s:.1f} s) command: {' '.join(report.command)}")
    return head + ("\n" + report.excerpt if report.excerpt else "")
