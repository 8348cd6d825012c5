"""Bytes <-> lines: files are handled as lines of bytes so endings and odd bytes survive."""

from __future__ import annotations

Lines = tuple[bytes, ...]

# Looking at the first 8 KiB for a NUL byte is how git itself decides a file is binary.
BINARY_SNIFF_BYTES = 8000


def split_lines(data: bytes | None) -> Lines:
    """Split on b"\\n" keeping each terminator (so b"\\r\\n" stays whole); the last may lack one."""
    if not data:
        return ()
    parts = data.split(b"\n")
    lines = [part + b"\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return tuple(lines)


def join_lines(lines: Lines | list[bytes]) -> bytes:
    """The inverse of `split_lines`."""
    return b"".join(lines)


def strip_ending(line: bytes) -> bytes:
    """A line without its terminator."""
    if line.endswith(b"\r\n"):
        return line[:-2]
    if line.endswith(b"\n"):
        return line[:-1]
    return line


def line_ending(lines: Lines) -> bytes:
    """The file's line terminator: CRLF when its first terminated line uses it, else LF."""
    for line in lines:
        if line.endswith(b"\n"):
            return b"\r\n" if line.endswith(b"\r\n") else b"\n"
    return b"\n"


def is_binary(data: bytes | None) -> bool:
    """Whether content looks binary (a NUL byte near the start, as git decides)."""
    return bool(data) and b"\0" in data[:BINARY_SNIFF_BYTES]


def decode(data: bytes) -> str:
    """Bytes to text for the model; undecodable bytes round-trip through surrogate escapes."""
    return data.decode("utf-8", errors="surrogateescape")


def encode(text: str) -> bytes:
    """Text from the model back to bytes; the inverse of `decode`."""
    return text.encode("utf-8", errors="surrogateescape")


def display(line: bytes) -> str:
    """A line for humans: no terminator, undecodable bytes replaced."""
    return strip_ending(line).decode("utf-8", errors="replace")


def text_to_lines(text: str, ending: bytes, terminate_last: bool) -> Lines:
    """Text typed by a human or model as lines using the file's `ending`."""
    raw = encode(text).replace(b"\r\n", b"\n")
    lines = [strip_ending(line) + ending for line in split_lines(raw)]
    if lines and not raw.endswith(b"\n") and not terminate_last:
        lines[-1] = strip_ending(lines[-1])
    return tuple(lines)
