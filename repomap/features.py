"""Each file's tags as integer arrays over shared vocabularies, kept per blob id for patching."""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from repomap.lexical import path_terms

PATH_TERM_WEIGHT = 3
EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_COUNTS = np.zeros(0, dtype=np.float64)


@dataclass
class Vocabulary:
    """Strings numbered in order of first sight (numbering never decides a ranking)."""

    words: list[str] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)

    def number(self, items: Iterable[str]) -> np.ndarray:
        """The ids of `items`, adding the new ones."""
        ids, words = self.ids, self.words
        found = []
        for item in items:
            number = ids.get(item)
            if number is None:
                number = ids[item] = len(words)
                words.append(item)
            found.append(number)
        return np.asarray(found, dtype=np.int32) if found else EMPTY_IDS

    @classmethod
    def of(cls, words: list[str]) -> Vocabulary:
        """A vocabulary holding `words` in this order."""
        return cls(words, {word: number for number, word in enumerate(words)})


@dataclass(frozen=True)
class FileRows:
    """One file's names defined, names used (with counts) and search terms (with counts)."""

    defined: np.ndarray
    used: np.ndarray
    used_counts: np.ndarray
    words: np.ndarray
    word_counts: np.ndarray


class Features:
    """Vocabularies plus rows per blob id and per path: what ranking is built from."""

    def __init__(
        self,
        names: Vocabulary | None = None,
        terms: Vocabulary | None = None,
        rows: dict[str, FileRows] | None = None,
    ) -> None:
        self.names = names or Vocabulary()
        self.terms = terms or Vocabulary()
        self.rows = rows or {}
        self._path_rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def add(self, digest: str, plain: tuple) -> None:
        """Number a file's plain tags (see FileTags.to_plain) under its blob id."""
        _, definitions, references, words = plain
        defined = np.unique(self.names.number(d[0] for d in definitions))
        used = self.names.number(name for name, _ in references)
        self.rows[digest] = FileRows(
            defined.astype(np.int32),
            used,
            np.asarray([count for _, count in references], dtype=np.float64),
            self.terms.number(term for term, _ in words),
            np.asarray([count for _, count in words], dtype=np.float64),
        )

    def path_rows(self, path: str) -> tuple[np.ndarray, np.ndarray]:
        """The search terms of a path, weighted above words in the file."""
        found = self._path_rows.get(path)
        if found is None:
            ids = self.terms.number(path_terms(path))
            found = (ids, np.full(len(ids), float(PATH_TERM_WEIGHT)))
            self._path_rows[path] = found
        return found

    def keep_only(self, digests: Iterable[str]) -> None:
        """Forget rows of blobs no longer in the work tree."""
        wanted = set(digests)
        self.rows = {d: r for d, r in self.rows.items() if d in wanted}

    def to_state(self, digests: Sequence[str]) -> tuple:
        """Plain data for a snapshot: vocabularies and the rows of `digests` as flat arrays."""
        order = list(dict.fromkeys(digests))
        rows = [self.rows[d] for d in order]
        columns = []
        for name in ("defined", "used", "used_counts", "words", "word_counts"):
            parts = [getattr(r, name) for r in rows]
            lengths = np.array([len(p) for p in parts], dtype=np.int64)
            flat = np.concatenate(parts) if parts else EMPTY_COUNTS
            columns.append((lengths, flat))
        return (self.names.words, self.terms.words, order, columns)

    def state_bytes(self, digests: Sequence[str]) -> bytes:
        """`to_state` pickled, for a snapshot."""
        return pickle.dumps(self.to_state(digests), protocol=5)

    @classmethod
    def from_state_bytes(cls, data: bytes) -> Features:
        """Inverse of `state_bytes` (our own cache file under .git/, never repository content)."""
        return cls.from_state(pickle.loads(data))

    @classmethod
    def from_state(cls, state: tuple) -> Features:
        """Inverse of `to_state`."""
        names, terms, order, columns = state
        split = []
        for lengths, flat in columns:
            bounds = np.concatenate([[0], np.cumsum(lengths)])
            split.append([flat[bounds[i] : bounds[i + 1]] for i in range(len(lengths))])
        rows = {
            digest: FileRows(*(column[i] for column in split)) for i, digest in enumerate(order)
        }
        return cls(Vocabulary.of(names), Vocabulary.of(terms), rows)
