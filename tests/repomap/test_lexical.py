"""Words from code and messages, mention detection, and BM25."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from repomap.features import Vocabulary
from repomap.lexical import BM25, split_identifier, terms
from repomap.mentions import PathLookup, mentioned_files, mentioned_identifiers

PATHS = (
    "django/db/models/query.py",
    "django/db/models/sql/query.py",
    "django/db/models/__init__.py",
    "django/contrib/admin/options.py",
    "docs/conf.py",
)


def test_identifiers_split_into_parts() -> None:
    assert split_identifier("getHTTPResponse_code") == ["get", "http", "response", "code"]
    assert split_identifier("QuerySet") == ["query", "set"]


def test_terms_drop_stop_words_and_short_words_but_keep_whole_identifiers() -> None:
    found = terms("The QuerySet is a db_table of it")
    assert "queryset" in found and "query" in found and "db_table" in found and "table" in found
    assert not {"the", "is", "a", "of", "it", "db"} & set(found)


def test_paths_are_found_from_tracebacks_tails_and_module_names() -> None:
    lookup = PathLookup(PATHS)
    text = (
        'File "/usr/lib/python3/site-packages/django/contrib/admin/options.py", line 12\n'
        "see django.db.models.sql.query.Query and models/__init__.py; conf.py"
    )
    found = {PATHS[i] for i in mentioned_files(text, lookup)}
    assert found == {
        "django/contrib/admin/options.py",
        "django/db/models/sql/query.py",
        "django/db/models/__init__.py",
        "docs/conf.py",
    }


def test_ambiguous_and_plain_words_name_no_file() -> None:
    lookup = PathLookup(PATHS)
    assert mentioned_files("the query is slow, e.g. in this case", lookup) == {}


def _tails(path: str) -> set[str]:
    """What a path answers to, by definition: its tails, and its package's tails + `.py`."""
    parts = path.split("/")
    found = {"/".join(parts[start:]) for start in range(len(parts))}
    if parts[-1] == "__init__.py":
        found |= {"/".join(parts[start:-1]) + ".py" for start in range(len(parts) - 1)}
    return found


@given(
    st.lists(
        st.lists(st.sampled_from(["a", "b", "ab", "__init__.py", "a.py", "b.py"]), min_size=1,
                 max_size=4).map("/".join),
        unique=True,
        max_size=12,
    )
)  # fmt: skip
def test_path_tails_resolve_to_exactly_the_files_ending_there(paths: list[str]) -> None:
    lookup = PathLookup(paths)
    keys = set().union(*map(_tails, paths)) | {"b", "a/b", "x.py", "a/a/a.py"}
    for key in keys:
        expected = [i for i, path in enumerate(paths) if key in _tails(path)]
        assert lookup.tail(key) == expected, key


def test_only_code_shaped_identifiers_are_mentions() -> None:
    found = mentioned_identifiers("Calling filter() on QuerySet with db_table in `name` and models")
    assert set(found) == {"filter", "QuerySet", "db_table", "name"}


def _bm25(docs: list[list[tuple[str, int]]]) -> BM25:
    vocabulary = Vocabulary()
    ids = [vocabulary.number(term for term, _ in doc) for doc in docs]
    counts = [np.array([count for _, count in doc], dtype=float) for doc in docs]
    return BM25.build(ids, counts, vocabulary.words)


def test_bm25_prefers_the_document_that_repeats_a_rare_term() -> None:
    index = _bm25([[("cache", 1), ("timeout", 3)], [("cache", 5)], [("render", 2)]])
    scores = index.scores(["timeout", "cache"])
    assert scores.argmax() == 0 and scores[2] == 0
    assert np.all(index.scores(["absent"]) == 0)


@given(
    st.lists(
        st.lists(st.tuples(st.sampled_from("abcdef"), st.integers(1, 5)), max_size=6),
        min_size=1,
        max_size=8,
    ),
    st.lists(st.sampled_from("abcdefg"), max_size=4),
)
def test_bm25_arrays_match_a_direct_computation(docs, query) -> None:
    index = _bm25(docs)
    merged = []
    for doc in docs:
        counts: dict[str, int] = {}
        for term, count in doc:
            counts[term] = counts.get(term, 0) + count
        merged.append(counts)
    lengths = [sum(d.values()) for d in merged]
    average = (sum(lengths) / len(lengths)) or 1.0
    expected = np.zeros(len(docs))
    for term in set(query):
        df = sum(term in d for d in merged)
        if not df:
            continue
        idf = np.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
        for i, d in enumerate(merged):
            tf = d.get(term, 0)
            if tf:
                norm = 1.2 * (1 - 0.75 + 0.75 * lengths[i] / average)
                expected[i] += idf * tf * 2.2 / (tf + norm)
    assert np.allclose(index.scores(query), expected)
