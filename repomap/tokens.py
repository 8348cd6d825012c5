"""Token counting with the active model's tokenizer, falling back to tiktoken's cl100k_base."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

FALLBACK_ENCODING = "cl100k_base"


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
    """Counts tokens for one model; identical texts are counted once."""

    def __init__(self, model: str | None = None) -> None:
        self.model = model
        counter = None
        if model and not model.startswith("replay:"):
            counter = _litellm_counter(model)
        self._count = counter or tiktoken_encoder()
        self._memo: dict[str, int] = {}

    def count(self, text: str) -> int:
        """Number of tokens in `text`."""
        cached = self._memo.get(text)
        if cached is None:
            cached = self._count(text)
            if len(self._memo) > 50_000:
                self._memo.clear()
            self._memo[text] = cached
        return cached
