"""Resource limits and clean-up, against the real engine and the real bubblewrap."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from sandbox.engine import LABEL, LABEL_PID
from sandbox.environment import SANDBOX_UID
from sandbox.protocol import Limits, OutputLine, RunRequest, RunStatus, Sandbox
from tests.sandbox.conftest import run_py

FORK_COUNT = r"""
import os, signal, sys, time
children = []
try:
    while len(children) < 2000:
        pid = os.fork()
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        children.append(pid)
except OSError as exc:
    print("FORK FAILED after", len(children), type(exc).__name__)
for pid in children:
    os.kill(pid, signal.SIGKILL)
print("CHILDREN", len(children))
"""


def _sandbox_processes(marker: str = "") -> int:
    """Host processes running as the sandbox user (whose command line holds `marker`)."""
    out = subprocess.run(["ps", "-e", "-o", "uid=,args="], capture_output=True, text=True).stdout
    rows = [line.split(None, 1) for line in out.splitlines() if line.strip()]
    return sum(1 for row in rows if row[0] == str(SANDBOX_UID) and marker in row[-1])


def test_process_limit_stops_forking(isolated: Sandbox, repo: Path) -> None:
    result = run_py(isolated, repo, FORK_COUNT, pids=64)
    assert "FORK FAILED after" in result.output, result.output
    children = int(result.output.split("CHILDREN")[1].split()[0])
    assert children < 64


@pytest.mark.slow
def test_fork_bomb_is_contained_and_cleaned_up(isolated: Sandbox, repo: Path) -> None:
    marker = f"hunkwise-bomb-{os.getpid()}-{time.monotonic_ns()}"
    start = time.monotonic()
    request = RunRequest(
        argv=["sh", "-c", f": {marker}; bomb() {{ bomb | bomb & }}; bomb; sleep 30"],
        repo=repo,
        limits=Limits(timeout_s=4, pids=64),
    )
    peak = 0
    running = threading.Event()
    running.set()

    def sample() -> None:
        nonlocal peak
        while running.is_set():
            peak = max(peak, _sandbox_processes(marker))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        result = isolated.run(request)
    finally:
        running.clear()
        sampler.join()
    elapsed = time.monotonic() - start
    # Generous: killing a few dozen processes and removing a container on a loaded machine.
    assert elapsed < 4 + 15, f"took {elapsed:.1f} s"
    assert result.status in (RunStatus.TIMED_OUT, RunStatus.FAILED), result.output[-500:]
    assert 0 < peak <= 64, (
        f"bomb processes seen at once: {peak} ({result.status.value} after {elapsed:.1f} s: "
        f"{result.output[-300:]!r})"
    )
    # The host still forks, and nothing of the bomb outlives the run.
    assert subprocess.run(["true"]).returncode == 0
    deadline = time.monotonic() + 10
    while _sandbox_processes(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _sandbox_processes(marker) == 0, "bomb processes outlived the run"


def test_memory_bomb_is_reported_as_oom(isolated: Sandbox, repo: Path) -> None:
    code = "blocks = []\nwhile True:\n    blocks.append(bytearray(16 * 1024 * 1024))\n"
    result = run_py(isolated, repo, code, memory_mb=128, timeout_s=60)
    assert result.status is RunStatus.OOM, result.output
    assert "memory limit" in result.output


def test_sleep_past_timeout_returns_promptly(isolated: Sandbox, repo: Path) -> None:
    start = time.monotonic()
    result = isolated.run(RunRequest(argv=["sleep", "60"], repo=repo, limits=Limits(timeout_s=2)))
    elapsed = time.monotonic() - start
    assert result.status is RunStatus.TIMED_OUT
    assert result.exit_code is None
    assert elapsed < 2 + 5


@pytest.mark.container
def test_timeout_leaves_no_container_behind(container_sandbox: Sandbox, repo: Path) -> None:
    api = container_sandbox.client.api  # type: ignore[attr-defined]
    mine = {"label": [LABEL, f"{LABEL_PID}={os.getpid()}"]}
    # Other fixtures of this process may hold a session container: compare, do not expect none.
    before = {c["Id"] for c in api.containers(all=True, filters=mine)}
    result = container_sandbox.run(
        RunRequest(argv=["sleep", "60"], repo=repo, limits=Limits(timeout_s=2))
    )
    assert result.status is RunStatus.TIMED_OUT
    assert {c["Id"] for c in api.containers(all=True, filters=mine)} <= before


def test_ten_megabytes_of_output_are_truncated(isolated: Sandbox, repo: Path) -> None:
    lines: list[OutputLine] = []
    # 100,000 lines of 100 bytes: 10 MB.
    code = "import sys\nfor _ in range(100_000):\n    sys.stdout.write('x' * 99 + '\\n')\n"
    request = RunRequest(
        argv=["python3", "-c", code],
        repo=repo,
        limits=Limits(timeout_s=60, output_limit_bytes=1_000_000),
    )
    result = isolated.run(request, lines.append)
    assert result.status is RunStatus.PASSED
    assert result.output_truncated
    assert 900_000 <= len(result.output) <= 1_000_000 + 200
    assert sum(len(line.text) + 1 for line in lines) <= 1_000_000 + 200
    assert "output truncated" in lines[-1].text


ORPHAN_MAKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from sandbox.container import ContainerSandbox
    from sandbox.protocol import Limits, RunRequest
    from sandbox.settings import SandboxSettings

    with ContainerSandbox.open(SandboxSettings(backend="container")) as sandbox:
        request = RunRequest(argv=["sleep", "300"], repo=Path(sys.argv[1]),
                             limits=Limits(timeout_s=300))
        sandbox.run(request, lambda line: None)
    """
)


@pytest.mark.container
@pytest.mark.slow
def test_orphaned_container_is_reaped(container_sandbox: Sandbox, repo: Path) -> None:
    from sandbox.container import ContainerSandbox
    from sandbox.settings import SandboxSettings

    api = container_sandbox.client.api  # type: ignore[attr-defined]
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen([sys.executable, "-c", ORPHAN_MAKER, str(repo)], cwd=root)
    theirs = {"label": [LABEL, f"{LABEL_PID}={child.pid}"]}
    deadline = time.monotonic() + 60
    while not api.containers(filters=theirs) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert api.containers(filters=theirs), "the child never started its container"
    child.kill()  # SIGKILL: no clean-up runs, the container keeps running
    child.wait()
    assert api.containers(filters=theirs), "the engine removed it by itself"
    with ContainerSandbox.open(SandboxSettings(backend="container")):
        pass
    assert api.containers(all=True, filters=theirs) == []


def test_cancel_stops_a_run_promptly(isolated: Sandbox, repo: Path) -> None:
    cancel = threading.Event()
    lines: list[OutputLine] = []
    request = RunRequest(
        argv=["sh", "-c", "echo started; sleep 60"],
        repo=repo,
        limits=Limits(timeout_s=60),
        cancel=cancel,
    )

    def on_line(line: OutputLine) -> None:
        lines.append(line)
        if line.text == "started":
            cancel.set()

    start = time.monotonic()
    result = isolated.run(request, on_line)
    assert result.status is RunStatus.CANCELLED
    assert result.exit_code is None
    assert time.monotonic() - start < 10
    assert "cancelled" in lines[-1].text
    after = isolated.run(RunRequest(argv=["echo", "next"], repo=repo))
    assert after.output == "next\n"


@pytest.mark.bwrap
def test_bwrap_without_cgroups_still_limits_processes(
    bwrap_sandbox: Sandbox, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where no cgroup can be made, RLIMIT_NPROC on the unprivileged uid does the job."""
    import sandbox.bwrap

    monkeypatch.setattr(sandbox.bwrap.RunCgroup, "create", lambda *args: None)
    result = run_py(bwrap_sandbox, repo, FORK_COUNT, pids=64)
    assert "FORK FAILED after" in result.output, result.output
    assert int(result.output.split("CHILDREN")[1].split()[0]) < 64
