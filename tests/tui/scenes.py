"""Deterministic scenes for the snapshot tests and the README screenshots."""

from __future__ import annotations

from pathlib import Path

from agent.contracts import AgentState
from agent.events import CostUpdate, StateChanged, TokenDelta, ToolCallFinished, ToolCallStarted
from hunkwise.settings import Settings
from sandbox.protocol import BackendName, RunStatus, TestCaseFailure, TestReport
from tests.gitrepo import make_repo
from tui.app import HunkwiseApp, make_app
from tui.messages import AgentEventPosted
from tui.widgets.chat import ChatInput

SIZE = (150, 42)

INVENTORY = '''"""Stock levels and reorder rules."""

from dataclasses import dataclass


@dataclass
class Stock:
    sku: str
    on_hand: int
    reorder_at: int = 5

    def needs_reorder(self) -> bool:
        return self.on_hand < self.reorder_at


def restock(stock: Stock, amount: int) -> Stock:
    """Add `amount` units."""
    stock.on_hand += amount
    return stock


def sell(stock: Stock, amount: int) -> Stock:
    """Take `amount` units out."""
    stock.on_hand -= amount
    return stock


def value(items: list[Stock], prices: dict[str, float]) -> float:
    """What the stock is worth at `prices`."""
    total = 0.0
    for stock in items:
        total += stock.on_hand * prices.get(stock.sku, 0.0)
    return total


def report(items: list[Stock]) -> str:
    return "\\n".join(f"{s.sku}: {s.on_hand}" for s in items)
'''

INVENTORY_NEW = (
    INVENTORY.replace("self.on_hand < self.reorder_at", "self.on_hand <= self.reorder_at")
    .replace(
        '    """Take `amount` units out."""\n',
        '    """Take `amount` units out."""\n'
        "    if amount > stock.on_hand:\n"
        '        raise ValueError(f"only {stock.on_hand} of {stock.sku} left")\n',
    )
    .replace('f"{s.sku}: {s.on_hand}"', 'f"{s.sku:<10} {s.on_hand:>5}"')
)

README = "# inventory\n\nStock levels.\n"

FAILING = TestReport(
    status=RunStatus.FAILED,
    command=["python3", "-m", "pytest"],
    passed=7,
    failed=2,
    duration_s=1.4,
    backend=BackendName.CONTAINER,
    image="hunkwise-base:latest",
    failures=[
        TestCaseFailure(test_id="tests/test_inventory.py::test_sell_too_many", message="no raise"),
        TestCaseFailure(test_id="tests/test_inventory.py::test_report_columns", message="diff"),
    ],
)
FAILING_OUTPUT = [
    "============================= test session starts ==============================",
    "collected 9 items",
    "",
    "tests/test_inventory.py ....F..F.                                          [100%]",
    "",
    "=================================== FAILURES ===================================",
    "____________________________ test_sell_too_many ________________________________",
    "    def test_sell_too_many():",
    ">       with pytest.raises(ValueError):",
    "E       Failed: DID NOT RAISE <class 'ValueError'>",
    "___________________________ test_report_columns ________________________________",
    ">       assert report([Stock('a', 3)]) == 'a              3'",
    "E       AssertionError: assert 'a: 3' == 'a              3'",
    "=========================== short test summary info ============================",
    "FAILED tests/test_inventory.py::test_sell_too_many - Failed: DID NOT RAISE",
    "FAILED tests/test_inventory.py::test_report_columns - AssertionError",
    "========================= 2 failed, 7 passed in 1.40s ==========================",
]


def inventory_repo(root: Path) -> Path:
    """A repo whose working tree holds three uncommitted hunks in one file and one in another."""
    repo = make_repo(root, {"inventory.py": INVENTORY, "README.md": README})
    (repo / "inventory.py").write_text(INVENTORY_NEW)
    (repo / "README.md").write_text(README + "\nSelling more than is on hand is an error.\n")
    return repo


def review_app(root: Path, model: str | None = None) -> HunkwiseApp:
    """The app on the inventory repo (its own uncommitted changes under review)."""
    return make_app(inventory_repo(root), Settings(), model=model)


async def steady(pilot) -> None:
    """Let the workers finish and stop the input cursor blinking (pictures must not flicker)."""
    app = pilot.app
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()
    app.query_one(ChatInput).cursor_blink = False
    await pilot.pause()


async def stream_answer(pilot) -> None:
    """Post the events of an answer in the middle of streaming."""
    app = pilot.app
    await steady(pilot)
    await app.chat.add_user("make selling more than we have an error")
    events = [
        StateChanged(state=AgentState.WORKING),
        TokenDelta(text="I'll look at `sell` first.\n"),
        ToolCallStarted(call_id="1", name="read_file", arguments={"path": "inventory.py"}),
        ToolCallFinished(call_id="1", name="read_file", ok=True, summary="inventory.py (1-29)"),
        CostUpdate(
            prompt_tokens=1812,
            completion_tokens=64,
            cost_usd=0.0061,
            session_cost_usd=0.0061,
            session_tokens=1876,
        ),
        TokenDelta(text="`sell` subtracts without checking the stock, so `on_hand` "),
        TokenDelta(text="can go **negative**. I'll:\n\n1. raise `ValueError` when `amount` "),
        TokenDelta(text="exceeds `on_hand`\n2. add a test for it\n3. "),
    ]
    for event in events:
        app.post_message(AgentEventPosted(event))
        await pilot.pause()
    await pilot.pause(0.3)
