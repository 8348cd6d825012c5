"""Isolation claims, proven against the real container engine and the real bubblewrap."""

from __future__ import annotations

import os
import secrets
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.protocol import RunStatus, Sandbox
from tests.gitrepo import git
from tests.sandbox.conftest import run_py

CONNECT = r"""
import socket, sys
family = socket.AF_UNIX if sys.argv[1] == "unix" else socket.AF_INET
address = sys.argv[2] if sys.argv[1] == "unix" else (sys.argv[2], int(sys.argv[3]))
s = socket.socket(family, socket.SOCK_STREAM)
s.settimeout(3)
try:
    s.connect(address)
except OSError as exc:
    print("BLOCKED", type(exc).__name__, exc)
else:
    print("CONNECTED")
    sys.exit(1)
"""


class Listener:
    """A host socket that records whether anything connected to it."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.accepted = 0
        sock.listen(4)
        sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def tcp_listener() -> Iterator[tuple[Listener, int]]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    listener = Listener(sock)
    yield listener, sock.getsockname()[1]
    listener.close()


def test_tcp_to_public_address_fails(isolated: Sandbox, repo: Path) -> None:
    result = run_py(isolated, repo, CONNECT, "inet", "1.1.1.1", "80")
    assert result.status is RunStatus.PASSED, result.output
    assert "BLOCKED" in result.output


def test_tcp_to_host_loopback_listener_fails(
    isolated: Sandbox, repo: Path, tcp_listener: tuple[Listener, int]
) -> None:
    listener, port = tcp_listener
    # The listener answers a host client, so a failure inside is the sandbox's doing.
    with socket.create_connection(("127.0.0.1", port), timeout=3):
        pass
    result = run_py(isolated, repo, CONNECT, "inet", "127.0.0.1", str(port))
    assert result.status is RunStatus.PASSED, result.output
    assert "BLOCKED" in result.output
    assert listener.accepted == 1


@pytest.mark.parametrize("directory", ["/tmp", "/run"])
def test_host_unix_socket_is_unreachable(isolated: Sandbox, repo: Path, directory: str) -> None:
    path = os.path.join(directory, f"hunkwise-test-{secrets.token_hex(4)}.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    listener = Listener(sock)
    try:
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        probe.connect(path)  # reachable from the host
        probe.close()
        result = run_py(isolated, repo, CONNECT, "unix", path)
    finally:
        listener.close()
        os.unlink(path)
    assert result.status is RunStatus.PASSED, result.output
    assert "BLOCKED" in result.output
    assert listener.accepted == 1


WRITE = r"""
import sys
for path in sys.argv[1:]:
    try:
        with open(path, "w") as fh:
            fh.write("pwned")
        print("WROTE", path)
    except OSError as exc:
        print("REFUSED", path, type(exc).__name__)
"""


def test_writes_outside_workspace_fail(isolated: Sandbox, repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(outside, 0o777)  # the host permits it: only the sandbox may stop the write
    (repo / "escape").symlink_to(outside)
    (repo / "escape-file").symlink_to(outside / "via-file-link.txt")
    git(repo, "add", "escape", "escape-file")
    targets = [
        "/etc/hunkwise-probe",
        "/usr/hunkwise-probe",
        "/hunkwise-probe",
        str(repo / "test_ok.py"),  # the user's tree, by its host path
        str(outside / "direct.txt"),
        "escape/via-dir-link.txt",
        "escape-file",
    ]
    before = (repo / "test_ok.py").read_bytes()
    result = run_py(isolated, repo, WRITE, *targets)
    assert result.status is RunStatus.PASSED, result.output
    for target in ("/etc/hunkwise-probe", "/usr/hunkwise-probe", "/hunkwise-probe"):
        assert f"REFUSED {target}" in result.output
    assert (repo / "test_ok.py").read_bytes() == before
    assert list(outside.iterdir()) == [], "a write escaped the workspace"
    assert not Path("/etc/hunkwise-probe").exists()


def test_home_canary_and_env_canary_are_invisible(
    isolated: Sandbox, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = secrets.token_hex(8)
    ssh = Path.home() / ".ssh"
    created_dir = not ssh.exists()
    ssh.mkdir(mode=0o700, exist_ok=True)
    canary = ssh / f"hunkwise-canary-{token}"
    canary.write_text(f"secret {token}\n")
    os.chmod(canary, 0o644)  # readable by anyone who can see it
    monkeypatch.setenv(f"HUNKWISE_CANARY_{token}", token)
    code = r"""
import os, sys
path = sys.argv[1]
print("FILE", os.path.exists(path))
for root in ("/root", "/home", os.environ.get("HOME", "/")):
    for dirpath, _, files in os.walk(root):
        for name in files:
            if sys.argv[2] in name:
                print("FOUND", os.path.join(dirpath, name))
print("ENV", [k for k, v in os.environ.items() if sys.argv[2] in k or sys.argv[2] in v])
"""
    try:
        result = run_py(isolated, repo, code, str(canary), token)
    finally:
        canary.unlink()
        if created_dir:
            ssh.rmdir()
    assert result.status is RunStatus.PASSED, result.output
    assert "FILE False" in result.output
    assert "FOUND" not in result.output
    assert "ENV []" in result.output


def test_the_probes_do_see_a_leak_without_isolation(
    repo: Path, tmp_path: Path, tcp_listener: tuple[Listener, int]
) -> None:
    """Control: on the unisolated local backend the same probes report the leaks."""
    from sandbox.local import LocalSandbox

    local = LocalSandbox(warn=False)
    listener, port = tcp_listener
    result = run_py(local, repo, CONNECT, "inet", "127.0.0.1", str(port))
    assert result.status is RunStatus.FAILED and "CONNECTED" in result.output
    outside = tmp_path / "outside-control"
    outside.mkdir()
    result = run_py(local, repo, WRITE, str(outside / "direct.txt"))
    assert f"WROTE {outside / 'direct.txt'}" in result.output
    assert (outside / "direct.txt").read_text() == "pwned"
