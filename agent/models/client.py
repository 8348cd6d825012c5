"""One door to every model: litellm streaming with tools, retries with backoff, cost accounting."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from agent.models.cancel import Cancelled, until_cancelled
from agent.models.replay import ReplayScript, open_replay
from agent.settings import ModelSettings
from hunkwise.errors import ConfigError, HunkwiseError

REPLAY_SCHEME = "replay:"
ROLES = ("main", "review", "weak")

StreamCallback = Callable[[str], None]
RetryCallback = Callable[[str, int, float], None]


class ModelError(HunkwiseError):
    """A model request failed for good (after retries, or not retryable)."""


class ToolCall(BaseModel):
    """One tool call as the model sent it; `arguments` is the raw JSON text."""

    id: str
    name: str
    arguments: str = ""


class ModelTurn(BaseModel):
    """One assistant answer: text, tool calls, and what it cost."""

    content: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    model: str = Field("", description="Display name; replay models say 'replay:PATH'.")

    def assistant_message(self) -> dict[str, Any]:
        """The turn as an OpenAI-format assistant message for the transcript."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content or None}
        if self.tool_calls:
            message["tool_calls"] = [
                {"id": c.id, "type": "function",
                 "function": {"name": c.name, "arguments": c.arguments}}
                for c in self.tool_calls
            ]
        return message


def _import_litellm() -> Any:
    """Import litellm with the local price list (no network fetch at start-up) and quiet output."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    return litellm


class ModelClient:
    """Calls the model configured for a role; thread-safe enough for one agent run."""

    def __init__(self, settings: ModelSettings, sleep: Callable[[float], None] | None = None,
                 on_retry: RetryCallback | None = None) -> None:
        self.settings = settings
        self.sleep = sleep  # a stand-in for the backoff wait; by default it ends on cancel
        self.on_retry = on_retry
        self.litellm = _import_litellm()
        self._replays: dict[str, tuple[ReplayScript, str]] = {}
        self._windows: dict[str, int | None] = {}

    def model_name(self, role: str) -> str:
        """The configured model for `role` (review and weak fall back to main)."""
        if role not in ROLES:
            raise ValueError(f"unknown model role {role!r}")
        name = getattr(self.settings, role) or self.settings.main
        if not name:
            raise ConfigError(
                "no model is configured",
                "pass --model (e.g. anthropic/claude-sonnet-4-5, openai/gpt-4o, ollama/llama3, "
                "or replay:PATH) or set HUNKWISE_MODEL",
            )
        return name

    def is_replay(self, role: str = "main") -> bool:
        """True when `role` is served by a replay script, never a real model."""
        return self.model_name(role).startswith(REPLAY_SCHEME)

    def replay_script(self, role: str = "main") -> ReplayScript | None:
        """The replay script serving `role`, if any (tests read its captured requests)."""
        name = self.model_name(role)
        return self._replay(name)[0] if name.startswith(REPLAY_SCHEME) else None

    def context_window(self, role: str = "main") -> int | None:
        """The model's input limit in tokens from litellm's model data, if it knows the model."""
        name = self.model_name(role)
        if name not in self._windows:
            self._windows[name] = None
            if not name.startswith(REPLAY_SCHEME):
                try:
                    info = self.litellm.get_model_info(name)
                    limit = info.get("max_input_tokens") or info.get("max_tokens")
                    self._windows[name] = int(limit) if limit else None
                except Exception:  # noqa: BLE001 - an unknown model has no known limit
                    pass
        return self._windows[name]

    def _replay(self, name: str) -> tuple[ReplayScript, str]:
        if name not in self._replays:
            self._replays[name] = open_replay(Path(name[len(REPLAY_SCHEME):]).expanduser())
        return self._replays[name]

    def _route(self, role: str) -> tuple[str, dict[str, Any], ReplayScript | None]:
        """litellm model string, extra call arguments, and the replay script if any."""
        name = self.model_name(role)
        if name.startswith(REPLAY_SCHEME):
            script, prefix = self._replay(name)
            return f"{prefix}/{role}", {}, script
        extra: dict[str, Any] = {}
        if self.settings.api_base:
            extra["api_base"] = self.settings.api_base
        return name, extra, None

    def complete(self, role: str, messages: list[dict[str, Any]],
                 tools: list[dict[str, Any]] | None = None,
                 stream_callback: StreamCallback | None = None,
                 cancel: threading.Event | None = None) -> ModelTurn:
        """Stream one answer; retries transient failures; raises ModelError when it gives up.

        Setting `cancel` raises Cancelled promptly, even while the model has not answered yet.
        """
        litellm = self.litellm
        model, extra, script = self._route(role)
        retryable = (litellm.RateLimitError, litellm.Timeout, litellm.APIConnectionError,
                     litellm.InternalServerError, litellm.ServiceUnavailableError)
        attempt = 0
        while True:
            if cancel is not None and cancel.is_set():
                raise Cancelled
            if script is not None:
                script.next_turn_available(role)
            try:
                return self._stream_once(role, model, messages, tools, extra, stream_callback,
                                         cancel)
            except retryable as exc:
                kind = _describe(exc)
                if attempt >= self.settings.retries:
                    raise ModelError(
                        f"{self.model_name(role)} ({role}): {kind} — gave up after "
                        f"{attempt + 1} attempts: {_first_line(exc)}",
                        _hint_for(kind),
                    ) from exc
                delay = self.settings.retry_base_s * (2**attempt)
                if self.on_retry is not None:
                    self.on_retry(kind, attempt + 1, delay)
                if self.sleep is not None:
                    self.sleep(delay)
                else:
                    (cancel or threading.Event()).wait(delay)
                attempt += 1
            except litellm.exceptions.APIError as exc:
                raise ModelError(
                    f"{self.model_name(role)} ({role}) refused the request: {_first_line(exc)}",
                    "check the model name, API key and request size",
                ) from exc
            except (litellm.AuthenticationError, litellm.BadRequestError,
                    litellm.NotFoundError) as exc:
                raise ModelError(
                    f"{self.model_name(role)} ({role}) refused the request: {_first_line(exc)}",
                    "check the model name and API key (e.g. ANTHROPIC_API_KEY, OPENAI_API_KEY)",
                ) from exc
            except (HunkwiseError, Cancelled):
                raise
            except Exception as exc:  # noqa: BLE001 - any provider failure is a clear error
                raise ModelError(
                    f"{self.model_name(role)} ({role}) failed: {type(exc).__name__}: "
                    f"{_first_line(exc)}",
                    "check the model name (provider/model), api_base and the provider's status",
                ) from exc

    def _stream_once(self, role: str, model: str, messages: list[dict[str, Any]],
                     tools: list[dict[str, Any]] | None, extra: dict[str, Any],
                     stream_callback: StreamCallback | None,
                     cancel: threading.Event | None) -> ModelTurn:
        litellm = self.litellm
        kwargs: dict[str, Any] = dict(extra)
        if tools:
            kwargs["tools"] = tools
            # We never pass MCP tools; litellm 1.106.2 would otherwise import the optional
            # `mcp` package on every call with tools.
            kwargs["_skip_mcp_handler"] = True

        def open_stream() -> Iterator[Any]:
            return litellm.completion(
                model=model, messages=messages, stream=True, timeout=self.settings.timeout_s,
                stream_options={"include_usage": True}, **kwargs,
            )

        stream = open_stream() if cancel is None else until_cancelled(open_stream, cancel)
        chunks = []
        for chunk in stream:
            chunks.append(chunk)
            if stream_callback is not None and chunk.choices:
                text = chunk.choices[0].delta.content
                if text:
                    stream_callback(text)
        response = litellm.stream_chunk_builder(chunks, messages=messages)
        message = response.choices[0].message
        calls = [
            ToolCall(id=c.id or f"call_{i}", name=c.function.name or "",
                     arguments=c.function.arguments or "")
            for i, c in enumerate(message.tool_calls or [])
        ]
        usage = getattr(response, "usage", None)
        prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion = int(getattr(usage, "completion_tokens", 0) or 0)
        return ModelTurn(
            content=message.content or "", tool_calls=calls, prompt_tokens=prompt,
            completion_tokens=completion, cost_usd=self._cost(role, response, prompt, completion),
            model=self.model_name(role),
        )

    def _cost(self, role: str, response: Any, prompt: int, completion: int) -> float:
        """Dollars for one call from litellm's price data; replay files may declare a price."""
        name = self.model_name(role)
        if name.startswith(REPLAY_SCHEME):
            price = self._replay(name)[0].price or {}
            return prompt * float(price.get("input_per_token", 0.0)) + completion * float(
                price.get("output_per_token", 0.0)
            )
        try:
            return float(self.litellm.completion_cost(completion_response=response) or 0.0)
        except Exception:  # noqa: BLE001 - unknown price (local models) costs nothing we can know
            return 0.0


def _describe(exc: Exception) -> str:
    name = type(exc).__name__
    return {
        "RateLimitError": "rate limited",
        "Timeout": "timed out",
        "APIConnectionError": "connection error",
        "InternalServerError": "server error",
        "ServiceUnavailableError": "service unavailable",
    }.get(name, name)


def _hint_for(kind: str) -> str:
    if kind == "rate limited":
        return "wait a minute, lower concurrency, or raise the provider's rate limit"
    if kind == "timed out":
        return "raise model.timeout_s or try a faster model"
    return "check the network, the provider's status page, and model.api_base"


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
