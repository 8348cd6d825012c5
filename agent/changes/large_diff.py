"""Line diffs of big inputs via git's histogram diff (difflib is quadratic on repeated lines)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from agent.changes.lines import Lines
from hunkwise.gitrun import run_git, safe_config

# Above this many (old x new) line pairs, difflib.SequenceMatcher takes seconds on files with
# many repeated lines (blank lines, braces); git's xdiff does the same in milliseconds.
LARGE_DIFF_CELLS = 250_000

_HUNK_HEADER = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


def _span(start: int, count: int) -> tuple[int, int]:
    # With -U0, git numbers an empty side by the line *before* the change.
    begin = start if count == 0 else start - 1
    return begin, begin + count


def large_diff_spans(old: Lines, new: Lines) -> list[tuple[int, int, int, int]]:
    """Changed spans `(i1, i2, j1, j2)`: old[i1:i2] becomes new[j1:j2], in order."""
    with tempfile.TemporaryDirectory(prefix="hunkwise-diff-") as tmp:
        old_path, new_path = Path(tmp, "old"), Path(tmp, "new")
        old_path.write_bytes(b"".join(old))
        new_path.write_bytes(b"".join(new))
        proc = run_git(
            [
                "diff",
                "--no-index",
                "--no-color",
                "--text",
                "-U0",
                "--diff-algorithm=histogram",
                "--",
                str(old_path),
                str(new_path),
            ],
            tmp,
            options=safe_config(extra=["core.quotePath=false"]),
            # Neither the user's nor the system's config may change this diff: it only
            # feeds our own hunk model.
            isolated=True,
            env={"LC_ALL": "C"},
        )
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"git diff failed: {proc.stderr.decode(errors='replace').strip()}")
    spans = []
    for match in _HUNK_HEADER.finditer(proc.stdout):
        o_start, o_count, n_start, n_count = match.groups()
        i1, i2 = _span(int(o_start), 1 if o_count is None else int(o_count))
        j1, j2 = _span(int(n_start), 1 if n_count is None else int(n_count))
        spans.append((i1, i2, j1, j2))
    return spans
