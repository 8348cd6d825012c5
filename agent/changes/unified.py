"""Unified diff text (git style) of pending or accepted changes, byte-exact for `git apply`."""

from __future__ import annotations

from collections.abc import Mapping

from agent.changes.filechange import FileChange
from agent.changes.hunks import bounds, header, layout
from agent.changes.lines import decode

NO_NEWLINE = "\\ No newline at end of file\n"


def file_diff(path: str, original: bytes | None, target: bytes | None) -> str:
    """The git-style diff of one file from `original` to `target` (None = absent)."""
    change = FileChange(path, original)
    change.propose(target)
    if not change.hunks:
        return ""
    old_name = f"a/{path}" if original is not None else "/dev/null"
    new_name = f"b/{path}" if target is not None else "/dev/null"
    out = [f"diff --git a/{path} b/{path}\n"]
    if original is None:
        out.append("new file mode 100644\n")
    elif target is None:
        out.append("deleted file mode 100644\n")
    if not any(hunk.blocks for hunk in change.hunks):
        return "".join(out)  # an empty file created or deleted has no hunk lines
    out += [f"--- {old_name}\n", f"+++ {new_name}\n"]
    original_lines = change.original_lines
    delta = 0
    for number, hunk in enumerate(change.hunks):
        lower, upper, _ = bounds(change.hunks, number, len(original_lines), delta)
        delta_here = delta
        delta += sum(len(b.new) - len(b.old) for b in hunk.blocks)
        slots = layout(hunk, original_lines, lower, upper, delta_here)
        out.append(header(slots, hunk.old_start, delta_here) + "\n")
        for slot in slots:
            text = decode(slot.line)
            if text.endswith("\n"):
                out.append(slot.kind + text)
            else:
                out += [slot.kind + text + "\n", NO_NEWLINE]
    return "".join(out)


def patch_text(originals: Mapping[str, bytes | None], targets: Mapping[str, bytes | None]) -> str:
    """The diff of every path in `targets` against `originals`, sorted by path."""
    return "".join(file_diff(path, originals.get(path), targets[path]) for path in sorted(targets))
