"""The repo map as the conversation sees it: built once, re-ranked per turn, never fatal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.events import Error, EventSink
from hunkwise.errors import HunkwiseError

if TYPE_CHECKING:
    from repomap.protocol import RepoMap


class ConversationMap:
    """Renders the map for a query and the files in the chat; turns itself off if it breaks."""

    def __init__(self, repo_map: RepoMap | None, max_tokens: int, emit: EventSink) -> None:
        self.repo_map = repo_map
        self.max_tokens = max_tokens
        self.emit = emit
        self.built = False

    def render(self, query: str, chat_files: list[str] | None = None) -> str:
        """The map text ranked for `query` (empty when there is no usable map)."""
        if self.repo_map is None:
            return ""
        from repomap.protocol import MapRequest

        try:
            if not self.built:
                self.repo_map.build(None)
                self.built = True
            result = self.repo_map.render(MapRequest(
                query=query, chat_files=tuple(chat_files or ()), max_tokens=self.max_tokens))
        except Exception as exc:  # noqa: BLE001 - the map is an aid; the loop works without it
            hint = exc.hint if isinstance(exc, HunkwiseError) else "continuing without the map"
            self.emit(Error(message=f"repo map unavailable: {exc}", hint=hint))
            self.repo_map = None
            return ""
        return result.text

    def for_conversation(self, task: str, messages: list[dict],
                         chat_files: list[str]) -> str | None:
        """Re-rank for the task plus the latest messages; None when nothing should change."""
        if self.repo_map is None or not chat_files:
            return None
        recent = " ".join(str(m.get("content") or "")[:500] for m in messages[-4:])
        return self.render(f"{task}\n{recent}", chat_files)
