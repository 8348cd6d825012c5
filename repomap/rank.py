"""Rank files for a message: personalised PageRank seeded by the message, fused with BM25."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from repomap.extract import FileTags
from repomap.graph import SymbolGraph, build_graph, personalised_pagerank
from repomap.lexical import BM25, path_terms, terms
from repomap.mentions import PathLookup, mentioned_files, mentioned_identifiers

PATH_TERM_WEIGHT = 3
LEXICAL_SEEDS = 10
TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*$|_tests?\.[a-z]+$")


@dataclass(frozen=True)
class Ranking:
    """Files best first, each with its score, and the symbols the message named."""

    order: tuple[int, ...]
    scores: np.ndarray
    symbol_rank: np.ndarray
    named_symbols: frozenset[str]


class Ranker:
    """Everything ranking needs that depends only on the index, built once and reused."""

    def __init__(self, paths: tuple[str, ...], tags: tuple[FileTags, ...]) -> None:
        self.paths = paths
        self.tags = tags
        self.graph: SymbolGraph = build_graph(tags)
        self.lookup = PathLookup(paths)
        documents = []
        for path, file_tags in zip(paths, tags, strict=True):
            words = Counter(dict(file_tags.words))
            for term in path_terms(path):
                words[term] += PATH_TERM_WEIGHT
            documents.append(words)
        self.bm25 = BM25(documents)
        self.global_rank = personalised_pagerank(self.graph, {})[: len(paths)]
        top = self.global_rank.max() if len(paths) else 1.0
        self.global_norm = self.global_rank / (top or 1.0)
        self.is_test = np.array([bool(TEST_PATH.search(p)) for p in paths], dtype=bool)

    def rank(
        self, query: str, chat_files: tuple[str, ...], extra_mentions: tuple[str, ...]
    ) -> Ranking:
        """Score every file for the message; deterministic for the same inputs."""
        file_count = len(self.paths)
        id_of = {path: i for i, path in enumerate(self.paths)}
        chat = {id_of[p] for p in chat_files if p in id_of}
        mentioned = mentioned_files(query, self.lookup)
        for path in extra_mentions:
            for file_id in self.lookup.resolve(path) if path not in id_of else [id_of[path]]:
                mentioned[file_id] = mentioned.get(file_id, 0) + 1
        identifiers = mentioned_identifiers(query)
        lexical = self.bm25.scores(terms(query))
        seeds: dict[int, float] = {}
        for file_id in chat:
            seeds[file_id] = seeds.get(file_id, 0.0) + 1.0
        for file_id in mentioned:
            seeds[file_id] = seeds.get(file_id, 0.0) + 1.0
        named: set[str] = set()
        for name, weight in identifiers.items():
            node = self.graph.symbol_node(name)
            if node is not None:
                named.add(name)
                seeds[node] = seeds.get(node, 0.0) + weight
        lexical_scores = np.zeros(file_count)
        if lexical:
            for file_id, score in lexical.items():
                lexical_scores[file_id] = score
            lexical_scores /= lexical_scores.max()
            best = sorted(lexical.items(), key=lambda item: (-item[1], item[0]))[:LEXICAL_SEEDS]
            for file_id, _ in best:
                seeds[file_id] = seeds.get(file_id, 0.0) + lexical_scores[file_id]
        node_rank = personalised_pagerank(self.graph, seeds)
        graph_scores = node_rank[:file_count].copy()
        if seeds:
            top = graph_scores.max()
            graph_scores = graph_scores / (top or 1.0)
        else:
            graph_scores = self.global_norm.copy()
        scores = 0.5 * graph_scores + 0.5 * lexical_scores + 0.01 * self.global_norm
        for file_id, count in mentioned.items():
            scores[file_id] += 1.0 + 0.1 * min(count, 5)
        for file_id in chat:
            scores[file_id] += 10.0
        if "test" not in query.lower():
            scores = np.where(self.is_test, scores * 0.5, scores)
        rounded = np.round(scores, 12)
        order = sorted(range(file_count), key=lambda i: (-rounded[i], self.paths[i]))
        return Ranking(tuple(order), scores, node_rank[file_count:], frozenset(named))
