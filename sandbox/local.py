"""The unisolated backend: a copy of the tree, run as the caller. Opt-in only; it warns."""

from __future__ import annotations

import logging
import os
import sys

from sandbox.environment import sandbox_env
from sandbox.errors import SandboxError
from sandbox.output import OutputCollector
from sandbox.process import ProcessOutcome, run_streaming
from sandbox.protocol import BackendName, LineSink, RunRequest, RunResult
from sandbox.results import classify
from sandbox.workspace import collect_files, safe_relpath, workspace_copy

log = logging.getLogger(__name__)

LOCAL_WARNING = (
    "hunkwise: WARNING: the local backend runs commands WITHOUT isolation "
    "(network, your files and your environment are reachable); only time and output are limited"
)


class LocalSandbox:
    """Runs each command directly on the host, on a fresh workspace copy."""

    name = BackendName.LOCAL

    def __init__(self, warn: bool = True) -> None:
        if warn:
            log.warning(LOCAL_WARNING)
            print(LOCAL_WARNING, file=sys.stderr)

    def run(self, request: RunRequest, on_line: LineSink | None = None) -> RunResult:
        """Copy the repo plus overlay and run `request.argv` there (env still allow-listed)."""
        if not request.argv:
            raise SandboxError("no command to run", "give a command, e.g. -- pytest -q")
        collector = OutputCollector(request.limits.output_limit_bytes, on_line)
        with workspace_copy(request.repo, request.overlay) as workspace:
            cwd = workspace / safe_relpath(request.workdir) if request.workdir else workspace
            env = sandbox_env(request.env)
            env["HOME"] = str(workspace.parent)
            # No isolation here anyway; the caller's PATH finds the caller's tools (venv, pytest).
            env["PATH"] = os.environ.get("PATH", env["PATH"])
            try:
                outcome = run_streaming(
                    request.argv,
                    env,
                    cwd,
                    request.limits.timeout_s,
                    collector,
                    cancel=request.cancel,
                )
            except (FileNotFoundError, PermissionError) as exc:
                # Like a shell (and the isolated backends): a command that cannot start is 127.
                collector.note(f"cannot start {request.argv[0]!r}: {exc.strerror}")
                outcome = ProcessOutcome(exit_code=127, timed_out=False, duration_s=0.0)
            collected = collect_files(workspace, request.collect)
        return classify(outcome, collector, BackendName.LOCAL, oom=False, collected=collected)
