"""The test pane: live sandbox output, then a summary and the failing tests, each jumpable."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import OptionList, RichLog, Static
from textual.widgets.option_list import Option

from sandbox.protocol import RunStatus, TestReport

STATUS_STYLE = {
    RunStatus.PASSED: "bold green",
    RunStatus.FAILED: "bold red",
    RunStatus.TIMED_OUT: "bold red",
    RunStatus.OOM: "bold red",
    RunStatus.ERROR: "bold magenta",
    RunStatus.CANCELLED: "bold yellow",
}


def summary_text(report: TestReport, matches_accepted: bool) -> Text:
    """One line: status, counts, duration, backend and image, and whether it is current."""
    text = Text()
    text.append(f"{report.status.value.upper()} ", style=STATUS_STYLE.get(report.status, "bold"))
    text.append(
        f"{report.passed} passed · {report.failed} failed · {report.errors} errors"
        f"{f' · {report.skipped} skipped' if report.skipped else ''}"
        f" · {report.duration_s:.1f}s · {report.backend.value}"
    )
    if report.image:
        text.append(f" ({report.image})", style="dim")
    if not matches_accepted:
        text.append("  — not the accepted state (press t)", style="italic yellow")
    return text


class TestsPane(Vertical):
    """Owns the latest test report (one reactive); streams output lines while a run is live."""

    __test__ = False

    report: reactive[TestReport | None] = reactive(None, always_update=True)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stale = False
        self._lines: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("no test run yet — press t", style="dim"), id="test-summary")
        yield OptionList(id="test-failures")
        yield RichLog(id="test-log", wrap=False, highlight=False, max_lines=20_000)

    def on_mount(self) -> None:
        self.query_one("#test-failures").display = False

    def start(self, command: list[str], backend: str) -> None:
        """A run began: clear the old output and say what runs where."""
        self._lines.clear()
        self.query_one(RichLog).clear()
        self.query_one("#test-failures").display = False
        summary = Text.assemble(("RUNNING ", "bold yellow"), (" ".join(command), "bold"))
        summary.append(f" · {backend}", style="dim")
        self.query_one("#test-summary", Static).update(summary)

    def add_lines(self, lines: list[str]) -> None:
        """Append a batch of output lines (one refresh per batch)."""
        self._lines.extend(lines)
        self.query_one(RichLog).write(Text("\n".join(lines)))

    def watch_report(self, report: TestReport | None) -> None:
        failures = self.query_one("#test-failures", OptionList)
        failures.clear_options()
        if report is None:
            failures.display = False
            return
        self.query_one("#test-summary", Static).update(summary_text(report, not self.stale))
        failures.add_options(Option(f"✗ {f.test_id}", id=f.test_id) for f in report.failures)
        failures.display = bool(report.failures)
        if not self._lines and report.excerpt:
            self.add_lines(report.excerpt.splitlines())

    @on(OptionList.OptionSelected, "#test-failures")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        """Scroll the output to where the selected failing test is reported."""
        test_id = event.option.id or ""
        name = test_id.replace("::", ".").split(".")[-1]
        log = self.query_one(RichLog)
        mentions = [i for i, line in enumerate(self._lines) if name and name in line]
        # pytest heads each failure with "____ name ____"; prefer that over other mentions.
        headers = [i for i in mentions if self._lines[i].lstrip().startswith("_")]
        if mentions:
            log.scroll_to(y=(headers or mentions)[0], animate=False)
            return
        report = self.report
        failure = (
            next((f for f in report.failures if f.test_id == test_id), None) if report else None
        )
        if failure is not None:
            self.add_lines([f"--- {failure.test_id}", *failure.excerpt.splitlines()])
            log.scroll_end(animate=False)
