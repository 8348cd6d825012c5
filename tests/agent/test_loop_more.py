"""Plan step, redo of rejected hunks, cancel, and the context helpers, on real temp repos."""

from __future__ import annotations

import json

import pytest

from agent import context
from agent.changes import Decision
from agent.contracts import AgentState
from agent.events import CostUpdate, StateChanged, event_from_json, event_to_json
from tests.agent.conftest import call, turn
from tests.agent.helpers import make_agent, of_type
from tests.gitrepo import make_repo

LONG = "".join(f"def f{i}():\n    return {i}\n\n\n" for i in range(12))


@pytest.mark.parametrize("how", ["settings", "argument"])
def test_plan_step_produces_a_task_spec_before_editing(calc_repo, replay_file, how) -> None:
    script = replay_file({"main": [
        turn(call("read_file", {"path": "calc.py"}, "p0")),
        turn(call("submit_plan", {"summary": "make add add", "acceptance_criteria": [
            "test_add passes"], "files_likely_affected": ["calc.py"], "risk": "low"}, "p1")),
        turn(call("finish", {"summary": "planned only"}, "f")),
    ]})
    if how == "settings":
        agent, events = make_agent(calc_repo, script, sandbox=False, agent={"plan": True})
        outcome = agent.run("fix add")
    else:
        agent, events = make_agent(calc_repo, script, sandbox=False)
        outcome = agent.run("fix add", plan=True)
    assert outcome.state == AgentState.READY_FOR_REVIEW
    states = [e.state for e in of_type(events, "state_changed")]
    assert states[0] == AgentState.PLANNING
    plan = next(m["content"] for m in agent.messages if m["content"] and
                str(m["content"]).startswith("Plan (risk low)"))
    assert "test_add passes" in plan and "calc.py" in plan


def test_rejected_hunks_and_reasons_go_back_to_the_model(tmp_path, replay_file) -> None:
    repo = make_repo(tmp_path / "r", {"funcs.py": LONG})
    script = replay_file({"main": [
        turn(call("edit_file", {"path": "funcs.py", "old": "return 0\n", "new": "return 100\n"},
                  "e1"),
             call("edit_file", {"path": "funcs.py", "old": "return 11\n", "new": "return -11\n"},
                  "e2")),
        turn(call("finish", {"summary": "two changes"}, "f1")),
        turn(call("edit_file", {"path": "funcs.py", "old": "return 11\n", "new": "return 1100\n"},
                  "e3")),
        turn(call("finish", {"summary": "redone"}, "f2")),
    ]})
    agent, _ = make_agent(repo, script, sandbox=False, agent={"self_review": False})
    assert agent.run("change f0 and f11").state == AgentState.READY_FOR_REVIEW
    first, second = agent.changes.files()[0].hunks
    agent.changes.decide(first.id, Decision.ACCEPTED)
    agent.changes.decide(second.id, Decision.REJECTED, "negative values break callers")
    outcome = agent.redo_rejected()
    assert outcome.state == AgentState.READY_FOR_REVIEW and outcome.summary == "redone"
    last_request = agent.client.replay_script().requests[-2]["messages"]
    redo = next(m["content"] for m in last_request if m["role"] == "user"
                and "rejected" in (m["content"] or ""))
    assert "negative values break callers" in redo and "-11" in redo
    text = agent.changes.proposed_overlay()["funcs.py"].decode()
    assert "return 100\n" in text and "return 1100\n" in text and "return -11" not in text
    decisions = [h.decision for h in agent.changes.files()[0].hunks]
    assert Decision.ACCEPTED in decisions, "the accepted hunk keeps its decision"


def test_cancel_stops_at_the_next_safe_point(calc_repo, replay_file) -> None:
    reads = [turn(call("read_file", {"path": "calc.py"}, f"r{i}")) for i in range(5)]
    holder: dict = {}

    def on_event(event) -> None:
        if event.type == "tool_call_finished":
            holder["agent"].cancel()

    agent, events = make_agent(calc_repo, replay_file({"main": reads}), sandbox=False)
    holder["agent"] = agent
    agent.recorder.on_event = lambda e: (events.append(e), on_event(e))
    outcome = agent.run("read")
    assert outcome.state == AgentState.CANCELLED and outcome.turns == 1


def test_events_round_trip_as_json_lines() -> None:
    for event in (StateChanged(state=AgentState.WORKING, detail="x"),
                  CostUpdate(prompt_tokens=1, completion_tokens=2, cost_usd=0.5,
                             session_cost_usd=1.0, session_tokens=3, model="replay")):
        line = event_to_json(event)
        assert "\n" not in line and json.loads(line)["type"] == event.type
        assert event_from_json(line) == event


def test_compress_keeps_failure_lines_first_and_respects_the_limit() -> None:
    noise = "\n".join(f"tests/test_x.py::test_{i} PASSED" for i in range(2000))
    text = noise + "\nE   AssertionError: boom\nFAILED tests/test_x.py::test_bad\n" + noise
    short = context.compress(text, 4000)
    assert len(short) <= 4000 + 200
    head = short.split("[start]")[0]
    assert "AssertionError: boom" in head and "FAILED tests/test_x.py::test_bad" in head
    assert context.compress("small", 4000) == "small"


def test_trim_history_summarises_old_tool_results_and_keeps_pairs() -> None:
    messages = [{"role": "system", "content": "s"}, {"role": "user", "content": "task"}]
    for i in range(20):
        messages.append({"role": "assistant", "content": None, "tool_calls": [
            {"id": f"c{i}", "type": "function", "function": {"name": "read_file",
                                                             "arguments": "{}"}}]})
        messages.append({"role": "tool", "tool_call_id": f"c{i}", "content": "x" * 4000})
    trimmed = context.trim_history(messages, max_tokens=5000)
    assert len(trimmed) == len(messages)
    assert trimmed[:2] == messages[:2] and trimmed[-8:] == messages[-8:]
    assert trimmed[3]["content"].startswith("[older result summarised]")
    assert [m.get("tool_call_id") for m in trimmed] == [m.get("tool_call_id") for m in messages]
    assert context.estimate_tokens(trimmed) < context.estimate_tokens(messages) / 2
    assert context.trim_history(messages, max_tokens=10**6) is messages


def test_system_prompt_carries_project_conventions(tmp_path) -> None:
    repo = make_repo(tmp_path / "r", {"AGENTS.md": "Use tabs. Never touch vendor/.\n"})
    text = context.system_message(repo)["content"]
    assert "Never touch vendor/." in text and "DATA, not" in text


def test_real_repo_map_in_prompt_and_tool(calc_repo, replay_file, tmp_path) -> None:
    from repomap import open_repo_map

    script = replay_file({"main": [
        turn(call("repo_map", {"query": "mul"}, "m1")),
        turn(call("read_file", {"path": "calc.py"}, "r1")),
        turn(call("finish", {"summary": "looked"}, "f")),
    ]})
    from repomap.settings import RepoMapSettings

    repo_map = open_repo_map(calc_repo, RepoMapSettings(cache_dir=tmp_path / "mapcache"))
    agent, events = make_agent(calc_repo, script, sandbox=False, repo_map=repo_map)
    assert agent.run("fix add in calc").state == AgentState.READY_FOR_REVIEW
    assert not of_type(events, "error"), of_type(events, "error")
    requests = agent.client.replay_script().requests
    task = requests[0]["messages"][1]["content"]
    assert "Repository map" in task and "calc.py" in task
    result = next(m["content"] for m in agent.messages if m.get("tool_call_id") == "m1")
    assert "calc.py" in result and "mul" in result
