"""Definitions, references and searchable words of one source file, via the tags queries."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING

from repomap.languages import parser, tags_query
from repomap.lexical import WORD, search_terms

if TYPE_CHECKING:
    from tree_sitter import Node

MAX_SIGNATURE_LINES = 6
MAX_SIGNATURE_CHARS = 160
MAX_DOC_CHARS = 2_000
NODE_TEXT = attrgetter("text")
START_BYTE = attrgetter("start_byte")
DOC_HEAD = itemgetter(slice(MAX_DOC_CHARS))  # a long string's first MAX_DOC_CHARS bytes


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
    """Everything the map needs from one file; plain data so it caches cheaply."""

    language: str
    definitions: tuple[Definition, ...]
    references: tuple[tuple[str, int], ...]  # (name, count), sorted by name
    prose: tuple[tuple[str, int], ...]  # words of docstrings, strings, comments; sorted

    def terms(self) -> dict[str, int]:
        """Search terms with counts (see `repomap.lexical.search_terms`)."""
        return search_terms((d.name for d in self.definitions), self.references, self.prose)

    def to_plain(self) -> tuple:
        """A tuple of builtins (for marshal) that `from_plain` turns back into FileTags."""
        return (
            self.language,
            tuple(
                (d.name, d.kind, d.line, d.end_line, d.parent, d.signature)
                for d in self.definitions
            ),
            self.references,
            self.prose,
        )

    @classmethod
    def from_plain(cls, plain: tuple) -> FileTags:
        """Inverse of `to_plain`."""
        language, definitions, references, prose = plain
        return cls(
            language,
            tuple(Definition(*d) for d in definitions),
            tuple(tuple(r) for r in references),
            tuple(tuple(w) for w in prose),
        )


def _header_end(node: Node, start: int) -> int:
    """The last row of a definition's header: its children before the body, comments aside."""
    body = node.child_by_field_name("body")
    if body is None:
        return start
    body_start = body.start_byte
    if body.start_point.row == start:
        return start
    # Children never overlap, so the last non-comment child before the body ends lowest.
    child = body.prev_sibling
    while child is not None and (child.type == "comment" or child.start_byte >= body_start):
        child = child.prev_sibling
    return start if child is None else max(start, child.end_point.row)


def _line(text: bytes) -> str:
    line = text.decode("utf-8", "replace").rstrip()
    return line if len(line) <= MAX_SIGNATURE_CHARS else line[:MAX_SIGNATURE_CHARS] + " …"


def _signature(source: bytes, start_byte: int, lines: int) -> str:
    """The first `lines` lines (at most, as written) of the line holding `start_byte`."""
    begin = source.rfind(b"\n", 0, start_byte) + 1
    if lines == 1:  # nearly every header: one line
        end = source.find(b"\n", begin)
        return _line(source[begin:] if end < 0 else source[begin:end])
    picked = []
    for _ in range(lines):
        end = source.find(b"\n", begin)
        if end < 0:
            picked.append(_line(source[begin:]))
            break
        picked.append(_line(source[begin:end]))
        begin = end + 1
    return "\n".join(picked)


def _with_parents(found: list[tuple[int, int, str, str, Node]], source: bytes) -> tuple:
    """Plain definitions in source order, each pointing at the innermost one enclosing it."""
    found.sort(key=lambda item: (item[0], -item[1], item[2]))
    definitions: list[tuple] = []
    stack: list[tuple[int, int]] = []  # (index, end_byte)
    for start_byte, end_byte, name, kind, node in found:
        while stack and stack[-1][1] < end_byte:
            stack.pop()
        start = node.start_point.row
        lines = min(_header_end(node, start) - start, MAX_SIGNATURE_LINES - 1) + 1
        definitions.append(
            (
                name,
                kind,
                start,
                node.end_point.row,
                stack[-1][0] if stack else -1,
                _signature(source, start_byte, lines),
            )
        )
        stack.append((len(definitions) - 1, end_byte))
    return tuple(definitions)


def _definitions(captures: dict[str, list[Node]]) -> list[tuple[int, int, str, str, Node]]:
    """Pair each definition node with its name node (the first name capture inside it)."""
    found: list[tuple[int, int, str, str, Node]] = []
    seen: set[tuple[int, str]] = set()
    for capture in sorted(captures):
        if not capture.startswith("definition."):
            continue
        kind = capture[len("definition.") :]
        names = sorted(captures.get(f"name.definition.{kind}", ()), key=START_BYTE)
        starts = [n.start_byte for n in names]
        for node in captures[capture]:
            start_byte, end_byte = node.start_byte, node.end_byte
            position = bisect_left(starts, start_byte)
            if position == len(names) or names[position].end_byte > end_byte:
                continue
            raw = names[position].text or b""
            name = raw.decode("utf-8", "replace")
            key = (start_byte, name)
            if name and key not in seen:
                seen.add(key)
                found.append((start_byte, end_byte, name, kind, node))
    return found


def extract_plain(language: str, source: bytes) -> tuple:
    """Parse `source` and return its tags as `FileTags.to_plain` gives them (never raises).

    Parse workers call this: they store and send plain tuples, so building the dataclasses
    would be wasted work.
    """
    from tree_sitter import QueryCursor  # here: a warm map never parses, so never loads it

    tree = parser(language).parse(source)
    return tags_of_captures(
        language, source, QueryCursor(tags_query(language)).captures(tree.root_node)
    )


def tags_of_captures(language: str, source: bytes, captures: dict[str, list[Node]]) -> tuple:
    """The plain tags of `source` from what its tags query captured."""
    raw_references: Counter[bytes] = Counter()
    docs: list[bytes] = []
    for capture, nodes in captures.items():
        if capture.startswith("name.reference."):
            raw_references.update(map(NODE_TEXT, nodes))
        elif capture == "doc":
            docs.extend(map(DOC_HEAD, map(NODE_TEXT, nodes)))
    references: dict[str, int] = {}
    for raw, count in raw_references.items():
        if raw:
            name = raw.decode("utf-8", "replace")
            references[name] = references.get(name, 0) + count
    definitions = _with_parents(_definitions(captures), source)
    # Identifier-like words of the prose, counted; their search terms are derived per
    # repository (Features), not per file, since most words recur in many files.
    prose = Counter(WORD.findall(b"\n".join(docs).decode("utf-8", "replace")) if docs else ())
    return (language, definitions, tuple(sorted(references.items())), tuple(sorted(prose.items())))


def extract(language: str, source: bytes) -> FileTags:
    """Parse `source` with the grammar and return its tags (never raises on odd input)."""
    return FileTags.from_plain(extract_plain(language, source))
