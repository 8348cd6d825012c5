"""Turn how a process ended into a RunResult with a status."""

from __future__ import annotations

from sandbox.output import OutputCollector
from sandbox.process import ProcessOutcome
from sandbox.protocol import BackendName, RunResult, RunStatus

# SIGKILL as an exit code: what an OOM kill looks like from outside (Podman leaves OOMKilled false).
OOM_EXIT = 137
TIMEOUT_EXIT = 124


def normal_exit_code(code: int) -> int:
    """Popen reports death by signal N as -N; shells and engines say 128 + N."""
    return 128 - code if code < 0 else code


def status_for(exit_code: int, timed_out: bool, oom: bool, cancelled: bool = False) -> RunStatus:
    """Classify: cancel and timeout beat everything, then OOM, then the exit code."""
    if cancelled:
        return RunStatus.CANCELLED
    if timed_out:
        return RunStatus.TIMED_OUT
    if oom:
        return RunStatus.OOM
    return RunStatus.PASSED if exit_code == 0 else RunStatus.FAILED


def note_ending(collector: OutputCollector, status: RunStatus, limit_s: float) -> None:
    """Say in the output why a run ended early, so a reader of the log alone can tell."""
    if status is RunStatus.CANCELLED:
        collector.note("[hunkwise: cancelled]")
    elif status is RunStatus.TIMED_OUT:
        collector.note(f"[hunkwise: stopped after the {limit_s:.1f} s time limit]")
    elif status is RunStatus.OOM:
        collector.note("[hunkwise: killed for exceeding the memory limit]")


def classify(
    outcome: ProcessOutcome,
    collector: OutputCollector,
    backend: BackendName,
    oom: bool,
    collected: dict[str, bytes] | None = None,
    image: str | None = None,
) -> RunResult:
    """Build the RunResult of a host-process run (local or bwrap)."""
    code = normal_exit_code(outcome.exit_code)
    status = status_for(code, outcome.timed_out, oom, outcome.cancelled)
    note_ending(collector, status, outcome.duration_s)
    return RunResult(
        status=status,
        exit_code=None if outcome.timed_out or outcome.cancelled else code,
        duration_s=outcome.duration_s,
        backend=backend,
        image=image,
        output=collector.text,
        output_truncated=collector.truncated,
        collected=collected or {},
    )
