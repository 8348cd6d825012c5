"""Parse aider-style SEARCH/REPLACE blocks that models without tool calling put in their text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.changes.errors import EditError

SEARCH = re.compile(r"^\s*<{5,9} SEARCH\s*$")
DIVIDER = re.compile(r"^\s*={5,9}\s*$")
REPLACE = re.compile(r"^\s*>{5,9} REPLACE\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")

FORMAT_HINT = (
    "write each edit as: the file path on its own line, then\n"
    "<<<<<<< SEARCH\n(exact lines to find)\n=======\n(lines to put instead)\n>>>>>>> REPLACE"
)


@dataclass(frozen=True)
class SearchReplace:
    """One block: in `path`, replace `search` (empty = new file / append) with `replace`."""

    path: str
    search: str
    replace: str


def _path_before(lines: list[str], index: int) -> str | None:
    for line in reversed(lines[max(0, index - 3) : index]):
        if FENCE.match(line) or not line.strip():
            continue
        candidate = line.strip().strip("`*").rstrip(":").strip()
        if candidate.lower().startswith(("file:", "path:")):
            candidate = candidate.split(":", 1)[1].strip()
        if candidate and " " not in candidate:
            return candidate
        return None
    return None


def parse_blocks(text: str) -> list[SearchReplace]:
    """Every block in `text`, in order; EditError naming the problem when one is malformed."""
    lines = text.split("\n")
    blocks: list[SearchReplace] = []
    path: str | None = None
    index = 0
    while index < len(lines):
        if not SEARCH.match(lines[index]):
            index += 1
            continue
        path = _path_before(lines, index) or path
        if path is None:
            raise EditError("a SEARCH/REPLACE block has no file path before it", FORMAT_HINT)
        search, replace = [], []
        index += 1
        while index < len(lines) and not DIVIDER.match(lines[index]):
            search.append(lines[index])
            index += 1
        if index >= len(lines):
            raise EditError(f"{path}: SEARCH block without a ======= divider", FORMAT_HINT)
        index += 1
        while index < len(lines) and not REPLACE.match(lines[index]):
            replace.append(lines[index])
            index += 1
        if index >= len(lines):
            raise EditError(f"{path}: block without a >>>>>>> REPLACE line", FORMAT_HINT)
        index += 1
        blocks.append(SearchReplace(path, _joined(search), _joined(replace)))
    if not blocks:
        raise EditError("no SEARCH/REPLACE blocks found in the reply", FORMAT_HINT)
    return blocks


def _joined(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)
