"""Flattening per-file arrays into one set of columns, for vectorised graph and index builds."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

EMPTY_IDS = np.zeros(0, dtype=np.int64)
EMPTY_COUNTS = np.zeros(0, dtype=np.float64)


def flatten(
    parts: Sequence[np.ndarray], counts: Sequence[np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(owner index, id, count) arrays for per-file id arrays (counts default to 1)."""
    lengths = np.array([len(p) for p in parts], dtype=np.int64)
    owner = np.repeat(np.arange(len(parts), dtype=np.int64), lengths)
    ids = np.concatenate(parts).astype(np.int64) if len(parts) else EMPTY_IDS
    if counts is None:
        values = np.ones(len(ids))
    else:
        values = np.concatenate(counts) if len(counts) else EMPTY_COUNTS
    return owner, ids, values
