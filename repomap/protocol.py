"""What crosses the repo-map boundary: the request, the result and the RepoMap protocol."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

# Called with (files done, files total) while the index is built.
Progress = Callable[[int, int], None]


class MapRequest(BaseModel):
    """What the map is ranked for."""

    model_config = ConfigDict(frozen=True)

    query: str = Field("", description="The user's message or task text.")
    chat_files: tuple[str, ...] = Field((), description="Files in the chat or being edited.")
    mentioned_files: tuple[str, ...] = Field((), description="Files named explicitly.")
    max_tokens: int = 1024


class MapResult(BaseModel):
    """A ranked map: all files best first, and the rendered text within the budget."""

    model_config = ConfigDict(frozen=True)

    files: tuple[str, ...]
    text: str
    tokens: int
    seconds: float


class RepoMap(Protocol):
    """Builds an index of a repository once, then ranks and renders it per message."""

    def build(self, progress: Progress | None = None) -> None:
        """Parse new and changed files into the cache; cheap when nothing changed."""
        ...

    def render(self, request: MapRequest) -> MapResult:
        """Rank for `request` and render within `request.max_tokens` (never over)."""
        ...
