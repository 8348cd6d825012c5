"""The environment a sandboxed command sees: a fixed base plus the caller's allow-listed values."""

from __future__ import annotations

from collections.abc import Mapping

# Non-root identity the command runs as (nobody:nogroup on Debian); never the caller's user.
SANDBOX_UID = 65534
SANDBOX_GID = 65534
SANDBOX_HOME = "/home/sandbox"
WORKSPACE_MOUNT = "/workspace"

BASE_ENV: dict[str, str] = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": SANDBOX_HOME,
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "TERM": "dumb",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
    "CI": "1",
    "TMPDIR": "/tmp",
}

# Variables a caller may never set: they would reroute loading or hand out host credentials.
FORBIDDEN = frozenset({"LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "SSH_AUTH_SOCK", "DOCKER_HOST"})


def sandbox_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The base environment plus `extra` (minus forbidden names); nothing from the host."""
    env = dict(BASE_ENV)
    env.update({k: v for k, v in extra.items() if k not in FORBIDDEN})
    return env
