"""Who owns a container: the labels we put on, and when an owner counts as gone."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest

from sandbox.engine import (
    LABEL_HOST,
    LABEL_PID,
    LABEL_PID_START,
    engine_url,
    is_orphan,
    owner_labels,
)
from sandbox.errors import SandboxError


def test_our_own_containers_are_not_orphans() -> None:
    labels = owner_labels()
    assert labels[LABEL_PID] == str(os.getpid())
    assert labels[LABEL_HOST] == socket.gethostname()
    assert not is_orphan(labels)


def test_dead_owner_and_reused_pid_make_orphans() -> None:
    proc = subprocess.Popen(["true"])
    proc.wait()
    assert is_orphan({**owner_labels(), LABEL_PID: str(proc.pid)})
    # Our pid, but a different process start time: the pid was reused by someone else.
    assert is_orphan({**owner_labels(), LABEL_PID_START: "1"})


def test_other_hosts_containers_are_left_alone() -> None:
    labels = {**owner_labels(), LABEL_HOST: "some-other-host", LABEL_PID: "999999999"}
    assert not is_orphan(labels)


def test_engine_url_order() -> None:
    assert engine_url("unix:///x.sock", {"DOCKER_HOST": "tcp://y:2375"}) == "unix:///x.sock"
    assert engine_url(None, {"DOCKER_HOST": "tcp://y:2375"}) == "tcp://y:2375"


def test_no_endpoint_at_all_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import sandbox.engine

    monkeypatch.setattr(sandbox.engine, "DEFAULT_SOCKETS", ("/nonexistent/hunkwise.sock",))
    with pytest.raises(SandboxError) as info:
        engine_url(None, {})
    assert "scripts/container-engine" in info.value.hint


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("unix:///run/hunkwise-podman.sock", True),
        ("tcp://127.0.0.1:2375", True),
        ("tcp://localhost:2375", True),
        ("tcp://build-box.example:2376", False),
        ("ssh://me@remote", False),
    ],
)
def test_only_local_engines_are_used(url: str, local: bool) -> None:
    from sandbox.engine import check_local

    if local:
        check_local(url)
    else:
        with pytest.raises(SandboxError, match="another machine"):
            check_local(url)
