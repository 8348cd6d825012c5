"""Big files are diffed by git's histogram diff; the blocks still rebuild `new` exactly."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.changes.hunks import diff_blocks
from agent.changes.large_diff import LARGE_DIFF_CELLS, large_diff_spans
from agent.changes.lines import Lines


def _apply(old: Lines, new: Lines) -> bytes:
    """Rebuild `new` from `old` and git's spans alone."""
    out: list[bytes] = []
    pos = 0
    for i1, i2, j1, j2 in large_diff_spans(old, new):
        assert i1 >= pos
        out.extend(old[pos:i1])
        out.extend(new[j1:j2])
        pos = i2
    out.extend(old[pos:])
    return b"".join(out)


LINE = st.sampled_from([b"\n", b"}\n", b"x = 1\n", b"\tpass\r\n", b"\xff\xfe\n", b"end"])


@settings(max_examples=60, deadline=None)
@given(
    base=st.lists(LINE, min_size=600, max_size=900),
    edits=st.lists(st.tuples(st.integers(0, 899), st.integers(0, 3), st.lists(LINE, max_size=3))),
)
def test_large_diffs_rebuild_new_exactly(base: list[bytes], edits: list) -> None:
    new = list(base)
    for at, drop, insert in edits:
        at = min(at, len(new))
        new[at : at + drop] = insert
    # A trailing line without a terminator may only be last.
    old_lines = tuple(line for line in base[:-1] if line != b"end") + (base[-1],)
    new_lines = tuple(line for line in new[:-1] if line != b"end") + tuple(new[-1:])
    assert _apply(old_lines, new_lines) == b"".join(new_lines)
    # The same holds through diff_blocks, which picks git for inputs this size.
    rebuilt, pos = [], 0
    for block in diff_blocks(old_lines, new_lines):
        rebuilt.extend(old_lines[pos : block.old_start])
        rebuilt.extend(block.new)
        pos = block.old_end
    rebuilt.extend(old_lines[pos:])
    assert b"".join(rebuilt) == b"".join(new_lines)


def test_threshold_sends_big_files_to_git() -> None:
    assert 600 * 600 > LARGE_DIFF_CELLS > 100 * 100


def test_spans_cover_pure_insertions_and_deletions() -> None:
    old = tuple(f"{i}\n".encode() for i in range(1000))
    new = old[:10] + (b"new\n",) + old[10:500] + old[600:]
    assert large_diff_spans(old, new) == [(10, 10, 10, 11), (500, 600, 501, 501)]
