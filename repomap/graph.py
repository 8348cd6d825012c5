"""A file-and-symbol graph that grows linearly with the repository, and personalised PageRank."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from repomap.arrays import flatten

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

    @cached_property
    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """(source, target) as platform-size integers, which numpy indexes with no conversion."""
        return self.source.astype(np.intp), self.target.astype(np.intp)

    @property
    def node_count(self) -> int:
        """Files plus symbols."""
        return self.file_count + len(self.symbols)

    def symbol_node(self, name: str) -> int | None:
        """The node id of a symbol, or None when no file defines it."""
        index = bisect_left(self.symbols, name)
        found = index < len(self.symbols) and self.symbols[index] == name
        return self.file_count + index if found else None


def build_graph(
    defined: Sequence[np.ndarray],
    used: Sequence[np.ndarray],
    used_counts: Sequence[np.ndarray],
    names: Sequence[str],
) -> SymbolGraph:
    """One edge per (file, symbol it uses) and per (symbol, file defining it): no pair blow-up.

    File i defines the name ids `defined[i]` (unique) and uses `used[i]` `used_counts[i]` times;
    `names` spells the ids. Node ids and edge order depend only on the names, never on how the
    ids were assigned, so incremental and full builds give identical results.
    """
    file_count = len(defined)
    def_file, def_name, _ = flatten(defined)
    unique_names = np.unique(def_name)
    spelled = list(map(names.__getitem__, unique_names.tolist()))
    by_spelling = sorted(range(len(spelled)), key=spelled.__getitem__)
    defined_names = unique_names[np.asarray(by_spelling, dtype=np.int64)]
    symbols = tuple(map(spelled.__getitem__, by_spelling))
    symbol_count = len(symbols)
    node_of_name = np.full(len(names), -1, dtype=np.int64)
    node_of_name[defined_names] = file_count + np.arange(symbol_count)
    def_node = node_of_name[def_name]
    definer_counts = np.bincount(def_node - file_count, minlength=symbol_count).astype(np.float64)
    only_definer = np.full(symbol_count, -1, dtype=np.int64)
    single = definer_counts[def_node - file_count] == 1
    only_definer[def_node[single] - file_count] = def_file[single]
    use_file, use_name, use_count = flatten(used, used_counts)
    use_node = node_of_name[use_name] if len(use_name) else use_name
    keep = use_node >= 0
    use_file, use_node, use_count = use_file[keep], use_node[keep], use_count[keep]
    # Using a name only this file defines says nothing about other files.
    keep = only_definer[use_node - file_count] != use_file
    use_file, use_node, use_count = use_file[keep], use_node[keep], use_count[keep]
    # Names defined in many files (main, run, __init__) say little about which one is meant.
    symbol_index = use_node - file_count
    strength = np.sqrt(use_count) / np.sqrt(definer_counts[symbol_index])
    # Symbols are sorted, so the names starting with "_" are one run: those from "_" up to "`".
    private = np.zeros(symbol_count, dtype=bool)
    private[bisect_left(symbols, "_") : bisect_left(symbols, "`")] = True
    strength = np.where(private[symbol_index], strength * PRIVATE_WEIGHT, strength)
    source = np.concatenate([use_file, def_node])
    target = np.concatenate([use_node, def_file])
    weight = np.concatenate([strength, 1.0 / definer_counts[def_node - file_count]])
    canonical = np.lexsort((target, source))
    source, target, weight = source[canonical], target[canonical], weight[canonical]
    node_count = file_count + symbol_count
    out_weight = np.bincount(source, weights=weight, minlength=node_count)
    dangling = out_weight == 0
    weight = weight / np.where(dangling, 1.0, out_weight)[source]
    return SymbolGraph(
        file_count, symbols, source.astype(np.int32), target.astype(np.int32), weight, dangling
    )


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
    teleport = (1.0 - DAMPING) * restart
    dangling = np.flatnonzero(graph.dangling)  # same elements, same order as the mask gives
    source, target = graph.edges
    flow = np.empty(len(source))
    rank = restart.copy()
    # The arithmetic is exactly that of the textbook loop; `out=` buffers only save allocations.
    for _ in range(MAX_ITERATIONS):
        np.take(rank, source, out=flow)
        np.multiply(flow, graph.weight, out=flow)
        spread = np.bincount(target, weights=flow, minlength=size)
        lost = rank[dangling].sum()
        updated = DAMPING * (spread + lost * restart) + teleport
        if np.abs(updated - rank).sum() < TOLERANCE:
            rank = updated
            break
        rank = updated
    return rank
