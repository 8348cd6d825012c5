"""Turn a ranking into map text: signatures with their enclosing context, within a token budget."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from repomap.extract import Definition
from repomap.graph import SymbolGraph
from repomap.rank import Ranking
from repomap.tokens import CountStore, TokenCounter

DEFINITIONS_PER_FILE = 8
SHORT_DEFINITIONS = 3
LOAD_BATCH = 32
GAP = "⋮"
BAR = "│"
KIND_PRIORITY = {"class": 3, "interface": 3, "module": 2, "function": 2, "method": 2}


def _chosen(
    definitions: Sequence[Definition],
    graph: SymbolGraph,
    symbol_rank: np.ndarray,
    named: frozenset[str],
    limit: int,
) -> tuple[int, ...]:
    """Indexes of the definitions worth showing, with their enclosing definitions, in line order."""

    def importance(index: int) -> tuple:
        definition = definitions[index]
        node = graph.symbol_node(definition.name)
        rank = float(symbol_rank[node - graph.file_count]) if node is not None else 0.0
        return (
            definition.name in named,
            not definition.name.startswith("_"),
            round(rank, 12),
            KIND_PRIORITY.get(definition.kind, 1),
            -index,
        )

    best = sorted(range(len(definitions)), key=importance, reverse=True)[:limit]
    picked: set[int] = set()
    for index in best:
        while index >= 0 and index not in picked:
            picked.add(index)
            index = definitions[index].parent
    return tuple(sorted(picked, key=lambda i: (definitions[i].line, i)))


def fragment(path: str, definitions: Sequence[Definition], chosen: tuple[int, ...]) -> str:
    """The map text of one file: its path, then the chosen signatures; gaps shown as ⋮."""
    lines = [f"{path}:"]
    last_line = -1
    for index in chosen:
        definition = definitions[index]
        if last_line >= 0 and definition.line > last_line + 1:
            lines.append(GAP)
        signature = definition.signature.split("\n")
        lines.extend(f"{BAR}{text}" for text in signature)
        last_line = definition.line + len(signature) - 1
    if chosen:
        lines.append(GAP)
    return "\n".join(lines) + "\n"


class Renderer:
    """Fits ranked files into a budget, caching each file's fragment text."""

    def __init__(self, counter: TokenCounter) -> None:
        self.counter = counter
        self._fragments: dict[tuple[str, str, tuple[int, ...]], str] = {}

    def _fragment(
        self, path: str, digest: str, definitions: Sequence[Definition], chosen: tuple[int, ...]
    ) -> str:
        key = (path, digest, chosen)
        text = self._fragments.get(key)
        if text is None:
            if len(self._fragments) > 20_000:
                self._fragments.clear()
            text = fragment(path, definitions, chosen)
            self._fragments[key] = text
        return text

    def render(
        self,
        ranking: Ranking,
        paths: Sequence[str],
        digests: Sequence[str],
        definitions_of: Callable[[list[int]], dict[int, tuple[Definition, ...]]],
        graph: SymbolGraph,
        max_tokens: int,
        skip: frozenset[str] = frozenset(),
        store: CountStore | None = None,
    ) -> tuple[str, int]:
        """The map text and its token count; the count never exceeds `max_tokens`."""
        pieces: list[str] = []
        used = 0
        order = [i for i in ranking.order if paths[i] not in skip]
        loaded: dict[int, tuple[Definition, ...]] = {}
        for position, file_id in enumerate(order):
            if file_id not in loaded:
                loaded.update(definitions_of(order[position : position + LOAD_BATCH]))
            definitions = loaded.get(file_id, ())
            placed = False
            for limit in (DEFINITIONS_PER_FILE, SHORT_DEFINITIONS, 0):
                chosen: tuple[int, ...] = ()
                if limit and definitions:
                    chosen = _chosen(
                        definitions, graph, ranking.symbol_rank, ranking.named_symbols, limit
                    )
                text = self._fragment(paths[file_id], digests[file_id], definitions, chosen)
                cost = self.counter.count(text, store)
                if used + cost <= max_tokens:
                    pieces.append(text)
                    used += cost
                    placed = True
                    break
            if not placed:
                break
        text = "".join(pieces)
        if self.counter.additive:
            return text, used
        # Fragment counts only estimate the whole here: count the joined text, trim if needed.
        total = self.counter.count(text)
        while pieces and total > max_tokens:
            pieces.pop()
            text = "".join(pieces)
            total = self.counter.count(text)
        return text, total
