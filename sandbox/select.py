"""Pick the sandbox backend: container, then bubblewrap, else refuse (local only by opt-in)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from sandbox.errors import SandboxError
from sandbox.protocol import Sandbox
from sandbox.settings import SandboxSettings

log = logging.getLogger(__name__)

NO_BACKEND_HINT = (
    "run scripts/container-engine (as root on Debian/Ubuntu) and export the DOCKER_HOST it "
    "prints, or install bubblewrap (apt install bubblewrap); to run without isolation set "
    'backend = "local" and allow_local = true in your own config (never a repo\'s)'
)


@contextmanager
def _container(settings: SandboxSettings) -> Iterator[Sandbox]:
    from sandbox.container import ContainerSandbox
    from sandbox.warm import ReusedContainerSandbox

    backend = ReusedContainerSandbox if settings.reuse_container else ContainerSandbox
    with backend.open(settings) as sandbox:
        yield sandbox


def _bwrap() -> Sandbox:
    from sandbox.bwrap import BwrapSandbox

    return BwrapSandbox()


def _local(settings: SandboxSettings) -> Sandbox:
    from sandbox.local import LocalSandbox

    if not settings.allow_local:
        raise SandboxError(
            "the local backend runs commands without any isolation and is not allowed",
            "set allow_local = true in your user config (~/.config/hunkwise/config.toml) "
            "if you really want it",
        )
    return LocalSandbox()


@contextmanager
def open_sandbox(settings: SandboxSettings) -> Iterator[Sandbox]:
    """Yield the backend the settings ask for; `auto` tries container, then bwrap.

    Raises SandboxError with a hint when nothing suitable is available. Opening reaps what dead
    hunkwise processes left behind: containers, temp workspaces, empty cgroups.
    """
    from sandbox.leftovers import reap_leftovers

    reap_leftovers()
    if settings.backend == "local":
        yield _local(settings)
        return
    if settings.backend == "bwrap":
        yield _bwrap()
        return
    if settings.backend == "container":
        with _container(settings) as sandbox:
            yield sandbox
        return
    with ExitStack() as stack:
        try:
            sandbox = stack.enter_context(_container(settings))
        except SandboxError as exc:
            log.info("container backend unavailable: %s", exc.message)
            try:
                sandbox = _bwrap()
            except SandboxError as bwrap_exc:
                raise SandboxError(
                    f"no isolated sandbox is available (container: {exc.message}; "
                    f"bwrap: {bwrap_exc.message})",
                    NO_BACKEND_HINT,
                ) from bwrap_exc
        yield sandbox
