"""The RepoMap implementation: build the index once, then rank and render per message."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from repomap.cache import ParseCache, default_cache_dir, open_cache
from repomap.errors import RepoMapError
from repomap.extract import FileTags
from repomap.index import Index, build_index
from repomap.protocol import MapRequest, MapResult, Progress
from repomap.rank import Ranker
from repomap.render import Renderer
from repomap.settings import RepoMapSettings
from repomap.tokens import TokenCounter

SNAPSHOT_KEY = "ranker"
# Keeping every file's tags in memory makes incremental builds cheap; beyond this many files
# the memory matters more, and tags are read back from the cache per render instead.
MEMORY_FILE_LIMIT = 20_000


class TreeSitterRepoMap:
    """A tree-sitter repository map of one work tree (satisfies `repomap.protocol.RepoMap`)."""

    def __init__(self, repo: Path, settings: RepoMapSettings, model: str | None = None) -> None:
        if not repo.is_dir():
            raise RepoMapError(f"{repo} is not a directory", "pass --repo DIR of a git repository")
        self.repo = repo.resolve()
        self.settings = settings
        self.model = model
        self._lock = threading.Lock()
        self._cache_dir: Path | None = settings.cache_dir
        self._index: Index | None = None
        self._generation = ""
        self._ranker: Ranker | None = None
        self._renderer: Renderer | None = None
        self._plain: dict[str, tuple] = {}

    @property
    def cache_dir(self) -> Path:
        """Where the SQLite cache lives."""
        if self._cache_dir is None:
            self._cache_dir = default_cache_dir(self.repo)
        return self._cache_dir

    def build(self, progress: Progress | None = None) -> None:
        """Parse new and changed files into the cache; cheap when nothing changed."""
        with self._lock, open_cache(self.cache_dir) as cache:
            index = build_index(
                self.repo, cache, self.settings.max_file_bytes, self.settings.workers, progress
            )
            self._index = index
            generation = index.generation
            if self._ranker is not None and generation == self._generation:
                return
            self._plain.update(index.fresh)
            ranker = self._load_snapshot(cache, generation) if not index.fresh else None
            if ranker is None:
                plains = self._plain_tags(cache, index.digests)
                ranker = Ranker.build(index.paths, plains)
                cache.put_meta(SNAPSHOT_KEY, generation.encode() + ranker.to_bytes())
                cache.commit()
            if len(index.paths) > MEMORY_FILE_LIMIT:
                self._plain.clear()
            self._ranker = ranker
            self._generation = generation

    @property
    def index(self) -> Index | None:
        """What the last build found: mapped paths, blob ids, how many files it parsed."""
        return self._index

    def _load_snapshot(self, cache: ParseCache, generation: str) -> Ranker | None:
        data = cache.get_meta(SNAPSHOT_KEY)
        key = generation.encode()
        if data is None or not data.startswith(key):
            return None
        return Ranker.from_bytes(data[len(key) :])

    def _plain_tags(self, cache: ParseCache, digests: tuple[str, ...]) -> list[tuple]:
        missing = [d for d in set(digests) if d not in self._plain]
        if missing:
            self._plain.update((d, p) for d, p in cache.tags(missing).items() if p is not None)
        return [self._plain[d] for d in digests]

    def _tags_of(self, file_ids: list[int], cache: ParseCache) -> dict[int, FileTags]:
        """Tags of some files, from memory or the cache."""
        assert self._index is not None
        digests = self._index.digests
        needed = [digests[i] for i in file_ids if digests[i] not in self._plain]
        loaded: dict[str, tuple] = {}
        if needed:
            loaded = {d: p for d, p in cache.tags(needed).items() if p is not None}
            if len(self._index.paths) <= MEMORY_FILE_LIMIT:
                self._plain.update(loaded)
        result = {}
        for file_id in file_ids:
            plain = self._plain.get(digests[file_id]) or loaded.get(digests[file_id])
            if plain is not None:
                result[file_id] = FileTags.from_plain(plain)
        return result

    def render(self, request: MapRequest) -> MapResult:
        """Rank for `request` and render within `request.max_tokens` (never over)."""
        started = time.perf_counter()
        if self._ranker is None:
            self.build()
        index, ranker = self._index, self._ranker
        assert index is not None and ranker is not None
        if self._renderer is None:
            self._renderer = Renderer(TokenCounter(self.model))
        ranking = ranker.rank(request.query, request.chat_files, request.mentioned_files)
        with open_cache(self.cache_dir) as cache:
            text, tokens = self._renderer.render(
                ranking,
                index.paths,
                index.digests,
                lambda ids: self._tags_of(ids, cache),
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
