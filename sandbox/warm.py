"""Reused container: one hardened container per session, each run `exec`ed on a fresh workspace.

Every isolation property of a fresh container holds: the session container is created with the
same hardened host config (no network, read-only root, no capabilities, non-root, limits); runs
are `exec`ed as the same non-root user; after every run all of its processes are killed and the
writable tmpfs areas wiped, and a container that cannot be cleaned (or died) is replaced.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from sandbox.container import (
    WAIT_SLICE_S,
    ContainerSandbox,
    Ending,
    finish_result,
    hardened_host_config,
    open_up_workspace,
    pump_stream,
)
from sandbox.engine import connect, owner_labels, reap_orphans
from sandbox.environment import SANDBOX_GID, SANDBOX_UID, WORKSPACE_MOUNT, sandbox_env
from sandbox.errors import SandboxError
from sandbox.images import resolve_image
from sandbox.output import OutputCollector
from sandbox.protocol import BackendName, Limits, LineSink, RunRequest, RunResult
from sandbox.settings import SandboxSettings
from sandbox.workspace import collect_files, owned_prefix, safe_relpath, workspace_copy

if TYPE_CHECKING:
    import docker

USER = f"{SANDBOX_UID}:{SANDBOX_GID}"
# The session's init and keeper run as another unprivileged uid, so a run (and the clean-up,
# which runs as the run's uid) can signal every process of the run but never the keeper.
KEEPER_USER = f"{SANDBOX_UID - 1}:{SANDBOX_GID}"
# `kill -9 -1` until no process of the run's uid is left (forks race the first passes; the pids
# limit bounds them), exit 1 if some survive (then the container is replaced), else wipe what
# the run left in the writable tmpfs areas.
CLEANUP = r"""
me=$(id -u)
for pass in $(seq 1 100); do
  kill -9 -1 2>/dev/null
  left=0
  for d in /proc/[0-9]*; do
    [ "${d#/proc/}" = "$$" ] && continue
    [ "$(stat -c %u "$d" 2>/dev/null)" = "$me" ] && left=1 && break
  done
  [ "$left" = 0 ] && break
  sleep 0.02
done
[ "$left" = 0 ] || exit 1
for dir in /tmp /run /home/sandbox /dev/shm /var/tmp; do
  [ -d "$dir" ] && find "$dir" -mindepth 1 -maxdepth 1 -user "$me" \
    -exec rm -rf {} + 2>/dev/null
done
exit 0
"""


class _SessionGone(Exception):
    """The session container could not take an exec (it died or was removed)."""


@dataclass
class _Session:
    """The long-lived container and the host directory its run workspaces live in."""

    container: str
    host_dir: Path
    key: tuple[str, Limits, bool]


class ReusedContainerSandbox(ContainerSandbox):
    """Container backend that keeps one container per session and `exec`s each run into it."""

    name = BackendName.CONTAINER

    def __init__(self, client: docker.DockerClient, image: str, settings: SandboxSettings) -> None:
        super().__init__(client, image, settings)
        self._session: _Session | None = None
        self._lock = threading.Lock()
        # Clean-up after a run happens off the caller's path; the next run waits for it.
        self._cleaning: threading.Thread | None = None

    @classmethod
    @contextmanager
    def open(cls, settings: SandboxSettings) -> Iterator[ReusedContainerSandbox]:
        """Connect, reap orphans, resolve the image; remove the session container afterwards."""
        client = connect(settings.docker_host)
        sandbox: ReusedContainerSandbox | None = None
        try:
            reap_orphans(client)
            sandbox = cls(client, resolve_image(client, settings.image), settings)
            yield sandbox
        finally:
            if sandbox is not None:
                sandbox.close()
            client.close()

    def close(self) -> None:
        """Remove the session container and its directory."""
        with self._lock:
            self._wait_for_cleaning()
            self._drop()

    def run(self, request: RunRequest, on_line: LineSink | None = None) -> RunResult:
        """Copy the repo plus overlay into the session, `exec` the command, clean up after it."""
        if not request.argv:
            raise SandboxError("no command to run", "give a command, e.g. -- pytest -q")
        image = self.image_for(request)
        collector = OutputCollector(request.limits.output_limit_bytes, on_line)
        with self._lock:
            self._wait_for_cleaning()
            for attempt in (1, 2):
                session = self._session_for(image, request)
                try:
                    ending, collected = self._run_in(session, request, collector)
                    break
                except _SessionGone as gone:
                    # The container died between runs (e.g. its keeper was OOM-killed):
                    # start a new one once; a second failure is the engine's problem.
                    self._drop()
                    if attempt == 2:
                        raise SandboxError(
                            f"the session container keeps disappearing: {gone}",
                            "see `hunkwise sandbox doctor`, or set reuse_container = false",
                        ) from gone
            self._cleaning = threading.Thread(target=self._clean, args=(session,), daemon=True)
            self._cleaning.start()
        return finish_result(ending, request, image, collector, collected)

    def _run_in(
        self, session: _Session, request: RunRequest, collector: OutputCollector
    ) -> tuple[Ending, dict[str, bytes]]:
        owner = (SANDBOX_UID, SANDBOX_GID) if os.geteuid() == 0 else None
        with workspace_copy(
            request.repo, request.overlay, owner=owner, base_dir=session.host_dir
        ) as workspace:
            if owner is None:
                open_up_workspace(workspace)
            inside = PurePosixPath(WORKSPACE_MOUNT) / workspace.relative_to(session.host_dir)
            ending = self._exec(session, inside, request, collector)
            return ending, collect_files(workspace, request.collect)

    def _exec(
        self,
        session: _Session,
        inside: PurePosixPath,
        request: RunRequest,
        collector: OutputCollector,
    ) -> Ending:
        import docker.errors

        api = self.client.api
        workdir = inside / safe_relpath(request.workdir) if request.workdir else inside
        start = time.monotonic()
        try:
            exec_id = api.exec_create(
                session.container,
                list(request.argv),
                user=USER,
                environment=sandbox_env(request.env),
                workdir=str(workdir),
            )["Id"]
            stream = api.exec_start(exec_id, stream=True, demux=True)
        except docker.errors.APIError as exc:
            raise _SessionGone(str(exc.explanation or exc)) from exc
        reader = threading.Thread(target=pump_stream, args=(stream, collector), daemon=True)
        reader.start()
        deadline = start + request.limits.timeout_s
        cancel = request.cancel
        while reader.is_alive() and time.monotonic() < deadline:
            if cancel is not None and cancel.is_set():
                break
            reader.join(timeout=min(WAIT_SLICE_S, max(deadline - time.monotonic(), 0)))
        if reader.is_alive():
            self._clean(session)  # kills the run; replaces the container if that fails
            reader.join(timeout=5)
            timed_out = not (cancel is not None and cancel.is_set())
            return Ending(None, time.monotonic() - start, timed_out, not timed_out)
        return Ending(_exit_code(api, exec_id), time.monotonic() - start)

    def _wait_for_cleaning(self) -> None:
        if self._cleaning is not None:
            self._cleaning.join()
            self._cleaning = None

    def _session_for(self, image: str, request: RunRequest) -> _Session:
        limits = request.limits.model_copy(update={"timeout_s": 0.0, "output_limit_bytes": 0})
        key = (image, limits, request.network)
        session = self._session
        if session is not None and (session.key != key or not self._running(session)):
            self._drop()
            session = None
        if session is None:
            session = self._start(image, request, key)
            self._session = session
        return session

    def _start(self, image: str, request: RunRequest, key: tuple[str, Limits, bool]) -> _Session:
        import docker.errors

        api = self.client.api
        host_dir = Path(tempfile.mkdtemp(prefix=owned_prefix("session")))
        os.chmod(host_dir, 0o711)
        try:
            container = api.create_container(
                image,
                command=["sleep", "infinity"],
                user=KEEPER_USER,
                working_dir=WORKSPACE_MOUNT,
                environment=sandbox_env({}),
                labels=owner_labels(),
                hostname="hunkwise-sandbox",
                host_config=hardened_host_config(self.client, host_dir, request),
            )["Id"]
        except docker.errors.APIError as exc:
            shutil.rmtree(host_dir, ignore_errors=True)
            raise SandboxError(
                f"the engine refused the session container: {exc.explanation or exc}",
                "see `hunkwise sandbox doctor`",
            ) from exc
        try:
            api.start(container)
        except docker.errors.APIError as exc:
            api.remove_container(container, force=True)
            shutil.rmtree(host_dir, ignore_errors=True)
            raise SandboxError(
                f"the engine could not start the session container: {exc.explanation or exc}",
                "see `hunkwise sandbox doctor`, or set reuse_container = false",
            ) from exc
        return _Session(container, host_dir, key)

    def _clean(self, session: _Session) -> None:
        """Kill what the run left and wipe tmpfs; replace the container when that fails."""
        import docker.errors
        import requests.exceptions

        try:
            exec_id = self.client.api.exec_create(
                session.container, ["sh", "-c", CLEANUP, "hunkwise-cleanup"], user=USER
            )["Id"]
            self.client.api.exec_start(exec_id)
            if _exit_code(self.client.api, exec_id) == 0:
                return
        except (docker.errors.DockerException, requests.exceptions.RequestException):
            pass
        self._drop()

    def _running(self, session: _Session) -> bool:
        import docker.errors

        try:
            return bool(self.client.api.inspect_container(session.container)["State"]["Running"])
        except docker.errors.DockerException:
            return False

    def _drop(self) -> None:
        import docker.errors

        session, self._session = self._session, None
        if session is None:
            return
        try:
            self.client.api.remove_container(session.container, force=True)
        except docker.errors.DockerException:
            pass
        shutil.rmtree(session.host_dir, ignore_errors=True)


def _exit_code(api: Any, exec_id: str) -> int | None:
    """The exit code of a finished exec (polled briefly: the engine records it asynchronously)."""
    for _ in range(50):
        info = api.exec_inspect(exec_id)
        if not info.get("Running") and info.get("ExitCode") is not None:
            return int(info["ExitCode"])
        time.sleep(0.01)
    return None
