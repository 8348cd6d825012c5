"""Definitions, references and searchable words of one source file, via the tags queries."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

from repomap.languages import parser, tags_query
from repomap.lexical import term_counts, word_terms

if TYPE_CHECKING:
    from tree_sitter import Node

MAX_SIGNATURE_LINES = 6
MAX_SIGNATURE_CHARS = 160
MAX_DOC_CHARS = 2_000
NODE_TEXT = attrgetter("text")


@dataclass(frozen=True, slots=True)
class Definition:
    """A named definition: where it starts and ends, its enclosing definition and its header."""

    name: str
    kind: str
    line: int  # 0-based first line
    end_line: int  # 0-based last line
    parent: int  # index of the enclosing definition in the file's list, -1 at top level
    signature: str  # the header lines exactly as written (indentation kept), no body


@dataclass(frozen=True, slots=True)
class FileTags:
    """Everything the map needs from one file; plain data so it caches and pickles cheaply."""

    language: str
    definitions: tuple[Definition, ...]
    references: tuple[tuple[str, int], ...]  # (name, count), sorted by name
    words: tuple[tuple[str, int], ...]  # search terms with counts, sorted by term

    def to_plain(self) -> tuple:
        """A tuple of builtins (for marshal) that `from_plain` turns back into FileTags."""
        return (
            self.language,
            tuple(
                (d.name, d.kind, d.line, d.end_line, d.parent, d.signature)
                for d in self.definitions
            ),
            self.references,
            self.words,
        )

    @classmethod
    def from_plain(cls, plain: tuple) -> FileTags:
        """Inverse of `to_plain`."""
        language, definitions, references, words = plain
        return cls(
            language,
            tuple(Definition(*d) for d in definitions),
            tuple(tuple(r) for r in references),
            tuple(tuple(w) for w in words),
        )


def _header_end(node: Node) -> int:
    """The last row of a definition's header: its children before the body, comments aside."""
    start = node.start_point.row
    body = node.child_by_field_name("body")
    if body is None or body.start_point.row == start:
        return start
    end = start
    for child in node.children:
        if child.start_byte >= body.start_byte:
            break
        if child.type != "comment":
            end = max(end, child.end_point.row)
    return end


def _signature(node: Node, lines: list[bytes]) -> str:
    """The header of a definition as written: its lines up to where the body starts."""
    start = node.start_point.row
    end = min(_header_end(node), start + MAX_SIGNATURE_LINES - 1, len(lines) - 1)
    picked = []
    for raw in lines[start : end + 1]:
        text = raw.decode("utf-8", "replace").rstrip()
        if len(text) > MAX_SIGNATURE_CHARS:
            text = text[:MAX_SIGNATURE_CHARS] + " …"
        picked.append(text)
    return "\n".join(picked)


def _with_parents(found: list[tuple[int, int, str, str, Node]], lines: list[bytes]) -> tuple:
    """Definitions in source order, each pointing at the innermost definition enclosing it."""
    found.sort(key=lambda item: (item[0], -item[1], item[2]))
    definitions: list[Definition] = []
    stack: list[tuple[int, int]] = []  # (index, end_byte)
    for start_byte, end_byte, name, kind, node in found:
        while stack and stack[-1][1] < end_byte:
            stack.pop()
        parent = stack[-1][0] if stack else -1
        definitions.append(
            Definition(
                name,
                kind,
                node.start_point.row,
                node.end_point.row,
                parent,
                _signature(node, lines),
            )
        )
        stack.append((len(definitions) - 1, end_byte))
        del start_byte
    return tuple(definitions)


def _definitions(captures: dict[str, list[Node]]) -> list[tuple[int, int, str, str, Node]]:
    """Pair each definition node with its name node (the first name capture inside it)."""
    found: list[tuple[int, int, str, str, Node]] = []
    seen: set[tuple[int, str]] = set()
    for capture in sorted(captures):
        if not capture.startswith("definition."):
            continue
        kind = capture[len("definition.") :]
        names = sorted(captures.get(f"name.definition.{kind}", ()), key=lambda n: n.start_byte)
        starts = [n.start_byte for n in names]
        for node in captures[capture]:
            position = bisect_left(starts, node.start_byte)
            if position == len(names) or names[position].end_byte > node.end_byte:
                continue
            raw = names[position].text or b""
            name = raw.decode("utf-8", "replace")
            key = (node.start_byte, name)
            if name and key not in seen:
                seen.add(key)
                found.append((node.start_byte, node.end_byte, name, kind, node))
    return found


def extract(language: str, source: bytes) -> FileTags:
    """Parse `source` with the grammar and return its tags (never raises on odd input)."""
    from tree_sitter import QueryCursor  # here: a warm map never parses, so never loads it

    tree = parser(language).parse(source)
    captures = QueryCursor(tags_query(language)).captures(tree.root_node)
    raw_references: Counter[bytes] = Counter()
    words: Counter[str] = Counter()
    docs: list[bytes] = []
    for capture, nodes in captures.items():
        if capture.startswith("name.reference."):
            raw_references.update(map(NODE_TEXT, nodes))
        elif capture == "doc":
            docs.extend((node.text or b"")[:MAX_DOC_CHARS] for node in nodes)
    if docs:  # one pass over all of them: the same words as one pass per string, far cheaper
        words.update(term_counts(b"\n".join(docs).decode("utf-8", "replace")))
    references: Counter[str] = Counter()
    for raw, count in raw_references.items():
        if raw:
            references[raw.decode("utf-8", "replace")] += count
    lines = source.split(b"\n")
    definitions = _with_parents(_definitions(captures), lines)
    for definition in definitions:
        words.update(word_terms(definition.name))
        # Exact names match even when they are stop-words.
        words[definition.name.lower().strip("_")] += 1
    for name, count in references.items():
        for term in word_terms(name):
            words[term] += count
    return FileTags(
        language,
        definitions,
        tuple(sorted(references.items())),
        tuple(sorted(words.items())),
    )
