"""A scripted model served through litellm's real code path as a registered custom provider."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hunkwise.errors import ConfigError

PROVIDER = "hunkwise-replay"
ROLES = ("main", "review", "weak")
ERROR_KINDS = ("rate_limit", "timeout", "connection", "server", "bad_request", "auth")
_SHARED = "*"


class ReplayExhausted(ConfigError):
    """A role asked for more turns than its replay script holds."""


@dataclass
class ReplayScript:
    """The turns of one replay file, a cursor per role, and every request the provider saw."""

    path: Path
    turns: dict[str, list[dict[str, Any]]]
    cursors: dict[str, int] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    price: dict[str, float] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, path: Path) -> ReplayScript:
        """Read and validate a replay file; raises ConfigError with a hint on bad input."""
        hint = (
            'a replay file is a JSON list of assistant turns ({"content": ..., "tool_calls": '
            '[...]}), or an object mapping "main"/"review"/"weak" to such lists'
        )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"replay file {path} does not exist", hint) from exc
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"replay file {path} cannot be read: {exc}", hint) from exc
        price = None
        if isinstance(data, list):
            turns = {_SHARED: data}
        elif isinstance(data, dict):
            price = data.get("price")
            unknown = set(data) - set(ROLES) - {"price"}
            if unknown:
                raise ConfigError(f"replay file {path}: unknown keys {sorted(unknown)}", hint)
            turns = {role: data[role] for role in ROLES if role in data}
        else:
            raise ConfigError(f"replay file {path} holds a {type(data).__name__}", hint)
        for role, items in turns.items():
            if not isinstance(items, list) or not all(isinstance(t, dict) for t in items):
                raise ConfigError(f"replay file {path}: turns of {role!r} are not objects", hint)
            for number, turn in enumerate(items, 1):
                kind = turn.get("error")
                if kind is not None and kind not in ERROR_KINDS:
                    raise ConfigError(
                        f"replay file {path}: turn {number} of {role!r} has unknown error {kind!r}",
                        f"use one of {', '.join(ERROR_KINDS)}",
                    )
                delay = turn.get("delay_seconds", 0)
                if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
                    raise ConfigError(
                        f"replay file {path}: turn {number} of {role!r} has delay_seconds "
                        f"{delay!r}",
                        "delay_seconds is how long the turn takes to stream: a number >= 0",
                    )
        return cls(path=path, turns=turns, price=price)

    def next_turn_available(self, role: str) -> None:
        """Raise ReplayExhausted (naming the role) if `role` has no turn left."""
        key = _SHARED if _SHARED in self.turns else role
        with self.lock:
            index = self.cursors.get(key, 0)
            items = self.turns.get(key)
        if items is None or index >= len(items):
            self.next_turn(role)

    def next_turn(self, role: str) -> dict[str, Any]:
        """The next scripted turn for `role`; raises ReplayExhausted naming the role."""
        key = _SHARED if _SHARED in self.turns else role
        with self.lock:
            items = self.turns.get(key)
            if items is None:
                raise ReplayExhausted(
                    f"replay file {self.path} has no turns for role {role!r}",
                    f'add a "{role}" list to the replay file',
                )
            index = self.cursors.get(key, 0)
            if index >= len(items):
                shown = "all roles" if key == _SHARED else f"role {role!r}"
                raise ReplayExhausted(
                    f"replay script for {shown} is used up after {len(items)} turns "
                    f"({self.path})",
                    "add turns to the replay file, or end the script with a finish tool call",
                )
            self.cursors[key] = index + 1
            return items[index]


class _Registry:
    """Replay scripts by token, so one provider instance serves every open client."""

    def __init__(self) -> None:
        self.scripts: dict[str, ReplayScript] = {}
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    def add(self, script: ReplayScript) -> str:
        with self.lock:
            token = f"s{next(self.counter)}"
            self.scripts[token] = script
            return token


REGISTRY = _Registry()
_INSTALLED = threading.Lock()


def _raise_error(kind: str, model: str) -> None:
    """Raise litellm's own exception class for an injected error turn."""
    import httpx
    import litellm

    request = httpx.Request("POST", "https://replay.invalid/v1/chat/completions")
    message = f"replay: injected {kind}"
    if kind == "rate_limit":
        raise litellm.RateLimitError(message, llm_provider=PROVIDER, model=model)
    if kind == "timeout":
        raise litellm.Timeout(message, model=model, llm_provider=PROVIDER)
    if kind == "connection":
        raise litellm.APIConnectionError(message, llm_provider=PROVIDER, model=model,
                                         request=request)
    if kind == "server":
        raise litellm.InternalServerError(message, llm_provider=PROVIDER, model=model)
    if kind == "auth":
        raise litellm.AuthenticationError(message, llm_provider=PROVIDER, model=model)
    raise litellm.BadRequestError(message, model=model, llm_provider=PROVIDER)


def _parse_model(model: str) -> tuple[ReplayScript, str]:
    token, _, role = model.partition("/")
    script = REGISTRY.scripts.get(token)
    if script is None:
        raise ConfigError(f"unknown replay model {model!r}", "open it through ModelClient")
    return script, role or "main"


def _usage(messages: list[dict[str, Any]], turn: dict[str, Any]) -> dict[str, int]:
    import litellm

    prompt = litellm.token_counter(model="gpt-4o", messages=messages)
    reply = json.dumps({"c": turn.get("content"), "t": turn.get("tool_calls")})
    completion = litellm.token_counter(model="gpt-4o", text=reply)
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion}


def _pieces(turn: dict[str, Any], usage: dict[str, int]) -> list[dict[str, Any]]:
    """A turn as litellm GenericStreamingChunks: text in pieces, then each tool call."""
    content = turn.get("content") or ""
    calls = turn.get("tool_calls") or []
    chunks: list[dict[str, Any]] = [
        {"text": content[i : i + 16], "tool_use": None, "is_finished": False,
         "finish_reason": "", "usage": None, "index": 0}
        for i in range(0, len(content), 16)
    ]
    for number, call in enumerate(calls):
        function = call.get("function", {})
        arguments = function.get("arguments", "")
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments)
        chunks.append({
            "text": "",
            "tool_use": {
                "id": call.get("id") or f"call_{number}",
                "type": "function",
                "function": {"name": function.get("name", ""), "arguments": arguments},
                "index": number,
            },
            "is_finished": False, "finish_reason": "", "usage": None, "index": 0,
        })
    chunks.append({"text": "", "tool_use": None, "is_finished": True,
                   "finish_reason": "tool_calls" if calls else "stop", "usage": usage,
                   "index": 0})
    return chunks


def _chunks(turn: dict[str, Any], usage: dict[str, int]) -> Iterator[dict[str, Any]]:
    """Stream a turn over its `delay_seconds`: the first chunk at once, the last at the end."""
    chunks = _pieces(turn, usage)
    delay = float(turn.get("delay_seconds", 0))
    gap = delay / (len(chunks) - 1) if len(chunks) > 1 else 0.0
    if delay and len(chunks) == 1:
        time.sleep(delay)
    for number, chunk in enumerate(chunks):
        if number and gap:
            time.sleep(gap)
        yield chunk


def _make_handler() -> Any:
    """Build the CustomLLM subclass lazily so importing this module never imports litellm."""
    from litellm import CustomLLM
    from litellm.types.utils import Message

    class ReplayLLM(CustomLLM):
        """Serves the next scripted turn and records exactly what litellm sent."""

        def _take(self, model: str, messages: list, optional_params: dict) -> dict[str, Any]:
            script, role = _parse_model(model)
            script.requests.append(
                {"role": role, "messages": json.loads(json.dumps(messages, default=str)),
                 "tools": optional_params.get("tools")}
            )
            turn = script.next_turn(role)
            if turn.get("error"):
                _raise_error(turn["error"], model)
            return turn

        def completion(self, model: str, messages: list, api_base: str, custom_prompt_dict: dict,
                       model_response: Any, print_verbose: Any, encoding: Any, api_key: Any,
                       logging_obj: Any, optional_params: dict, *args: Any, **kwargs: Any) -> Any:
            turn = self._take(model, messages, optional_params)
            time.sleep(float(turn.get("delay_seconds", 0)))
            message = Message(content=turn.get("content"), role="assistant",
                              tool_calls=turn.get("tool_calls") or None)
            model_response.choices[0].message = message
            model_response.choices[0].finish_reason = (
                "tool_calls" if turn.get("tool_calls") else "stop"
            )
            model_response.model = f"{PROVIDER}/{model}"
            from litellm.types.utils import Usage

            model_response.usage = Usage(**_usage(messages, turn))
            return model_response

        def streaming(self, model: str, messages: list, api_base: str, custom_prompt_dict: dict,
                      model_response: Any, print_verbose: Any, encoding: Any, api_key: Any,
                      logging_obj: Any, optional_params: dict, *args: Any,
                      **kwargs: Any) -> Iterator[Any]:
            turn = self._take(model, messages, optional_params)
            return _chunks(turn, _usage(messages, turn))

    return ReplayLLM()


def install() -> None:
    """Register the replay provider with litellm once per process."""
    import litellm

    with _INSTALLED:
        if any(item["provider"] == PROVIDER for item in litellm.custom_provider_map):
            return
        litellm.custom_provider_map = [
            *litellm.custom_provider_map,
            {"provider": PROVIDER, "custom_handler": _make_handler()},
        ]
        from litellm.utils import custom_llm_setup

        custom_llm_setup()


def open_replay(path: Path) -> tuple[ReplayScript, str]:
    """Load a replay file and return it with the litellm model prefix that serves it."""
    script = ReplayScript.load(path)
    install()
    token = REGISTRY.add(script)
    return script, f"{PROVIDER}/{token}"
