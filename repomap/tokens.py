"""Token counting with the active model's tokenizer, falling back to tiktoken's cl100k_base."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Protocol

FALLBACK_ENCODING = "cl100k_base"


class CountStore(Protocol):
    """Persistent token counts by key (the SQLite cache implements it)."""

    def token_count(self, key: str) -> int | None:
        """The stored count, or None."""
        ...

    def put_token_count(self, key: str, count: int) -> None:
        """Store a count."""
        ...


def _bundled_tiktoken_dir() -> Path | None:
    """litellm's offline copy of the tiktoken files, found without importing litellm."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "litellm_core_utils" / "tokenizers"
    return folder if folder.is_dir() else None


@lru_cache(maxsize=4)
def tiktoken_encoder(name: str = FALLBACK_ENCODING) -> Callable[[str], int]:
    """A counter for a tiktoken encoding, loaded from the bundled files (no download)."""
    import tiktoken

    bundled = _bundled_tiktoken_dir()
    if bundled is not None:
        # tiktoken reads its files from this cache directory before trying the network;
        # litellm sets the same variable when it is imported.
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(bundled))
    encoding = tiktoken.get_encoding(name)

    def count(text: str) -> int:
        return len(encoding.encode(text, disallowed_special=()))

    return count


def _litellm_counter(model: str) -> Callable[[str], int] | None:
    """litellm's tokenizer for `model` when it works offline, else None."""
    try:
        import litellm

        litellm.encode(model=model, text="probe")
    except Exception:  # noqa: BLE001 - any failure means: use the fallback tokenizer
        return None

    def count(text: str) -> int:
        return len(litellm.encode(model=model, text=text))

    return count


class TokenCounter:
    """Counts tokens for one model; tokenizers load on first real use, counts are memoised."""

    def __init__(self, model: str | None = None) -> None:
        self.model = model if model and not model.startswith("replay:") else None
        self.name = f"litellm:{self.model}" if self.model else f"tiktoken:{FALLBACK_ENCODING}"
        # tiktoken never merges across a newline followed by a non-space character, so for it
        # the count of fragments joined that way is the sum of their counts (property-tested).
        self.additive = self.model is None
        self._count: Callable[[str], int] | None = None
        self._memo: dict[str, int] = {}

    def load(self) -> None:
        """Load the tokenizer now rather than on the first count that misses the store."""
        self._counter()

    def _counter(self) -> Callable[[str], int]:
        if self._count is None:
            counter = _litellm_counter(self.model) if self.model else None
            if counter is None:
                counter = tiktoken_encoder()
                self.name = f"tiktoken:{FALLBACK_ENCODING}"
            self._count = counter
        return self._count

    def count(self, text: str, store: CountStore | None = None) -> int:
        """Number of tokens in `text` (looked up in `store` first, and saved there)."""
        cached = self._memo.get(text)
        if cached is not None:
            return cached
        key = ""
        if store is not None:
            key = hashlib.sha1(f"{self.name}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()
            cached = store.token_count(key)
        if cached is None:
            cached = self._counter()(text)
            if store is not None:
                store.put_token_count(key, cached)
        if len(self._memo) > 50_000:
            self._memo.clear()
        self._memo[text] = cached
        return cached
