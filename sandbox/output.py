"""Bounded output: lines stream to a callback as they arrive; only `limit` bytes are kept."""

from __future__ import annotations

from typing import Literal

from sandbox.protocol import LineSink, OutputLine

Stream = Literal["stdout", "stderr"]

# A line longer than this is passed on in pieces, so one endless line cannot grow memory.
MAX_LINE_BYTES = 64 * 1024


class OutputCollector:
    """Splits byte chunks into lines, forwards them, and keeps at most `limit` bytes of output."""

    def __init__(self, limit: int, on_line: LineSink | None = None) -> None:
        self.limit = limit
        self.on_line = on_line
        self.truncated = False
        self.total_bytes = 0
        self._kept: list[str] = []
        self._kept_bytes = 0
        self._partial: dict[Stream, bytes] = {"stdout": b"", "stderr": b""}

    def feed(self, stream: Stream, chunk: bytes) -> None:
        """Take a chunk of raw output from one stream."""
        if not chunk:
            return
        self.total_bytes += len(chunk)
        if self.truncated:
            return  # drained, not kept: the producer must never block on us
        buf = self._partial[stream] + chunk
        *lines, rest = buf.split(b"\n")
        for line in lines:
            self._emit(stream, line)
        while len(rest) > MAX_LINE_BYTES and not self.truncated:
            self._emit(stream, rest[:MAX_LINE_BYTES])
            rest = rest[MAX_LINE_BYTES:]
        self._partial[stream] = b"" if self.truncated else rest

    def finish(self) -> None:
        """Flush the unterminated last line of each stream."""
        for stream in ("stdout", "stderr"):
            rest = self._partial[stream]  # type: ignore[index]
            self._partial[stream] = b""  # type: ignore[index]
            if rest and not self.truncated:
                self._emit(stream, rest)  # type: ignore[arg-type]

    def note(self, text: str) -> None:
        """Add a line of our own (e.g. why a run was stopped), outside the byte limit."""
        self._kept.append(text + "\n")
        if self.on_line is not None:
            self.on_line(OutputLine(stream="stderr", text=text))

    @property
    def text(self) -> str:
        """The kept output, lines joined."""
        return "".join(self._kept)

    def _emit(self, stream: Stream, raw: bytes) -> None:
        if self.truncated:
            return
        size = len(raw) + 1
        if self._kept_bytes + size > self.limit:
            self.truncated = True
            self.note(
                f"[hunkwise: output truncated after {self._kept_bytes} bytes; "
                "the rest was discarded]"
            )
            return
        text = raw.decode("utf-8", errors="replace").rstrip("\r")
        self._kept_bytes += size
        self._kept.append(text + "\n")
        if self.on_line is not None:
            self.on_line(OutputLine(stream=stream, text=text))
