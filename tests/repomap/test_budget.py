"""The map never exceeds its token budget, and is the same text for the same inputs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from repomap import open_repo_map
from repomap.protocol import MapRequest
from repomap.settings import RepoMapSettings
from repomap.tokens import TokenCounter, tiktoken_encoder

WORDS = st.sampled_from(
    "render budget token cache graph rank Rect make_rect Shape area fixtures/sample.py "
    "BM25 discover extract the a of ParseCache repomap.cache scores 🙂 naïve".split()
)
# The built map is read-only here, so reusing it across examples is safe.
FIXTURE_REUSE = HealthCheck.function_scoped_fixture
QUERIES = st.lists(WORDS, max_size=12).map(" ".join) | st.text(max_size=80)


@pytest.fixture(scope="module")
def built_map(polyglot_repo: Path):  # noqa: ANN201 - the concrete map type
    repo_map = open_repo_map(polyglot_repo, RepoMapSettings())
    repo_map.build()
    return repo_map


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=QUERIES, budget=st.integers(min_value=0, max_value=3000))
def test_never_over_budget_and_the_count_is_exact(built_map, query: str, budget: int) -> None:
    result = built_map.render(MapRequest(query=query, max_tokens=budget))
    assert result.tokens <= budget
    assert result.tokens == tiktoken_encoder()(result.text)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=QUERIES, budget=st.integers(min_value=50, max_value=2000))
def test_same_inputs_give_identical_text(built_map, query: str, budget: int) -> None:
    request = MapRequest(query=query, max_tokens=budget)
    assert built_map.render(request).text == built_map.render(request).text


FRAGMENT = (
    st.text(min_size=1, max_size=60).filter(lambda s: not s[0].isspace()).map(lambda s: s + "\n")
)


@settings(max_examples=300, deadline=None)
@given(st.lists(FRAGMENT, min_size=1, max_size=6))
def test_tiktoken_counts_add_up_over_newline_terminated_fragments(fragments: list[str]) -> None:
    """Why the renderer may sum fragment counts: no token spans such a boundary."""
    count = tiktoken_encoder()
    assert count("".join(fragments)) == sum(count(f) for f in fragments)


def test_a_budget_too_small_for_anything_gives_an_empty_map(built_map) -> None:
    result = built_map.render(MapRequest(query="render", max_tokens=3))
    assert result.text == "" and result.tokens == 0


def test_unknown_model_falls_back_to_cl100k() -> None:
    counter = TokenCounter("no-such-provider/no-such-model")
    assert counter.count("hello world") == tiktoken_encoder()("hello world")
