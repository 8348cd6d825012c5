"""Real git repositories in temporary directories for the repo-map tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.gitrepo import git, write_files
from tests.gitrepo import make_repo as make_git_repo

__all__ = ["RepoFactory", "git", "write_files"]

FIXTURES = Path(__file__).parent / "fixtures"

RepoFactory = Callable[[Mapping[str, str | bytes]], Path]


@pytest.fixture
def make_repo(tmp_path: Path) -> RepoFactory:
    """Create a committed git repository holding `files`."""

    def factory(files: Mapping[str, str | bytes]) -> Path:
        return make_git_repo(tmp_path / "repo", files)

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
