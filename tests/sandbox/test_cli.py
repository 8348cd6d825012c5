"""The command line, run as a user would run it: exit codes, streaming, JSON, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def hunkwise(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    return subprocess.run(
        [sys.executable, "-m", "hunkwise", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=timeout,
    )


@pytest.mark.bwrap
def test_run_exits_with_the_commands_code(repo: Path, bwrap_sandbox: object) -> None:
    out = hunkwise(
        "sandbox", "run", "--backend", "bwrap", "--repo", str(repo), "--",
        "sh", "-c", "echo to-out; echo to-err >&2; exit 7",
    )  # fmt: skip
    assert out.returncode == 7
    assert out.stdout == "to-out\n"
    assert "to-err" in out.stderr


@pytest.mark.bwrap
def test_run_timeout_exits_124(repo: Path, bwrap_sandbox: object) -> None:
    start = time.monotonic()
    out = hunkwise(
        "sandbox", "run", "--backend", "bwrap", "--timeout", "1", "--repo", str(repo), "--",
        "sleep", "30",
    )  # fmt: skip
    assert out.returncode == 124
    assert time.monotonic() - start < 1 + 5 + 3  # plus interpreter start-up
    assert "timed out" in out.stderr


@pytest.mark.bwrap
def test_top_level_repo_flag_is_honoured(repo: Path, bwrap_sandbox: object) -> None:
    out = hunkwise("--repo", str(repo), "sandbox", "run", "--backend", "bwrap", "--", "ls")
    assert out.returncode == 0
    assert "test_ok.py" in out.stdout.split()


@pytest.mark.bwrap
def test_test_json_is_a_test_report(repo: Path, bwrap_sandbox: object) -> None:
    (repo / "test_bad.py").write_text("def test_bad():\n    assert False\n")
    out = hunkwise("test", "--backend", "bwrap", "--repo", str(repo), "--json")
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert (report["passed"], report["failed"], report["status"]) == (1, 1, "failed")
    assert report["failures"][0]["test_id"] == "test_bad.py::test_bad"


@pytest.mark.parametrize("backend", ["bwrap", "container"])
def test_doctor_passes_every_check(
    repo: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue(f"{backend}_sandbox")  # skips when the backend is unavailable
    out = hunkwise("sandbox", "doctor", "--backend", backend, "--repo", str(repo))
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"backend: {backend}" in out.stdout
    assert "FAIL" not in out.stdout
    assert "all isolation checks passed" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sandbox", "run", "--repo", "/nonexistent/hunkwise", "--", "true"], "does not exist"),
        (["sandbox", "run", "--repo", "/", "--", "true"], "not a git repository"),
        (["sandbox", "run", "--backend", "local", "--", "true"], "not allowed"),
        (["sandbox", "run", "--backend", "bwrap"], "no command given"),
    ],
)
def test_bad_input_is_a_message_not_a_traceback(args: list[str], message: str) -> None:
    out = hunkwise(*args)
    assert out.returncode == 2
    assert message in out.stderr
    assert "hint:" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(("flag", "value"), [("--memory", "0"), ("--timeout", "soon")])
def test_bad_limits_are_usage_errors(flag: str, value: str) -> None:
    out = hunkwise("sandbox", "run", flag, value, "--", "true")
    assert out.returncode == 2
    assert f"argument {flag}" in out.stderr
    assert "Traceback" not in out.stderr
