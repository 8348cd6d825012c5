"""The RepoMap implementation: build the index once, then rank and render per message."""

from __future__ import annotations

import time
from pathlib import Path

from repomap.cache import default_cache_dir, open_cache
from repomap.errors import RepoMapError
from repomap.index import Index, build_index
from repomap.protocol import MapRequest, MapResult, Progress
from repomap.rank import Ranker
from repomap.render import Renderer
from repomap.settings import RepoMapSettings
from repomap.tokens import TokenCounter


class TreeSitterRepoMap:
    """A tree-sitter repository map of one work tree (satisfies `repomap.protocol.RepoMap`)."""

    def __init__(self, repo: Path, settings: RepoMapSettings, model: str | None = None) -> None:
        if not repo.is_dir():
            raise RepoMapError(f"{repo} is not a directory", "pass --repo DIR of a git repository")
        self.repo = repo.resolve()
        self.settings = settings
        self.model = model
        self._index: Index | None = None
        self._ranker: Ranker | None = None
        self._renderer: Renderer | None = None

    def build(self, progress: Progress | None = None) -> None:
        """Parse new and changed files into the cache; cheap when nothing changed."""
        cache_dir = self.settings.cache_dir or default_cache_dir(self.repo)
        with open_cache(cache_dir) as cache:
            index = build_index(
                self.repo, cache, self.settings.max_file_bytes, self.settings.workers, progress
            )
        if self._index is None or index.generation != self._index.generation:
            self._index = index
            self._ranker = Ranker(index.paths, index.tags)

    @property
    def index(self) -> Index:
        """The parsed repository (builds it on first use)."""
        if self._index is None:
            self.build()
        assert self._index is not None
        return self._index

    def render(self, request: MapRequest) -> MapResult:
        """Rank for `request` and render within `request.max_tokens` (never over)."""
        started = time.perf_counter()
        index = self.index
        assert self._ranker is not None
        if self._renderer is None:
            self._renderer = Renderer(TokenCounter(self.model))
        ranking = self._ranker.rank(request.query, request.chat_files, request.mentioned_files)
        text, tokens = self._renderer.render(
            ranking.order,
            index.paths,
            index.digests,
            index.tags,
            self._ranker.graph,
            ranking.symbol_rank,
            ranking.named_symbols,
            max(request.max_tokens, 0),
            skip=frozenset(request.chat_files),
        )
        files = tuple(index.paths[i] for i in ranking.order)
        return MapResult(
            files=files, text=text, tokens=tokens, seconds=time.perf_counter() - started
        )
