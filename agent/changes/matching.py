"""Find the text a model wants replaced: exactly once, or tolerantly when that is unique."""

from __future__ import annotations

import difflib

from agent.changes.errors import EditError

CANDIDATE_LINES = 8


def replace_once(path: str, text: str, old: str, new: str) -> str:
    """`text` with the single occurrence of `old` replaced by `new`, or EditError for the model."""
    if "\r\n" in text and "\r" not in old:
        old, new = old.replace("\n", "\r\n"), new.replace("\n", "\r\n")
    if not old:
        if not text:
            return new
        raise EditError(
            f"{path}: the text to replace is empty but the file is not",
            "quote the exact lines to replace, or write the whole file",
        )
    count = text.count(old)
    if count == 1:
        return text.replace(old, new, 1)
    if count > 1:
        lines = _line_numbers_of(text, old)
        raise EditError(
            f"{path}: the text to replace occurs {count} times (at lines "
            f"{', '.join(map(str, lines[:10]))}); nothing was changed",
            "include more surrounding lines so the text matches exactly once",
        )
    return _tolerant(path, text, old, new)


def _line_numbers_of(text: str, old: str) -> list[int]:
    found, start = [], 0
    while (index := text.find(old, start)) >= 0:
        found.append(text.count("\n", 0, index) + 1)
        start = index + 1
    return found


def _squash(line: str) -> str:
    return " ".join(line.split())


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _tolerant(path: str, text: str, old: str, new: str) -> str:
    """Match line by line ignoring indentation and whitespace runs; only a unique match counts."""
    file_lines = text.splitlines(keepends=True)
    old_lines = old.splitlines()
    while old_lines and not old_lines[-1].strip():
        old_lines.pop()
    while old_lines and not old_lines[0].strip():
        old_lines.pop(0)
    if not old_lines:
        raise _no_match(path, file_lines, old, "the text to replace is only whitespace")
    wanted = [_squash(line) for line in old_lines]
    size = len(wanted)
    starts = [
        i
        for i in range(len(file_lines) - size + 1)
        if [_squash(line) for line in file_lines[i : i + size]] == wanted
    ]
    if len(starts) > 1:
        raise EditError(
            f"{path}: the text to replace matches {len(starts)} places once whitespace is "
            f"ignored (lines {', '.join(str(s + 1) for s in starts[:10])}); nothing was changed",
            "quote the lines exactly, with more surrounding context, so one place matches",
        )
    if not starts:
        raise _no_match(path, file_lines, old, "the text to replace was not found")
    start = starts[0]
    matched = file_lines[start : start + size]
    ending = "\r\n" if matched[-1].endswith("\r\n") else "\n"
    # Indentation the model got wrong is mapped to what the file really has, line by line.
    indents = {_indent(o): _indent(f) for o, f in zip(old_lines, matched, strict=True) if o.strip()}
    known = sorted(indents, key=len, reverse=True)
    new_lines = []
    for line in new.splitlines():
        own = _indent(line)
        prefix = own if own in indents else next((k for k in known if own.startswith(k)), None)
        if prefix is not None and line.strip():
            line = indents[prefix] + line[len(prefix) :]
        new_lines.append(line)
    replacement = ending.join(new_lines)
    if matched[-1].endswith("\n") and new_lines:
        replacement += ending
    return "".join(file_lines[:start]) + replacement + "".join(file_lines[start + size :])


def _no_match(path: str, file_lines: list[str], old: str, why: str) -> EditError:
    return EditError(f"{path}: {why}; nothing was changed", _closest(file_lines, old))


def _closest(file_lines: list[str], old: str) -> str:
    """The window of the file most like `old`, with line numbers, as a hint for the model."""
    old_lines = old.splitlines() or [old]
    size = max(1, len(old_lines))
    if not file_lines:
        return "the file is empty; write the whole file instead"
    target = "\n".join(_squash(line) for line in old_lines)
    best, best_score = 0, -1.0
    for start in range(max(1, len(file_lines) - size + 1)):
        window = "\n".join(_squash(line) for line in file_lines[start : start + size])
        matcher = difflib.SequenceMatcher(None, target, window, autojunk=False)
        if matcher.real_quick_ratio() <= best_score or matcher.quick_ratio() <= best_score:
            continue
        score = matcher.ratio()
        if score > best_score:
            best, best_score = start, score
    shown = file_lines[best : best + min(size, CANDIDATE_LINES)]
    listing = "".join(f"{best + n + 1:>5} | {line.rstrip()}\n" for n, line in enumerate(shown))
    return (
        f"closest lines in the file ({best_score:.0%} similar):\n{listing}"
        "re-read the file and quote the text to replace exactly"
    )
