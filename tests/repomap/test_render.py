"""Fragment text: signatures in source order, enclosing definitions, gaps marked."""

from __future__ import annotations

from repomap.extract import Definition
from repomap.render import fragment

DEFINITIONS = (
    Definition("Invoice", "class", 4, 20, -1, "class Invoice:"),
    Definition("__init__", "function", 5, 6, 0, "    def __init__(self, lines):"),
    Definition("total", "function", 8, 9, 0, "    def total(\n        self,\n    ) -> int:"),
    Definition("helper", "function", 22, 23, -1, "def helper():"),
)


def test_fragment_lists_chosen_signatures_with_gaps_between_them() -> None:
    text = fragment("shop/invoice.py", DEFINITIONS, (0, 1, 2, 3))
    assert text == (
        "shop/invoice.py:\n"
        "│class Invoice:\n"
        "│    def __init__(self, lines):\n"
        "⋮\n"
        "│    def total(\n"
        "│        self,\n"
        "│    ) -> int:\n"
        "⋮\n"
        "│def helper():\n"
        "⋮\n"
    )


def test_a_file_with_nothing_chosen_is_just_its_path() -> None:
    assert fragment("README.py", DEFINITIONS, ()) == "README.py:\n"
