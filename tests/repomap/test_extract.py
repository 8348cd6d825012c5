"""Tags extraction per language, checked against reviewed golden files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from repomap.extract import FileTags, extract
from repomap.languages import LANGUAGE_OF_SUFFIX, language_for_path

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
GOLDEN = HERE / "golden"
LANGUAGES = [
    "python", "javascript", "typescript", "tsx", "go", "rust",
    "java", "c", "cpp", "csharp", "ruby", "php",
]  # fmt: skip


def _fixture(language: str) -> Path:
    for path in sorted(FIXTURES.iterdir()):
        if language_for_path(path.name) == language:
            return path
    raise AssertionError(f"no fixture for {language}")


def describe(tags: FileTags) -> str:
    """A stable, human-reviewable rendering of extracted tags."""
    lines = [f"language {tags.language}"]
    for definition in tags.definitions:
        parent = tags.definitions[definition.parent].name if definition.parent >= 0 else "-"
        header = definition.signature.split("\n")[0].strip()
        lines.append(
            f"def {definition.kind} {definition.name} "
            f"lines {definition.line + 1}-{definition.end_line + 1} in {parent} | {header}"
        )
    lines.extend(f"ref {name} x{count}" for name, count in tags.references)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("language", LANGUAGES)
def test_tags_match_golden_file(language: str) -> None:
    source = _fixture(language).read_bytes()
    actual = describe(extract(language, source))
    golden = GOLDEN / f"{language}.txt"
    if os.environ.get("REPOMAP_REGEN_GOLDEN"):
        golden.write_text(actual, "utf-8")
    assert actual == golden.read_text("utf-8")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_finds_definitions_and_references(language: str) -> None:
    tags = extract(language, _fixture(language).read_bytes())
    assert len(tags.definitions) >= 3
    assert tags.references


def test_every_grammar_has_a_query_and_a_fixture() -> None:
    assert set(LANGUAGE_OF_SUFFIX.values()) == set(LANGUAGES)


def test_python_references_include_imports_attributes_and_bases() -> None:
    tags = extract("python", (FIXTURES / "sample.py").read_bytes())
    names = dict(tags.references)
    assert {"math", "OrderedDict", "Base", "compute", "pi", "area", "NotImplementedError"} <= set(
        names
    )


def test_methods_know_their_class_and_signatures_keep_indentation() -> None:
    tags = extract("python", (FIXTURES / "sample.py").read_bytes())
    by_name = {d.name: d for d in tags.definitions}
    area = by_name["area"]
    assert tags.definitions[area.parent].name == "Shape"
    assert area.signature == "    def area(self, scale: float = 1.0) -> float:"
    assert by_name["total_area"].parent == -1


def test_docstrings_feed_search_words() -> None:
    tags = extract("python", (FIXTURES / "sample.py").read_bytes())
    assert "shapes" in tags.terms()
    assert "areas" in tags.terms()


def test_broken_and_non_utf8_source_does_not_raise() -> None:
    tags = extract("python", b"def f(:\n  \xff\xfe = 1\nclass \x80A:\n    def g(self): pass\n")
    assert isinstance(tags, FileTags)
    assert extract("c", b"").definitions == ()


def test_plain_round_trip() -> None:
    tags = extract("rust", _fixture("rust").read_bytes())
    assert FileTags.from_plain(tags.to_plain()) == tags


def test_ranking_features_count_the_same_search_terms_as_each_file_alone(
    tmp_path: Path,
) -> None:
    """Terms split once per repository (Features' term table) equal `search_terms` per file."""
    from repomap.features import Features
    from repomap.payload import counted, pack

    odd = tmp_path / "underscores.py"
    odd.write_text('class _Hidden:\n    def __init__(self):\n        """Self-made HTTPServer."""\n')
    fixtures = [*sorted(p for p in FIXTURES.iterdir() if language_for_path(p.name)), odd]
    features = Features()
    batch = [(p.name, counted(pack(extract(language_for_path(p.name), p.read_bytes()).to_plain())))
             for p in fixtures]  # fmt: skip
    features.add_many(batch[:3])
    features.add_many(batch + batch[:2])  # later batches, and blobs listed twice
    spelling = features.terms.words
    for path in fixtures:
        row = features.rows[path.name]
        counted_terms: dict[str, float] = {}
        for term, times in zip(row.words.tolist(), row.word_counts.tolist(), strict=True):
            counted_terms[spelling[term]] = counted_terms.get(spelling[term], 0) + times
        assert counted_terms == extract(language_for_path(path.name), path.read_bytes()).terms()
