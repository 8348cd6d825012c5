"""What a message points at: repository files named in it and identifiers it uses."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from repomap.lexical import MIN_TERM_LENGTH, STOP_WORDS

PATH_LIKE = re.compile(r"[A-Za-z0-9_.\-/\\]+")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
CODE_SHAPED = re.compile(r"_|[a-z][A-Z]|[A-Z].*[A-Z]|[0-9]")


@dataclass
class PathLookup:
    """Finds repository files from how people write them: full paths, path tails, module names."""

    paths: Sequence[str]
    # File name -> files, plus `pkg.py` -> `.../pkg/__init__.py`: one entry per file keeps
    # building this cheap in every new process; tails are checked against the few candidates.
    by_name: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for file_id, path in enumerate(self.paths):
            slash = path.rfind("/")
            self.by_name.setdefault(path[slash + 1 :], []).append(file_id)
            if path.endswith("/__init__.py"):
                package = path[: -len("/__init__.py")]
                name = package[package.rfind("/") + 1 :] + ".py"
                self.by_name.setdefault(name, []).append(file_id)

    def tail(self, key: str) -> list[int]:
        """Files whose path, or package path + `.py`, ends with `key` at a `/` boundary."""
        hits = []
        for file_id in self.by_name.get(key[key.rfind("/") + 1 :], ()):
            path = self.paths[file_id]
            if _ends_at_part(path, key) or (
                path.endswith("/__init__.py")
                and _ends_at_part(path[: -len("/__init__.py")] + ".py", key)
            ):
                hits.append(file_id)
        return hits

    def resolve(self, token: str) -> list[int]:
        """The files a path-like or dotted token names (longest matching tail wins)."""
        token = token.replace("\\", "/").strip("./:,;'\"`()[]")
        if "/" in token:
            parts = [p for p in token.split("/") if p]
            for start in range(len(parts)):
                hit = self.tail("/".join(parts[start:]))
                if hit:
                    return hit
            return []
        if re.search(r"\.(py|pyi|js|ts|tsx|go|rs|java|c|h|cc|cpp|hpp|cs|rb|php)$", token):
            return self.tail(token)
        parts = token.split(".")
        if len(parts) < 2:
            return []
        # A dotted module path: django.db.models.query(.QuerySet) -> django/db/models/query.py
        for end in range(len(parts), 1, -1):
            hit = self.tail("/".join(parts[:end]) + ".py")
            if hit:
                return hit
        return []


def _ends_at_part(path: str, key: str) -> bool:
    return path == key or (path.endswith(key) and path[-len(key) - 1] == "/")


def mentioned_files(text: str, lookup: PathLookup) -> dict[int, int]:
    """file id -> how many times the text names it."""
    found: dict[int, int] = {}
    for token in PATH_LIKE.findall(text):
        if "/" not in token and "." not in token.strip("."):
            continue
        hits = lookup.resolve(token)
        if 0 < len(hits) <= 3:
            for file_id in hits:
                found[file_id] = found.get(file_id, 0) + 1
    return found


def mentioned_identifiers(text: str) -> dict[str, float]:
    """Code-shaped names in the text (snake, camel, dotted, called, quoted) -> weight.

    Plain words are left to lexical matching: as graph seeds, words such as `name` or `django`
    pull in whichever file happens to define a symbol of that name.
    """
    found: dict[str, float] = {}
    for match in IDENTIFIER.finditer(text):
        word = match.group()
        if len(word) < MIN_TERM_LENGTH or word.lower() in STOP_WORDS:
            continue
        after = text[match.end() : match.end() + 1]
        before = text[match.start() - 1 : match.start()] if match.start() else ""
        code_like = (
            bool(CODE_SHAPED.search(word))
            or (after != "" and after in "(`")
            or (before != "" and before in ".`")
        )
        if code_like:
            found[word] = 1.0
    return found
