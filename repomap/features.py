"""Each file's tags as integer arrays over shared vocabularies, kept per blob id for patching."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import count, islice

import numpy as np

from repomap import datafile
from repomap.lexical import path_terms
from repomap.payload import counted
from repomap.termtable import TermTable

PATH_TERM_WEIGHT = 3
EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_COUNTS = np.zeros(0, dtype=np.float64)
COLUMNS = ("defined", "used", "used_counts", "words", "word_counts")  # FileRows' fields
TABLE_PARTS = ("starts", "data", "exact")  # TermTable.state()


class Vocabulary:
    """Strings numbered in order of first sight (numbering never decides a ranking)."""

    def __init__(self, words: list[str] | None = None) -> None:
        self._words: list[str] = words if words is not None else []
        # A missing key takes the next number inside the dict lookup itself, so numbering is
        # one C-level pass (`number`), and the spelling is read back from the key order.
        self.ids: defaultdict[str, int] = defaultdict(
            count(len(self._words)).__next__, zip(self._words, range(len(self._words)), strict=True)
        )

    @property
    def words(self) -> list[str]:
        """Id -> string (the same list object throughout, extended as ids are added)."""
        if len(self._words) < len(self.ids):
            self._words.extend(islice(self.ids, len(self._words), None))
        return self._words

    def number(self, items: Iterable[str]) -> np.ndarray:
        """The ids of `items`, adding the new ones."""
        listed = items if isinstance(items, list | tuple) else list(items)
        if not listed:
            return EMPTY_IDS
        return np.fromiter(map(self.ids.__getitem__, listed), dtype=np.int32, count=len(listed))

    @classmethod
    def of(cls, words: list[str]) -> Vocabulary:
        """A vocabulary holding `words` in this order."""
        return cls(words)


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
        table: TermTable | None = None,
    ) -> None:
        self.names = names or Vocabulary()  # identifiers: defined, referenced, in prose
        self.terms = terms or Vocabulary()  # search terms
        self.rows = rows or {}
        self.table = table or TermTable()  # identifier id -> its search terms
        self._path_rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def add_many(self, items: Iterable[tuple[str, tuple]]) -> None:
        """Number files' tags, given as (digest, payload.counted(...)) in this order; blob ids
        already numbered are skipped.

        A file's search terms are those of `repomap.lexical.search_terms`, found through the
        term table: each distinct identifier is split once per repository, not once per file.
        """
        names: list[str] = []
        counts: list[int] = []
        spans: list[tuple[str, int, int, int]] = []
        for digest, (defined, references, prose) in items:
            if digest in self.rows:
                continue
            names.extend(defined)
            counts.extend([1] * len(defined))
            for pairs in (references, prose):
                if pairs:
                    spelled, times = zip(*pairs, strict=True)
                    names.extend(spelled)
                    counts.extend(times)
            spans.append((digest, len(defined), len(references), len(prose)))
        # One numbering pass per batch: per-file numpy calls would cost more than the numbering.
        known = self.table.size  # identifiers the table already splits
        ids = self.names.number(names)
        self.table.extend(self.names.words[known:], self.terms.ids)
        if not spans:
            return
        weights = np.asarray(counts, dtype=np.float64)
        per_file = np.array([d + u + p for _, d, u, p in spans], dtype=np.intp)
        defined = np.array([d for _, d, _, _ in spans], dtype=np.intp)
        starts = np.concatenate([[0], np.cumsum(per_file)])
        owner = np.repeat(np.arange(len(spans)), per_file)  # the file of each identifier
        is_defined = np.arange(len(ids)) - starts[owner] < defined[owner]
        term_ids, term_weights, lengths = self.table.expand(ids.astype(np.intp), weights)
        exact = self.table.exact(ids[is_defined], self.names.words, self.terms.ids)
        # One posting per (file, term), its counts added up, as `search_terms` counts them.
        size = len(self.terms.ids)
        files = np.concatenate([np.repeat(owner, lengths), owner[is_defined]])
        keys, inverse = np.unique(
            files * size + np.concatenate([term_ids, exact]), return_inverse=True
        )
        summed = np.bincount(inverse, weights=np.concatenate([term_weights, np.ones(len(exact))]))
        terms = (keys % size).astype(np.int32)
        bounds = np.searchsorted(keys // size, np.arange(len(spans) + 1)).tolist()
        for number, (digest, defined_count, used, _) in enumerate(spans):
            if digest in self.rows:  # a blob listed twice is numbered once
                continue
            at = int(starts[number])
            self.rows[digest] = FileRows(
                np.unique(ids[at : at + defined_count]),
                ids[at + defined_count : at + defined_count + used],
                weights[at + defined_count : at + defined_count + used],
                terms[bounds[number] : bounds[number + 1]],
                summed[bounds[number] : bounds[number + 1]],
            )

    def add_payloads(self, items: Iterable[tuple[str, bytes]]) -> None:
        """`add_many` for payloads as parse workers send them and the cache stores them."""
        self.add_many(
            (digest, counted(payload)) for digest, payload in items if digest not in self.rows
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
        for name in COLUMNS:
            parts = [getattr(r, name) for r in rows]
            lengths = np.array([len(p) for p in parts], dtype=np.int64)
            flat = np.concatenate(parts) if parts else EMPTY_COUNTS
            columns.append((lengths, flat))
        return (self.names.words, self.terms.words, order, columns, self.table.state())

    def state_bytes(self, digests: Sequence[str]) -> bytes:
        """`to_state` as a data-only file (`repomap.datafile`), for a snapshot."""
        names, terms, order, columns, table = self.to_state(digests)
        fields: dict[str, datafile.Value] = {"names": names, "terms": terms, "order": order}
        for column, (lengths, flat) in zip(COLUMNS, columns, strict=True):
            fields[f"{column}.lengths"] = lengths
            fields[f"{column}.flat"] = flat
        for part, value in zip(TABLE_PARTS, table, strict=True):
            fields[f"table.{part}"] = value
        return datafile.pack(fields)

    @classmethod
    def from_state_bytes(cls, data: bytes) -> Features:
        """Inverse of `state_bytes`; DataFileError when the data is damaged."""
        fields = datafile.unpack(bytearray(data))  # a private, writable copy of the arrays
        columns = [
            (datafile.array(fields, f"{c}.lengths"), datafile.array(fields, f"{c}.flat"))
            for c in COLUMNS
        ]
        order = datafile.strings(fields, "order")
        for lengths, flat in columns:
            if len(lengths) != len(order) or int(lengths.sum()) != len(flat):
                raise datafile.DataFileError("feature columns do not match their files")
        table = tuple(datafile.array(fields, f"table.{part}") for part in TABLE_PARTS)
        state = (
            datafile.strings(fields, "names"),
            datafile.strings(fields, "terms"),
            order,
            columns,
            table,
        )
        return cls.from_state(state)

    @classmethod
    def from_state(cls, state: tuple) -> Features:
        """Inverse of `to_state`."""
        names, terms, order, columns, table = state
        split = []
        for lengths, flat in columns:
            bounds = np.concatenate([[0], np.cumsum(lengths)])
            split.append([flat[bounds[i] : bounds[i + 1]] for i in range(len(lengths))])
        rows = {
            digest: FileRows(*(column[i] for column in split)) for i, digest in enumerate(order)
        }
        return cls(Vocabulary.of(names), Vocabulary.of(terms), rows, TermTable(*table))
