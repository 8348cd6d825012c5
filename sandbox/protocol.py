"""What crosses the sandbox boundary: requests, results, test reports, and the Sandbox protocol."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field


class BackendName(StrEnum):
    """The isolation mechanism that ran a command."""

    CONTAINER = "container"
    BWRAP = "bwrap"
    LOCAL = "local"


class RunStatus(StrEnum):
    """How a run ended."""

    PASSED = "passed"  # exit code 0
    FAILED = "failed"  # non-zero exit code
    TIMED_OUT = "timed_out"
    OOM = "oom"
    CANCELLED = "cancelled"  # stopped on request (RunRequest.cancel was set)
    ERROR = "error"  # the sandbox itself failed (engine error, missing image, ...)


class Limits(BaseModel):
    """Resource limits of one run."""

    model_config = ConfigDict(frozen=True)

    timeout_s: float = 600.0
    memory_mb: int = 2048
    pids: int = 512
    cpus: float = 2.0
    output_limit_bytes: int = 2_000_000


class OutputLine(BaseModel):
    """One line of output, as it arrives."""

    model_config = ConfigDict(frozen=True)

    stream: Literal["stdout", "stderr"]
    text: str


# Pending changes overlaid on the copy of the tree: repo-relative path -> new bytes, None = deleted.
Overlay = Mapping[str, bytes | None]
LineSink = Callable[[OutputLine], None]


class RunRequest(BaseModel):
    """A command to run on a copy of `repo` with `overlay` applied; the repo is never writable."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    argv: list[str]
    repo: Path
    overlay: dict[str, bytes | None] = Field(default_factory=dict)
    env: dict[str, str] = Field(default_factory=dict, description="Allow-listed variables only.")
    limits: Limits = Field(default_factory=Limits)
    network: bool = False
    image: str | None = None
    workdir: str = Field("", description="Repo-relative directory to run in.")
    cancel: threading.Event | None = Field(
        None, exclude=True, description="Set it (from any thread) to stop the run early."
    )
    collect: list[str] = Field(
        default_factory=list,
        description="Workspace-relative files to read back after the run (e.g. JUnit XML).",
    )


class RunResult(BaseModel):
    """The outcome of one run."""

    status: RunStatus
    exit_code: int | None
    duration_s: float
    backend: BackendName
    image: str | None = None
    output: str = Field("", description="Combined output, up to the limit.")
    output_truncated: bool = False
    error: str | None = Field(None, description="Why the sandbox failed, when status is error.")
    collected: dict[str, bytes] = Field(
        default_factory=dict, description="Files named in `RunRequest.collect` that existed."
    )


class TestCaseFailure(BaseModel):
    """One failing test and the lines that explain it."""

    __test__ = False  # not a pytest class

    test_id: str
    message: str = ""
    excerpt: str = ""


class TestReport(BaseModel):
    """Tests run in the sandbox, parsed from JUnit XML where the runner writes it."""

    __test__ = False  # not a pytest class

    status: RunStatus
    command: list[str]
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    failures: list[TestCaseFailure] = Field(default_factory=list)
    excerpt: str = Field("", description="Compact failure text suitable for a model.")
    duration_s: float = 0.0
    backend: BackendName
    image: str | None = None
    output_truncated: bool = False


class Sandbox(Protocol):
    """Runs commands isolated from the host, on a copy of a repository plus pending changes."""

    name: BackendName

    def run(self, request: RunRequest, on_line: LineSink | None = None) -> RunResult:
        """Run `request.argv`; stream lines to `on_line`; return the result.

        A failing command is a result, not an exception. Raises `SandboxError` only when the
        sandbox cannot run at all (no engine, missing image, bad repo path).
        """
        ...
