"""Real git repositories in temporary directories for the repo-map tests."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

GIT = [
    "git",
    "-c",
    "user.name=Test",
    "-c",
    "user.email=test@example.com",
    "-c",
    "init.defaultBranch=main",
]


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` and return its output."""
    return subprocess.run(
        [*GIT, *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def write_files(repo: Path, files: Mapping[str, str | bytes]) -> None:
    """Write files (text or bytes) under `repo`, creating directories."""
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")


RepoFactory = Callable[[Mapping[str, str | bytes]], Path]


@pytest.fixture
def make_repo(tmp_path: Path) -> RepoFactory:
    """Create a committed git repository holding `files`."""

    def factory(files: Mapping[str, str | bytes]) -> Path:
        repo = tmp_path / "repo"
        repo.mkdir()
        git(repo, "init", "-q")
        write_files(repo, files)
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "initial")
        return repo

    return factory


SHOP: dict[str, str] = {
    "shop/__init__.py": "",
    "shop/invoice.py": (
        '"""Invoices: totals, taxes and rounding."""\n\n'
        "from shop.money import Money, round_cents\n\n\n"
        "class Invoice:\n"
        "    def __init__(self, lines):\n"
        "        self.lines = lines\n\n"
        "    def compute_invoice_total(self) -> Money:\n"
        "        return round_cents(sum(line.amount for line in self.lines))\n"
    ),
    "shop/money.py": (
        '"""Money arithmetic."""\n\n\n'
        "class Money(int):\n"
        "    pass\n\n\n"
        "def round_cents(value):\n"
        "    return Money(round(value, 2))\n"
    ),
    "shop/cart.py": (
        "from shop.invoice import Invoice\n"
        "from shop.money import Money\n\n\n"
        "class Cart:\n"
        "    def checkout(self):\n"
        "        return Invoice(self.items).compute_invoice_total()\n"
    ),
    "shop/shipping.py": (
        '"""Parcel shipping: carriers and delivery estimates."""\n\n\n'
        "def estimate_delivery(parcel, carrier):\n"
        "    return carrier.days_for(parcel.weight)\n"
    ),
    "web/views.py": (
        "from shop.cart import Cart\n\n\n"
        "def checkout_view(request):\n"
        "    return Cart().checkout()\n"
    ),
    "tests/test_invoice.py": (
        "from shop.invoice import Invoice\n\n\n"
        "def test_total():\n"
        "    assert Invoice([]).compute_invoice_total() == 0\n"
    ),
}


@pytest.fixture
def shop_repo(make_repo: RepoFactory) -> Path:
    """A small Python project with an obvious call graph."""
    return make_repo(SHOP)


@pytest.fixture(scope="module")
def polyglot_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository holding every language fixture plus this package's own sources."""
    repo = tmp_path_factory.mktemp("polyglot")
    git(repo, "init", "-q")
    shutil.copytree(FIXTURES, repo / "fixtures")
    shutil.copytree(
        Path(__file__).resolve().parents[2] / "repomap",
        repo / "repomap",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "initial")
    return repo
