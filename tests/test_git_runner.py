"""A planted `.git` cannot run code on the host: every git call goes through hunkwise.gitrun."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitrepo import git, make_repo

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("agent", "hunkwise", "repomap", "sandbox", "tui")
# The runner itself, and GitPython's runner which takes its options and environment from it.
RUNNERS = {Path("hunkwise/gitrun.py"), Path("agent/vcs/gitcmd.py")}
SUBPROCESS_CALLS = {"run", "Popen", "call", "check_call", "check_output", "getoutput"}
# GitPython entry points that start git processes of their own (without our -c options).
GITPYTHON_RUNNERS = {"execute", "is_dirty", "untracked_files", "index", "remote", "iter_commits"}

CALC = {
    "calc.py": "def add(a, b):\n    return a + b\n",
    "tests/test_calc.py": "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
}


def _mentions_git(node: ast.AST) -> bool:
    """A literal "git" (alone or as a list head / f-string) anywhere in an argument."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            if sub.value == "git" or sub.value.startswith("git "):
                return True
        if isinstance(sub, ast.Name) and sub.id.upper().startswith("GIT"):
            return True
    return False


def _bypasses(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in SUBPROCESS_CALLS and any(_mentions_git(arg) for arg in node.args):
            lines.append(node.lineno)
        if isinstance(func, ast.Attribute):
            owner = func.value
            # repo.git.<command>(...) or git.Git(...).<command>(...): GitPython's dynamic runner.
            if isinstance(owner, ast.Attribute) and owner.attr == "git" and name != "execute":
                lines.append(node.lineno)
            if name in GITPYTHON_RUNNERS - {"execute"} and isinstance(owner, ast.Attribute) \
                    and owner.attr == "repo":
                lines.append(node.lineno)
            if name == "execute" and _mentions_git(node):
                lines.append(node.lineno)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "commit" and isinstance(
            node.value, ast.Attribute) and node.value.attr == "index":
            lines.append(node.lineno)  # GitPython's index.commit runs hooks itself
    return lines


def test_no_git_call_bypasses_the_safe_runner() -> None:
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if rel in RUNNERS:
                continue
            tree = ast.parse(path.read_text("utf-8"), str(rel))
            offenders += [f"{rel}:{line}" for line in _bypasses(tree)]
    assert offenders == [], "git run outside hunkwise/gitrun.py: " + ", ".join(offenders)


def test_the_scan_finds_a_bypass() -> None:
    """The scanner itself is not blind: each kind of bypass is caught."""
    samples = [
        'subprocess.run(["git", "status"])',
        'subprocess.check_output(GIT + ["ls-files"])',
        "repo.git.status()",
        "self.repo.is_dirty()",
        'runner.execute(["git", "add"])',
        "repo.index.commit('x')",
    ]
    for sample in samples:
        assert _bypasses(ast.parse(sample)), sample


# -- a planted core.fsmonitor must not run ---------------------------------------------------


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, Path]:
    """A repository whose .git/config runs a script (writing a canary) as its fsmonitor."""
    repo = make_repo(tmp_path / "repo", CALC)
    canary = tmp_path / "canary"
    hook = tmp_path / "fsmonitor.sh"
    hook.write_text(f"#!/bin/sh\necho ran >> {canary}\n")
    hook.chmod(0o755)
    git(repo, "config", "core.fsmonitor", str(hook))
    # The plant works: plain git runs it.
    git(repo, "ls-files", "--others", "--exclude-standard")
    assert canary.exists()
    canary.unlink()
    return repo, canary


def hunkwise(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    # The local backend (no isolation) is enough here: what runs before it is the point.
    user_config = tmp / "config" / "hunkwise" / "config.toml"
    user_config.parent.mkdir(parents=True, exist_ok=True)
    user_config.write_text("[sandbox]\nallow_local = true\n")
    env = {**os.environ, "HUNKWISE_DATA_DIR": str(tmp / "data"),
           "XDG_CONFIG_HOME": str(tmp / "config"), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    return subprocess.run([sys.executable, "-m", "hunkwise", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["test", "--repo", "REPO", "--backend", "local"],
        ["sandbox", "run", "--repo", "REPO", "--backend", "local", "--", "true"],
        ["map", "--repo", "REPO", "--query", "add"],
    ],
    ids=["test", "sandbox-run", "map"],
)
def test_planted_fsmonitor_does_not_run(planted, command, tmp_path):
    repo, canary = planted
    result = hunkwise(*[str(repo) if arg == "REPO" else arg for arg in command], tmp=tmp_path)
    assert not canary.exists(), f"fsmonitor ran during `hunkwise {command[0]}`"
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_planted_fsmonitor_does_not_run_during_a_headless_run(planted, tmp_path):
    repo, canary = planted
    script = tmp_path / "replay.json"
    script.write_text(json.dumps({"main": [
        {"content": "", "tool_calls": [{"id": "c1", "type": "function", "function": {
            "name": "edit_file",
            "arguments": json.dumps({"path": "calc.py", "old": "a + b", "new": "b + a"})}}]},
        {"content": "", "tool_calls": [{"id": "c2", "type": "function", "function": {
            "name": "finish", "arguments": json.dumps({"summary": "swapped"})}}]},
    ]}))
    result = hunkwise("run", "swap", "--repo", str(repo), "--model", f"replay:{script}",
                      "--no-review", tmp=tmp_path)
    assert result.returncode == 3, result.stdout + result.stderr
    assert not canary.exists(), "fsmonitor ran during `hunkwise run`"


def test_planted_fsmonitor_does_not_run_during_the_apps_map_build(planted):
    """The app builds its map through repomap.open_repo_map (tui/workers.build_map)."""
    from agent.settings import GitSettings  # noqa: F401 - the app's import path, kept warm
    from hunkwise.settings import Settings
    from repomap import open_repo_map

    repo, canary = planted
    settings = Settings()
    repo_map = open_repo_map(repo, settings.repomap, None)
    repo_map.build(lambda done, total: None)
    assert not canary.exists(), "fsmonitor ran during the map build"


def test_planted_filters_and_hooks_do_not_run_on_snapshot_and_commit(planted, tmp_path):
    from agent.vcs import GitRepo

    repo, canary = planted
    hook = tmp_path / "fsmonitor.sh"
    git(repo, "config", "filter.evil.clean", str(hook))
    git(repo, "config", "filter.evil.smudge", str(hook))
    git(repo, "config", "commit.gpgSign", "true")
    git(repo, "config", "gpg.program", str(hook))
    (repo / ".gitattributes").write_text("*.py filter=evil\n")
    (repo / ".git/hooks/post-commit").write_text(hook.read_text())
    (repo / ".git/hooks/post-commit").chmod(0o755)
    (repo / "calc.py").write_text("def add(a, b):\n    return b + a\n")
    with GitRepo.open(repo) as vcs:
        vcs.snapshot("test")
        vcs.commit_contents({"calc.py": b"def add(a, b):\n    return a + b  # x\n"}, "m", None)
    assert not canary.exists(), "a planted program ran during snapshot/commit"
