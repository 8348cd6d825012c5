"""How one file's tags are stored: what rendering shows apart from what ranking counts.

A payload is two marshalled parts behind a 4-byte length: (language, definitions) for
rendering, and (defined names, references, prose words) for ranking, so each reads only its part.
"""

from __future__ import annotations

import marshal

SIZE_BYTES = 4


def pack(plain: tuple) -> bytes:
    """A payload from plain tags as `FileTags.to_plain` gives them."""
    language, definitions, references, prose = plain
    shown = marshal.dumps((language, definitions))
    counted = marshal.dumps((tuple(d[0] for d in definitions), references, prose))
    return len(shown).to_bytes(SIZE_BYTES, "little") + shown + counted


def shown(payload: bytes) -> tuple[str, tuple]:
    """(language, plain definitions) of a payload."""
    size = int.from_bytes(payload[:SIZE_BYTES], "little")
    return marshal.loads(memoryview(payload)[SIZE_BYTES : SIZE_BYTES + size])


def counted(payload: bytes) -> tuple:
    """(defined names, references, prose words) of a payload."""
    size = int.from_bytes(payload[:SIZE_BYTES], "little")
    return marshal.loads(memoryview(payload)[SIZE_BYTES + size :])
