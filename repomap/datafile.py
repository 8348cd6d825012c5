"""A data-only container for cache files: named numeric arrays, string lists and integers.

Loading never runs code (unlike pickle): a JSON header names each field's kind, dtype, shape
and byte range, and arrays are read with `np.frombuffer` from a whitelist of plain dtypes.
Anything malformed raises `DataFileError`, and the caller rebuilds what the file cached.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np

MAGIC = b"HWDATA1\n"
SIZE_BYTES = 8
# Plain numbers only: no object, string or structured dtypes.
DTYPES = frozenset({"|b1", "|i1", "|u1", "<i4", "<i8", "<u4", "<u8", "<f4", "<f8"})
Value = np.ndarray | Sequence[str] | int | bytes


class DataFileError(ValueError):
    """A cache file that is not a well-formed data file (damaged, foreign or old)."""


def pack(fields: Mapping[str, Value]) -> bytes:
    """One buffer holding `fields`; `unpack` gives them back (string sequences as lists)."""
    header: dict[str, list] = {}
    chunks: list[bytes | memoryview] = []
    offset = 0
    for name, value in fields.items():
        if isinstance(value, bool | int):
            header[name] = ["int", int(value)]
            continue
        if isinstance(value, np.ndarray):
            array = np.ascontiguousarray(value)
            dtype = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype
            array = array.astype(dtype, copy=False)
            if dtype.str not in DTYPES:
                raise DataFileError(f"field {name}: dtype {dtype.str} cannot be stored")
            raw: bytes | memoryview = memoryview(array).cast("B")
            entry = ["array", dtype.str, list(array.shape), offset, array.nbytes]
        elif isinstance(value, bytes):
            raw = value
            entry = ["bytes", offset, len(value)]
        else:
            raw = "\0".join(value).encode("utf-8", "surrogatepass")
            entry = ["strings", offset, len(raw), len(value)]
        header[name] = entry
        chunks.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode()
    return b"".join([MAGIC, len(head).to_bytes(SIZE_BYTES, "little"), head, *chunks])


def unpack(data: bytes | bytearray | memoryview) -> dict[str, Value]:
    """The fields of a `pack` buffer; DataFileError when it is not one.

    Arrays share `data`'s memory (writable only when `data` is a bytearray).
    """
    view = memoryview(data)
    if bytes(view[: len(MAGIC)]) != MAGIC:
        raise DataFileError("not a hunkwise data file")
    start = len(MAGIC) + SIZE_BYTES
    size = int.from_bytes(view[len(MAGIC) : start], "little")
    try:
        header = json.loads(bytes(view[start : start + size]))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFileError(f"damaged header: {exc}") from exc
    if not isinstance(header, dict):
        raise DataFileError("damaged header")
    body = view[start + size :]
    fields: dict[str, Value] = {}
    for name, entry in header.items():
        try:
            fields[name] = _field(body, entry)
        except (TypeError, ValueError, IndexError, KeyError) as exc:
            raise DataFileError(f"field {name}: {exc}") from exc
    return fields


def _field(body: memoryview, entry: list) -> Value:
    kind = entry[0]
    if kind == "int":
        if not isinstance(entry[1], int):
            raise DataFileError("not an integer")
        return entry[1]
    if kind == "array":
        _, dtype, shape, offset, nbytes = entry
        if dtype not in DTYPES:
            raise DataFileError(f"dtype {dtype!r} is not allowed")
        raw = _slice(body, offset, nbytes)
        return np.frombuffer(raw, dtype=np.dtype(dtype)).reshape(shape)
    if kind == "bytes":
        return bytes(_slice(body, entry[1], entry[2]))
    if kind == "strings":
        _, offset, nbytes, count = entry
        if count == 0:
            return []
        words = bytes(_slice(body, offset, nbytes)).decode("utf-8", "surrogatepass").split("\0")
        if len(words) != count:
            raise DataFileError("string count does not match")
        return words
    raise DataFileError(f"unknown field kind {kind!r}")


def _slice(body: memoryview, offset: object, nbytes: object) -> memoryview:
    if not (isinstance(offset, int) and isinstance(nbytes, int)) or offset < 0 or nbytes < 0:
        raise DataFileError("bad byte range")
    if offset + nbytes > len(body):
        raise DataFileError("truncated")
    return body[offset : offset + nbytes]


def strings(fields: Mapping[str, Value], name: str) -> list[str]:
    """A string-list field, checked."""
    value = fields.get(name)
    if not isinstance(value, list):
        raise DataFileError(f"field {name} is not a string list")
    return value


def array(fields: Mapping[str, Value], name: str) -> np.ndarray:
    """An array field, checked."""
    value = fields.get(name)
    if not isinstance(value, np.ndarray):
        raise DataFileError(f"field {name} is not an array")
    return value


def integer(fields: Mapping[str, Value], name: str) -> int:
    """An integer field, checked."""
    value = fields.get(name)
    if not isinstance(value, int):
        raise DataFileError(f"field {name} is not an integer")
    return value


def raw_bytes(fields: Mapping[str, Value], name: str) -> bytes:
    """A bytes field, checked."""
    value = fields.get(name)
    if not isinstance(value, bytes):
        raise DataFileError(f"field {name} is not bytes")
    return value
