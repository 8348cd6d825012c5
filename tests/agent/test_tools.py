"""The tools over a real repo and a real change set: overlay reads, search, policy, schemas."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.changes import ChangeSet
from agent.models.client import ToolCall
from agent.tools.args import WORK_TOOLS
from agent.tools.paths import ToolInputError, check_path
from agent.tools.toolbox import ToolBox
from agent.tools.workspace import Workspace
from tests.agent.conftest import CALC_BUGGY
from tests.gitrepo import make_repo

DENY = [".env*", "*.pem", "id_*"]


@pytest.fixture()
def box(tmp_path) -> ToolBox:
    repo = make_repo(tmp_path / "r", {
        "calc.py": CALC_BUGGY, "pkg/util.py": "def helper():\n    return 'calc'\n",
        "README.md": "calc project\n", "keys/id_rsa": "secret\n", ".env.local": "X=1\n",
    })
    (repo / "untracked.py").write_text("UNTRACKED = 1\n")
    changes = ChangeSet(repo, DENY)
    return ToolBox(Workspace(repo, changes, DENY), WORK_TOOLS)


def run(box: ToolBox, name: str, **args) -> tuple[bool, str]:
    result = box.call(ToolCall(id="x", name=name, arguments=json.dumps(args)))
    return result.ok, result.output


def test_reads_see_pending_edits_and_disk_stays_untouched(box) -> None:
    ok, _ = run(box, "edit_file", path="calc.py", old="a - b", new="a + b")
    assert ok
    ok, text = run(box, "read_file", path="calc.py", start=2, end=2)
    assert ok and "    2      return a + b" in text and "def add" not in text
    assert (box.workspace.repo / "calc.py").read_text() == CALC_BUGGY
    ok, found = run(box, "search", pattern=r"a \+ b")
    assert ok and found == "calc.py:2:    return a + b"
    ok, found = run(box, "search", pattern="calc", glob="*.py")
    assert "pkg/util.py:2:    return 'calc'" in found and "README.md" not in found


def test_list_files_includes_untracked_and_pending_and_hides_denied(box) -> None:
    run(box, "write_file", path="new/mod.py", content="x = 1\n")
    run(box, "delete_file", path="README.md")
    ok, listing = run(box, "list_files")
    files = listing.splitlines()
    assert ok and "untracked.py" in files and "new/mod.py" in files
    assert "README.md" not in files and "keys/id_rsa" not in files and ".env.local" not in files
    ok, only = run(box, "list_files", glob="*.py")
    assert set(only.splitlines()) == {"calc.py", "pkg/util.py", "untracked.py", "new/mod.py"}
    ok, text = run(box, "read_file", path="README.md")
    assert not ok and "deleted" in text


@pytest.mark.parametrize("path,words", [
    ("../x.py", "outside the repository"), ("/etc/passwd", "outside the repository"),
    (".git/config", "git internals"), ("keys/id_rsa", "denied"), (".env.local", "denied"),
    ("pkg/../../x", "outside the repository"),
])
def test_paths_outside_or_denied_are_refused(box, path, words) -> None:
    for name, extra in (("read_file", {}), ("write_file", {"content": "x"})):
        result = box.call(ToolCall(id="x", name=name,
                                   arguments=json.dumps({"path": path, **extra})))
        assert not result.ok and result.policy and words in result.output


def test_symlink_out_of_the_repo_is_refused(box, tmp_path) -> None:
    (tmp_path / "outside.txt").write_text("host\n")
    (box.workspace.repo / "link.txt").symlink_to(tmp_path / "outside.txt")
    ok, text = run(box, "read_file", path="link.txt")
    assert not ok and "symlink" in text


def test_edit_errors_reach_the_model(box) -> None:
    ok, text = run(box, "edit_file", path="calc.py", old="return a / b", new="x")
    assert not ok and "calc.py" in text
    ok, text = run(box, "read_file", path="nope.py")
    assert not ok and "no such file" in text
    ok, text = run(box, "search", pattern="(")
    assert not ok and "invalid regular expression" in text


def test_schemas_come_from_the_argument_models(box) -> None:
    schemas = {s["function"]["name"]: s["function"] for s in box.schemas()}
    assert set(schemas) == set(WORK_TOOLS)
    edit = schemas["edit_file"]["parameters"]
    assert edit["required"] == ["path", "old", "new"]
    assert edit["additionalProperties"] is False
    assert "pending" in schemas["edit_file"]["description"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["..", ".", "a", "b", ".git", "", "c.py"]), min_size=1,
                max_size=6))
def test_checked_paths_never_leave_the_repo(tmp_path_factory, parts) -> None:
    repo = tmp_path_factory.getbasetemp() / "prop"
    repo.mkdir(exist_ok=True)
    try:
        clean = check_path(repo, "/".join(parts), DENY)
    except ToolInputError:
        return  # a refusal is fine; escaping is not
    resolved = (repo / clean).resolve()
    assert resolved.is_relative_to(repo.resolve()) and resolved != repo.resolve()
    assert not clean.startswith(".git") and ".." not in clean.split("/")
