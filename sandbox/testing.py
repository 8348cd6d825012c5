"""Detect a repository's test command and run it in a sandbox, producing a TestReport."""

from __future__ import annotations

import json
import re
import threading
import tomllib
from collections.abc import Mapping
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

from sandbox.errors import SandboxError
from sandbox.junit import compact_failure_text, failures_excerpt, parse_junit
from sandbox.protocol import Limits, LineSink, RunRequest, RunResult, Sandbox, TestReport
from sandbox.settings import SandboxSettings
from sandbox.workspace import check_repo, visible_files

JUNIT_PATH = ".hunkwise-junit.xml"
PYTEST = ["python3", "-m", "pytest"]
UNITTEST = ["python3", "-m", "unittest", "discover"]
TAIL_LINES = 40


def _has_pytest_config(repo: Path) -> bool:
    if (repo / "pytest.ini").is_file() or (repo / "conftest.py").is_file():
        return True
    for name, marker in (("setup.cfg", "[tool:pytest]"), ("tox.ini", "[pytest]")):
        path = repo / name
        if path.is_file() and marker in path.read_text(errors="replace"):
            return True
    pyproject = repo / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(errors="replace"))
        except tomllib.TOMLDecodeError:
            return "pytest" in pyproject.read_text(errors="replace")
        return "pytest" in data.get("tool", {}) or "pytest" in json.dumps(data.get("project", {}))
    return False


def _python_test_files(repo: Path) -> list[Path]:
    """Python test files git sees (ignored trees like node_modules or .venv never count)."""
    try:
        names = visible_files(repo)
    except SandboxError:
        names = [p.relative_to(repo).as_posix() for p in repo.rglob("*.py")]
    found = [
        repo / name
        for name in names
        if fnmatch(PurePosixPath(name).name, "test_*.py")
        or fnmatch(PurePosixPath(name).name, "*_test.py")
    ]
    return [p for p in found if p.is_file() and not {".git", ".venv"} & set(p.parts)][:200]


def detect_test_command(repo: Path, settings: SandboxSettings) -> list[str]:
    """The argv that runs this repository's tests; the settings' `test_command` wins.

    Raises SandboxError with a hint when no known test setup is found.
    """
    if settings.test_command:
        return list(settings.test_command)
    if not repo.is_dir():
        raise SandboxError(f"repository path {repo} does not exist", "pass --repo DIR")
    if _has_pytest_config(repo):
        return list(PYTEST)
    test_files = _python_test_files(repo)
    if test_files:
        texts = [p.read_text(errors="replace") for p in test_files]
        if all("unittest" in t for t in texts) and not any("pytest" in t for t in texts):
            return list(UNITTEST)
        return list(PYTEST)
    package = repo / "package.json"
    if package.is_file():
        try:
            scripts = json.loads(package.read_text(errors="replace")).get("scripts", {})
        except (json.JSONDecodeError, AttributeError):
            scripts = {}
        if isinstance(scripts, dict) and "test" in scripts:
            return ["npm", "test", "--silent"]
    if (repo / "go.mod").is_file():
        return ["go", "test", "./..."]
    if (repo / "Cargo.toml").is_file():
        return ["cargo", "test"]
    raise SandboxError(
        f"no test command found for {repo} (looked for pytest, unittest, npm, go and cargo)",
        'set one: [sandbox] test_command = ["make", "test"] in .hunkwise.toml '
        "(or [tool.hunkwise.sandbox] in pyproject.toml)",
    )


def _is_pytest(argv: list[str]) -> bool:
    return "pytest" in argv or any(Path(a).name in ("pytest", "py.test") for a in argv[:1])


def limits_from(settings: SandboxSettings) -> Limits:
    """The run limits the settings ask for."""
    return Limits(
        timeout_s=settings.timeout_s,
        memory_mb=settings.memory_mb,
        pids=settings.pids,
        cpus=settings.cpus,
        output_limit_bytes=settings.output_limit_bytes,
    )


def _unittest_counts(output: str) -> tuple[int, int, int, int]:
    ran = re.findall(r"^Ran (\d+) tests?", output, re.M)
    total = int(ran[-1]) if ran else 0
    counts = {k: 0 for k in ("failures", "errors", "skipped")}
    for key, value in re.findall(r"(failures|errors|skipped)=(\d+)", output):
        counts[key] = int(value)
    passed = total - counts["failures"] - counts["errors"] - counts["skipped"]
    return max(passed, 0), counts["failures"], counts["errors"], counts["skipped"]


def _tail(output: str) -> str:
    return "\n".join(output.rstrip().splitlines()[-TAIL_LINES:])


def report_from_run(command: list[str], result: RunResult) -> TestReport:
    """Build a TestReport from a finished run (JUnit XML when present, else the output)."""
    report = TestReport(
        status=result.status,
        command=command,
        duration_s=result.duration_s,
        backend=result.backend,
        image=result.image,
        output_truncated=result.output_truncated,
    )
    xml = result.collected.get(JUNIT_PATH)
    if xml is not None:
        try:
            summary = parse_junit(xml)
        except ValueError:
            summary = None
        if summary is not None:
            report.passed, report.failed = summary.passed, summary.failed
            report.errors, report.skipped = summary.errors, summary.skipped
            report.failures = summary.failures
            report.excerpt = failures_excerpt(summary.failures)
    elif command[1:4] == UNITTEST[1:4]:
        report.passed, report.failed, report.errors, report.skipped = _unittest_counts(
            result.output
        )
    if result.status.value != "passed" and not report.excerpt:
        # No per-test failures (collection error, timeout, OOM, other runner): the output's end.
        report.excerpt = compact_failure_text(result.output) or _tail(result.output)
        if len(report.excerpt) < 200:
            report.excerpt = _tail(result.output)
    return report


def run_tests(
    sandbox: Sandbox,
    repo: Path,
    overlay: Mapping[str, bytes | None],
    settings: SandboxSettings,
    selection: list[str] | None = None,
    on_line: LineSink | None = None,
    cancel: threading.Event | None = None,
) -> TestReport:
    """Run the repository's tests on a copy of `repo` plus `overlay`; a failing suite is a result.

    `selection` narrows the run to test ids (pytest node ids, or whatever the runner takes);
    setting `cancel` stops the run (status `cancelled`).
    Raises SandboxError when the tests cannot be run at all.
    """
    top = check_repo(repo)
    command = detect_test_command(top, settings)
    argv = list(command)
    collect: list[str] = []
    if _is_pytest(argv):
        argv += [f"--junitxml={JUNIT_PATH}", "-o", "junit_family=xunit1", "-p", "no:cacheprovider"]
        collect.append(JUNIT_PATH)
    if selection and command == UNITTEST:
        argv = [*UNITTEST[:3], *selection]  # `discover` takes no test names
    else:
        argv += list(selection or [])
    request = RunRequest(
        argv=argv,
        repo=top,
        overlay=dict(overlay),
        limits=limits_from(settings),
        network=settings.network,
        image=settings.image,
        collect=collect,
        cancel=cancel,
    )
    result = sandbox.run(request, on_line)
    return report_from_run(command, result)
