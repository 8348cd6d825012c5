"""Load a unified diff into a change set, one review hunk per patch hunk, in patch order."""

from __future__ import annotations

from typing import TYPE_CHECKING

import unidiff

from agent.changes.errors import PatchError
from agent.changes.filechange import FileChange
from agent.changes.hunks import Block, Hunk, hunk_id
from agent.changes.lines import decode, encode, is_binary, line_ending, split_lines, strip_ending

if TYPE_CHECKING:
    from agent.changes.changeset import ChangeSet

# How far (in lines) a hunk may have moved from the line numbers the patch states.
MAX_OFFSET = 10_000


def parse_patch(patch_text: str | bytes) -> unidiff.PatchSet:
    """Parse a unified diff; lines split on LF only so CR bytes stay part of their line."""
    text = decode(patch_text) if isinstance(patch_text, bytes) else patch_text
    lines = [line + "\n" for line in text.split("\n")]
    if lines and lines[-1] == "\n":
        lines.pop()
    try:
        patch = unidiff.PatchSet(lines)
    except unidiff.UnidiffParseError as exc:
        raise PatchError(
            f"not a valid unified diff: {exc}", "pass the output of `git diff`"
        ) from exc
    if not patch:
        raise PatchError("the patch contains no file changes", "pass the output of `git diff`")
    return patch


def load_patch(changes: ChangeSet, patch_text: str | bytes) -> None:
    """Add every file of the patch to `changes`; PatchError (nothing added) when one fails."""
    loaded: dict[str, FileChange] = {}
    for patched in parse_patch(patch_text):
        if patched.is_binary_file:
            raise PatchError(f"{patched.path}: binary patches are refused", "apply it with git")
        source = patched.source_file.removeprefix("a/")
        if patched.is_rename and source != patched.path:
            raise PatchError(
                f"{source} -> {patched.path}: renames are not supported",
                "apply renames with git, then review the content changes",
            )
        rel = changes._path(patched.path)
        if rel in loaded or rel in changes._files:
            raise PatchError(f"{rel} appears twice in the patch", "combine its hunks into one")
        original = changes._disk(rel)
        # Creation and deletion come from the /dev/null headers: unidiff also calls a patch
        # that merely empties (or fills an empty) file "added"/"removed", which git does not.
        added = _is_dev_null(patched.source_file) or _says(patched, "new file mode")
        removed = _is_dev_null(patched.target_file) or _says(patched, "deleted file mode")
        if added and original is not None:
            raise PatchError(f"{rel} already exists but the patch creates it", "remove it first")
        if not added and original is None:
            raise PatchError(f"{rel} does not exist but the patch changes it", "check --repo")
        if is_binary(original):
            raise PatchError(f"{rel} is a binary file", "hunkwise only edits text files")
        change = FileChange(rel, original, _hunks(rel, original, patched), disk=original)
        if removed:
            if change.proposed() != b"":
                raise PatchError(
                    f"{rel}: the patch deletes it but does not remove all of its lines",
                    "the file has changed since the patch was made; regenerate the patch",
                )
            change.deleted = True
        loaded[rel] = change
    changes._files.update(loaded)
    changes._order = list(loaded)


def _is_dev_null(name: str | None) -> bool:
    return (name or "").strip() == "/dev/null"


def _says(patched: unidiff.PatchedFile, marker: str) -> bool:
    return any(line.startswith(marker) for line in patched.patch_info or ())


def _hunks(rel: str, original: bytes | None, patched: unidiff.PatchedFile) -> list[Hunk]:
    lines = split_lines(original)
    hunks, floor = [], 0
    for number, patch_hunk in enumerate(patched, start=1):
        rows = _rows(patch_hunk)
        old_side = [strip_ending(data) for kind, data in rows if kind != "+"]
        stated = (
            max(patch_hunk.source_start - 1, 0)
            if patch_hunk.source_length
            else (patch_hunk.source_start)
        )
        start = _locate(lines, old_side, stated, floor)
        if start is None:
            raise PatchError(
                f"{rel}: hunk {number} ({patch_hunk.source_start},{patch_hunk.source_length}) "
                "does not match the file",
                "the file has changed since the patch was made; regenerate the patch",
            )
        blocks = _blocks(lines, _to_file_endings(lines, rows, start), start)
        if blocks:
            hunks.append(Hunk(hunk_id(rel, blocks), blocks))
        floor = start + len(old_side)
    if not hunks and original is None:
        hunks.append(Hunk(hunk_id(rel, []) + "c", []))
    return hunks


def _rows(patch_hunk: unidiff.Hunk) -> list[tuple[str, bytes]]:
    """(kind, bytes) per line; a `\\ No newline` marker strips the previous line's ending."""
    rows: list[tuple[str, bytes]] = []
    for line in patch_hunk:
        if line.line_type == "\\":
            if rows:
                kind, data = rows[-1]
                rows[-1] = (kind, strip_ending(data))
            continue
        rows.append((line.line_type, encode(line.value)))
    return rows


def _locate(lines: tuple[bytes, ...], old_side: list[bytes], stated: int, floor: int) -> int | None:
    """The start nearest `stated` (not before `floor`) where `old_side` matches the file."""
    size = len(old_side)
    last = len(lines) - size
    for distance in range(0, min(MAX_OFFSET, max(last, stated) + 1) + 1):
        for start in (stated - distance, stated + distance) if distance else (stated,):
            if floor <= start <= last and all(
                strip_ending(lines[start + k]) == old_side[k] for k in range(size)
            ):
                return start
    return None


def _to_file_endings(
    lines: tuple[bytes, ...], rows: list[tuple[str, bytes]], start: int
) -> list[tuple[str, bytes]]:
    """Added lines take CRLF when the patch has LF where the file it matched has CRLF."""
    old_rows = [data for kind, data in rows if kind != "+"]
    matched = lines[start : start + len(old_rows)]
    lf_patch_on_crlf_file = any(
        data.endswith(b"\n") and not data.endswith(b"\r\n") and line.endswith(b"\r\n")
        for data, line in zip(old_rows, matched, strict=True)
    ) or (not old_rows and line_ending(lines) == b"\r\n")
    if not lf_patch_on_crlf_file:
        return rows
    return [
        (kind, data[:-1] + b"\r\n")
        if kind == "+" and data.endswith(b"\n") and not data.endswith(b"\r\n")
        else (kind, data)
        for kind, data in rows
    ]


def _blocks(lines: tuple[bytes, ...], rows: list[tuple[str, bytes]], start: int) -> list[Block]:
    """Runs of -/+ rows as blocks; removed lines keep the file's own bytes."""
    blocks: list[Block] = []
    position = start
    current: Block | None = None
    for kind, data in rows:
        if kind == " ":
            current = None
            position += 1
            continue
        if current is None:
            current = Block(position, (), ())
            blocks.append(current)
        if kind == "-":
            current.old = (*current.old, lines[position])
            position += 1
        else:
            current.new = (*current.new, data)
    for block in blocks:
        block.__post_init__()
    return blocks
