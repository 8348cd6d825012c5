"""A file-and-symbol graph that grows linearly with the repository, and personalised PageRank."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

DAMPING = 0.85
MAX_ITERATIONS = 60
TOLERANCE = 1e-7
PRIVATE_WEIGHT = 0.1


@dataclass(frozen=True)
class SymbolGraph:
    """Files are nodes 0..F-1 and symbols F..F+S-1; edges file->symbol (uses), symbol->file."""

    file_count: int
    symbols: tuple[str, ...]  # sorted, so node ids are deterministic
    source: np.ndarray  # int32 edge tails
    target: np.ndarray  # int32 edge heads
    weight: np.ndarray  # float64, each node's out-weights sum to 1
    dangling: np.ndarray  # bool per node: no out-edges

    @property
    def node_count(self) -> int:
        """Files plus symbols."""
        return self.file_count + len(self.symbols)

    def symbol_node(self, name: str) -> int | None:
        """The node id of a symbol, or None when no file defines it."""
        index = _bisect(self.symbols, name)
        return None if index is None else self.file_count + index


def _bisect(items: Sequence[str], name: str) -> int | None:
    low, high = 0, len(items)
    while low < high:
        middle = (low + high) // 2
        if items[middle] < name:
            low = middle + 1
        else:
            high = middle
    return low if low < len(items) and items[low] == name else None


def build_graph(
    defined: Sequence[Iterable[str]], references: Sequence[Sequence[tuple[str, int]]]
) -> SymbolGraph:
    """One edge per (file, symbol it uses) and per (symbol, file defining it): no pair blow-up.

    `defined[i]` are the names file i defines, `references[i]` its (name, count) uses.
    """
    file_count = len(defined)
    definers: dict[str, list[int]] = {}
    for file_id, names in enumerate(defined):
        for name in sorted(set(names)):
            definers.setdefault(name, []).append(file_id)
    symbols = tuple(sorted(definers))
    symbol_id = {name: file_count + i for i, name in enumerate(symbols)}
    definer_counts = np.array([len(definers[name]) for name in symbols], dtype=np.float64)
    only_definer = np.array(
        [files[0] if len(files) == 1 else -1 for files in (definers[n] for n in symbols)],
        dtype=np.int64,
    )
    # Uses, flattened: (file, symbol node, count) for names some file defines.
    use_files: list[int] = []
    use_nodes: list[int] = []
    use_counts: list[int] = []
    for file_id, uses in enumerate(references):
        known = [(symbol_id[name], count) for name, count in uses if name in symbol_id]
        use_files.extend([file_id] * len(known))
        use_nodes.extend(node for node, _ in known)
        use_counts.extend(count for _, count in known)
    use_file = np.asarray(use_files, dtype=np.int64)
    use_node = np.asarray(use_nodes, dtype=np.int64)
    symbol_index = use_node - file_count
    # Using a name only this file defines says nothing about other files.
    keep = only_definer[symbol_index] != use_file
    use_file, use_node, symbol_index = use_file[keep], use_node[keep], symbol_index[keep]
    # Names defined in many files (main, run, __init__) say little about which one is meant.
    strength = np.sqrt(np.asarray(use_counts, dtype=np.float64)[keep]) / np.sqrt(
        definer_counts[symbol_index]
    )
    private = np.array([name.startswith("_") for name in symbols], dtype=bool)
    strength = np.where(private[symbol_index], strength * PRIVATE_WEIGHT, strength)
    define_nodes = [symbol_id[name] for name in symbols for _ in definers[name]]
    define_files = [file_id for name in symbols for file_id in definers[name]]
    define_node = np.asarray(define_nodes, dtype=np.int64)
    source_array = np.concatenate([use_file, define_node]).astype(np.int32)
    target_array = np.concatenate([use_node, np.asarray(define_files, dtype=np.int64)]).astype(
        np.int32
    )
    weight_array = np.concatenate([strength, 1.0 / definer_counts[define_node - file_count]])
    node_count = file_count + len(symbols)
    out_weight = np.bincount(source_array, weights=weight_array, minlength=node_count)
    dangling = out_weight == 0
    weight_array = weight_array / np.where(dangling, 1.0, out_weight)[source_array]
    return SymbolGraph(file_count, symbols, source_array, target_array, weight_array, dangling)


def personalised_pagerank(graph: SymbolGraph, seeds: Mapping[int, float]) -> np.ndarray:
    """Stationary visit probability per node, restarting at `seeds` (uniform over files if none)."""
    size = graph.node_count
    restart = np.zeros(size)
    if seeds:
        for node, value in sorted(seeds.items()):
            restart[node] += value
    else:
        restart[: graph.file_count] = 1.0
    restart /= restart.sum()
    rank = restart.copy()
    for _ in range(MAX_ITERATIONS):
        spread = np.bincount(
            graph.target, weights=rank[graph.source] * graph.weight, minlength=size
        )
        lost = rank[graph.dangling].sum()
        updated = DAMPING * (spread + lost * restart) + (1.0 - DAMPING) * restart
        if np.abs(updated - rank).sum() < TOLERANCE:
            rank = updated
            break
        rank = updated
    return rank
