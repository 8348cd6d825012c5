"""Flatten file views into display rows, and highlight one row at a time (only what is visible)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_for_filename
from pygments.util import ClassNotFound
from rich.style import Style
from rich.syntax import PygmentsSyntaxTheme
from rich.text import Text

from agent.changes import Decision, FileView, HunkView

RowKind = Literal["file", "hunk", "line", "note"]

MARKERS: dict[Decision, tuple[str, str]] = {
    Decision.ACCEPTED: ("✓", "bold green"),
    Decision.REJECTED: ("✗", "bold red"),
    Decision.UNDECIDED: ("·", "dim"),
}


@dataclass(frozen=True)
class Row:
    """One display row of the diff: a file header, hunk header, diff line or review note."""

    kind: RowKind
    file_index: int
    hunk_index: int  # index into the flat hunk list; -1 for file rows
    line_index: int = -1  # index into the hunk's lines for line rows
    text: str = ""


@dataclass(frozen=True)
class DiffLayout:
    """The rows of a whole change set plus where each hunk starts and which file it is in."""

    rows: tuple[Row, ...]
    hunks: tuple[HunkView, ...]
    hunk_files: tuple[int, ...]
    hunk_starts: tuple[int, ...]
    file_starts: tuple[int, ...]


def build_layout(files: Sequence[FileView]) -> DiffLayout:
    """Rows for every file and hunk, in file order; cheap even for 20,000 lines."""
    rows: list[Row] = []
    hunks: list[HunkView] = []
    hunk_files: list[int] = []
    hunk_starts: list[int] = []
    file_starts: list[int] = []
    for file_index, view in enumerate(files):
        file_starts.append(len(rows))
        rows.append(Row("file", file_index, -1, text=view.path))
        for hunk in view.hunks:
            flat = len(hunks)
            hunks.append(hunk)
            hunk_files.append(file_index)
            hunk_starts.append(len(rows))
            rows.append(Row("hunk", file_index, flat, text=hunk.header))
            rows.extend(Row("note", file_index, flat, text=note) for note in hunk.notes)
            rows.extend(Row("line", file_index, flat, line_index=i) for i in range(len(hunk.lines)))
    return DiffLayout(
        tuple(rows), tuple(hunks), tuple(hunk_files), tuple(hunk_starts), tuple(file_starts)
    )


@lru_cache(maxsize=256)
def lexer_for(path: str) -> Lexer:
    """The pygments lexer for a file name (plain text when unknown)."""
    try:
        return get_lexer_for_filename(path, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=False)


@lru_cache(maxsize=4)
def _theme(name: str) -> PygmentsSyntaxTheme:
    return PygmentsSyntaxTheme(name)


@lru_cache(maxsize=20_000)
def highlight_code(path: str, code: str, theme: str = "monokai") -> Text:
    """One line of code highlighted for its file type; cached so scrolling back is free."""
    lexer = lexer_for(path)
    syntax_theme = _theme(theme)
    text = Text(no_wrap=True, end="")
    for token_type, value in lexer.get_tokens(code):
        style = syntax_theme.get_style_for_token(token_type)
        # Foreground only: the diff's own +/- backgrounds must show through.
        text.append(
            value.rstrip("\n"), Style(color=style.color, bold=style.bold, italic=style.italic)
        )
    return text


LINE_BACKGROUNDS: dict[str, Style] = {
    "+": Style(bgcolor="#12361f"),
    "-": Style(bgcolor="#3d1518"),
    " ": Style(),
}
