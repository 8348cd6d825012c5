"""Bad input gets a clear SandboxError with a hint, quickly, and never a hang."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from sandbox.errors import SandboxError
from sandbox.protocol import RunRequest, Sandbox
from sandbox.select import open_sandbox
from sandbox.settings import SandboxSettings
from sandbox.testing import run_tests


def test_no_engine_fails_fast_with_hint(tmp_path: Path) -> None:
    settings = SandboxSettings(backend="container", docker_host=f"unix://{tmp_path}/none.sock")
    start = time.monotonic()
    with pytest.raises(SandboxError) as info:
        with open_sandbox(settings):
            pass
    assert time.monotonic() - start < 10
    assert "does not answer" in info.value.message
    assert "scripts/container-engine" in info.value.hint


def test_silent_socket_does_not_hang(tmp_path: Path) -> None:
    """A socket that accepts but never answers (a wedged engine) fails within seconds."""
    path = tmp_path / "silent.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen(1)
        start = time.monotonic()
        with pytest.raises(SandboxError):
            with open_sandbox(SandboxSettings(backend="container", docker_host=f"unix://{path}")):
                pass
        assert time.monotonic() - start < 15


@pytest.mark.bwrap
def test_auto_falls_back_to_bwrap_without_engine(tmp_path: Path, bwrap_sandbox: Sandbox) -> None:
    settings = SandboxSettings(docker_host=f"unix://{tmp_path}/none.sock")
    with open_sandbox(settings) as sandbox:
        assert sandbox.name.value == "bwrap"


@pytest.mark.container
def test_missing_image_is_a_clear_error(container_sandbox: Sandbox) -> None:
    settings = SandboxSettings(backend="container", image="hunkwise-no-such-image:never")
    start = time.monotonic()
    with pytest.raises(SandboxError) as info:
        with open_sandbox(settings):
            pass
    assert time.monotonic() - start < 30
    assert "hunkwise-no-such-image:never" in info.value.message
    assert "pull" in info.value.hint


def test_local_backend_needs_explicit_opt_in() -> None:
    with pytest.raises(SandboxError) as info:
        with open_sandbox(SandboxSettings(backend="local")):
            pass
    assert "allow_local" in info.value.hint


def test_local_backend_warns_when_allowed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open_sandbox(SandboxSettings(backend="local", allow_local=True)) as sandbox:
        result = sandbox.run(RunRequest(argv=["sh", "-c", "echo local"], repo=repo))
    assert "WITHOUT isolation" in capsys.readouterr().err
    assert result.output == "local\n"


@pytest.mark.bwrap
@pytest.mark.parametrize("which", ["missing", "not-a-repo"])
def test_bad_repo_paths(tmp_path: Path, bwrap_sandbox: Sandbox, which: str) -> None:
    path = tmp_path / "nope" if which == "missing" else tmp_path
    with pytest.raises(SandboxError) as info:
        run_tests(bwrap_sandbox, path, {}, SandboxSettings())
    assert info.value.hint
    assert ("does not exist" if which == "missing" else "not a git repository") in str(info.value)


@pytest.mark.bwrap
def test_unknown_test_command(tmp_path: Path, bwrap_sandbox: Sandbox) -> None:
    from tests.gitrepo import git

    git(tmp_path, "init", "-q")
    (tmp_path / "notes.txt").write_text("no tests here\n")
    with pytest.raises(SandboxError, match="no test command found"):
        run_tests(bwrap_sandbox, tmp_path, {}, SandboxSettings())
