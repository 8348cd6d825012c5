"""Remove derived images nobody needs: a repository's older builds, or every unused one."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.images import DERIVED_REPO

if TYPE_CHECKING:
    import docker

log = logging.getLogger(__name__)

# Set on the setup container, so the committed image carries them.
LABEL_REPO = "io.hunkwise.derived-repo"
LABEL_BUILT = "io.hunkwise.derived-built"
# How engines spell our repository: Docker keeps the short name, Podman qualifies it.
DERIVED_NAMES = frozenset(
    {DERIVED_REPO, f"docker.io/library/{DERIVED_REPO}", f"localhost/{DERIVED_REPO}"}
)


def repo_key(repo: Path) -> str:
    """The label value naming a repository: a hash of its resolved top path."""
    return hashlib.sha256(str(repo.resolve()).encode()).hexdigest()[:16]


def derived_labels(repo: Path) -> dict[str, str]:
    """Labels a derived image of `repo` is built with: which repository, and when."""
    return {LABEL_REPO: repo_key(repo), LABEL_BUILT: f"{time.time():.6f}"}


@dataclass(frozen=True)
class DerivedImage:
    """One hunkwise-derived image as the engine lists it."""

    image_id: str
    tags: tuple[str, ...]
    repo_key: str | None  # None: built before images recorded their repository
    built: float
    own_bytes: int  # what `setup` added on top of its base image
    in_use: bool  # a container, running or stopped, was created from it

    @property
    def name(self) -> str:
        """The image's name as hunkwise tags it (without the engine's registry prefix)."""
        return f"{DERIVED_REPO}:{self.tags[0].rpartition(':')[2]}"


@dataclass(frozen=True)
class PrunePlan:
    """Which derived images go, and which would go but a container still uses."""

    remove: tuple[DerivedImage, ...]
    in_use: tuple[DerivedImage, ...]
    kept: tuple[DerivedImage, ...]


@dataclass(frozen=True)
class PruneResult:
    """What a prune removed (or, in a dry run, would remove) and what it could not."""

    plan: PrunePlan
    removed: tuple[DerivedImage, ...]
    failed: tuple[tuple[DerivedImage, str], ...]
    dry_run: bool

    @property
    def freed_bytes(self) -> int:
        """Space the removed images' own layers took."""
        return sum(image.own_bytes for image in self.removed)


def _name(tag: str) -> str:
    """A tag without its `:version` (a registry's `host:port/` stays)."""
    head, sep, tail = tag.rpartition(":")
    return head if sep and "/" not in tail else tag


def _is_derived(tags: Iterable[str]) -> bool:
    """Tagged, and only with our repository's name: an image tagged anything else is not ours."""
    tags = list(tags)
    return bool(tags) and all(_name(tag) in DERIVED_NAMES for tag in tags)


def _built(labels: dict[str, str], created: Any) -> float:
    try:
        return float(labels[LABEL_BUILT])
    except (KeyError, ValueError):
        return float(created or 0)


def list_derived(client: docker.DockerClient) -> list[DerivedImage]:
    """Every hunkwise-derived image, newest first, with its own size and whether it is in use."""
    listed = client.api.images(all=True)
    sizes = {entry["Id"].removeprefix("sha256:"): int(entry.get("Size") or 0) for entry in listed}
    used: set[str] = set()
    for container in client.api.containers(all=True):
        for ref in (container.get("ImageID"), container.get("Image")):
            if ref:
                used.add(ref.removeprefix("sha256:"))
    images: list[DerivedImage] = []
    for entry in listed:
        tags = tuple(t for t in entry.get("RepoTags") or () if t != "<none>:<none>")
        if not _is_derived(tags):
            continue
        image_id = entry["Id"].removeprefix("sha256:")
        labels = entry.get("Labels") or {}
        size = int(entry.get("Size") or 0)
        parent = (entry.get("ParentId") or "").removeprefix("sha256:")
        own = size - sizes[parent] if parent in sizes and sizes[parent] <= size else size
        in_use = image_id in used or any(tag in used for tag in tags)
        images.append(
            DerivedImage(
                image_id=image_id,
                tags=tags,
                repo_key=labels.get(LABEL_REPO) or None,
                built=_built(labels, entry.get("Created")),
                own_bytes=own,
                in_use=in_use,
            )
        )
    images.sort(key=lambda image: (image.built, image.tags), reverse=True)
    return images


def plan_prune(images: list[DerivedImage], repo: str | None, keep: int) -> PrunePlan:
    """For `repo`, its images beyond the newest `keep`; for None, every derived image."""
    if repo is None:
        mine, kept = list(images), []
    else:
        mine = [image for image in images if image.repo_key == repo]
        mine.sort(key=lambda image: (image.built, image.tags), reverse=True)
        kept, mine = mine[:keep], mine[keep:]
    return PrunePlan(
        remove=tuple(image for image in mine if not image.in_use),
        in_use=tuple(image for image in mine if image.in_use),
        kept=tuple(kept),
    )


def prune_derived(
    client: docker.DockerClient, repo: str | None, keep: int, dry_run: bool = False
) -> PruneResult:
    """Remove what `plan_prune` picks; a removal the engine refuses is reported, not raised."""
    import docker.errors

    plan = plan_prune(list_derived(client), repo, keep)
    if dry_run:
        return PruneResult(plan=plan, removed=plan.remove, failed=(), dry_run=True)
    removed: list[DerivedImage] = []
    failed: list[tuple[DerivedImage, str]] = []
    for image in plan.remove:
        try:
            # By tag and without force: the engine refuses an image a container got meanwhile.
            for tag in image.tags:
                client.api.remove_image(tag)
        except docker.errors.NotFound:
            removed.append(image)  # someone else removed it first; it is gone all the same
        except docker.errors.APIError as exc:
            failed.append((image, str(exc.explanation or exc)))
        else:
            removed.append(image)
    return PruneResult(plan=plan, removed=tuple(removed), failed=tuple(failed), dry_run=False)


def prune_after_build(client: docker.DockerClient, repo: Path, keep: int) -> None:
    """Keep the newest `keep` derived images of `repo` (0: keep all); never raises."""
    if keep <= 0:
        return
    try:
        result = prune_derived(client, repo_key(repo), keep)
    except Exception as exc:  # noqa: BLE001 - pruning is housekeeping; the run goes on
        log.warning("could not prune old derived images: %s", exc)
        return
    if result.removed:
        log.info(
            "removed %d old derived image(s) of %s, %s freed",
            len(result.removed),
            repo,
            human_size(result.freed_bytes),
        )
    for image, reason in result.failed:
        log.info("kept derived image %s: %s", image.name, reason)


def human_size(count: int) -> str:
    """Bytes as a short decimal figure (kB, MB, GB, as the engines print them)."""
    if count < 1000:
        return f"{count} B"
    value = count / 1000
    for unit in ("kB", "MB"):
        if value < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"
