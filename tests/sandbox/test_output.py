"""Bounded output: lines survive any chunking; nothing past the limit is kept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sandbox.output import MAX_LINE_BYTES, OutputCollector
from sandbox.protocol import OutputLine


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:], strict=False)]


@given(
    lines=st.lists(
        st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\n\r"), max_size=40)
    ),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=20),
)
def test_any_chunking_yields_the_same_lines(lines: list[str], cuts: list[int]) -> None:
    data = "".join(line + "\n" for line in lines).encode()
    seen: list[OutputLine] = []
    collector = OutputCollector(10_000_000, seen.append)
    for chunk in _chunks(data, cuts):
        collector.feed("stdout", chunk)
    collector.finish()
    assert [line.text for line in seen] == lines
    assert collector.text == data.decode()
    assert not collector.truncated


def test_streams_are_split_separately() -> None:
    seen: list[OutputLine] = []
    collector = OutputCollector(1000, seen.append)
    collector.feed("stdout", b"out-a")
    collector.feed("stderr", b"err-a\nerr")
    collector.feed("stdout", b"-end\n")
    collector.finish()
    assert [(line.stream, line.text) for line in seen] == [
        ("stderr", "err-a"),
        ("stdout", "out-a-end"),
        ("stderr", "err"),
    ]


def test_limit_truncates_once_and_keeps_draining() -> None:
    seen: list[OutputLine] = []
    collector = OutputCollector(100, seen.append)
    for _ in range(1000):
        collector.feed("stdout", b"0123456789\n" * 10)
    collector.finish()
    assert collector.truncated
    assert collector.total_bytes == 110_000
    kept = [line for line in seen if not line.text.startswith("[hunkwise")]
    assert sum(len(line.text) + 1 for line in kept) <= 100
    assert sum("output truncated" in line.text for line in seen) == 1


def test_endless_line_is_cut_into_bounded_pieces() -> None:
    seen: list[OutputLine] = []
    collector = OutputCollector(10 * MAX_LINE_BYTES, seen.append)
    for _ in range(5):
        collector.feed("stdout", b"x" * MAX_LINE_BYTES)
    assert all(len(line.text) <= MAX_LINE_BYTES for line in seen)
    assert len(seen) >= 4


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    seen: list[OutputLine] = []
    collector = OutputCollector(100, seen.append)
    collector.feed("stdout", b"caf\xe9\r\n")
    assert seen[0].text == "caf\ufffd"
