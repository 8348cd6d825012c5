"""The plan step tells the outside world its TaskSpec before any edit, or that it got none."""

from __future__ import annotations

from agent.contracts import AgentState, TaskSpec
from agent.events import event_from_json, event_to_json
from tests.agent.conftest import call, turn
from tests.agent.helpers import make_agent, of_type

PLAN = {
    "summary": "make add add",
    "acceptance_criteria": ["test_add passes"],
    "files_likely_affected": ["calc.py"],
    "risk": "low",
}
FIX = {"path": "calc.py", "old": "return a - b", "new": "return a + b"}


def test_the_plan_is_an_event_before_the_first_edit(calc_repo, replay_file) -> None:
    script = replay_file(
        {
            "main": [
                turn(call("submit_plan", PLAN, "p1")),
                turn(call("edit_file", FIX, "e1")),
                turn(call("finish", {"summary": "done"}, "f1")),
            ]
        }
    )
    agent, events = make_agent(calc_repo, script, sandbox=False, agent={"self_review": False})
    assert agent.run("fix add", plan=True).state == AgentState.READY_FOR_REVIEW
    kinds = [e.type for e in events]
    assert kinds.index("plan_ready") < kinds.index("patch_proposed")
    [ready] = of_type(events, "plan_ready")
    assert ready.spec == TaskSpec.model_validate(PLAN)
    assert event_from_json(event_to_json(ready)) == ready


def test_no_plan_is_said_and_the_work_goes_on(calc_repo, replay_file) -> None:
    silent = [turn(content="I would rather not plan.") for _ in range(8)]
    script = replay_file({"main": [*silent, turn(call("finish", {"summary": "done"}, "f1"))]})
    agent, events = make_agent(calc_repo, script, sandbox=False, agent={"self_review": False})
    outcome = agent.run("fix add", plan=True)
    assert outcome.state == AgentState.READY_FOR_REVIEW and outcome.summary == "done"
    assert not of_type(events, "plan_ready")
    [error] = of_type(events, "error")
    assert error.message == "the model gave no plan" and "without a plan" in error.hint


def test_hunkwise_run_prints_the_plan_for_a_person() -> None:
    import io

    from agent.events import PlanReady
    from agent.headless import HumanPrinter

    out = io.StringIO()
    HumanPrinter(out)(PlanReady(spec=TaskSpec.model_validate(PLAN)))
    assert out.getvalue() == (
        "  plan (low risk): make add add\n    - test_add passes\n    files: calc.py\n"
    )
