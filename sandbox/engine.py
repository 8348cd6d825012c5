"""Connect to a Docker-API engine (Docker Engine or a Podman service); label and reap containers."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.errors import SandboxError

if TYPE_CHECKING:
    import docker

# Sockets tried, in order, when neither the settings nor DOCKER_HOST name an endpoint.
DEFAULT_SOCKETS = ("/var/run/docker.sock", "/run/hunkwise-podman.sock")
# Docker Engine >= 20.10 and Podman >= 3 speak it; everything we call exists in it.
API_VERSION = "1.41"
LABEL = "io.hunkwise.sandbox"
LABEL_PID = "io.hunkwise.owner-pid"
LABEL_PID_START = "io.hunkwise.owner-start"
LABEL_HOST = "io.hunkwise.owner-host"
LABEL_STARTED = "io.hunkwise.started"
ENGINE_HINT = (
    "run scripts/container-engine (it starts a Podman service as root on Debian/Ubuntu) and "
    "export the DOCKER_HOST it prints, or start Docker; or use --backend bwrap"
)


def engine_url(docker_host: str | None, env: Mapping[str, str] | None = None) -> str:
    """The endpoint to talk to: settings, then DOCKER_HOST, then the first socket that exists."""
    env = os.environ if env is None else env
    if docker_host:
        return docker_host
    if env.get("DOCKER_HOST"):
        return env["DOCKER_HOST"]
    for path in DEFAULT_SOCKETS:
        if Path(path).is_socket():
            return f"unix://{path}"
    raise SandboxError("no container engine found (no DOCKER_HOST, no engine socket)", ENGINE_HINT)


def check_local(url: str) -> None:
    """Refuse an engine on another machine: the workspace reaches it as a bind mount."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    if scheme in ("unix", "npipe") or host in ("localhost", "127.0.0.1", "::1"):
        return
    raise SandboxError(
        f"container engine at {url} is on another machine; the workspace is bind-mounted, "
        "so the engine must run on this one",
        "use a local engine (scripts/container-engine) or --backend bwrap",
    )


def connect(docker_host: str | None, timeout_s: float = 30.0) -> docker.DockerClient:
    """A client whose engine answered a ping; SandboxError (fast, no hang) otherwise."""
    import docker
    import docker.errors
    import requests.exceptions

    url = engine_url(docker_host)
    check_local(url)
    try:
        # A dead or wedged engine must fail in seconds, not after the long per-call timeout.
        # The API version is pinned: asking the engine for it costs ~0.5 s on Podman.
        client = docker.DockerClient(base_url=url, timeout=5, version=API_VERSION)
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError) as exc:
        raise SandboxError(
            f"container engine at {url} does not answer: {exc}", ENGINE_HINT
        ) from exc
    try:
        client.ping()
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError) as exc:
        client.close()
        raise SandboxError(
            f"container engine at {url} does not answer: {exc}", ENGINE_HINT
        ) from exc
    client.api.timeout = timeout_s
    return client


def _process_start(pid: int) -> str | None:
    """The kernel's start time of `pid` (clock ticks since boot), None when it does not exist."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Field 22; the command name (field 2) may contain spaces, so split after its ")".
    return stat.rsplit(")", 1)[1].split()[19]


def owner_labels() -> dict[str, str]:
    """Labels naming this process as the container's owner."""
    pid = os.getpid()
    return {
        LABEL: "1",
        LABEL_PID: str(pid),
        LABEL_PID_START: _process_start(pid) or "",
        LABEL_HOST: socket.gethostname(),
        LABEL_STARTED: f"{time.time():.0f}",
    }


def is_orphan(labels: Mapping[str, str]) -> bool:
    """True when the owner process on this host is gone (or its pid now belongs to another)."""
    if labels.get(LABEL_HOST) != socket.gethostname():
        return False  # another machine's process: we cannot tell, leave it alone
    try:
        pid = int(labels.get(LABEL_PID, ""))
    except ValueError:
        return True
    start = _process_start(pid)
    return start is None or start != labels.get(LABEL_PID_START, start)


def reap_orphans(client: docker.DockerClient) -> list[str]:
    """Remove hunkwise containers whose owner process is gone; returns their ids."""
    import docker.errors

    reaped: list[str] = []
    for container in client.api.containers(all=True, filters={"label": LABEL}):
        if is_orphan(container.get("Labels") or {}):
            try:
                client.api.remove_container(container["Id"], force=True)
                reaped.append(container["Id"])
            except docker.errors.NotFound:
                pass
    return reaped
