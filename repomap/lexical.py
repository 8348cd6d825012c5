"""Words out of code and prose: identifier splitting, stop-words, and Okapi BM25 scoring."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property, lru_cache

import numpy as np

from repomap.arrays import flatten

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Splits snake_case and camelCase/PascalCase (keeping acronyms such as HTTPServer -> http, server).
SUBWORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
SNAKE = re.compile(r"[a-z_]+")

PATH_PUNCTUATION = re.compile(r"[.\-]")

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


def identifier_terms(word: str) -> tuple[str, ...]:
    """Search terms of one identifier: itself and its parts, minus stop-words and short ones."""
    if word.isascii() and word.isalpha() and (word.islower() or word[1:].islower()):
        # A plain word (`query`, `Query`) is its only part: most of prose and code, and far
        # cheaper than splitting. (Non-ASCII letters: `SUBWORD` skips them, so split those.)
        lowered = word.lower()
        short = len(lowered) < MIN_TERM_LENGTH
        return () if short or lowered in STOP_WORDS else (lowered,)
    found: list[str] = []
    lowered = word.lower().strip("_")
    if len(lowered) >= MIN_TERM_LENGTH and lowered not in STOP_WORDS:
        found.append(lowered)
    if SNAKE.fullmatch(word):  # snake_case: its parts are what `SUBWORD` finds, split cheaply
        parts = [part for part in word.split("_") if part]
    else:
        parts = split_identifier(word)
    if len(parts) > 1:
        found.extend(p for p in parts if len(p) >= MIN_TERM_LENGTH and p not in STOP_WORDS)
    return tuple(found)


# Queries, paths and prose repeat their words: split each once.
word_terms = lru_cache(maxsize=200_000)(identifier_terms)


def terms(text: str) -> list[str]:
    """Search terms in `text`: identifiers and their parts, minus stop-words and short ones."""
    found: list[str] = []
    for word in WORD.findall(text):
        found.extend(word_terms(word))
    return found


def term_counts(text: str) -> Counter[str]:
    """Search terms in `text` with how often each occurs (the counts of `terms(text)`)."""
    counts: Counter[str] = Counter()
    # Each distinct word is split once: prose and code repeat their words many times over.
    for word, count in Counter(WORD.findall(text)).items():
        for term in word_terms(word):
            counts[term] += count
    return counts


def search_terms(
    defined: Iterable[str],
    references: Iterable[tuple[str, int]],
    prose: Iterable[tuple[str, int]],
) -> dict[str, int]:
    """A file's search terms with counts: the terms of every identifier occurrence (definitions,
    references, words of its prose), plus each definition's exact name, even a stop-word.

    Features computes the same counts per repository rather than per file; this is the plain
    statement of what they must equal.
    """
    found: Counter[str] = Counter()
    for name in defined:
        found.update(word_terms(name))
        found[name.lower().strip("_")] += 1
    for word, count in (*references, *prose):
        for term in word_terms(word):
            found[term] += count
    return dict(found)


@lru_cache(maxsize=100_000)
def _path_part_terms(part: str) -> tuple[str, ...]:
    return tuple(terms(PATH_PUNCTUATION.sub(" ", part)))


def path_terms(path: str) -> list[str]:
    """Search terms in a repository path (directories, stem and their parts)."""
    # `/` separates words anyway, so each directory name is split once, not once per file.
    found: list[str] = []
    for part in path.split("/"):
        found.extend(_path_part_terms(part))
    return found


class BM25:
    """Okapi BM25 over (document, term id, count) postings kept unsorted.

    Building is a concatenation; a query selects the postings of its few terms with one
    vectorised scan, so neither building nor patching ever sorts all postings.
    """

    def __init__(
        self,
        spelling: Sequence[str],
        documents: np.ndarray,
        term_ids: np.ndarray,
        counts: np.ndarray,
        size: int,
        k1: float = 1.2,
        b: float = 0.75,
        id_of: Mapping[str, int] | None = None,
    ) -> None:
        self.spelling = spelling  # term id -> term
        self.documents = documents
        self.term_ids = term_ids
        self.counts = counts
        self.size = size
        self.lengths = np.bincount(documents, weights=counts, minlength=size).astype(np.float64)
        self.k1 = k1
        self.b = b
        if id_of is not None:  # the term -> id mapping the caller numbered with, if at hand
            self.__dict__["_id_of"] = id_of

    @cached_property
    def _id_of(self) -> dict[str, int]:
        return {term: number for number, term in enumerate(self.spelling)}

    @classmethod
    def build(
        cls, words: Sequence[np.ndarray], counts: Sequence[np.ndarray], spelling: Sequence[str]
    ) -> BM25:
        """Index documents given as term-id and count arrays (ids may repeat in a document)."""
        document, term, count = flatten(words, counts)
        return cls(spelling, document.astype(np.int32), term.astype(np.int32), count, len(words))

    def state(self) -> tuple:
        """Plain data for a snapshot (`BM25(*state)` restores it)."""
        return (self.spelling, self.documents, self.term_ids, self.counts, self.size)

    def scores(self, query_terms: Iterable[str]) -> np.ndarray:
        """BM25 score of every document for the query (zeros where no term is shared)."""
        result = np.zeros(self.size)
        # In spelling order: the scores' sums then never depend on how terms were numbered.
        wanted = [self._id_of[t] for t in sorted(set(query_terms)) if t in self._id_of]
        if not wanted or self.size == 0:
            return result
        mask = np.isin(self.term_ids, np.asarray(wanted, dtype=np.int32))
        term, document, count = self.term_ids[mask], self.documents[mask], self.counts[mask]
        # A term may appear twice for one document (its path and its text): add those up.
        keys, inverse = np.unique(term.astype(np.int64) * self.size + document, return_inverse=True)
        count = np.bincount(inverse, weights=count, minlength=len(keys))
        term, document = keys // self.size, keys % self.size
        average = float(self.lengths.mean()) or 1.0
        for term_id in wanted:
            selected = term == term_id
            ids, tf = document[selected], count[selected]
            if not len(ids):
                continue
            idf = math.log(1.0 + (self.size - len(ids) + 0.5) / (len(ids) + 0.5))
            norm = self.k1 * (1.0 - self.b + self.b * self.lengths[ids] / average)
            result[ids] += idf * tf * (self.k1 + 1) / (tf + norm)
        return result
