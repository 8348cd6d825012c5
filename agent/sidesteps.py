"""The plan and self-review steps as a run takes them: their events, notes and messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent import phases
from agent.events import Error, EventSink, PlanReady, ReviewNotes
from agent.testrun import report_text
from hunkwise.errors import HunkwiseError

if TYPE_CHECKING:
    from agent.changes import ChangeSet
    from agent.contracts import Review, TaskSpec
    from agent.phases import CallModel, RunTool
    from agent.tools.workspace import Workspace
    from repomap.protocol import RepoMap
    from sandbox.protocol import TestReport


@dataclass(frozen=True)
class SideTalk:
    """What a side conversation uses: the files, the map, the model, the tools, the events."""

    workspace: Workspace
    repo_map: RepoMap | None
    call_model: CallModel
    run_tool: RunTool
    emit: EventSink


def plan(task: str, map_text: str, talk: SideTalk) -> str | None:
    """Ask for a plan before any edit: the user message stating it, or None if none came."""
    spec = phases.run_plan(task, map_text, talk.workspace, talk.repo_map, talk.call_model,
                           talk.run_tool)
    if spec is None:
        talk.emit(Error(message="the model gave no plan",
                        hint="the agent goes on with the task without a plan"))
        return None
    talk.emit(PlanReady(spec=spec))
    return plan_message(spec)


def plan_message(spec: TaskSpec) -> str:
    """The user message that puts the plan in the main conversation."""
    criteria = "\n".join(f"- {c}" for c in spec.acceptance_criteria)
    return (f"Plan (risk {spec.risk}): {spec.summary}\nAcceptance criteria:\n{criteria}\n"
            f"Files likely affected: {', '.join(spec.files_likely_affected)}")


def review(task: str, changes: ChangeSet, last_report: TestReport | None,
           talk: SideTalk) -> Review | None:
    """Ask the review model for a verdict on the pending diff; None (reported) if it gave none."""
    evidence = report_text(last_report) if last_report else ""
    verdict = phases.run_review(task, changes, evidence, talk.workspace, talk.repo_map,
                                talk.call_model, talk.run_tool)
    if verdict is None:
        talk.emit(Error(message="the review model gave no verdict",
                        hint="the changes are handed over unreviewed"))
    return verdict


def file_findings(verdict: Review, changes: ChangeSet, emit: EventSink) -> None:
    """Attach each finding to its hunk as a note, then send the review out as an event."""
    for finding in verdict.findings:
        try:
            changes.attach_note(finding.path, finding.line,
                                f"[{finding.severity}] {finding.message}")
        except HunkwiseError:
            pass  # a finding about a file outside the change set stays in the event only
    emit(ReviewNotes(review=verdict))
