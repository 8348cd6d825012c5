"""`hunkwise run` and `hunkwise sessions` as a user runs them: real process, real repo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.agent.conftest import CALC_BUGGY, call, sandbox_available, turn
from tests.gitrepo import git

ROOT = Path(__file__).resolve().parents[2]
needs_sandbox = pytest.mark.skipif(sandbox_available() is not None,
                                   reason=f"sandbox: {sandbox_available()}")

FIX = {
    "main": [
        turn(call("read_file", {"path": "calc.py"}, "c1")),
        turn(call("edit_file", {"path": "calc.py", "old": "a - b", "new": "a + b"}, "c2")),
        turn(call("run_tests", {}, "c3")),
        turn(call("finish", {"summary": "add() adds"}, "c4")),
    ],
    "weak": [{"content": "fix(calc): make add() add"}],
}


def hunkwise(*args: str, data: Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "HUNKWISE_DATA_DIR": str(data), "HUNKWISE_SANDBOX": "bwrap",
           "LITELLM_LOCAL_MODEL_COST_MAP": "True", "XDG_CONFIG_HOME": str(data / "config")}
    return subprocess.run([sys.executable, "-m", "hunkwise", *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.bwrap
@needs_sandbox
def test_run_accept_all_commit_commits_with_test_evidence(calc_repo, replay_file, data_dir):
    script = replay_file(FIX)
    result = hunkwise("run", "make add() add", "--repo", str(calc_repo), "--model",
                      f"replay:{script}", "--accept", "all", "--commit", "--no-review",
                      "--json", data=data_dir)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[-1]["type"] == "run_result" and lines[-1]["commit"]
    types = [line["type"] for line in lines]
    assert "test_run_finished" in types and "patch_proposed" in types
    message = git(calc_repo, "log", "-1", "--format=%B")
    assert message.startswith("fix(calc): make add() add")
    assert "Tests: passed - 2 passed" in message
    assert "a + b" in (calc_repo / "calc.py").read_text()
    assert git(calc_repo, "status", "--porcelain") == ""

    listed = hunkwise("sessions", "--json", data=data_dir)
    sessions = json.loads(listed.stdout)
    assert [s["state"] for s in sessions] == ["committed"]
    shown = hunkwise("sessions", "--show", sessions[0]["id"][:6], data=data_dir)
    assert "edit_file" in shown.stdout and "commit" in shown.stdout


@pytest.mark.bwrap
@needs_sandbox
def test_failing_tests_block_the_commit(calc_repo, replay_file, data_dir):
    script = replay_file({"main": [
        turn(call("edit_file", {"path": "calc.py", "old": "a * b", "new": "a ** b"}, "c1")),
        turn(call("finish", {"summary": "changed mul"}, "c2")),
        turn(call("finish", {"summary": "changed mul anyway"}, "c3")),
    ]})
    result = hunkwise("run", "break mul", "--repo", str(calc_repo), "--model",
                      f"replay:{script}", "--accept", "all", "--commit", "--no-review",
                      data=data_dir)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "nothing committed" in result.stderr
    assert (calc_repo / "calc.py").read_text() == CALC_BUGGY
    assert git(calc_repo, "log", "--oneline").count("\n") == 1


def test_ready_budget_and_bad_input_exit_codes(calc_repo, replay_file, data_dir):
    look = replay_file({"main": [turn(call("edit_file", {"path": "calc.py", "old": "a - b",
                                                         "new": "a + b"}, "e")),
                                 turn(call("finish", {"summary": "fixed"}, "f"))]})
    ready = hunkwise("run", "fix", "--repo", str(calc_repo), "--model", f"replay:{look}",
                     "--no-review", data=data_dir)
    assert ready.returncode == 3, ready.stderr
    assert "(scripted replay, not a real model)" in ready.stdout
    assert (calc_repo / "calc.py").read_text() == CALC_BUGGY

    reads = replay_file([turn(call("list_files", {}, f"l{i}")) for i in range(5)])
    over = hunkwise("--repo", str(calc_repo), "--model", f"replay:{reads}", "run", "loop",
                    "--max-turns", "2", data=data_dir)
    assert over.returncode == 5, over.stderr
    assert "turn budget" in over.stdout

    no_model = hunkwise("run", "x", "--repo", str(calc_repo), data=data_dir)
    assert no_model.returncode == 2
    assert "no model is configured" in no_model.stderr and "hint:" in no_model.stderr
    not_repo = hunkwise("run", "x", "--repo", str(data_dir), "--model", f"replay:{look}",
                        data=data_dir)
    assert not_repo.returncode == 2 and "hint:" in not_repo.stderr
    assert "Traceback" not in not_repo.stderr + no_model.stderr
    commit_alone = hunkwise("run", "x", "--commit", data=data_dir)
    assert commit_alone.returncode == 2 and "--accept all" in commit_alone.stderr


def test_resume_continues_transcript_and_pending_changes(calc_repo, replay_file, data_dir):
    first = replay_file({"main": [
        turn(call("edit_file", {"path": "calc.py", "old": "a - b", "new": "a + b"}, "e")),
        turn(call("finish", {"summary": "fixed add"}, "f")),
    ]})
    result = hunkwise("run", "fix add", "--repo", str(calc_repo), "--model", f"replay:{first}",
                      "--no-review", "--json", data=data_dir)
    session = json.loads(result.stdout.splitlines()[-1])["session_id"]
    second = replay_file({"main": [
        turn(call("read_file", {"path": "calc.py"}, "r")),
        turn(call("finish", {"summary": "still fixed"}, "f2")),
    ]})
    resumed = hunkwise("run", "check it again", "--resume", session, "--repo", str(calc_repo),
                       "--model", f"replay:{second}", "--no-review", "--json", data=data_dir)
    assert resumed.returncode == 3, resumed.stderr
    events = [json.loads(line) for line in resumed.stdout.splitlines()]
    read = next(e for e in events if e["type"] == "tool_call_finished" and e["name"] == "read_file")
    assert read["ok"]
    from agent.sessions import open_store

    with open_store(data_dir / "sessions.db") as store:
        messages = store.messages(session)
        assert store.pending(session)["calc.py"].count(b"a + b") == 1
    contents = [m.get("content") or "" for m in messages]
    assert any("fix add" in c for c in contents) and "check it again" in contents
    tool_results = [m["content"] for m in messages if m["role"] == "tool"]
    assert any("return a + b" in c for c in tool_results), "resumed run saw the pending edit"
