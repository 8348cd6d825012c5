"""run_tests end to end: the repo copy plus overlay, JUnit counts, excerpts, selection."""

from __future__ import annotations

from pathlib import Path

from sandbox.protocol import OutputLine, RunStatus, Sandbox
from sandbox.settings import SandboxSettings
from sandbox.testing import run_tests

FAILING = b"def test_sum():\n    total = sum([1, 2])\n    assert total == 4\n"


def test_overlay_is_what_gets_tested(isolated: Sandbox, repo: Path) -> None:
    lines: list[OutputLine] = []
    settings = SandboxSettings(timeout_s=120)
    report = run_tests(isolated, repo, {"test_sum.py": FAILING}, settings, on_line=lines.append)
    assert report.status is RunStatus.FAILED
    assert (report.passed, report.failed) == (1, 1)
    assert report.failures[0].test_id == "test_sum.py::test_sum"
    assert "assert 3 == 4" in report.excerpt
    assert report.backend is isolated.name
    assert any("test_sum.py" in line.text for line in lines)
    assert not (repo / "test_sum.py").exists()

    fixed = {"test_sum.py": FAILING.replace(b"== 4", b"== 3")}
    report = run_tests(isolated, repo, fixed, settings)
    assert report.status is RunStatus.PASSED
    assert (report.passed, report.failed, report.excerpt) == (2, 0, "")


def test_selection_narrows_the_run(isolated: Sandbox, repo: Path) -> None:
    report = run_tests(
        isolated, repo, {"test_sum.py": FAILING}, SandboxSettings(), selection=["test_ok.py"]
    )
    assert report.status is RunStatus.PASSED
    assert (report.passed, report.failed) == (1, 0)


def test_collection_error_gives_an_excerpt(isolated: Sandbox, repo: Path) -> None:
    report = run_tests(isolated, repo, {"test_bad.py": b"def broken(:\n"}, SandboxSettings())
    assert report.status is RunStatus.FAILED
    assert "SyntaxError" in report.excerpt or "test_bad.py" in report.excerpt


def test_unittest_repo(isolated: Sandbox, tmp_path: Path) -> None:
    from tests.gitrepo import git

    git(tmp_path, "init", "-q")
    (tmp_path / "test_u.py").write_text(
        "import unittest\n\nclass T(unittest.TestCase):\n"
        "    def test_a(self):\n        self.assertEqual(1, 1)\n"
        "    def test_b(self):\n        self.assertEqual(1, 2)\n"
    )
    report = run_tests(isolated, tmp_path, {}, SandboxSettings())
    assert report.command[:3] == ["python3", "-m", "unittest"]
    assert report.status is RunStatus.FAILED
    assert (report.passed, report.failed) == (1, 1)
    assert "AssertionError" in report.excerpt


def test_unittest_selection_names_tests(isolated: Sandbox, tmp_path: Path) -> None:
    from tests.gitrepo import git

    git(tmp_path, "init", "-q")
    (tmp_path / "test_u.py").write_text(
        "import unittest\n\nclass T(unittest.TestCase):\n"
        "    def test_a(self):\n        self.assertEqual(1, 1)\n"
        "    def test_b(self):\n        self.assertEqual(1, 2)\n"
    )
    report = run_tests(isolated, tmp_path, {}, SandboxSettings(), selection=["test_u.T.test_a"])
    assert report.status is RunStatus.PASSED, report.excerpt
    assert (report.passed, report.failed) == (1, 0)


def test_a_missing_command_is_a_failed_result(isolated: Sandbox, repo: Path) -> None:
    from sandbox.local import LocalSandbox
    from sandbox.protocol import RunRequest

    for sandbox in (isolated, LocalSandbox(warn=False)):
        result = sandbox.run(RunRequest(argv=["hunkwise-no-such-command"], repo=repo))
        assert result.status is RunStatus.FAILED, sandbox.name
        assert result.exit_code not in (0, None)


def test_lines_stream_as_they_arrive(isolated: Sandbox, repo: Path) -> None:
    import time

    from sandbox.protocol import RunRequest

    arrivals: dict[str, float] = {}
    request = RunRequest(argv=["sh", "-c", "echo first; sleep 2; echo second >&2"], repo=repo)
    result = isolated.run(request, lambda line: arrivals.setdefault(line.text, time.monotonic()))
    done = time.monotonic()
    assert result.status is RunStatus.PASSED
    assert set(arrivals) == {"first", "second"}
    assert done - arrivals["first"] > 1.5, "the first line was held back until the end"
    assert result.output == "first\nsecond\n"
