"""The whole loop through the replay model on real temp repos and the real bwrap sandbox."""

from __future__ import annotations

import pytest

from agent.contracts import AgentState
from agent.sessions import open_store
from tests.agent.conftest import CALC_BUGGY, call, sandbox_available, turn
from tests.agent.helpers import make_agent, of_type

needs_sandbox = pytest.mark.skipif(sandbox_available() is not None,
                                   reason=f"sandbox: {sandbox_available()}")

APPROVE = {"content": "", "tool_calls": [call("submit_review", {"status": "approved"}, "r1")]}


@pytest.mark.bwrap
@needs_sandbox
def test_fix_fails_its_tests_then_passes(calc_repo, replay_file, data_dir) -> None:
    script = replay_file({
        "main": [
            turn(call("read_file", {"path": "calc.py"}, "c1"), content="Let me read it."),
            turn(call("run_tests", {"selection": ["tests/test_calc.py"]}, "c2")),
            turn(call("edit_file", {"path": "calc.py", "old": "return a - b",
                                    "new": "return a + b"}, "c3")),
            turn(call("run_tests", {}, "c4")),
            turn(call("finish", {"summary": "add now adds; tests pass"}, "c5")),
        ],
        "review": [APPROVE],
    })
    with open_store(data_dir / "s.db") as store:
        session = store.create(calc_repo, "fix add", "replay")
        agent, events = make_agent(calc_repo, script, store=store, session_id=session)
        outcome = agent.run("make add() add")
        trail = store.audit_trail(session)
        stored_events = store.events(session)
    assert outcome.state == AgentState.READY_FOR_REVIEW, outcome.reason
    assert outcome.tests_passed is True
    runs = [e.report for e in of_type(events, "test_run_finished")]
    assert [r.status for r in runs] == ["failed", "passed"]
    assert "assert -1 == 5" in runs[0].excerpt
    tool_messages = [m["content"] for m in agent.messages if m["role"] == "tool"]
    assert any("tests failed" in m and "assert -1 == 5" in m for m in tool_messages)
    assert (calc_repo / "calc.py").read_text() == CALC_BUGGY, "nothing reached disk"
    assert agent.changes.proposed_overlay()["calc.py"].decode().count("a + b") == 1
    assert of_type(events, "patch_proposed")[-1].files == ["calc.py"]
    assert of_type(events, "review_notes")[0].review.status == "approved"
    assert [r["name"] for r in trail if r["kind"] == "tool"] == [
        "read_file", "run_tests", "edit_file", "run_tests", "finish", "submit_review"]
    assert len(stored_events) == len(events)
    assert of_type(events, "cost_update")[-1].model == "replay"


def test_malformed_tool_calls_are_survived(calc_repo, replay_file) -> None:
    script = replay_file({"main": [
        turn(call("read_file", "{not json", "bad1")),
        turn(call("read_file", {"file": "calc.py"}, "bad2"),
             call("teleport", {"to": "mars"}, "bad3"),
             call("read_file", {"path": "calc.py", "start": -4}, "bad4")),
        turn(call("read_file", {"path": "calc.py"}, "ok1")),
        turn(call("finish", {"summary": "looked only"}, "fin")),
    ]})
    agent, events = make_agent(calc_repo, script, sandbox=False)
    outcome = agent.run("look around")
    assert outcome.state == AgentState.READY_FOR_REVIEW
    finished = {e.call_id: e for e in of_type(events, "tool_call_finished")}
    assert [finished[i].ok for i in ("bad1", "bad2", "bad3", "bad4", "ok1")] == [
        False, False, False, False, True]
    results = {m["tool_call_id"]: m["content"] for m in agent.messages if m["role"] == "tool"}
    assert "not valid JSON" in results["bad1"]
    assert "path: Field required" in results["bad2"] and "file" in results["bad2"]
    assert "no tool named 'teleport'" in results["bad3"]
    assert "start" in results["bad4"]
    assert "def add" in results["ok1"]


def test_litellm_errors_are_retried_then_reported(calc_repo, replay_file) -> None:
    script = replay_file({"main": [
        {"error": "rate_limit"}, {"error": "timeout"}, {"error": "connection"},
        turn(call("finish", {"summary": "nothing to do"}, "f")),
    ]})
    agent, events = make_agent(calc_repo, script, sandbox=False)
    assert agent.run("noop").state == AgentState.READY_FOR_REVIEW
    retries = [e.message for e in of_type(events, "error")]
    assert [m.split(";")[0] for m in retries] == [
        "model rate limited", "model timed out", "model connection error"]

    script = replay_file({"main": [{"error": "connection"}] * 3})
    agent, events = make_agent(calc_repo, script, sandbox=False, model={"retries": 2})
    outcome = agent.run("noop")
    assert outcome.state == AgentState.ERROR
    final = of_type(events, "error")[-1]
    assert "connection error" in final.message and "gave up after 3 attempts" in final.message
    assert final.hint


def test_budget_stops_the_run(calc_repo, replay_file) -> None:
    reads = [turn(call("read_file", {"path": "calc.py"}, f"r{i}")) for i in range(10)]
    agent, events = make_agent(calc_repo, replay_file({"main": reads}), sandbox=False,
                               budget={"max_turns": 3})
    outcome = agent.run("read forever")
    assert outcome.state == AgentState.BUDGET_EXCEEDED
    assert outcome.turns == 3 and "turn budget" in outcome.reason
    assert of_type(events, "state_changed")[-1].state == AgentState.BUDGET_EXCEEDED

    priced = replay_file({"main": reads,
                          "price": {"input_per_token": 0.001, "output_per_token": 0.001}})
    agent, _ = make_agent(calc_repo, priced, sandbox=False, budget={"max_cost_usd": 0.2})
    outcome = agent.run("read forever")
    assert outcome.state == AgentState.BUDGET_EXCEEDED and "cost budget" in outcome.reason
    assert 0.2 <= outcome.cost_usd < 0.2 + 1.0


def test_idle_model_ends_in_needs_human(calc_repo, replay_file) -> None:
    script = replay_file({"main": [{"content": "I think"}, {"content": "hmm"}, {"content": "?"}]})
    agent, _ = make_agent(calc_repo, script, sandbox=False)
    assert agent.run("x").state == AgentState.NEEDS_HUMAN


def test_review_needs_revision_sends_the_work_back(calc_repo, replay_file) -> None:
    script = replay_file({
        "main": [
            turn(call("edit_file", {"path": "calc.py", "old": "return a - b",
                                    "new": "return b + a"}, "e1")),
            turn(call("finish", {"summary": "fixed"}, "f1")),
            turn(call("edit_file", {"path": "calc.py", "old": "return b + a",
                                    "new": "return a + b"}, "e2")),
            turn(call("finish", {"summary": "fixed, operands in order"}, "f2")),
        ],
        "review": [
            turn(call("submit_review", {"status": "needs_revision", "findings": [
                {"path": "calc.py", "line": 2, "severity": "minor",
                 "message": "keep operand order a + b"}]}, "v1")),
            turn(call("submit_review", {"status": "approved", "findings": [
                {"path": "calc.py", "line": 2, "severity": "info",
                 "message": "mul is untouched"}]}, "v2")),
        ],
    })
    agent, events = make_agent(calc_repo, script, sandbox=False)
    outcome = agent.run("fix add")
    assert outcome.state == AgentState.READY_FOR_REVIEW
    assert outcome.summary == "fixed, operands in order"
    assert outcome.turns == 6, "review calls count toward the run's budget"
    assert [e.review.status for e in of_type(events, "review_notes")] == [
        "needs_revision", "approved"]
    notes = [n for f in agent.changes.files() for h in f.hunks for n in h.notes]
    # Notes of the first review went with the hunk it replaced; the final review's stay.
    assert notes == ["[info] mul is untouched"]
    assert any("keep operand order" in (m.get("content") or "") for m in agent.messages
               if m["role"] == "user")


@pytest.mark.bwrap
@needs_sandbox
def test_cancel_stops_a_test_run_in_flight(tmp_path, replay_file) -> None:
    """Escape while the agent's tests run: the sandbox run stops, the agent ends cancelled."""
    import threading
    import time

    from tests.gitrepo import make_repo

    slow = "import time\n\n\ndef test_slow():\n    time.sleep(60)\n"
    repo = make_repo(tmp_path / "slow", {"calc.py": CALC_BUGGY, "tests/test_slow.py": slow})
    script = replay_file({"main": [turn(call("run_tests", {}, "t1")),
                                   turn(call("finish", {"summary": "not reached"}, "f1"))]})
    agent, events = make_agent(repo, script)
    outcome = {}
    runner = threading.Thread(target=lambda: outcome.update(result=agent.run("run the tests")))
    runner.start()
    deadline = time.monotonic() + 60
    while not of_type(events, "test_run_started") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert of_type(events, "test_run_started"), "the test run never started"
    time.sleep(1.0)  # the suite is asleep inside the sandbox now
    cancelled_at = time.monotonic()
    agent.cancel()
    runner.join(timeout=45)
    assert not runner.is_alive()
    assert time.monotonic() - cancelled_at < 15, "cancel waited for the 60 s test to end"
    assert outcome["result"].state == AgentState.CANCELLED
    assert [e.report.status for e in of_type(events, "test_run_finished")] == ["cancelled"]
