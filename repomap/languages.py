"""The one owner of tree-sitter: file-to-language mapping, grammars and compiled tag queries."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Language, Parser, Query

# Suffix -> grammar name in tree-sitter-language-pack 0.13 (pinned: it bundles its grammars).
LANGUAGE_OF_SUFFIX: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".hxx": "cpp",
    ".cs": "csharp",
    ".rb": "ruby",
    ".php": "php",
}

# Grammars that share another grammar's query file.
QUERY_FILE_OF_LANGUAGE: dict[str, str] = {}


def language_for_path(path: str) -> str | None:
    """The grammar name for a repository path, or None when no grammar handles it."""
    dot = path.rfind(".")
    if dot <= path.rfind("/") + 1 or dot == len(path) - 1:
        return None
    return LANGUAGE_OF_SUFFIX.get(path[dot:].lower())


@cache
def grammar(language: str) -> Language:
    """The tree-sitter Language for a grammar name, loaded once per process."""
    # Imported on first use: a warm map (nothing to parse) never needs the grammars.
    from tree_sitter_language_pack import get_language

    return get_language(language)  # type: ignore[arg-type]


@cache
def parser(language: str) -> Parser:
    """A parser for a grammar, created once per process."""
    from tree_sitter_language_pack import get_parser

    return get_parser(language)  # type: ignore[arg-type]


_INHERITS = re.compile(r"\A; inherits: ([a-z_]+)\n")


def query_source(language: str) -> str:
    """The text of the tags query for a grammar, read from repomap/queries/.

    A file that starts with `; inherits: other` (nvim-treesitter's convention) is `other`'s
    query followed by its own patterns, so a dialect (TSX) only lists what it adds.
    """
    name = QUERY_FILE_OF_LANGUAGE.get(language, language)
    text = resources.files("repomap.queries").joinpath(f"{name}-tags.scm").read_text("utf-8")
    parent = _INHERITS.match(text)
    if parent is None:
        return text
    return query_source(parent.group(1)) + "\n" + text[parent.end() :]


@cache
def tags_query(language: str) -> Query:
    """The tags query for a grammar, compiled once per process."""
    from tree_sitter import Query

    return Query(grammar(language), query_source(language))
