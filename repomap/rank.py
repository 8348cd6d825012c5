"""Rank files for a message: personalised PageRank seeded by the message, fused with BM25."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from repomap import datafile
from repomap.arrays import flatten
from repomap.features import Features
from repomap.graph import SymbolGraph, build_graph, personalised_pagerank
from repomap.lexical import BM25, terms
from repomap.mentions import PathLookup, mentioned_files, mentioned_identifiers

SNAPSHOT_VERSION = 8
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

        A data-only file (`repomap.datafile`: the file sits in .git/, which a repository handed
        to us may have planted, so loading it must never run code). The ranker and the features
        state are stored apart and each decoded only when needed: a warm start needs the
        ranker, a start after edits only the features state.
        """
        g, b = self.graph, self.bm25
        spelling, documents, term_ids, counts, size = b.state()
        ranker_bytes = datafile.pack(
            {
                "paths": self.paths,
                "file_count": g.file_count,
                "symbols": g.symbols,
                "source": g.source,
                "target": g.target,
                "weight": g.weight,
                "dangling": g.dangling,
                "spelling": spelling,
                "documents": documents,
                "term_ids": term_ids,
                "counts": counts,
                "size": size,
                "global_rank": self.global_rank,
                "is_test": self.is_test,
            }
        )
        return datafile.pack(
            {"version": SNAPSHOT_VERSION, "ranker": ranker_bytes, "features": features_state}
        )

    @staticmethod
    def split_snapshot(data: bytes | memoryview) -> tuple[bytes, bytes] | None:
        """A snapshot's ranker part (for `from_bytes`) and features state, or None when another
        version wrote it; DataFileError when it is damaged or not a snapshot at all."""
        fields = datafile.unpack(data)
        if fields.get("version") != SNAPSHOT_VERSION:
            return None
        return datafile.raw_bytes(fields, "ranker"), datafile.raw_bytes(fields, "features")

    @staticmethod
    def from_bytes(data: bytes) -> Ranker:
        """The ranker in a snapshot's ranker part; DataFileError when it is damaged."""
        fields = datafile.unpack(bytearray(data))  # a private, writable copy of the arrays
        arrays = {
            name: datafile.array(fields, name)
            for name in (
                "source",
                "target",
                "weight",
                "dangling",
                "documents",
                "term_ids",
                "counts",
                "global_rank",
                "is_test",
            )
        }
        paths = tuple(datafile.strings(fields, "paths"))
        graph = SymbolGraph(
            datafile.integer(fields, "file_count"),
            tuple(datafile.strings(fields, "symbols")),
            arrays["source"],
            arrays["target"],
            arrays["weight"],
            arrays["dangling"],
        )
        bm25 = BM25(
            datafile.strings(fields, "spelling"),
            arrays["documents"],
            arrays["term_ids"],
            arrays["counts"],
            datafile.integer(fields, "size"),
        )
        _check_ranker(paths, graph, bm25, arrays["global_rank"], arrays["is_test"])
        return Ranker(paths, graph, bm25, arrays["global_rank"], arrays["is_test"])

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


def _check_ranker(
    paths: tuple[str, ...],
    graph: SymbolGraph,
    bm25: BM25,
    global_rank: np.ndarray,
    is_test: np.ndarray,
) -> None:
    """DataFileError unless the stored arrays fit together (indices in range, lengths equal)."""
    nodes = graph.node_count
    edges = len(graph.source)
    fits = (
        graph.file_count == len(paths) == bm25.size == len(is_test)
        and len(global_rank) == len(paths)
        and len(graph.target) == len(graph.weight) == edges
        and len(graph.dangling) == nodes
        and len(bm25.term_ids) == len(bm25.counts) == len(bm25.documents)
        and (
            edges == 0
            or (
                0 <= min(graph.source.min(), graph.target.min())
                and max(graph.source.max(), graph.target.max()) < nodes
            )
        )
        and (
            len(bm25.documents) == 0
            or (
                0 <= bm25.documents.min()
                and bm25.documents.max() < len(paths)
                and 0 <= bm25.term_ids.min()
                and bm25.term_ids.max() < len(bm25.spelling)
            )
        )
    )
    if not fits:
        raise datafile.DataFileError("the ranker's arrays do not fit together")
