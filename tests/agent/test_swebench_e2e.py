"""End to end on a real project at a SWE-bench base commit: run, accept all, commit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.agent import swebench
from tests.agent.conftest import sandbox_available

ROOT = Path(__file__).resolve().parents[2]
RECORD_REPO = "pallets/flask"
_skip = swebench.unavailable(RECORD_REPO)
PYTEST = ["python3", "-m", "pytest", "-p", "no:cacheprovider"]


def _engine_unavailable() -> str | None:
    from sandbox.container import ContainerSandbox
    from sandbox.errors import SandboxError
    from sandbox.settings import SandboxSettings

    try:
        with ContainerSandbox.open(SandboxSettings(backend="container")):
            return None
    except SandboxError as exc:
        return f"no container engine/image: {exc.message}"


def _bwrap_config(repo: Path) -> str:
    """bwrap runs the host's Python: the deps are committed into the checkout."""
    deps = swebench.install_deps(repo, swebench.FLASK_DEPS)
    argv = [*PYTEST, "-o", f"pythonpath=src {deps.name}"]
    return f'[sandbox]\nbackend = "bwrap"\ntimeout_s = 300\ntest_command = {json.dumps(argv)}\n'


def _container_config(repo: Path) -> str:
    """The container gets the deps from `setup` (a derived image, built once and cached)."""
    setup = [
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
        "--no-install-recommends python3-pip > /dev/null",
        "python3 -m pip install --break-system-packages -q "
        + " ".join(swebench.FLASK_DEPS) + " pytest==7.2.1",
    ]
    argv = [*PYTEST, "-o", "pythonpath=src"]
    return (f'[sandbox]\nbackend = "container"\ntimeout_s = 600\n'
            f"setup = {json.dumps(setup)}\ntest_command = {json.dumps(argv)}\n")


@pytest.fixture(params=[
    pytest.param("bwrap", marks=[pytest.mark.bwrap]),
    pytest.param("container", marks=[pytest.mark.container]),
])
def backend(request: pytest.FixtureRequest) -> str:
    """Each sandbox backend the machine has; the others skip with the reason."""
    reason = sandbox_available() if request.param == "bwrap" else _engine_unavailable()
    if reason:
        pytest.skip(f"{request.param}: {reason}")
    return request.param


@pytest.mark.slow
@pytest.mark.skipif(_skip is not None, reason=f"SWE-bench e2e: {_skip}")
def test_flask_instance_fixed_and_committed_with_passing_tests(tmp_path: Path,
                                                               backend: str) -> None:
    record = swebench.instance(swebench.FLASK_INSTANCE)
    repo = swebench.checkout(record, tmp_path / "flask")
    script = tmp_path / "fix.json"
    script.write_text(json.dumps(swebench.replay_script(record)))
    config = tmp_path / "config" / "hunkwise" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(_bwrap_config(repo) if backend == "bwrap" else _container_config(repo))
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "HUNKWISE_DATA_DIR": str(tmp_path / "data"), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    env.pop("HUNKWISE_SANDBOX", None)
    task = record["problem_statement"][:2000]
    result = subprocess.run(
        [sys.executable, "-m", "hunkwise", "run", task, "--repo", str(repo), "--model",
         f"replay:{script}", "--accept", "all", "--commit", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )
    (tmp_path / "events.jsonl").write_text(result.stdout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    events = [json.loads(line) for line in result.stdout.splitlines()]
    runs = [e["report"] for e in events if e["type"] == "test_run_finished"]
    fail_to_pass = json.loads(record["FAIL_TO_PASS"])
    assert runs[0]["status"] == "failed" and runs[0]["failed"] == len(fail_to_pass)
    assert runs[1]["status"] == "passed" and runs[1]["passed"] == len(fail_to_pass)
    assert runs[-1]["status"] == "passed" and runs[-1]["passed"] > 400, "whole suite on commit"
    assert events[-1]["type"] == "run_result" and events[-1]["commit"]

    message = subprocess.run(["git", "log", "-1", "--format=%B"], cwd=repo, text=True,
                             capture_output=True, check=True).stdout
    assert message.startswith(f"fix: {swebench.FLASK_INSTANCE}")
    assert "Tests: passed" in message and f"{backend} sandbox" in message
    assert "Assisted-by: hunkwise (replay:" in message
    committed = subprocess.run(["git", "show", "--stat", "--format=", "HEAD"], cwd=repo,
                               text=True, capture_output=True, check=True).stdout
    assert "src/flask/config.py" in committed and swebench.DEPS_DIR not in committed
    # The committed tree equals base + the upstream fix.
    expected = tmp_path / "expected"
    subprocess.run(["git", "worktree", "add", "-q", str(expected), "HEAD~1"], cwd=repo,
                   check=True, capture_output=True)
    subprocess.run(["git", "apply", "-"], cwd=expected, input=record["patch"], text=True,
                   check=True, capture_output=True)
    path = "src/flask/config.py"
    shown = subprocess.run(["git", "show", f"HEAD:{path}"], cwd=repo, text=True,
                           capture_output=True, check=True).stdout
    assert shown == (expected / path).read_text()
