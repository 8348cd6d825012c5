"""The replay model goes through litellm's real code path: streaming, tool calls, errors."""

from __future__ import annotations

import pytest

from agent.models.client import ModelClient, ModelError
from agent.models.replay import ReplayExhausted
from agent.settings import ModelSettings
from hunkwise.errors import ConfigError
from tests.agent.conftest import call, turn

TOOLS = [{"type": "function", "function": {
    "name": "read_file",
    "parameters": {"type": "object", "properties": {"path": {"type": "string"}}},
}}]


def _client(path, **extra) -> ModelClient:
    return ModelClient(ModelSettings(main=f"replay:{path}", retry_base_s=0.001, **extra),
                       sleep=lambda s: None)


def test_streams_text_and_tool_calls_as_litellm_objects(replay_file) -> None:
    path = replay_file([turn(call("read_file", {"path": "a.py"}, "c1"),
                             content="Reading the module before changing anything.")])
    deltas: list[str] = []
    result = _client(path).complete("main", [{"role": "user", "content": "hi"}], TOOLS,
                                    deltas.append)
    assert "".join(deltas) == "Reading the module before changing anything."
    assert len(deltas) > 1, "text arrives in several stream chunks"
    assert [(c.id, c.name, c.arguments) for c in result.tool_calls] == [
        ("c1", "read_file", '{"path": "a.py"}')]
    assert result.prompt_tokens > 0 and result.completion_tokens > 0
    assert result.model.startswith("replay:")


def test_roles_have_their_own_lists_and_exhaustion_names_the_role(replay_file) -> None:
    path = replay_file({"main": [{"content": "m1"}], "weak": [{"content": "w1"}]})
    client = _client(path)
    assert client.complete("weak", [{"role": "user", "content": "x"}]).content == "w1"
    assert client.complete("main", [{"role": "user", "content": "x"}]).content == "m1"
    with pytest.raises(ReplayExhausted, match="role 'weak'"):
        client.complete("weak", [{"role": "user", "content": "x"}])
    with pytest.raises(ReplayExhausted, match="role 'review'"):
        client.complete("review", [{"role": "user", "content": "x"}])


@pytest.mark.parametrize("kind,words", [("rate_limit", "rate limited"), ("timeout", "timed out"),
                                         ("connection", "connection error")])
def test_transient_errors_are_retried_then_succeed(replay_file, kind, words) -> None:
    path = replay_file([{"error": kind}, {"error": kind}, {"content": "ok"}])
    retries: list[tuple[str, int, float]] = []
    client = _client(path)
    client.on_retry = lambda *a: retries.append(a)
    assert client.complete("main", [{"role": "user", "content": "x"}]).content == "ok"
    assert [(k, n) for k, n, _ in retries] == [(words, 1), (words, 2)]
    assert retries[1][2] == 2 * retries[0][2], "backoff doubles"


def test_persistent_errors_give_up_with_a_clear_message(replay_file) -> None:
    path = replay_file([{"error": "rate_limit"}] * 3)
    with pytest.raises(ModelError) as info:
        _client(path, retries=2).complete("main", [{"role": "user", "content": "x"}])
    assert "rate limited" in info.value.message and "3 attempts" in info.value.message
    assert info.value.hint


def test_bad_replay_files_are_clear_errors(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="cannot be read"):
        _client(bad).complete("main", [{"role": "user", "content": "x"}])
    with pytest.raises(ConfigError, match="does not exist"):
        _client(tmp_path / "missing.json").complete("main", [])
    weird = tmp_path / "weird.json"
    weird.write_text('[{"error": "meteor"}]')
    with pytest.raises(ConfigError, match="unknown error 'meteor'"):
        _client(weird).complete("main", [])


def test_no_model_configured_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no model"):
        ModelClient(ModelSettings()).model_name("main")


def test_replay_price_gives_costs(replay_file) -> None:
    path = replay_file({"main": [{"content": "hello"}],
                        "price": {"input_per_token": 0.01, "output_per_token": 0.02}})
    result = _client(path).complete("main", [{"role": "user", "content": "x"}])
    assert result.cost_usd == pytest.approx(
        result.prompt_tokens * 0.01 + result.completion_tokens * 0.02)


def test_context_window_comes_from_litellm_model_data(replay_file) -> None:
    assert ModelClient(ModelSettings(main="ollama/llama3")).context_window() == 8192
    assert ModelClient(ModelSettings(main="gpt-4o")).context_window() == 128000
    assert ModelClient(ModelSettings(main="nosuch/model")).context_window() is None
    assert _client(replay_file([])).context_window() is None
