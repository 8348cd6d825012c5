"""Container backend over the Docker API: hardened, limited, labelled, removed after every run."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from sandbox.engine import connect, owner_labels, reap_orphans
from sandbox.environment import (
    SANDBOX_GID,
    SANDBOX_HOME,
    SANDBOX_UID,
    WORKSPACE_MOUNT,
    sandbox_env,
)
from sandbox.errors import SandboxError
from sandbox.images import derived_image, resolve_image
from sandbox.output import OutputCollector
from sandbox.protocol import BackendName, LineSink, RunRequest, RunResult
from sandbox.results import OOM_EXIT, note_ending, status_for
from sandbox.settings import SandboxSettings
from sandbox.workspace import collect_files, safe_relpath, workspace_copy

if TYPE_CHECKING:
    import docker

TMPFS_OPTS = "rw,nosuid,nodev,size=512m,mode=1777"
# How often a waiting run looks at its cancel flag.
WAIT_SLICE_S = 0.5


def hardened_host_config(
    client: docker.DockerClient, workspace: Path, request: RunRequest
) -> dict[str, Any]:
    """Host config: no network, read-only root, no capabilities, limits, init, one bind."""
    from docker.types import Mount

    limits = request.limits
    memory = f"{limits.memory_mb}m"
    return client.api.create_host_config(
        # network_mode="none", never network_disabled=True: Podman ignores the latter.
        network_mode="bridge" if request.network else "none",
        read_only=True,
        tmpfs={"/tmp": TMPFS_OPTS, "/run": TMPFS_OPTS, SANDBOX_HOME: TMPFS_OPTS},
        cap_drop=["ALL"],
        security_opt=["no-new-privileges"],
        init=True,
        mem_limit=memory,
        memswap_limit=memory,
        pids_limit=limits.pids,
        nano_cpus=int(limits.cpus * 1e9),
        mounts=[Mount(target=WORKSPACE_MOUNT, source=str(workspace), type="bind")],
    )


class ContainerSandbox:
    """Runs each command in a fresh hardened container on a fresh workspace copy."""

    name = BackendName.CONTAINER

    def __init__(self, client: docker.DockerClient, image: str, settings: SandboxSettings) -> None:
        self.client = client
        self.image = image
        self.settings = settings
        self._derived: dict[tuple[str, Path], str] = {}

    @classmethod
    @contextmanager
    def open(cls, settings: SandboxSettings) -> Iterator[ContainerSandbox]:
        """Connect, reap orphaned containers, resolve the image; close the client afterwards."""
        client = connect(settings.docker_host)
        try:
            reap_orphans(client)
            yield cls(client, resolve_image(client, settings.image), settings)
        finally:
            client.close()

    def image_for(self, request: RunRequest) -> str:
        """The request's image (or ours), derived through `setup` once per dependency hash."""
        image = request.image or self.image
        if image != self.image:
            image = resolve_image(self.client, image)
        if not self.settings.setup:
            return image
        key = (image, request.repo)
        if key not in self._derived:
            self._derived[key] = derived_image(
                self.client,
                image,
                self.settings.setup,
                request.repo,
                self.settings.timeout_s,
                keep=self.settings.keep_derived_images,
            )
        return self._derived[key]

    def run(self, request: RunRequest, on_line: LineSink | None = None) -> RunResult:
        """Copy the repo plus overlay, run `request.argv` in a new container, then remove it."""
        if not request.argv:
            raise SandboxError("no command to run", "give a command, e.g. -- pytest -q")
        image = self.image_for(request)
        collector = OutputCollector(request.limits.output_limit_bytes, on_line)
        as_root = os.geteuid() == 0
        owner = (SANDBOX_UID, SANDBOX_GID) if as_root else None
        with workspace_copy(request.repo, request.overlay, owner=owner) as workspace:
            if not as_root:
                open_up_workspace(workspace)
            ending = self._run_container(image, workspace, request, collector)
            collected = collect_files(workspace, request.collect)
        return finish_result(ending, request, image, collector, collected)

    def _run_container(
        self, image: str, workspace: Path, request: RunRequest, collector: OutputCollector
    ) -> Ending:
        import docker.errors

        api = self.client.api
        workdir = PurePosixPath(WORKSPACE_MOUNT)
        if request.workdir:
            workdir = workdir / safe_relpath(request.workdir)
        start = time.monotonic()
        try:
            container = api.create_container(
                image,
                command=list(request.argv),
                user=f"{SANDBOX_UID}:{SANDBOX_GID}",
                working_dir=str(workdir),
                environment=sandbox_env(request.env),
                labels=owner_labels(),
                hostname="hunkwise-sandbox",
                host_config=hardened_host_config(self.client, workspace, request),
            )["Id"]
        except docker.errors.ImageNotFound as exc:
            raise SandboxError(
                f"container image {image!r} is missing", "see `hunkwise sandbox doctor`"
            ) from exc
        except docker.errors.APIError as exc:
            raise SandboxError(
                f"the engine refused the container: {exc.explanation}",
                "see `hunkwise sandbox doctor`",
            ) from exc
        try:
            try:
                stream = api.attach(
                    container, stdout=True, stderr=True, stream=True, logs=True, demux=True
                )
                api.start(container)
            except docker.errors.APIError as exc:
                explanation = str(exc.explanation or exc)
                if not _is_missing_command(explanation):
                    raise SandboxError(
                        f"the engine could not start the container: {explanation}",
                        "see `hunkwise sandbox doctor`; scripts/container-engine writes a "
                        "containers.conf that works on hosts like this one",
                    ) from exc
                # Docker refuses to start a command that is not in the image; like a shell,
                # report it as exit 127 (Podman's init does the same from inside).
                collector.note(f"cannot start {request.argv[0]!r}: {explanation}")
                return Ending(127, time.monotonic() - start)
            reader = threading.Thread(target=pump_stream, args=(stream, collector), daemon=True)
            reader.start()
            ending = _wait(api, container, request, start)
            reader.join(timeout=5)
            return ending
        finally:
            try:
                api.remove_container(container, force=True)
            except docker.errors.DockerException:
                pass


@dataclass(frozen=True)
class Ending:
    """How a container run ended: an exit code, or stopped by the deadline or a cancel."""

    code: int | None
    duration_s: float
    timed_out: bool = False
    cancelled: bool = False


def _wait(api: Any, container: str, request: RunRequest, start: float) -> Ending:
    """Wait for the container in short slices (so a cancel is seen); kill it when stopped."""
    import requests.exceptions

    deadline = start + request.limits.timeout_s
    while True:
        remaining = deadline - time.monotonic()
        timed_out = remaining <= 0
        cancelled = request.cancel is not None and request.cancel.is_set()
        if timed_out or cancelled:
            _kill(api, container)
            return Ending(None, time.monotonic() - start, timed_out, cancelled)
        try:
            code = api.wait(container, timeout=min(remaining, WAIT_SLICE_S))["StatusCode"]
            return Ending(int(code), time.monotonic() - start)
        except (requests.exceptions.RequestException, OSError) as exc:
            # Over a unix socket a read timeout arrives as ConnectionError("Read timed out").
            if isinstance(exc, requests.exceptions.ReadTimeout) or "timed out" in str(exc):
                continue
            _kill(api, container)
            raise SandboxError(
                f"lost the container engine during the run: {exc}",
                "check the engine (`hunkwise sandbox doctor`) and run again",
            ) from exc


def finish_result(
    ending: Ending,
    request: RunRequest,
    image: str,
    collector: OutputCollector,
    collected: dict[str, bytes],
) -> RunResult:
    """Classify a container run; OOM is exit 137 (Podman leaves OOMKilled false)."""
    collector.finish()
    oom = ending.code == OOM_EXIT
    code = ending.code if ending.code is not None else -1
    status = status_for(code, ending.timed_out, oom, ending.cancelled)
    note_ending(collector, status, request.limits.timeout_s)
    return RunResult(
        status=status,
        exit_code=ending.code,
        duration_s=ending.duration_s,
        backend=BackendName.CONTAINER,
        image=image,
        output=collector.text,
        output_truncated=collector.truncated,
        collected=collected,
    )


def pump_stream(
    stream: Iterator[tuple[bytes | None, bytes | None]], collector: OutputCollector
) -> None:
    """Feed the attach stream to the collector until the container's output ends."""
    try:
        for out, err in stream:
            if out:
                collector.feed("stdout", out)
            if err:
                collector.feed("stderr", err)
    except Exception:  # noqa: BLE001 - the stream dies with the container; output so far is kept
        return


def _is_missing_command(explanation: str) -> bool:
    text = explanation.lower()
    return "executable file not found" in text or "no such file or directory" in text


def _kill(api: Any, container: str) -> None:
    import docker.errors

    try:
        api.kill(container)
    except docker.errors.DockerException:
        pass


def open_up_workspace(workspace: Path) -> None:
    """Without root the sandbox user cannot own the copy; let it write there instead."""
    for dirpath, _dirs, filenames in os.walk(workspace):
        os.chmod(dirpath, 0o777)
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, 0o666 | (os.stat(path).st_mode & 0o111))
