"""The doctor's checks are real: they fail where isolation is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.doctor import run_checks
from sandbox.local import LocalSandbox

PROBE_PATHS = ("/hunkwise-probe", "/usr/hunkwise-probe", "/etc/hunkwise-probe")


def test_doctor_reports_the_unisolated_backend_as_unsafe(repo: Path) -> None:
    checks = {check.name: check for check in run_checks(LocalSandbox(warn=False), repo)}
    # The probe removes what it managed to write on the real host.
    assert not any(Path(p).exists() for p in PROBE_PATHS)
    if os.geteuid() == 0:
        assert not checks["writes outside workspace refused"].ok
    assert not checks["host loopback blocked"].ok
    assert not checks["host HOME hidden"].ok
    assert not checks["host unix socket hidden"].ok
    if os.geteuid() == 0:
        assert not checks["non-root user"].ok
    assert checks["host env hidden"].ok  # even local runs get an allow-listed environment


@pytest.mark.parametrize("backend", ["bwrap", "container"])
def test_doctor_passes_on_isolated_backends(
    repo: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    sandbox = request.getfixturevalue(f"{backend}_sandbox")
    failed = [c for c in run_checks(sandbox, repo) if not c.ok]
    assert failed == []
