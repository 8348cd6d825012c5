"""A live self-test of the sandbox: each isolation claim is checked from inside a real run."""

from __future__ import annotations

import json
import os
import secrets
import socket
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sandbox.protocol import Limits, RunRequest, RunStatus, Sandbox

# Runs inside the sandbox; argv: loopback port, host unix socket, canary file in host HOME,
# canary variable name.
PROBE = r"""
import json, os, socket, sys
port, sock_path, home_canary, canary = sys.argv[1:5]
out = {}
def connect(family, address, timeout=2):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(address)
        return "connected"
    except OSError as exc:
        return f"blocked ({exc.__class__.__name__})"
    finally:
        s.close()
out["network"] = connect(socket.AF_INET, ("1.1.1.1", 80))
out["loopback"] = connect(socket.AF_INET, ("127.0.0.1", int(port)))
out["unix_socket"] = connect(socket.AF_UNIX, sock_path)
writes = {}
for path in ("/hunkwise-probe", "/usr/hunkwise-probe", "/etc/hunkwise-probe"):
    try:
        # Exclusive create, removed at once: on an unisolated backend this is the real host.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        writes[path] = "written (it already existed)"
        continue
    except OSError as exc:
        writes[path] = f"refused ({exc.__class__.__name__})"
        continue
    os.close(fd)
    os.unlink(path)
    writes[path] = "written"
out["writes"] = writes
out["home_canary_visible"] = os.path.exists(home_canary)
out["env_canary"] = canary in os.environ
out["uid"] = os.getuid()
caps = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")]
out["cap_eff"] = caps[0] if caps else "?"
print("HUNKWISE-PROBE " + json.dumps(out))
"""


@dataclass(frozen=True)
class Check:
    """One isolation claim and whether the live run upheld it."""

    name: str
    ok: bool
    detail: str


@contextmanager
def _host_listeners() -> Iterator[tuple[int, str]]:
    """A TCP listener on host loopback and a unix socket in /tmp, both for the probe to try."""
    with ExitStack() as stack:
        tcp = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        tcp.bind(("127.0.0.1", 0))
        tcp.listen(1)
        holder = stack.enter_context(tempfile.TemporaryDirectory(prefix="hunkwise-doctor-"))
        path = os.path.join(holder, "host.sock")
        unix = stack.enter_context(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
        unix.bind(path)
        unix.listen(1)
        yield tcp.getsockname()[1], path


def run_checks(sandbox: Sandbox, repo: Path, timeout_s: float = 60.0) -> list[Check]:
    """Run the probe in `sandbox` on a copy of `repo` and judge each claim."""
    canary = f"HUNKWISE_DOCTOR_CANARY_{secrets.token_hex(4).upper()}"
    os.environ[canary] = "1"
    try:
        with (
            _host_listeners() as (port, sock_path),
            tempfile.NamedTemporaryFile(
                dir=os.path.expanduser("~"), prefix=".hunkwise-doctor-canary-"
            ) as home_canary,
        ):
            result = sandbox.run(
                RunRequest(
                    argv=["python3", "-c", PROBE, str(port), sock_path, home_canary.name, canary],
                    repo=repo,
                    limits=Limits(timeout_s=timeout_s),
                )
            )
    finally:
        del os.environ[canary]
    line = next((ln for ln in result.output.splitlines() if ln.startswith("HUNKWISE-PROBE ")), None)
    if line is None:
        tail = "\n".join(result.output.splitlines()[-5:])
        return [Check("probe ran", False, f"{result.status.value}: {tail or 'no output'}")]
    data = json.loads(line.removeprefix("HUNKWISE-PROBE "))
    writes = data["writes"]
    return [
        Check("network blocked", data["network"] != "connected", f"1.1.1.1:80 {data['network']}"),
        Check("host loopback blocked", data["loopback"] != "connected", data["loopback"]),
        Check("host unix socket hidden", data["unix_socket"] != "connected", data["unix_socket"]),
        Check(
            "writes outside workspace refused",
            all(not v.startswith("written") for v in writes.values()),
            ", ".join(f"{k}: {v}" for k, v in writes.items()),
        ),
        Check(
            "host HOME hidden",
            not data["home_canary_visible"],
            "a canary file in your HOME is "
            + ("VISIBLE" if data["home_canary_visible"] else "not visible"),
        ),
        Check("host env hidden", not data["env_canary"], "canary variable not passed in"),
        Check("non-root user", data["uid"] != 0, f"uid {data['uid']}"),
        Check("no capabilities", int(data["cap_eff"], 16) == 0, f"CapEff {data['cap_eff']}"),
        *_limit_checks(sandbox, repo, timeout_s),
    ]


FORKS = r"""
import os, signal, time
children = []
try:
    while len(children) < 500:
        pid = os.fork()
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        children.append(pid)
except OSError:
    pass
for pid in children:
    os.kill(pid, signal.SIGKILL)
print("HUNKWISE-FORKS", len(children))
"""
GREEDY = "blocks = []\nwhile len(blocks) < 64:\n    blocks.append(bytearray(16 << 20))\n"


def _limit_checks(sandbox: Sandbox, repo: Path, timeout_s: float) -> list[Check]:
    """Two short runs: forking stops at a small process limit; a memory hog is stopped."""
    forks = sandbox.run(
        RunRequest(
            argv=["python3", "-c", FORKS],
            repo=repo,
            limits=Limits(timeout_s=timeout_s, pids=32),
        )
    )
    counts = [ln.split()[1] for ln in forks.output.splitlines() if ln.startswith("HUNKWISE-FORKS")]
    forked = int(counts[0]) if counts else None
    hog = sandbox.run(
        RunRequest(
            argv=["python3", "-c", GREEDY],
            repo=repo,
            limits=Limits(timeout_s=timeout_s, memory_mb=128),
        )
    )
    # Under cgroups the kernel kills the hog (OOM); under rlimits its allocation fails.
    stopped = hog.status is RunStatus.OOM or "MemoryError" in hog.output
    return [
        Check(
            "process limit enforced",
            forked is not None and forked < 32,
            f"forked {forked} of 500 under a limit of 32",
        ),
        Check(
            "memory limit enforced",
            stopped,
            f"1 GiB wanted under a 128 MiB limit: {hog.status.value}",
        ),
    ]
