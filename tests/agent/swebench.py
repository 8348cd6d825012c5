"""SWE-bench instances for end-to-end checks: checkout, deps, and a replay script of the fix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path("/work/shared/bench")
MIRRORS = Path("/work/.mirror")
FLASK_INSTANCE = "pallets__flask-4992"
# Werkzeug 2.2 / Jinja2 3.1 is what flask 2.3.dev was tested against; newer ones deprecate APIs
# that flask's `filterwarnings = error` turns into failures.
FLASK_DEPS = ["werkzeug==2.2.3", "jinja2==3.1.2", "itsdangerous==2.1.2", "click==8.1.3",
              "markupsafe==2.1.2"]
DEPS_DIR = ".swebench-deps"


def instance(instance_id: str) -> dict[str, Any]:
    """One SWE-bench Lite record."""
    with (BENCH / "swebench_lite_dev.jsonl").open() as fh:
        for line in fh:
            record = json.loads(line)
            if record["instance_id"] == instance_id:
                return record
    raise KeyError(instance_id)


def unavailable(repo: str) -> str | None:
    """Why the instance cannot be checked out here, or None."""
    if not (BENCH / "checkout.py").is_file():
        return f"{BENCH}/checkout.py is missing"
    if not (MIRRORS / repo.replace("/", "+")).is_dir():
        return f"no mirror of {repo} under {MIRRORS} (fetch github:{repo} first)"
    return None


def _git(repo: Path, *args: str, stdin: str | None = None) -> None:
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", *args],
                   cwd=repo, input=stdin, text=True, check=True, capture_output=True)


def checkout(record: dict[str, Any], dest: Path) -> Path:
    """The repository at its base commit with the instance's test patch committed on top."""
    subprocess.run([sys.executable, str(BENCH / "checkout.py"), record["instance_id"], str(dest),
                    "--git"], check=True, capture_output=True, text=True)
    _git(dest, "apply", "-", stdin=record["test_patch"])
    _git(dest, "add", "-A")
    _git(dest, "commit", "-qm", "SWE-bench test patch")
    return dest


def install_deps(repo: Path, requirements: list[str]) -> Path:
    """Deps installed inside the checkout and committed there, so every sandbox copy has them.

    Committed (force-added: projects ignore names like `env*`) because the sandbox copies what
    git sees; the bwrap backend runs the host's Python, which lacks the project's deps.
    """
    target = repo / DEPS_DIR
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), *requirements], check=True, capture_output=True, text=True)
    _git(repo, "add", "-f", DEPS_DIR)
    _git(repo, "commit", "-qm", "SWE-bench harness: test dependencies")
    return target


def fix_edits(patch: str) -> list[dict[str, str]]:
    """The known fix as edit_file arguments: one (old -> new) replacement per hunk."""
    from unidiff import PatchSet

    edits = []
    for patched in PatchSet(patch):
        for hunk in patched:
            old = "".join(line.value for line in hunk if not line.is_added)
            new = "".join(line.value for line in hunk if not line.is_removed)
            edits.append({"path": patched.path, "old": old, "new": new})
    return edits


def replay_script(record: dict[str, Any]) -> dict[str, Any]:
    """Read the file, run FAIL_TO_PASS (fails), apply the fix, run them again, finish."""
    fail_to_pass = json.loads(record["FAIL_TO_PASS"])
    edits = fix_edits(record["patch"])
    path = edits[0]["path"]

    def call(n: int, name: str, args: dict[str, Any]) -> dict[str, Any]:
        return {"id": f"call_{n}", "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)}}

    main = [
        {"content": f"I'll read {path} first.",
         "tool_calls": [call(1, "read_file", {"path": path})]},
        {"content": "Running the failing tests before changing anything.",
         "tool_calls": [call(2, "run_tests", {"selection": fail_to_pass})]},
        {"content": "Applying the fix.",
         "tool_calls": [call(10 + i, "edit_file", e) for i, e in enumerate(edits)]},
        {"content": "", "tool_calls": [call(3, "run_tests", {"selection": fail_to_pass})]},
        {"content": "", "tool_calls": [call(4, "finish", {
            "summary": f"Fixed {record['instance_id']}; FAIL_TO_PASS now passes."})]},
    ]
    review = [{"content": "", "tool_calls": [call(5, "submit_review", {"status": "approved"})]}]
    weak = [{"content": f"fix: {record['instance_id']}\n\nApply the upstream fix."}]
    return {"main": main, "review": review, "weak": weak}
