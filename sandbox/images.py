"""Which image a container run uses, and derived images built once by `setup` commands."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.engine import owner_labels
from sandbox.errors import SandboxError

if TYPE_CHECKING:
    import docker

SLIM_IMAGE = "python:3.12-slim"
BASE_IMAGE = "hunkwise-base:latest"
DERIVED_REPO = "hunkwise-derived"
PULL_TIMEOUT_S = 900
IMAGE_HINT = (
    "run scripts/container-engine to build hunkwise-base:latest, pull an image "
    '(podman pull python:3.12-slim), or set [sandbox] image = "..." in .hunkwise.toml'
)
# Files whose content decides what `setup` installs; a change rebuilds the derived image.
DEPENDENCY_FILES = (
    "requirements.txt",
    "requirements-dev.txt",
    "requirements-test.txt",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "poetry.lock",
    "uv.lock",
    "Pipfile.lock",
    "package.json",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "go.mod",
    "go.sum",
    "Cargo.toml",
    "Cargo.lock",
)


def _present(client: docker.DockerClient, name: str) -> bool:
    import docker.errors

    try:
        client.api.inspect_image(name)
        return True
    except docker.errors.ImageNotFound:
        return False
    except docker.errors.APIError:
        return False


def _pullable(client: docker.DockerClient, name: str) -> bool:
    """Try to pull `name`; False quickly when no registry is reachable."""
    import docker.errors
    import requests.exceptions

    repo, _, tag = name.rpartition(":") if ":" in name.split("/")[-1] else (name, "", "latest")
    previous = client.api.timeout
    client.api.timeout = PULL_TIMEOUT_S  # a real pull of a big image takes minutes
    try:
        client.api.pull(repo, tag=tag or "latest")
    except (docker.errors.DockerException, requests.exceptions.RequestException):
        return False
    finally:
        client.api.timeout = previous
    return _present(client, name)


def resolve_image(client: docker.DockerClient, configured: str | None) -> str:
    """The configured image; else the slim Python image; else the local base image.

    Raises SandboxError with a hint when none of them is present or pullable.
    """
    if configured:
        if _present(client, configured) or _pullable(client, configured):
            return configured
        raise SandboxError(
            f"container image {configured!r} is neither present nor pullable",
            f"pull or build it (podman pull {configured}), or change [sandbox] image",
        )
    if _present(client, SLIM_IMAGE) or _pullable(client, SLIM_IMAGE):
        return SLIM_IMAGE
    if _present(client, BASE_IMAGE):
        return BASE_IMAGE
    raise SandboxError("no container image is available", IMAGE_HINT)


# The host's CA bundle goes into setup containers: registries here sit behind a proxy whose CA
# the image does not know. Proxy settings pass through too (setup is the one networked step).
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
SETUP_CA_PATH = "/etc/ssl/certs/hunkwise-host-ca.crt"
CA_ENV_NAMES = (
    "SSL_CERT_FILE",
    "PIP_CERT",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS",
    "GIT_SSL_CAINFO",
)
PROXY_ENV_NAMES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "PIP_INDEX_URL",
    "npm_config_registry",
)


def setup_environment(host_env: Mapping[str, str], ca_mounted: bool) -> dict[str, str]:
    """Environment of a setup container: CA locations and the host's proxy/index settings."""
    env = {name: SETUP_CA_PATH for name in CA_ENV_NAMES} if ca_mounted else {}
    for name in PROXY_ENV_NAMES:
        value = host_env.get(name)
        if value and not value.startswith("file:"):  # host-local indexes mean nothing inside
            env[name] = value
    return env


def setup_key(image_id: str, setup: list[str], repo: Path) -> str:
    """Hash of the base image, the setup commands and the dependency files' content."""
    digest = hashlib.sha256()
    digest.update(image_id.encode())
    for command in setup:
        digest.update(b"\0cmd\0" + command.encode())
    for name in DEPENDENCY_FILES:
        path = repo / name
        if path.is_file():
            digest.update(b"\0file\0" + name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def derived_image(
    client: docker.DockerClient,
    base: str,
    setup: list[str],
    repo: Path,
    timeout_s: float,
    keep: int = 0,
) -> str:
    """The image `setup` builds on `base` (with network, once per dependency-file hash).

    After a build, `repo`'s derived images beyond the newest `keep` are removed (0: none).
    """
    import docker.errors
    import requests.exceptions

    from sandbox.prune import derived_labels, prune_after_build

    image_id = client.api.inspect_image(base)["Id"]
    tag = f"{DERIVED_REPO}:{setup_key(image_id, setup, repo)}"
    if _present(client, tag):
        return tag
    script = " && ".join(f"( {command} )" for command in setup)
    mounts = [_mount(repo, "/workspace")]
    ca_mounted = HOST_CA_BUNDLE.is_file()
    if ca_mounted:
        mounts.append(_mount(HOST_CA_BUNDLE, SETUP_CA_PATH))
    host_config = client.api.create_host_config(
        mounts=mounts, init=True, security_opt=["no-new-privileges"]
    )
    container = client.api.create_container(
        base,
        command=["/bin/sh", "-c", script],
        working_dir="/workspace",
        environment=setup_environment(os.environ, ca_mounted),
        labels={**owner_labels(), **derived_labels(repo)},  # the image keeps them
        host_config=host_config,
    )["Id"]
    try:
        client.api.start(container)
        try:
            code = client.api.wait(container, timeout=timeout_s)["StatusCode"]
        except requests.exceptions.RequestException as exc:
            raise SandboxError(
                f"setup commands did not finish within {timeout_s:.0f} s",
                "make setup faster or raise [sandbox] timeout_s",
            ) from exc
        if code != 0:
            tail = client.api.logs(container, tail=30).decode(errors="replace")
            raise SandboxError(
                f"setup commands failed (exit {code}):\n{tail}", "fix [sandbox] setup"
            )
        repository, _, tag_name = tag.partition(":")
        client.api.commit(container, repository=repository, tag=tag_name)
    finally:
        try:
            client.api.remove_container(container, force=True)
        except docker.errors.DockerException:
            pass
    prune_after_build(client, repo, keep)
    return tag


def _mount(source: Path, target: str):  # noqa: ANN202 - docker type imported lazily
    from docker.types import Mount

    return Mount(target=target, source=str(source), type="bind", read_only=True)
