"""The reused container keeps runs apart: nothing one run leaves is seen by the next."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.engine import LABEL, LABEL_PID
from sandbox.protocol import Limits, RunRequest, RunStatus
from sandbox.settings import SandboxSettings

pytestmark = pytest.mark.container

LEAVE = (
    "echo left > /tmp/left-tmp; echo left > $HOME/left-home; echo left > /dev/shm/left-shm; "
    "echo left > left-workspace; (sleep 300 &) ; echo started"
)
LOOK = (
    "ls /tmp $HOME /dev/shm .; "
    "for d in /proc/[0-9]*; do cat $d/cmdline 2>/dev/null | tr '\\0' ' '; echo; done"
)


@pytest.fixture
def warm(container_sandbox: object):  # noqa: ANN201 - generator fixture
    from sandbox.warm import ReusedContainerSandbox

    with ReusedContainerSandbox.open(SandboxSettings(backend="container")) as sandbox:
        yield sandbox


def _run(sandbox, repo: Path, script: str, **limits: float):  # noqa: ANN001, ANN202
    request = RunRequest(argv=["sh", "-c", script], repo=repo, limits=Limits(**limits))
    return sandbox.run(request)


def test_nothing_leaks_into_the_next_run(warm, repo: Path) -> None:  # noqa: ANN001
    first = _run(warm, repo, LEAVE)
    assert first.status is RunStatus.PASSED, first.output
    container = warm._session.container
    second = _run(warm, repo, LOOK)
    assert warm._session.container == container, "the container was not reused"
    assert "left" not in second.output
    assert "sleep 300" not in second.output


def test_session_recovers_after_a_fork_bomb_and_a_timeout(warm, repo: Path) -> None:  # noqa: ANN001
    bomb = _run(warm, repo, "bomb() { bomb | bomb & }; bomb; sleep 30", timeout_s=3, pids=64)
    assert bomb.status in (RunStatus.TIMED_OUT, RunStatus.FAILED)
    after = _run(warm, repo, LOOK, pids=64)
    assert after.status is RunStatus.PASSED
    assert "bomb" not in after.output, "the bomb survived into the next run"
    assert "sleep infinity" in after.output  # same session or a fresh one, keeper present


def test_closing_removes_the_session_container(container_sandbox, repo: Path) -> None:  # noqa: ANN001
    from sandbox.warm import ReusedContainerSandbox

    api = container_sandbox.client.api
    mine = {"label": [LABEL, f"{LABEL_PID}={os.getpid()}"]}
    before = {c["Id"] for c in api.containers(all=True, filters=mine)}
    with ReusedContainerSandbox.open(SandboxSettings(backend="container")) as sandbox:
        result = _run(sandbox, repo, "sleep 60", timeout_s=2)
        assert result.status is RunStatus.TIMED_OUT
    assert {c["Id"] for c in api.containers(all=True, filters=mine)} <= before


def test_a_dead_session_container_is_replaced(warm, repo: Path) -> None:  # noqa: ANN001
    assert _run(warm, repo, "true").status is RunStatus.PASSED
    first = warm._session.container
    warm.client.api.kill(first)  # as if the engine or the OOM killer took it
    result = _run(warm, repo, "echo again")
    assert result.status is RunStatus.PASSED, result.output
    assert result.output == "again\n"
    assert warm._session.container != first


def test_a_run_cannot_kill_the_session(warm, repo: Path) -> None:  # noqa: ANN001
    assert _run(warm, repo, "true").status is RunStatus.PASSED
    container = warm._session.container
    _run(warm, repo, "kill -9 -1; kill -9 1; true")
    assert _run(warm, repo, "echo alive").output == "alive\n"
    assert warm._session.container == container
