"""The domain packages stay usable headless: importing them never pulls in Textual."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ("agent", "repomap", "sandbox", "hunkwise")


def _modules(package: str) -> list[str]:
    found = [package]
    for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
        found.append(info.name)
    return sorted(found)


@pytest.mark.parametrize("package", DOMAIN)
def test_domain_never_imports_textual(package: str) -> None:
    modules = [m for m in _modules(package) if m != "hunkwise.__main__"]
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(k for k in sys.modules if k.split('.')[0] == 'textual')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [], f"{package} imported textual"


def test_cli_help_is_cheap() -> None:
    """`hunkwise --help` imports neither textual nor litellm (start-up stays fast)."""
    code = (
        "import sys, contextlib, io\n"
        "from hunkwise.cli import build_parser\n"
        "build_parser().format_help()\n"
        "print(sorted(m for m in ('textual', 'litellm') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
