"""Fixtures: real git repositories, a real bubblewrap, a real container engine (or a skip)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from sandbox.errors import SandboxError
from sandbox.protocol import Limits, RunRequest, RunResult, Sandbox
from sandbox.settings import SandboxSettings
from tests.gitrepo import git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A committed git repo with one passing test, an ignored file and an untracked file."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    (root / "test_ok.py").write_text("def test_ok():\n    assert 1 + 1 == 2\n")
    (root / ".gitignore").write_text("ignored.txt\n")
    (root / "ignored.txt").write_text("never copied\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "init")
    (root / "untracked.txt").write_text("copied\n")
    return root


def _unavailable(required_by: str, reason: str, exc: SandboxError) -> NoReturn:
    """Skip with the reason, or fail where scripts/test set the backend up (CI must run it)."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{reason} although {required_by}=1 (hint: {exc.hint})")
    pytest.skip(f"{reason} (hint: {exc.hint})")


@pytest.fixture(scope="session")
def container_sandbox() -> Iterator[Sandbox]:
    """The container backend on the real engine; skips with the reason when there is none."""
    from sandbox.container import ContainerSandbox

    try:
        with ContainerSandbox.open(SandboxSettings(backend="container")) as sandbox:
            yield sandbox
    except SandboxError as exc:
        _unavailable("HUNKWISE_REQUIRE_ENGINE", f"no container engine/image: {exc.message}", exc)


@pytest.fixture(scope="session")
def warm_sandbox() -> Iterator[Sandbox]:
    """The reused-container backend (one container, runs exec'ed into it); skips without one."""
    from sandbox.warm import ReusedContainerSandbox

    try:
        with ReusedContainerSandbox.open(SandboxSettings(backend="container")) as sandbox:
            yield sandbox
    except SandboxError as exc:
        _unavailable("HUNKWISE_REQUIRE_ENGINE", f"no container engine/image: {exc.message}", exc)


@pytest.fixture(scope="session")
def bwrap_sandbox() -> Sandbox:
    """The bubblewrap backend; skips with the reason when bwrap is missing."""
    from sandbox.bwrap import BwrapSandbox

    try:
        return BwrapSandbox()
    except SandboxError as exc:
        _unavailable("HUNKWISE_REQUIRE_BWRAP", f"no usable bubblewrap: {exc.message}", exc)


ISOLATED = [
    pytest.param("container", marks=pytest.mark.container, id="container-fresh"),
    pytest.param("warm", marks=pytest.mark.container, id="container-reused"),
    pytest.param("bwrap", marks=pytest.mark.bwrap, id="bwrap"),
]


@pytest.fixture(params=ISOLATED)
def isolated(request: pytest.FixtureRequest) -> Sandbox:
    """Each isolated backend in turn."""
    return request.getfixturevalue(f"{request.param}_sandbox")


def run_py(sandbox: Sandbox, repo: Path, code: str, *args: str, **limits: float) -> RunResult:
    """Run a Python snippet with python3 inside `sandbox` on a copy of `repo`."""
    request = RunRequest(
        argv=["python3", "-c", code, *args],
        repo=repo,
        limits=Limits(**{"timeout_s": 60.0, **limits}),
    )
    return sandbox.run(request)
