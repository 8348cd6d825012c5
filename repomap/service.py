"""The RepoMap implementation: build the index once, then rank and render per message."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from hunkwise.gitrun import run_git
from repomap.background import run_detached, wait_detached
from repomap.cache import ParseCache, default_cache_dir, open_cache
from repomap.discovery import git_files
from repomap.errors import RepoMapError
from repomap.payload import shown
from repomap.protocol import MapRequest, MapResult, Progress
from repomap.settings import RepoMapSettings

# Parsing, ranking and rendering pull in numpy (~50 ms to import): `build` imports them while
# git lists the work tree in another process.
if TYPE_CHECKING:
    from repomap.extract import Definition
    from repomap.features import Features
    from repomap.index import Index
    from repomap.rank import Ranker
    from repomap.render import Renderer

GENERATION_CHARS = 40
SNAPSHOT_INTERVAL = 60.0
# From this many files on, the snapshot is written by a forked child (see `run_detached`).
DETACHED_SNAPSHOT_FILES = 1_000
# Rendering reads the definitions of the few top files; recent ones stay in memory.
TAGS_IN_MEMORY = 2_000
# (generation it was built for, ranker part, numbered tags as Features.state_bytes gives)
Snapshot = tuple[str, bytes, bytes]


class TreeSitterRepoMap:
    """A tree-sitter repository map of one work tree (satisfies `repomap.protocol.RepoMap`)."""

    def __init__(self, repo: Path, settings: RepoMapSettings, model: str | None = None) -> None:
        if not repo.is_dir():
            raise RepoMapError(f"{repo} is not a directory", "pass --repo DIR of a git repository")
        self.repo = _toplevel(repo.resolve())
        self.settings = settings
        self.model = model
        # Builds and renders may come from different threads (the app's workers, the agent).
        self._lock = threading.RLock()
        self._cache_dir: Path | None = settings.cache_dir
        self._index: Index | None = None
        self._generation = ""
        self._ranker: Ranker | None = None
        self._renderer: Renderer | None = None
        self._features: Features | None = None
        self._features_state: bytes | None = None
        self._snapshot_written = 0.0  # loaded, turned into Features when needed
        self._definitions: dict[str, tuple[Definition, ...]] = {}

    @property
    def cache_dir(self) -> Path:
        """Where the SQLite cache lives."""
        if self._cache_dir is None:
            self._cache_dir = default_cache_dir(self.repo)
        return self._cache_dir

    def build(self, progress: Progress | None = None) -> None:
        """Parse new and changed files into the cache; cheap when nothing changed."""
        with self._lock, ThreadPoolExecutor(1) as git:
            # git walks the work tree (tens of ms) while this thread imports and reads the snapshot.
            listing = git.submit(git_files, self.repo)

            def listed() -> list[str]:
                try:
                    return listing.result()
                finally:
                    git.shutdown(wait=True)  # its idle thread is gone before workers are forked

            self._build(listed, progress)

    def _build(self, listed: Callable[[], list[str]], progress: Progress | None) -> None:
        """`build` once git has been asked for the file list (`listed` waits for it)."""
        from repomap.features import Features
        from repomap.index import build_index

        with open_cache(self.cache_dir) as cache:
            first = self._features is None and self._features_state is None
            snapshot = self._load_snapshot(cache) if first else None
            # Number newly parsed files while later ones are still being parsed, whenever the
            # features they go into are already known (a live map, or a build from nothing).
            early = self._features
            if early is None and first and snapshot is None:
                early = Features()
            index = build_index(
                self.repo,
                cache,
                self.settings.max_file_bytes,
                self.settings.workers,
                progress,
                # A first build renders with the tokenizer: load it while workers parse.
                while_parsing=lambda: self._renderer_for_model().counter.load(),
                listed=listed,
                on_parsed=None if early is None else early.add_payloads,
            )
            self._index = index
            generation = index.generation
            if self._ranker is not None and generation == self._generation:
                return
            if not first:
                self._ranker = self._rebuild(cache, index)
            else:
                ranker = None
                if snapshot is not None and snapshot[0] == generation:
                    ranker = _stored_ranker(snapshot[1])
                self._features_state = snapshot[2] if snapshot is not None else None
                self._ranker = ranker if ranker is not None else self._rebuild(cache, index, early)
            self._generation = generation

    def _rebuild(self, cache: ParseCache, index: Index, started: Features | None = None) -> Ranker:
        """Number the files not seen before, rebuild the ranker, and store a snapshot.

        `started`: new features that files parsed by this build were already numbered into.
        """
        from repomap.features import Features
        from repomap.rank import Ranker

        features = self._features
        patching_live = features is not None
        if features is None:
            state = self._features_state
            if started is not None:
                features = started
            else:
                features = _stored_features(state) if state is not None else Features()
            self._features_state = None
        missing = [d for d in dict.fromkeys(index.digests) if d not in features.rows]
        stored = cache.payloads([d for d in missing if d not in index.fresh])
        features.add_payloads(
            (digest, payload)
            for digest in missing
            if (payload := index.fresh.get(digest) or stored.get(digest)) is not None
        )
        features.keep_only(index.digests)
        ranker = Ranker.build(index.paths, index.digests, features)
        # While the app edits files the map is rebuilt often; an older snapshot is still correct
        # to start from (a new process patches what changed since), so it is written at most
        # every SNAPSHOT_INTERVAL seconds from a live map.
        now = time.monotonic()
        if not patching_live or now - self._snapshot_written >= SNAPSHOT_INTERVAL:
            digests, generation = index.digests, index.generation

            def write() -> None:
                state = features.state_bytes(digests)
                cache.write_snapshot(generation.encode() + ranker.to_bytes(state))

            if len(digests) >= DETACHED_SNAPSHOT_FILES:
                # ~0.1 s on a large repository, which the caller need not wait for: a forked
                # child writes it while this process goes on to render.
                run_detached(write)
            else:
                write()
            self._snapshot_written = now
        self._features = features
        return ranker

    @property
    def index(self) -> Index | None:
        """What the last build found: mapped paths, blob ids, how many files it parsed."""
        return self._index

    def _load_snapshot(self, cache: ParseCache) -> Snapshot | None:
        """(generation, ranker part, features state) as last stored, for whatever generation."""
        from repomap.rank import Ranker

        wait_detached()  # a snapshot this process is still writing
        data = cache.read_snapshot()
        if data is None or len(data) < GENERATION_CHARS:
            return None
        try:
            parts = Ranker.split_snapshot(memoryview(data)[GENERATION_CHARS:])
        except Exception:  # noqa: BLE001 - a damaged snapshot is only a cache: rebuild it
            return None
        if parts is None:
            return None
        return data[:GENERATION_CHARS].decode(), parts[0], parts[1]

    def _definitions_of(
        self, file_ids: list[int], cache: ParseCache
    ) -> dict[int, tuple[Definition, ...]]:
        """Definitions of some files, from a small memory cache or the SQLite cache."""
        from repomap.extract import Definition

        assert self._index is not None
        digests = self._index.digests
        needed = [digests[i] for i in file_ids if digests[i] not in self._definitions]
        if needed:
            if len(self._definitions) > TAGS_IN_MEMORY:
                self._definitions.clear()
            for digest, payload in cache.payloads(needed).items():
                if payload is not None:
                    _, plain = shown(payload)
                    self._definitions[digest] = tuple(Definition(*d) for d in plain)
        return {
            i: self._definitions[digests[i]] for i in file_ids if digests[i] in self._definitions
        }

    def _renderer_for_model(self) -> Renderer:
        from repomap.render import Renderer
        from repomap.tokens import TokenCounter

        if self._renderer is None:
            self._renderer = Renderer(TokenCounter(self.model))
        return self._renderer

    def render(self, request: MapRequest) -> MapResult:
        """Rank for `request` and render within `request.max_tokens` (never over)."""
        with self._lock:
            return self._render(request)

    def _render(self, request: MapRequest) -> MapResult:
        started = time.perf_counter()
        if self._ranker is None:
            self.build()
        index, ranker = self._index, self._ranker
        assert index is not None and ranker is not None
        renderer = self._renderer_for_model()
        ranking = ranker.rank(request.query, request.chat_files, request.mentioned_files)
        with open_cache(self.cache_dir) as cache:
            text, tokens = renderer.render(
                ranking,
                index.paths,
                index.digests,
                lambda ids: self._definitions_of(ids, cache),
                ranker.graph,
                max(request.max_tokens, 0),
                skip=frozenset(request.chat_files),
                store=cache,
            )
            cache.commit()
        files = tuple(index.paths[i] for i in ranking.order)
        return MapResult(
            files=files, text=text, tokens=tokens, seconds=time.perf_counter() - started
        )


def _stored_ranker(data: bytes) -> Ranker | None:
    """The ranker in a snapshot, or None when that part is damaged."""
    from repomap.rank import Ranker

    try:
        return Ranker.from_bytes(data)
    except Exception:  # noqa: BLE001 - a damaged snapshot is only a cache: rebuild it
        return None


def _stored_features(data: bytes) -> Features:
    """The features state in a snapshot, or empty features when that part is damaged."""
    from repomap.features import Features

    try:
        return Features.from_state_bytes(data)
    except Exception:  # noqa: BLE001 - a damaged snapshot is only a cache: rebuild it
        return Features()


def _toplevel(path: Path) -> Path:
    """The work tree's top directory, so a map opened in a subdirectory covers the repository."""
    if (path / ".git").exists():
        return path
    try:
        completed = run_git(["rev-parse", "--show-toplevel"], path)
    except FileNotFoundError:
        return path  # no git: discovery reports it with a hint
    if completed.returncode != 0:
        return path  # not a repository: discovery reports it with a hint
    return Path(os.fsdecode(completed.stdout.strip()))
