"""Test command detection for the runners we know, and the override."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox.errors import SandboxError
from sandbox.settings import SandboxSettings
from sandbox.testing import PYTEST, UNITTEST, detect_test_command

CASES = {
    "pytest.ini": ({"pytest.ini": "[pytest]\n"}, PYTEST),
    "pyproject": ({"pyproject.toml": "[tool.pytest.ini_options]\naddopts = '-q'\n"}, PYTEST),
    "bare test file": ({"test_x.py": "def test_x():\n    assert True\n"}, PYTEST),
    "unittest": (
        {"tests/test_x.py": "import unittest\nclass T(unittest.TestCase):\n    pass\n"},
        UNITTEST,
    ),
    "npm": (
        {"package.json": json.dumps({"scripts": {"test": "jest"}})},
        ["npm", "test", "--silent"],
    ),
    "go": ({"go.mod": "module x\n"}, ["go", "test", "./..."]),
    "cargo": ({"Cargo.toml": "[package]\nname='x'\n"}, ["cargo", "test"]),
}


@pytest.mark.parametrize("name", CASES)
def test_detects(tmp_path: Path, name: str) -> None:
    files, expected = CASES[name]
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    assert detect_test_command(tmp_path, SandboxSettings()) == expected


def test_override_wins(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    settings = SandboxSettings(test_command=["make", "check"])
    assert detect_test_command(tmp_path, settings) == ["make", "check"]


def test_unknown_setup_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("nothing to test\n")
    (tmp_path / "package.json").write_text(json.dumps({"scripts": {"build": "tsc"}}))
    with pytest.raises(SandboxError) as info:
        detect_test_command(tmp_path, SandboxSettings())
    assert "no test command found" in info.value.message
    assert "test_command" in info.value.hint


def test_ignored_python_files_do_not_count(tmp_path: Path) -> None:
    from tests.gitrepo import git

    git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text("node_modules/\n")
    (tmp_path / "package.json").write_text(json.dumps({"scripts": {"test": "jest"}}))
    (tmp_path / "node_modules" / "gyp").mkdir(parents=True)
    (tmp_path / "node_modules" / "gyp" / "test_gyp.py").write_text("def test_x(): pass\n")
    assert detect_test_command(tmp_path, SandboxSettings()) == ["npm", "test", "--silent"]
