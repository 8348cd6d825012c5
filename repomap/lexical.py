"""Words out of code and prose: identifier splitting, stop-words, and Okapi BM25 scoring."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

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


def terms(text: str) -> list[str]:
    """Search terms in `text`: identifiers and their parts, minus stop-words and short ones."""
    found: list[str] = []
    for word in WORD.findall(text):
        lowered = word.lower().strip("_")
        parts = split_identifier(word)
        if len(lowered) >= MIN_TERM_LENGTH and lowered not in STOP_WORDS:
            found.append(lowered)
        if len(parts) > 1:
            found.extend(p for p in parts if len(p) >= MIN_TERM_LENGTH and p not in STOP_WORDS)
    return found


def path_terms(path: str) -> list[str]:
    """Search terms in a repository path (directories, stem and their parts)."""
    return terms(re.sub(r"[/.\-]", " ", path))


class BM25:
    """Okapi BM25 over documents given as term-count mappings."""

    def __init__(
        self, documents: Sequence[Mapping[str, int]], k1: float = 1.2, b: float = 0.75
    ) -> None:
        self.k1 = k1
        self.b = b
        self.lengths = [sum(doc.values()) for doc in documents]
        self.average_length = (sum(self.lengths) / len(self.lengths)) if documents else 1.0
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for index, doc in enumerate(documents):
            for term, count in doc.items():
                self.postings.setdefault(term, []).append((index, count))
        self.size = len(documents)

    def idf(self, term: str) -> float:
        """Inverse document frequency (the non-negative BM25+ style variant)."""
        df = len(self.postings.get(term, ()))
        return math.log(1.0 + (self.size - df + 0.5) / (df + 0.5))

    def scores(self, query_terms: Iterable[str]) -> dict[int, float]:
        """Document index -> BM25 score for the documents that share a term with the query."""
        result: dict[int, float] = {}
        average = self.average_length or 1.0
        for term in sorted(set(query_terms)):
            postings = self.postings.get(term)
            if not postings:
                continue
            idf = self.idf(term)
            for index, count in postings:
                norm = self.k1 * (1.0 - self.b + self.b * self.lengths[index] / average)
                result[index] = result.get(index, 0.0) + idf * count * (self.k1 + 1) / (
                    count + norm
                )
        return result
