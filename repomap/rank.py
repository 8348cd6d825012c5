"""Rank files for a message: personalised PageRank seeded by the message, fused with BM25."""

from __future__ import annotations

import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from repomap.arrays import flatten
from repomap.features import Features
from repomap.graph import SymbolGraph, build_graph, personalised_pagerank
from repomap.lexical import BM25, terms
from repomap.mentions import PathLookup, mentioned_files, mentioned_identifiers

SNAPSHOT_VERSION = 7
LEXICAL_SEEDS = 10
GRAPH_SHARE = 0.5
GLOBAL_SHARE = 0.01
MENTION_BONUS = 1.0
CHAT_BONUS = 10.0
TEST_FACTOR = 0.5
TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*$|_tests?\.[a-z]+$")


@lru_cache(maxsize=500_000)
def _is_test(path: str) -> bool:
    """Whether a path looks like a test file (cached: every rebuild asks for every path)."""
    return TEST_PATH.search(path) is not None


@dataclass(frozen=True)
class Ranking:
    """Files best first, each with its score, and the symbols the message named."""

    order: tuple[int, ...]
    scores: np.ndarray
    symbol_rank: np.ndarray
    named_symbols: frozenset[str]


class Ranker:
    """Everything ranking needs that depends only on the index: built once, reused per message."""

    def __init__(
        self,
        paths: tuple[str, ...],
        graph: SymbolGraph,
        bm25: BM25,
        global_rank: np.ndarray,
        is_test: np.ndarray | None = None,
    ) -> None:
        self.paths = paths
        self.graph = graph
        self.bm25 = bm25
        self.global_rank = global_rank
        top = float(global_rank.max()) if len(paths) else 1.0
        self.global_norm = global_rank / (top or 1.0)
        if is_test is None:
            is_test = np.fromiter(map(_is_test, paths), dtype=bool, count=len(paths))
        self.is_test = is_test

    @classmethod
    def build(cls, paths: tuple[str, ...], digests: Sequence[str], features: Features) -> Ranker:
        """Build the graph and the lexical index from the files' numbered tags."""
        rows = [features.rows[digest] for digest in digests]
        graph = build_graph(
            [r.defined for r in rows],
            [r.used for r in rows],
            [r.used_counts for r in rows],
            features.names.words,
        )
        path_rows = [features.path_rows(path) for path in paths]
        # Each file's words, then each file's path terms: BM25 adds up a document's postings
        # wherever they are, so the two need not be joined file by file.
        in_text = flatten([r.words for r in rows], [r.word_counts for r in rows])
        in_path = flatten([p[0] for p in path_rows], [p[1] for p in path_rows])
        documents, term_ids, counts = (
            np.concatenate([a, b]) for a, b in zip(in_text, in_path, strict=True)
        )
        bm25 = BM25(
            features.terms.words,
            documents.astype(np.int32),
            term_ids.astype(np.int32),
            counts,
            len(paths),
            id_of=features.terms.ids,
        )
        global_rank = personalised_pagerank(graph, {})[: len(paths)]
        return cls(paths, graph, bm25, global_rank)

    def to_bytes(self, features_state: bytes) -> bytes:
        """A snapshot that `from_bytes` loads far faster than `build` recomputes it.

        The ranker and the features state are pickled apart and each unpickled only when
        needed: a warm start needs the ranker, a start after edits only the features state.
        """
        g, b = self.graph, self.bm25
        ranker_state = (
            self.paths,
            (g.file_count, g.symbols, g.source, g.target, g.weight, g.dangling),
            b.state(),
            self.global_rank,
            self.is_test,
        )
        ranker_bytes = pickle.dumps(ranker_state, protocol=5)
        return pickle.dumps((SNAPSHOT_VERSION, ranker_bytes, features_state), protocol=5)

    @staticmethod
    def split_snapshot(data: bytes | memoryview) -> tuple[bytes, bytes] | None:
        """A snapshot's ranker part (for `from_bytes`) and features state, or None when another
        version wrote it."""
        state = pickle.loads(data)  # our own cache file under .git/, never repository content
        if not isinstance(state, tuple) or len(state) != 3 or state[0] != SNAPSHOT_VERSION:
            return None
        return state[1], state[2]

    @staticmethod
    def from_bytes(data: bytes) -> Ranker:
        """The ranker in a snapshot's ranker part."""
        paths, graph_state, bm25_state, global_rank, is_test = pickle.loads(data)
        return Ranker(paths, SymbolGraph(*graph_state), BM25(*bm25_state), global_rank, is_test)

    @cached_property
    def lookup(self) -> PathLookup:
        """Path tails and module names to file ids."""
        return PathLookup(self.paths)

    @cached_property
    def id_of(self) -> dict[str, int]:
        """Path to file id."""
        return {path: i for i, path in enumerate(self.paths)}

    def rank(
        self, query: str, chat_files: tuple[str, ...], extra_mentions: tuple[str, ...]
    ) -> Ranking:
        """Score every file for the message; deterministic for the same inputs."""
        file_count = len(self.paths)
        chat = sorted({self.id_of[p] for p in chat_files if p in self.id_of})
        mentioned = mentioned_files(query, self.lookup)
        for path in extra_mentions:
            hits = [self.id_of[path]] if path in self.id_of else self.lookup.resolve(path)
            for file_id in hits:
                mentioned[file_id] = mentioned.get(file_id, 0) + 1
        seeds: dict[int, float] = {}
        for file_id in [*chat, *sorted(mentioned)]:
            seeds[file_id] = seeds.get(file_id, 0.0) + 1.0
        named: set[str] = set()
        for name, weight in sorted(mentioned_identifiers(query).items()):
            node = self.graph.symbol_node(name)
            if node is not None:
                named.add(name)
                seeds[node] = seeds.get(node, 0.0) + weight
        lexical = self.bm25.scores(terms(query))
        top_lexical = float(lexical.max()) if file_count else 0.0
        if top_lexical > 0:
            lexical = lexical / top_lexical
            best = np.argsort(-lexical, kind="stable")[:LEXICAL_SEEDS]
            for file_id in best:
                if lexical[file_id] > 0:
                    seeds[int(file_id)] = seeds.get(int(file_id), 0.0) + float(lexical[file_id])
        node_rank = personalised_pagerank(self.graph, seeds)
        if seeds:
            graph_scores = node_rank[:file_count] / (float(node_rank[:file_count].max()) or 1.0)
        else:
            graph_scores = self.global_norm
        scores = (
            GRAPH_SHARE * graph_scores
            + (1.0 - GRAPH_SHARE) * lexical
            + GLOBAL_SHARE * self.global_norm
        )
        for file_id, count in mentioned.items():
            scores[file_id] += MENTION_BONUS + 0.1 * min(count, 5)
        for file_id in chat:
            scores[file_id] += CHAT_BONUS
        if "test" not in query.lower():
            scores = np.where(self.is_test, scores * TEST_FACTOR, scores)
        rounded = np.round(scores, 12)
        order = sorted(range(file_count), key=lambda i: (-rounded[i], self.paths[i]))
        return Ranking(tuple(order), scores, node_rank[file_count:], frozenset(named))
