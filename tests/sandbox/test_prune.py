"""Derived images do not pile up: pruning after a build, and `hunkwise sandbox prune`."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.engine import owner_labels
from sandbox.images import derived_image
from sandbox.protocol import Sandbox
from sandbox.prune import (
    DerivedImage,
    list_derived,
    plan_prune,
    prune_after_build,
    prune_derived,
    repo_key,
)
from tests.gitrepo import git

ROOT = Path(__file__).resolve().parents[2]


def hunkwise(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hunkwise", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", **env},
        timeout=120,
    )


def image(name: str, repo: str | None, built: float, in_use: bool = False) -> DerivedImage:
    return DerivedImage(
        image_id=name, tags=(f"hunkwise-derived:{name}",), repo_key=repo, built=built,
        own_bytes=1000, in_use=in_use,
    )  # fmt: skip


def test_plan_keeps_the_newest_of_one_repository_and_what_is_in_use() -> None:
    images = [
        image("a4", "a", 4),
        image("b1", "b", 5),
        image("a3", "a", 3),
        image("a2", "a", 2, in_use=True),
        image("a1", "a", 1),
        image("old", None, 0),
    ]
    plan = plan_prune(images, "a", keep=2)
    assert [i.image_id for i in plan.kept] == ["a4", "a3"]
    assert [i.image_id for i in plan.remove] == ["a1"]
    assert [i.image_id for i in plan.in_use] == ["a2"]
    everything = plan_prune(images, None, keep=2)
    assert [i.image_id for i in everything.remove] == ["a4", "b1", "a3", "a1", "old"]


def test_a_failing_prune_never_fails_the_build(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import docker

    dead = docker.DockerClient(base_url=f"unix://{tmp_path}/no-engine.sock", version="1.41")
    with caplog.at_level(logging.WARNING, logger="sandbox.prune"):
        prune_after_build(dead, tmp_path, keep=3)
    assert "could not prune old derived images" in caplog.text


def test_prune_without_an_engine_is_an_error_with_a_hint(repo: Path) -> None:
    out = hunkwise(
        "sandbox", "prune", "--repo", str(repo), DOCKER_HOST=f"unix://{repo}/no-engine.sock"
    )
    assert out.returncode == 2, out.stdout + out.stderr
    assert "hunkwise: error: container engine at" in out.stderr
    assert "hint: run scripts/container-engine" in out.stderr


class Images:
    """Builds derived images on the real engine and removes every one it made afterwards."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.client = sandbox.client  # type: ignore[attr-defined]
        self.base: str = sandbox.image  # type: ignore[attr-defined]
        self.tags: list[str] = []
        self.containers: list[str] = []

    def build(self, repo: Path, keep: int = 0) -> str:
        """A derived image of `repo` with a trivial setup and fresh dependency-file content."""
        (repo / "requirements.txt").write_text(f"# {uuid.uuid4()}\n")
        tag = derived_image(self.client, self.base, ["true"], repo, 60.0, keep=keep)
        self.tags.append(tag)
        return tag

    def commit(self, name: str) -> str:
        """An image committed from the base with owner labels only, as older hunkwise built."""
        container = self.client.api.create_container(
            self.base, command=["true"], labels=owner_labels()
        )["Id"]
        try:
            repository, _, tag = name.partition(":")
            self.client.api.commit(container, repository=repository, tag=tag)
        finally:
            self.client.api.remove_container(container, force=True)
        self.tags.append(name)
        return name

    def use(self, tag: str) -> str:
        """A stopped container created from `tag`."""
        container = self.client.api.create_container(tag, command=["true"], labels=owner_labels())[
            "Id"
        ]
        self.containers.append(container)
        return container

    def present(self, tag: str) -> bool:
        import docker.errors

        try:
            self.client.api.inspect_image(tag)
            return True
        except docker.errors.ImageNotFound:
            return False

    def clean(self) -> None:
        import docker.errors

        for container in self.containers:
            try:
                self.client.api.remove_container(container, force=True)
            except docker.errors.NotFound:
                pass
        for tag in self.tags:
            try:
                self.client.api.remove_image(tag, force=True)
            except docker.errors.NotFound:
                pass


@pytest.fixture
def images(container_sandbox: Sandbox) -> Iterator[Images]:
    made = Images(container_sandbox)
    try:
        yield made
    finally:
        made.clean()


@pytest.fixture
def other_repo(tmp_path: Path) -> Path:
    root = tmp_path / "other"
    root.mkdir()
    git(root, "init", "-q")
    return root


@pytest.mark.container
def test_a_fourth_build_leaves_the_newest_three_and_other_repositories_alone(
    images: Images, repo: Path, other_repo: Path
) -> None:
    theirs = images.build(other_repo)
    first, *rest = [images.build(repo, keep=3) for _ in range(4)]
    assert not images.present(first)
    assert all(images.present(tag) for tag in rest)
    assert images.present(theirs)
    mine = [i.name for i in list_derived(images.client) if i.repo_key == repo_key(repo)]
    assert mine == rest[::-1]


@pytest.mark.container
def test_an_image_a_container_uses_is_kept(images: Images, repo: Path) -> None:
    used = images.build(repo)
    images.use(used)
    middle = images.build(repo)
    plan = prune_derived(images.client, repo_key(repo), keep=1, dry_run=True).plan
    assert [i.name for i in plan.in_use] == [used]
    newest = images.build(repo, keep=1)
    assert images.present(used) and images.present(newest)
    assert not images.present(middle)


@pytest.mark.container
def test_prune_dry_run_lists_and_keeps_then_prune_removes(images: Images, repo: Path) -> None:
    oldest, middle, newest = (images.build(repo) for _ in range(3))
    dry = hunkwise("sandbox", "prune", "--repo", str(repo), "--keep", "1", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    listed = [
        line.split()[2] for line in dry.stdout.splitlines() if line.startswith("would remove")
    ]
    assert listed == [middle, oldest]
    assert "would free about" in dry.stdout
    assert all(images.present(tag) for tag in (oldest, middle, newest))

    real = hunkwise("sandbox", "prune", "--repo", str(repo), "--keep", "1")
    assert real.returncode == 0, real.stdout + real.stderr
    assert real.stdout.count("removed  ") == 2 and "freed " in real.stdout
    assert not images.present(oldest) and not images.present(middle)
    assert images.present(newest)


@pytest.mark.container
def test_prune_all_clears_unlabelled_derived_images_only(images: Images, repo: Path) -> None:
    suffix = uuid.uuid4().hex[:12]
    unlabelled = [images.commit(f"hunkwise-derived:old{n}-{suffix}") for n in (1, 2)]
    foreign = images.commit(f"hunkwise-prune-test:{suffix}")
    # The engine is shared: derived images this test did not make are in use while it runs.
    for other in list_derived(images.client):
        if not any(tag.endswith(suffix) for tag in other.tags) and not other.in_use:
            images.use(other.image_id)

    scoped = hunkwise("sandbox", "prune", "--repo", str(repo), "--keep", "0")
    assert scoped.returncode == 0, scoped.stdout + scoped.stderr
    assert all(images.present(tag) for tag in unlabelled)

    everything = hunkwise("sandbox", "prune", "--all")
    assert everything.returncode == 0, everything.stdout + everything.stderr
    assert not any(images.present(tag) for tag in unlabelled)
    assert images.present(foreign)
    assert "freed " in everything.stdout
