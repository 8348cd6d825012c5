"""Words out of code and prose: identifier splitting, stop-words, and Okapi BM25 scoring."""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

from repomap.arrays import flatten

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Splits snake_case and camelCase/PascalCase (keeping acronyms such as HTTPServer -> http, server).
SUBWORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

MIN_TERM_LENGTH = 3

# English function words and words so common in code that they say nothing about a file.
STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above after again against all also am an and any are aren as at be because been
    before being below between both but by can cannot could did didn do does doesn doing don
    down during each else few for from further get got had has have having he her here hers
    him his how however i if in into is isn it its itself just let like may me might more most
    must my no nor not now of off on once only or other our out over own same see seems she
    should so some such than that the their them then there these they this those through to
    too under until up us use used using very was wasn way we were what when where which while
    who whom why will with would yet you your yes also one two new want make made need
    self cls none true false return def class import from pass raise try except finally
    lambda yield async await elif else while for with assert del global nonlocal var let const
    function public private protected static void int str bool float string object new null
    nil this super args kwargs value values data result results error errors issue bug
    example expected actual following work works working problem run running code version
    fix fixed file files line lines test tests call called case cases thing things
    """.split()
)


def split_identifier(identifier: str) -> list[str]:
    """An identifier's parts in lower case: `getHTTPResponse_code` -> get, http, response, code."""
    return [part.lower() for part in SUBWORD.findall(identifier)]


@lru_cache(maxsize=200_000)
def word_terms(word: str) -> tuple[str, ...]:
    """Search terms of one identifier: itself and its parts, minus stop-words and short ones."""
    found: list[str] = []
    lowered = word.lower().strip("_")
    if len(lowered) >= MIN_TERM_LENGTH and lowered not in STOP_WORDS:
        found.append(lowered)
    parts = split_identifier(word)
    if len(parts) > 1:
        found.extend(p for p in parts if len(p) >= MIN_TERM_LENGTH and p not in STOP_WORDS)
    return tuple(found)


def terms(text: str) -> list[str]:
    """Search terms in `text`: identifiers and their parts, minus stop-words and short ones."""
    found: list[str] = []
    for word in WORD.findall(text):
        found.extend(word_terms(word))
    return found


def path_terms(path: str) -> list[str]:
    """Search terms in a repository path (directories, stem and their parts)."""
    return terms(re.sub(r"[/.\-]", " ", path))


class BM25:
    """Okapi BM25 over documents given as term-count mappings, stored as compact arrays."""

    def __init__(
        self,
        terms: tuple[str, ...],
        offsets: np.ndarray,
        documents: np.ndarray,
        counts: np.ndarray,
        lengths: np.ndarray,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        self.terms = terms  # sorted
        self.offsets = offsets  # postings of terms[i] are [offsets[i], offsets[i + 1])
        self.documents = documents
        self.counts = counts
        self.lengths = lengths
        self.k1 = k1
        self.b = b

    @classmethod
    def build(
        cls, words: Sequence[np.ndarray], counts: Sequence[np.ndarray], spelling: Sequence[str]
    ) -> BM25:
        """Index documents given as term-id and count arrays (ids may repeat in a document)."""
        size = len(words)
        document, term, count = flatten(words, counts)
        used = np.unique(term)
        by_spelling = sorted(range(len(used)), key=lambda i: spelling[used[i]])
        used = used[np.asarray(by_spelling, dtype=np.int64)]
        terms = tuple(spelling[i] for i in used)
        position_of = np.zeros(len(spelling), dtype=np.int64)
        position_of[used] = np.arange(len(used))
        width = max(size, 1)
        keys = position_of[term] * width + document
        unique_keys, inverse = np.unique(keys, return_inverse=True)
        merged = np.bincount(inverse, weights=count, minlength=len(unique_keys))
        term_positions = unique_keys // width
        document_ids = (unique_keys % width).astype(np.int32)
        offsets = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_positions, minlength=len(terms)), out=offsets[1:])
        lengths = np.bincount(document_ids, weights=merged, minlength=size).astype(np.float64)
        return cls(terms, offsets, document_ids, merged, lengths)

    def _postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        position = bisect.bisect_left(self.terms, term)
        if position == len(self.terms) or self.terms[position] != term:
            return self.documents[:0], self.counts[:0]
        start, end = self.offsets[position], self.offsets[position + 1]
        return self.documents[start:end], self.counts[start:end]

    def scores(self, query_terms: Iterable[str]) -> np.ndarray:
        """BM25 score of every document for the query (zeros where no term is shared)."""
        size = len(self.lengths)
        result = np.zeros(size)
        if size == 0:
            return result
        average = float(self.lengths.mean()) or 1.0
        for term in sorted(set(query_terms)):
            ids, counts = self._postings(term)
            if not len(ids):
                continue
            idf = math.log(1.0 + (size - len(ids) + 0.5) / (len(ids) + 0.5))
            norm = self.k1 * (1.0 - self.b + self.b * self.lengths[ids] / average)
            result[ids] += idf * counts * (self.k1 + 1) / (counts + norm)
        return result
