"""`hunkwise run` without a UI: run the loop, decide, test the accepted state, commit."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from agent.contracts import AgentState, RunOutcome
from agent.events import AgentEvent, event_to_json
from hunkwise.errors import ConfigError, HunkwiseError

EXIT_COMMITTED = 0
EXIT_ERROR = 2
EXIT_READY = 3
EXIT_TESTS_FAILED = 4
EXIT_BUDGET = 5
EXIT_NEEDS_HUMAN = 6
EXIT_BLOCKED = 7
EXIT_INTERRUPTED = 130

EXIT_CODES_HELP = """\
exit codes:
  0    committed (--commit: accepted changes tested in the sandbox and committed)
  2    error (bad input, model or sandbox failure; the message says what to do)
  3    ready for review (changes pending, nothing committed)
  4    tests failed on the accepted changes (nothing committed)
  5    budget exceeded (turns, tokens, dollars or wall time)
  6    needs a human (the agent is stuck)
  7    blocked by policy (the model kept asking for forbidden things)
  130  interrupted
"""

STATE_EXIT: dict[AgentState, int] = {
    AgentState.READY_FOR_REVIEW: EXIT_READY,
    AgentState.BUDGET_EXCEEDED: EXIT_BUDGET,
    AgentState.NEEDS_HUMAN: EXIT_NEEDS_HUMAN,
    AgentState.BLOCKED_BY_POLICY: EXIT_BLOCKED,
    AgentState.CANCELLED: EXIT_INTERRUPTED,
    AgentState.ERROR: EXIT_ERROR,
}


@dataclass
class RunOptions:
    """What `hunkwise run` was asked to do."""

    task: str
    repo: Path
    model: str | None = None
    accept: str | None = None  # "all" | "none" | None
    commit: bool = False
    max_turns: int | None = None
    max_cost: float | None = None
    json: bool = False
    resume: str | None = None
    plan: bool = False
    no_review: bool = False


class HumanPrinter:
    """Prints events for a person: streamed text, one line per tool call and test run."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.streaming = False

    def __call__(self, event: AgentEvent) -> None:
        if event.type == "token_delta":
            self.out.write(event.text)
            self.streaming = True
            self.out.flush()
            return
        if self.streaming:
            self.out.write("\n")
            self.streaming = False
        line = _human_line(event)
        if line:
            print(line, file=self.out, flush=True)


def _human_line(event: AgentEvent) -> str | None:
    kind = event.type
    if kind == "tool_call_finished":
        return f"  {'✓' if event.ok else '✗'} {event.name}: {event.summary}"
    if kind == "patch_proposed":
        return f"  pending: {event.hunks} hunks in {', '.join(event.files)}"
    if kind == "test_run_started":
        return f"  tests: {' '.join(event.command)} ({event.backend})"
    if kind == "test_run_finished":
        r = event.report
        return f"  tests {r.status}: {r.passed} passed, {r.failed} failed, {r.errors} errors"
    if kind == "review_notes":
        notes = "; ".join(f"{f.path}:{f.line} {f.message}" for f in event.review.findings)
        return f"  review: {event.review.status}" + (f" — {notes}" if notes else "")
    if kind == "plan_ready":
        spec = event.spec
        lines = [f"  plan ({spec.risk} risk): {spec.summary}"]
        lines += [f"    - {criterion}" for criterion in spec.acceptance_criteria]
        if spec.files_likely_affected:
            lines.append(f"    files: {', '.join(spec.files_likely_affected)}")
        return "\n".join(lines)
    if kind == "state_changed" and event.detail:
        return f"[{event.state}] {event.detail}"
    if kind == "error":
        return f"  ! {event.message}" + (f" (hint: {event.hint})" if event.hint else "")
    return None


def _json_printer(out: TextIO) -> Callable[[AgentEvent], None]:
    def emit(event: AgentEvent) -> None:
        print(event_to_json(event), file=out, flush=True)

    return emit


def run_headless(options: RunOptions, out: TextIO | None = None) -> int:
    """Run one task to a terminal state and return the exit code (see EXIT_CODES_HELP)."""
    from agent.changes import ChangeSet, Decision
    from agent.loop import Agent
    from agent.sessions import db_path_for, open_store
    from agent.vcs import GitRepo
    from hunkwise.settings import load_settings
    from sandbox.select import open_sandbox

    out = out or sys.stdout
    repo = options.repo.expanduser().resolve()
    overrides: dict[str, Any] = {"budget": {}, "agent": {}}
    if options.model:
        overrides["model"] = {"main": options.model}
    if options.max_turns is not None:
        overrides["budget"]["max_turns"] = options.max_turns
    if options.max_cost is not None:
        overrides["budget"]["max_cost_usd"] = options.max_cost
    if options.plan:
        overrides["agent"]["plan"] = True
    if options.no_review:
        overrides["agent"]["self_review"] = False
    settings = load_settings(repo if repo.is_dir() else None, overrides)
    git_repo = GitRepo.open(repo, settings.git)
    emit = _json_printer(out) if options.json else HumanPrinter(out)
    db = db_path_for(settings)
    with open_store(db) as store:
        if options.resume:
            info = store.get(options.resume)
            if Path(info.repo) != repo:
                raise ConfigError(f"session {info.id} belongs to {info.repo}",
                                  f"run with --repo {info.repo}")
            session_id = info.id
        else:
            if not options.task.strip():
                raise ConfigError("the task is empty", 'say what to do: hunkwise run "fix ..."')
            session_id = store.create(repo, options.task, settings.model.main or "")
        changes = ChangeSet(repo, settings.agent.deny_globs)
        for path, content in store.pending(session_id).items():
            if content is None:
                changes.delete(path)
            else:
                changes.write(path, content)
        agent = Agent(repo, settings, changes, lambda: open_sandbox(settings.sandbox),
                      _open_map(repo, settings), emit, store=store, session_id=session_id)
        model = agent.client.model_name("main")  # no model: a ConfigError before any work
        if not options.json:
            kind = " (scripted replay, not a real model)" if agent.client.is_replay() else ""
            print(f"session {session_id} · model {model}{kind}", file=out)
        task = options.task or "Continue where you left off."
        try:
            outcome = agent.run(task)
        except KeyboardInterrupt:
            # The transcript is saved every turn; keep the pending changes for --resume too.
            store.save_pending(session_id, changes.proposed_overlay())
            store.update(session_id, state=str(AgentState.CANCELLED),
                         summary="interrupted (Ctrl-C)")
            raise
        code = STATE_EXIT.get(outcome.state, EXIT_ERROR)
        if outcome.state == AgentState.READY_FOR_REVIEW and options.accept:
            decision = Decision.ACCEPTED if options.accept == "all" else Decision.REJECTED
            for view in changes.files():
                for hunk in view.hunks:
                    changes.decide(hunk.id, decision, None if decision == Decision.ACCEPTED
                                   else "rejected by --accept none")
                    store.record_decision(session_id, hunk.id, view.path, str(decision),
                                          "--accept " + options.accept)
        if outcome.state == AgentState.READY_FOR_REVIEW and options.commit:
            code, sha = _commit(agent, git_repo, settings, emit, outcome)
            _result(out, options.json, outcome, code, sha)
            return code
        _result(out, options.json, outcome, code, None)
        return code


def _open_map(repo: Path, settings: Any) -> Any:
    """The repo map, or None (with the reason on stderr) when it cannot be built."""
    try:
        from repomap import open_repo_map

        return open_repo_map(repo, settings.repomap, settings.model.main)
    except (HunkwiseError, ImportError) as exc:
        print(f"hunkwise: repo map unavailable: {exc}", file=sys.stderr)
        return None


def _commit(agent: Any, git_repo: Any, settings: Any, emit: Callable[[AgentEvent], None],
            outcome: RunOutcome) -> tuple[int, str | None]:
    """Test exactly the accepted state in the sandbox; write and commit it only if it passes."""
    from agent.phases import diff_text
    from agent.testrun import TestBridge
    from sandbox.select import open_sandbox

    changes = agent.changes
    accepted = changes.accepted_overlay()
    if not accepted:
        print("hunkwise: nothing accepted, nothing to commit", file=sys.stderr)
        return EXIT_READY, None
    bases = {p: c for p, c in changes.base_overlay().items() if p in accepted}
    with TestBridge(agent.repo, settings.sandbox, lambda: open_sandbox(settings.sandbox),
                    emit) as tests:
        report = tests.run(accepted)
    agent.recorder.test_run(report, None)
    if report.status != "passed":
        print(f"hunkwise: tests {report.status} on the accepted changes; nothing committed",
              file=sys.stderr)
        return EXIT_TESTS_FAILED, None
    diff = diff_text(changes)
    try:
        message = agent.commit_message(diff)
    except HunkwiseError as exc:
        print(f"hunkwise: commit message model failed ({exc.message}); using the summary",
              file=sys.stderr)
        message = "fix: " + (outcome.summary.splitlines()[0][:60] if outcome.summary else "")
    written = changes.write_accepted()
    if not written.ok:
        raise ConfigError(
            f"files changed on disk since the agent read them: {', '.join(written.conflicts)}",
            "nothing was overwritten; re-run the task on the current files",
        )
    sha = git_repo.commit_contents(accepted, message, agent.client.model_name("main"),
                                   test_report=report, bases=bases)
    agent.recorder.audit("commit", sha, {"files": sorted(accepted)}, True,
                         message.splitlines()[0])
    if agent.recorder.store is not None:
        agent.recorder.store.update(agent.session_id, state="committed")
    return EXIT_COMMITTED, sha


def _result(out: TextIO, as_json: bool, outcome: RunOutcome, code: int, sha: str | None) -> None:
    if as_json:
        payload = {"type": "run_result", "exit_code": code, "commit": sha,
                   **outcome.model_dump(mode="json")}
        print(json.dumps(payload), file=out, flush=True)
        return
    print(f"\n{outcome.state}: {outcome.summary or outcome.reason or ''}", file=out)
    print(f"session {outcome.session_id}: {outcome.turns} turns, "
          f"{outcome.prompt_tokens + outcome.completion_tokens} tokens, "
          f"${outcome.cost_usd:.4f}" + (f"; committed {sha[:12]}" if sha else ""), file=out)
