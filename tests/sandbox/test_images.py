"""Image resolution and setup-derived images, on the real engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.images import BASE_IMAGE, SLIM_IMAGE, resolve_image, setup_environment, setup_key
from sandbox.protocol import RunRequest, RunStatus, Sandbox
from sandbox.settings import SandboxSettings

# Setup sees a network interface besides loopback; test runs see loopback only.
INTERFACES = "echo $(tail -n +3 /proc/net/dev | cut -d: -f1 | sort)"


def test_setup_key_follows_dependency_files(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("six\n")
    first = setup_key("sha256:abc", ["pip install -r requirements.txt"], tmp_path)
    assert first == setup_key("sha256:abc", ["pip install -r requirements.txt"], tmp_path)
    (tmp_path / "notes.md").write_text("not a dependency file\n")
    assert first == setup_key("sha256:abc", ["pip install -r requirements.txt"], tmp_path)
    (tmp_path / "requirements.txt").write_text("six==1.16.0\n")
    assert first != setup_key("sha256:abc", ["pip install -r requirements.txt"], tmp_path)
    assert first != setup_key("sha256:def", ["pip install -r requirements.txt"], tmp_path)


def test_setup_environment_passes_ca_and_proxies_only() -> None:
    host = {"HTTPS_PROXY": "http://proxy:3128", "PIP_INDEX_URL": "file:///opt/x", "AWS_KEY": "s"}
    env = setup_environment(host, ca_mounted=True)
    assert env["HTTPS_PROXY"] == "http://proxy:3128"
    assert env["PIP_CERT"] == env["SSL_CERT_FILE"]
    assert "PIP_INDEX_URL" not in env and "AWS_KEY" not in env


@pytest.mark.container
def test_resolution_falls_back_to_an_available_image(container_sandbox: Sandbox) -> None:
    client = container_sandbox.client  # type: ignore[attr-defined]
    assert resolve_image(client, None) in (SLIM_IMAGE, BASE_IMAGE)
    assert resolve_image(client, BASE_IMAGE) == BASE_IMAGE


@pytest.mark.container
@pytest.mark.slow
def test_setup_builds_once_with_network_and_tests_run_without(
    container_sandbox: Sandbox, repo: Path
) -> None:
    from sandbox.select import open_sandbox

    marker = f"built-{repo.name}-{id(repo)}"
    settings = SandboxSettings(
        backend="container",
        setup=[f"echo {marker} > /opt/hunkwise-marker", f"{INTERFACES} > /opt/setup-interfaces"],
    )
    (repo / "requirements.txt").write_text(f"# {marker}\n")
    request = RunRequest(
        argv=["sh", "-c", f"cat /opt/hunkwise-marker /opt/setup-interfaces; {INTERFACES}"],
        repo=repo,
    )
    with open_sandbox(settings) as sandbox:
        result = sandbox.run(request)
    assert result.status is RunStatus.PASSED, result.output
    built, setup_ifaces, run_ifaces = result.output.splitlines()
    assert built == marker
    assert setup_ifaces.split() != ["lo"] and "lo" in setup_ifaces.split()
    assert run_ifaces.split() == ["lo"]
    assert result.image and result.image.startswith("hunkwise-derived:")

    client = container_sandbox.client  # type: ignore[attr-defined]
    image_id = client.api.inspect_image(result.image)["Id"]
    with open_sandbox(settings) as sandbox:
        again = sandbox.run(request)
    assert again.image == result.image
    assert client.api.inspect_image(again.image)["Id"] == image_id  # cached, not rebuilt
    client.api.remove_image(result.image, force=True)
