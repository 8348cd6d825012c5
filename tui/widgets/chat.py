"""The chat pane: the streamed conversation, compact tool calls, review findings and the input."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Collapsible, Input, Markdown, Static
from textual.widgets._markdown import MarkdownStream


class ChatInput(Input):
    """The message input, with history on up/down."""

    BINDINGS = [
        Binding("up", "history(-1)", "older", show=False),
        Binding("down", "history(1)", "newer", show=False),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.history: list[str] = []
        self._position = 0

    def remember(self, text: str) -> None:
        """Add a submitted line to the history."""
        if text and (not self.history or self.history[-1] != text):
            self.history.append(text)
        self._position = len(self.history)

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        self._position = max(0, min(self._position + step, len(self.history)))
        self.value = self.history[self._position] if self._position < len(self.history) else ""
        self.cursor_position = len(self.value)


class ChatPane(Vertical):
    """Shows the conversation; posts what the user typed."""

    @dataclass
    class Submitted(Message):
        """The user sent a message or a slash command."""

        text: str

    class CancelRequested(Message):
        """The user pressed escape in the input: stop the running agent."""

    BINDINGS = [Binding("escape", "cancel_agent", "stop agent", show=False)]

    def action_cancel_agent(self) -> None:
        self.post_message(self.CancelRequested())

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._stream: MarkdownStream | None = None
        self._stream_role = "main"  # the model role whose text the open stream shows
        self._tools: dict[str, Collapsible] = {}

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="transcript")
        yield ChatInput(placeholder="Ask for a change, or /help", id="chat-input")

    @property
    def transcript(self) -> VerticalScroll:
        """The scrolling conversation."""
        return self.query_one("#transcript", VerticalScroll)

    @on(Input.Submitted, "#chat-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        chat_input = self.query_one(ChatInput)
        chat_input.remember(text)
        chat_input.value = ""
        if text:
            self.post_message(self.Submitted(text))

    async def _append(self, widget: Static | Markdown | Collapsible) -> None:
        await self.transcript.mount(widget)
        self.transcript.scroll_end(animate=False)

    async def add_user(self, text: str) -> None:
        """Show what the user said."""
        await self.end_stream()
        await self._append(Static(Text(f"› {text}"), classes="user"))

    async def add_notice(self, text: str, kind: str = "info") -> None:
        """Show a line from hunkwise itself (help, errors, results); `kind` picks the colour."""
        await self.end_stream()
        await self._append(Static(Text(text), classes=f"notice {kind}"))

    async def add_markdown(self, text: str) -> None:
        """Show a finished block of Markdown (e.g. the repo map or /help)."""
        await self.end_stream()
        await self._append(Markdown(text, classes="assistant"))

    async def stream_token(self, text: str, role: str = "main") -> None:
        """Append streamed model text; the Markdown stream coalesces bursts into few updates.

        Another model role (the reviewer, the weak model) gets a block of its own, labelled,
        so its words are never read as the main model's answer.
        """
        if self._stream is not None and role != self._stream_role:
            await self.end_stream()
        if self._stream is None:
            markdown = Markdown(classes="assistant" if role == "main" else f"assistant {role}")
            await self._append(markdown)
            self._stream = Markdown.get_stream(markdown)
            self._stream_role = role
            if role != "main":
                await self._stream.write(f"*{role} model:* ")
        await self._stream.write(text)
        self.transcript.scroll_end(animate=False)

    async def end_stream(self) -> None:
        """Finish the current streamed answer, if any."""
        if self._stream is not None:
            stream, self._stream = self._stream, None
            await stream.stop()

    async def tool_started(self, call_id: str, name: str, arguments: dict | str) -> None:
        """A compact, collapsed line for a tool call."""
        await self.end_stream()
        args = arguments if isinstance(arguments, str) else json.dumps(arguments, indent=1)
        short = " ".join(args.split())[:60]
        body = Static(Text(args), classes="tool-args")
        box = Collapsible(body, title=f"⚙ {name} {short}", collapsed=True, classes="tool")
        self._tools[call_id] = box
        await self._append(box)

    def tool_finished(self, call_id: str, name: str, ok: bool, summary: str) -> None:
        """Mark a tool call done with its one-line summary."""
        box = self._tools.pop(call_id, None)
        if box is not None:
            box.title = f"{'✓' if ok else '✗'} {name}: {summary}"[:120]
            box.add_class("ok" if ok else "failed")

    async def cost_line(self, text: str) -> None:
        """A dim line with the cost of the last model turn, under the answer it belongs to."""
        await self.end_stream()
        await self._append(Static(Text(text), classes="cost"))

    async def clear(self) -> None:
        """Forget the visible conversation."""
        await self.end_stream()
        self._tools.clear()
        await self.transcript.remove_children()
