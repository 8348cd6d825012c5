"""Run a host process with streamed, bounded output and a wall-clock deadline."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sandbox.output import OutputCollector


@dataclass(frozen=True)
class ProcessOutcome:
    """How a host process ended."""

    exit_code: int
    timed_out: bool
    duration_s: float
    cancelled: bool = False


def _killpg(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_streaming(
    argv: Sequence[str],
    env: Mapping[str, str],
    cwd: Path,
    timeout_s: float,
    collector: OutputCollector,
    on_kill: Callable[[], None] | None = None,
    cancel: threading.Event | None = None,
) -> ProcessOutcome:
    """Run `argv` in its own session; feed its output to `collector`; kill it at the deadline.

    `on_kill` runs after the process group is killed (e.g. to empty a cgroup); setting
    `cancel` stops the run like the deadline does.
    """
    start = time.monotonic()
    deadline = start + timeout_s
    proc = subprocess.Popen(
        list(argv),
        env=dict(env),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    timed_out = cancelled = False
    selector = selectors.DefaultSelector()
    try:
        assert proc.stdout is not None and proc.stderr is not None
        for pipe, stream in ((proc.stdout, "stdout"), (proc.stderr, "stderr")):
            os.set_blocking(pipe.fileno(), False)
            selector.register(pipe, selectors.EVENT_READ, stream)
        exited_at: float | None = None
        while selector.get_map():
            now = time.monotonic()
            if now >= deadline:
                timed_out = True
                break
            if cancel is not None and cancel.is_set():
                cancelled = True
                break
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            # Once the main process is gone, left-over children holding the pipes get a grace
            # second, then the group is killed so the run cannot hang on them.
            if exited_at is not None and now - exited_at > 1.0:
                _killpg(proc.pid)
            wait = min(deadline - now, 0.2)
            for key, _ in selector.select(wait):
                data = os.read(key.fd, 65536)
                if data:
                    collector.feed(key.data, data)
                else:
                    selector.unregister(key.fileobj)
        if timed_out or cancelled:
            _killpg(proc.pid)
            if on_kill is not None:
                on_kill()
        code = proc.wait(timeout=10)
    finally:
        selector.close()
        if proc.poll() is None:
            _killpg(proc.pid)
            proc.wait(timeout=10)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    collector.finish()
    return ProcessOutcome(
        exit_code=code,
        timed_out=timed_out,
        duration_s=time.monotonic() - start,
        cancelled=cancelled,
    )
