"""Older turns summarised by the weak model near the context limit, through the replay model."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent import summarise
from agent.contracts import AgentState
from tests.agent.conftest import call, turn
from tests.agent.helpers import make_agent, of_type
from tests.gitrepo import make_repo

CANARY = "canary-Zq81xWv0Tt55"
NAMES = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")


def _module(name: str) -> str:
    """About 3,000 characters of code carrying a marker unique to this file."""
    lines = [f"MARKER_{name.upper()} = 'only in {name}.py'\n"]
    lines += [f"def {name}_{i}(value):\n    return value + {i}\n\n" for i in range(70)]
    return "".join(lines)[:3000]


@pytest.fixture()
def long_repo(tmp_path):
    """Eight sizeable modules; one also holds the `.env` canary secret."""
    files = {f"{name}.py": _module(name) for name in NAMES}
    files["alpha.py"] += f"\nTOKEN = '{CANARY}'\n"
    files[".env"] = f"API_TOKEN={CANARY}\n"
    return make_repo(tmp_path / "long", files)


def _reads() -> list[dict]:
    return [turn(call("read_file", {"path": f"{name}.py"}, f"r{i}"))
            for i, name in enumerate(NAMES)] + [turn(call("finish", {"summary": "read all"}, "f"))]


def _run(repo, replay_file, script: dict):
    agent, events = make_agent(repo, replay_file({**script, "price": {
        "input_per_token": 1e-6, "output_per_token": 2e-6}}), sandbox=False,
        model={"context_tokens": 4000}, agent={"self_review": False})
    outcome = agent.run("read every module and report")
    return agent, events, outcome, agent.client.replay_script().requests


def _text(messages: list[dict]) -> str:
    return json.dumps(messages)


def test_a_long_run_summarises_old_turns_with_the_weak_role(long_repo, replay_file) -> None:
    weak = [{"content": f"SUMMARY-{n}: read modules, nothing changed yet."} for n in range(1, 5)]
    agent, events, outcome, requests = _run(long_repo, replay_file,
                                            {"main": _reads(), "weak": weak})
    assert outcome.state == AgentState.READY_FOR_REVIEW, outcome
    assert not of_type(events, "error"), of_type(events, "error")
    positions = [i for i, r in enumerate(requests) if r["role"] == "weak"]
    assert positions, "the run crossed the limit but nothing was summarised"
    first_main = requests[0]["messages"]

    first = requests[positions[0]]
    assert first["tools"] is None
    sent = _text(first["messages"])
    assert "MARKER_ALPHA" in sent and "read_file" in sent, "the old turns go to the weak model"
    assert CANARY not in sent and "[REDACTED" in sent, "masking applies to the summary request"

    after = requests[positions[0] + 1]
    assert after["role"] == "main"
    messages = after["messages"]
    assert messages[:2] == first_main[:2], "system prompt and task stay intact"
    assert summarise.is_summary(messages[2]) and "SUMMARY-1" in messages[2]["content"]
    assert "MARKER_ALPHA" not in _text(messages), "the old turns are gone from the main request"
    assert all(m.get("tool_call_id") != "r0" for m in messages)
    assert messages[-1]["role"] == "tool", "the most recent turn stays verbatim"
    assert messages[-1]["tool_call_id"] in _text(first_main + messages[-2:-1])

    for request in requests:
        assert summarise.unpaired_calls(request["messages"]) == [], request["role"]
        assert CANARY not in _text(request["messages"])
    if len(positions) > 1:  # a later summary folds the earlier one in
        assert "SUMMARY-1" in _text(requests[positions[1]]["messages"])

    costs = of_type(events, "cost_update")
    mains = sum(r["role"] == "main" for r in requests)
    assert outcome.turns == mains + len(positions), "summary calls count as turns"
    assert outcome.prompt_tokens == sum(c.prompt_tokens for c in costs)
    assert outcome.cost_usd == pytest.approx(sum(c.cost_usd for c in costs))
    assert outcome.cost_usd > sum(c.cost_usd for c in costs[:mains])
    assert not [e for e in of_type(events, "token_delta") if e.role == "weak"], "not streamed"
    details = [e.detail for e in of_type(events, "state_changed")]
    assert any(d.startswith("summarised ") for d in details), details
    assert summarise.is_summary(agent.messages[2]), "the transcript keeps the summary"


@pytest.mark.parametrize("weak", ["missing", "auth_error", "empty"])
def test_weak_failure_falls_back_to_trimming(long_repo, replay_file, weak) -> None:
    script: dict = {"main": _reads()}
    if weak == "auth_error":
        script["weak"] = [{"error": "auth"}]
    elif weak == "empty":
        script["weak"] = [{"content": "   "}]
    agent, events, outcome, requests = _run(long_repo, replay_file, script)
    assert outcome.state == AgentState.READY_FOR_REVIEW, outcome
    errors = [e for e in of_type(events, "error") if "could not summarise" in e.message]
    assert len(errors) == 1, of_type(events, "error")
    assert "trimmed instead" in errors[0].hint
    assert sum(r["role"] == "weak" for r in requests) == (0 if weak == "missing" else 1)
    last = requests[-1]["messages"]
    assert not any(summarise.is_summary(m) for m in last)
    assert "[older result summarised]" in _text(last), "mechanical trimming took over"
    assert summarise.unpaired_calls(last) == []


def test_budget_counts_the_summary_call(long_repo, replay_file) -> None:
    script = replay_file({"main": _reads(), "weak": [{"content": "SUMMARY"}] * 4})
    agent, events = make_agent(long_repo, script, sandbox=False, model={"context_tokens": 4000},
                               agent={"self_review": False}, budget={"max_turns": 6})
    outcome = agent.run("read every module")
    requests = agent.client.replay_script().requests
    assert outcome.state == AgentState.BUDGET_EXCEEDED
    assert any(r["role"] == "weak" for r in requests)
    assert outcome.turns == len(requests) == 6


def test_a_resumed_session_continues_from_the_stored_summary(long_repo, replay_file,
                                                              data_dir) -> None:
    from agent.sessions import open_store

    reads = _reads()
    script = replay_file({"main": reads[:5] + [reads[-1]] + reads[5:8] + [reads[-1]],
                          "weak": [{"content": f"SUMMARY-{n}"} for n in range(1, 6)]})
    settings = {"model": {"context_tokens": 4000}, "agent": {"self_review": False}}
    with open_store(data_dir / "s.db") as store:
        session = store.create(long_repo, "read modules", "replay")
        agent, _ = make_agent(long_repo, script, sandbox=False, store=store, session_id=session,
                              **settings)
        assert agent.run("read modules").state == AgentState.READY_FOR_REVIEW
        stored = store.messages(session)
        again, events = make_agent(long_repo, script, sandbox=False, store=store,
                                   session_id=session, **settings)
        again.client = agent.client  # the same replay script, so its cursors carry on
        outcome = again.run("now read the rest")
    assert outcome.state == AgentState.READY_FOR_REVIEW, outcome
    assert summarise.is_summary(stored[2]) and "MARKER_ALPHA" not in _text(stored)
    requests = agent.client.replay_script().requests
    resumed = next(r for r in requests if "now read the rest" in _text(r["messages"]))
    assert summarise.is_summary(resumed["messages"][2])
    assert "MARKER_ALPHA" not in _text(resumed["messages"])
    assert summarise.unpaired_calls(resumed["messages"]) == []


_TURN = st.one_of(
    st.integers(0, 3).map(lambda n: ("calls", n)),
    st.just(("text", 0)),
    st.just(("user", 0)),
)


@given(st.lists(st.tuples(_TURN, st.integers(10, 3000)), min_size=1, max_size=30),
       st.integers(200, 5000))
def test_split_point_never_parts_a_call_from_its_result(shape, recent_tokens) -> None:
    messages: list[dict] = [{"role": "system", "content": "s"}, {"role": "user", "content": "t"}]
    for number, ((kind, calls), size) in enumerate(shape):
        if kind == "user":
            messages.append({"role": "user", "content": "u" * size})
            continue
        ids = [f"c{number}_{k}" for k in range(calls)]
        message: dict = {"role": "assistant", "content": "a" * size if kind == "text" else None}
        if ids:
            message["tool_calls"] = [{"id": i, "type": "function",
                                      "function": {"name": "read_file", "arguments": "{}"}}
                                     for i in ids]
        messages.append(message)
        messages += [{"role": "tool", "tool_call_id": i, "content": "x" * size} for i in ids]
    cut = summarise.split_point(messages, recent_tokens)
    if cut is None:
        return
    assert 3 <= cut < len(messages)
    assert summarise.unpaired_calls(messages[cut:]) == []
    assert summarise.unpaired_calls(messages[:cut]) == []
    assert len(messages[2:cut]) >= summarise.MIN_OLD_MESSAGES


def test_unpaired_calls_finds_a_call_without_its_result() -> None:
    call_message = {"role": "assistant", "content": None, "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "x", "arguments": "{}"}}]}
    result = {"role": "tool", "tool_call_id": "c1", "content": "ok"}
    assert summarise.unpaired_calls([call_message, result]) == []
    assert summarise.unpaired_calls([call_message]) == ["call c1 without a result"]
    assert summarise.unpaired_calls([result]) == ["result c1 without a call"]
