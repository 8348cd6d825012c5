"""Each identifier's search-term ids, derived once per repository rather than once per file."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from repomap.lexical import identifier_terms


class TermTable:
    """For identifier id i: its search terms' ids (`identifier_terms`) and, once it is defined
    somewhere, its exact name's term id.

    Stored as growable arrays (CSR: `starts`, `data`), so expanding a whole batch of identifier
    occurrences into term occurrences is a few vectorised gathers.
    """

    def __init__(
        self,
        starts: np.ndarray | None = None,
        data: np.ndarray | None = None,
        exact: np.ndarray | None = None,
    ) -> None:
        self.size = 0 if exact is None else len(exact)
        self._starts = np.zeros(1, dtype=np.int64) if starts is None else starts
        self._data = np.zeros(0, dtype=np.int32) if data is None else data
        self._exact = np.zeros(0, dtype=np.int32) if exact is None else exact

    def extend(self, words: Sequence[str], term_id: dict[str, int]) -> None:
        """Add the identifiers `words` (ids size, size+1, ...); `term_id` numbers new terms
        (a vocabulary's defaultdict)."""
        if not words:
            return
        number = term_id.__getitem__
        lengths: list[int] = []
        data: list[int] = []
        for word in words:  # each identifier once per repository: no cache would be hit
            terms = identifier_terms(word)
            lengths.append(len(terms))
            data.extend(map(number, terms))
        used = int(self._starts[self.size])
        self._starts = _grown(self._starts, self.size + 1 + len(words))
        self._starts[self.size + 1 : self.size + 1 + len(words)] = used + np.cumsum(lengths)
        self._data = _grown(self._data, used + len(data))
        self._data[used : used + len(data)] = data
        self._exact = _grown(self._exact, self.size + len(words), fill=-1)
        self.size += len(words)

    def expand(
        self, ids: np.ndarray, counts: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(term ids, their counts, how many terms each of `ids` gave), occurrence by occurrence."""
        starts = self._starts[ids]
        lengths = self._starts[ids + 1] - starts
        total = int(lengths.sum())
        ends = np.cumsum(lengths)
        positions = np.repeat(starts - ends + lengths, lengths) + np.arange(total)
        return self._data[positions], np.repeat(counts, lengths), lengths

    def exact(
        self, ids: np.ndarray, spelling: Sequence[str], term_id: dict[str, int]
    ) -> np.ndarray:
        """Term ids of the identifiers' exact names (lower case, `_` stripped), numbering those
        not asked for before (only defined names have one: prose words need none)."""
        exact = self._exact[ids]
        missing = np.flatnonzero(exact < 0)
        if len(missing):
            number = term_id.__getitem__
            for position in missing.tolist():
                identifier = int(ids[position])
                self._exact[identifier] = number(spelling[identifier].lower().strip("_"))
            exact = self._exact[ids]
        return exact

    def state(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Plain arrays for a snapshot (`TermTable(*state)` restores it)."""
        used = int(self._starts[self.size])
        return (
            self._starts[: self.size + 1].copy(),
            self._data[:used].copy(),
            self._exact[: self.size].copy(),
        )


def _grown(array: np.ndarray, needed: int, fill: int = 0) -> np.ndarray:
    """`array`, or a copy with room for at least `needed` items (doubling, so appends are cheap)."""
    if len(array) >= needed:
        return array
    grown = np.full(max(needed, 2 * len(array)), fill, dtype=array.dtype)
    grown[: len(array)] = array
    return grown
