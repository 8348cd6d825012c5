"""Prints start-up-to-first-screen time and the time to open and page through a 20,000-line diff.

Run: .venv/bin/python benchmarks/tui_latency.py  (headless; a real terminal adds only the
writes of one screen).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STARTUP_CHILD = """
import sys, time
from pathlib import Path
t0 = float(sys.argv[1])
from hunkwise.settings import load_settings
from tui.app import make_app
repo = Path(sys.argv[2])
app = make_app(repo, load_settings(repo))

async def first_screen(pilot):
    # Called once the first screen is composed and shown (Textual's ready point).
    shown = time.time() - t0
    app = pilot.app
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()
    loaded = time.time() - t0
    print(f"{shown:.4f} {loaded:.4f} {'litellm' in sys.modules}", flush=True)
    app.exit()

app.run(headless=True, size=(160, 48), auto_pilot=first_screen)
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=b", "-c", "user.email=b@b", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def make_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    for name, text in files.items():
        (root / name).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def startup(repo: Path, runs: int = 5) -> None:
    """A fresh interpreter each run: imports, settings, app construction, first frame."""
    times, loaded = [], []
    for _ in range(runs):
        start = time.time()
        out = subprocess.run(
            [sys.executable, "-c", STARTUP_CHILD, str(start), str(repo)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        ).stdout.split()
        times.append(float(out[0]))
        loaded.append(float(out[1]))
        litellm_loaded = out[2] == "True"
    print(
        f"start-up to first screen: median {statistics.median(times):.3f} s, "
        f"min {min(times):.3f} s, max {max(times):.3f} s over {runs} runs "
        f"(interpreter start included; litellm imported at start-up: {litellm_loaded})"
    )
    print(
        f"  ... until the working tree's changes, branch and panes are loaded: "
        f"median {statistics.median(loaded):.3f} s"
    )


async def big_diff(repo: Path) -> None:
    """Open a change set of 20,000+ diff rows and page through it with pagedown."""
    from agent.changes import ChangeSet
    from hunkwise.settings import Settings
    from tui.app import make_app
    from tui.widgets.diff_view import DiffView

    rendered = [0]
    original = DiffView.render_line

    def counting(self: DiffView, y: int):  # noqa: ANN202 - benchmark instrumentation
        rendered[0] += 1
        return original(self, y)

    DiffView.render_line = counting  # type: ignore[method-assign]
    start = time.perf_counter()
    changes = ChangeSet.from_worktree(repo)
    rows = sum(1 + len(h.lines) for f in changes.files() for h in f.hunks)
    hunks = sum(len(f.hunks) for f in changes.files())
    build_s = time.perf_counter() - start
    app = make_app(repo, Settings())
    app.animation_level = "none"  # measure rendering, not the smooth-scroll animation
    async with app.run_test(size=(200, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        view = app.query_one(DiffView)
        rendered[0] = 0
        start = time.perf_counter()
        app.session.changes = changes
        app.refresh_diff()
        view.focus()
        await pilot.pause()
        open_s = time.perf_counter() - start
        first_frame_lines = rendered[0]
        pages = 0
        start = time.perf_counter()
        while view.scroll_y < view.max_scroll_y and pages < 5000:
            await pilot.press("pagedown")
            pages += 1
        page_s = time.perf_counter() - start
        lines_per_page = rendered[0] / max(pages, 1)
        # The widget's own share: render every visible line of 200 pages spread over the diff.
        height = view.scrollable_content_region.height
        tops = [int(view.max_scroll_y * i / 199) for i in range(200)]
        start = time.perf_counter()
        for top in tops:
            view.scroll_to(y=top, animate=False, immediate=True)
            for y in range(height):
                view.render_line(y)
        widget_page_s = (time.perf_counter() - start) / len(tops)
        start = time.perf_counter()
        for _ in range(100):
            await pilot.press("j")
        hunk_s = (time.perf_counter() - start) / 100
        start = time.perf_counter()
        for _ in range(20):
            await pilot.press("y")
        accept_s = (time.perf_counter() - start) / 20
    print(
        f"20,000-line diff: {rows:,} rows in {hunks:,} hunks "
        f"(ChangeSet.from_worktree, domain side: {build_s:.2f} s)"
    )
    print(f"  open (views -> first frame): {open_s:.3f} s, rendering {first_frame_lines} lines")
    print(
        f"  page through: {pages} pages in {page_s:.2f} s = {page_s / max(pages, 1) * 1000:.1f} ms "
        f"per page (pagedown + render), ~{lines_per_page:.0f} lines rendered per page"
    )
    print(
        f"  of which the diff widget renders a page ({lines_per_page:.0f} lines) in "
        f"{widget_page_s * 1000:.1f} ms (the rest: Textual's compositor, Pilot's key round trip)"
    )
    print(f"  next hunk (j): {hunk_s * 1000:.1f} ms per key")
    print(f"  accept hunk (y, applied to the change set and re-rendered): {accept_s * 1000:.1f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="hunkwise-bench-") as tmp:
        small = make_repo(Path(tmp) / "small", {"app.py": "print('hello')\n"})
        startup(small)
        lines = [f"value_{i} = compute({i}, 'x')  # line {i}\n" for i in range(20_000)]
        repo = make_repo(Path(tmp) / "big", {"big.py": "".join(lines)})
        # Every 8th of 20,000 lines changed: 2,500 hunks, ~20,000 diff lines.
        changed = [
            line.replace("compute", "recompute") if i % 8 == 0 else line
            for i, line in enumerate(lines)
        ]
        (repo / "big.py").write_text("".join(changed))
        asyncio.run(big_diff(repo))


if __name__ == "__main__":
    main()
