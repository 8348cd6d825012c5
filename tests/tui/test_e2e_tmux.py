"""End to end in a real terminal: `hunkwise demo` under tmux, driven with send-keys."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.gitrepo import git
from tests.tui.conftest import sandbox_settings

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


SOCKET = f"hunkwise-e2e-{os.getpid()}"  # a private tmux server: never touches anyone else's


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", SOCKET, *args], check=True, capture_output=True, text=True
    ).stdout


def screen(session: str) -> str:
    return tmux("capture-pane", "-p", "-t", session)


def wait_for(session: str, text: str, timeout: float = 90.0) -> str:
    """Poll the terminal until `text` shows; fail with the last screen otherwise."""
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = screen(session)
        if text in shown:
            return shown
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{shown}")


@pytest.fixture()
def tmux_session():
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    if sandbox_settings().backend == "local":
        pytest.skip("no container engine and no bubblewrap: the demo's tests need a sandbox")
    name = f"hunkwise-e2e-{uuid.uuid4().hex[:8]}"
    yield name
    stop_server()


def stop_server() -> None:
    """Kill the private server and wait until it is gone (a new session racing a dying
    server fails with 'server exited unexpectedly')."""
    subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
    socket_path = Path(os.environ.get("TMUX_TMPDIR", "/tmp")) / f"tmux-{os.getuid()}" / SOCKET
    deadline = time.monotonic() + 10
    while socket_path.exists() and time.monotonic() < deadline:
        probe = subprocess.run(["tmux", "-L", SOCKET, "list-sessions"], capture_output=True)
        if probe.returncode != 0 and b"no server running" in probe.stderr:
            break
        time.sleep(0.1)


def test_demo_in_tmux_reject_accept_test_commit(tmux_session: str, tmp_path: Path) -> None:
    """Reject the wrong hunk with a reason, accept the rest, run tests, commit; check git."""
    target = tmp_path / "demo"
    env = {
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "TERM": "xterm-256color",
        "HUNKWISE_DATA_DIR": str(tmp_path / "data"),
    }
    if os.environ.get("DOCKER_HOST"):
        env["DOCKER_HOST"] = os.environ["DOCKER_HOST"]
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    # COLUMNS/LINES from the test runner would override the real terminal size.
    command = (
        f"cd {ROOT} && env -u COLUMNS -u LINES {exports} "
        f"{sys.executable} -m hunkwise demo --dir {target}"
    )
    tmux("new-session", "-d", "-s", tmux_session, "-x", "200", "-y", "50", command)
    tmux("resize-window", "-t", tmux_session, "-x", "200", "-y", "50")

    wait_for(tmux_session, "agent: ready_for_review")
    wait_for(tmux_session, "y accept")  # the footer shows review keys once the diff has focus
    tmux("send-keys", "-t", tmux_session, "y", "y", "r")  # CHANGELOG, the fix, then the wrong one
    wait_for(tmux_session, "Reject with a reason")
    tmux("send-keys", "-t", tmux_session, "-l", "truncating loses a cent")
    tmux("send-keys", "-t", tmux_session, "Enter")
    wait_for(tmux_session, "reason: truncating loses a cent")
    tmux("send-keys", "-t", tmux_session, "y", "t")
    wait_for(tmux_session, "PASSED 6 passed")
    tmux("send-keys", "-t", tmux_session, "c")
    wait_for(tmux_session, "Enter commits")
    tmux("send-keys", "-t", tmux_session, "Enter")
    wait_for(tmux_session, "✓ committed")
    tmux("send-keys", "-t", tmux_session, "q")

    log = git(target, "log", "--format=%s").splitlines()
    assert log == [
        "fix(cart): take discounts off instead of charging them",
        "shopcart: items, discounts, totals",
    ]
    body = git(target, "log", "-1", "--format=%B")
    assert "Tests: passed - 6 passed" in body and "Assisted-by: hunkwise" in body
    cart = (target / "shopcart/cart.py").read_text()
    assert "return amount * (100 - percent) / 100" in cart
    assert "return round(amount, 2)" in cart and "int(amount * 100)" not in cart
    assert "def test_discount_out_of_range" in (target / "tests/test_cart.py").read_text()
    assert "- Fix: discounts take" in (target / "CHANGELOG.md").read_text()
    assert git(target, "status", "--porcelain") == ""


def test_edit_in_editor_then_override_commit(tmp_path: Path) -> None:
    """E opens $EDITOR on the hunk (app suspended); the edit is committed via the override."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    from tests.gitrepo import make_repo

    repo = make_repo(tmp_path / "r", {"greet.py": "def greet():\n    return 'hi'\n"})
    (repo / "greet.py").write_text("def greet():\n    return 'hello'\n")
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/hello/hello, world/' \"$1\"\n")
    editor.chmod(0o755)
    session = f"hunkwise-edit-{uuid.uuid4().hex[:8]}"
    env = f"env -u COLUMNS -u LINES EDITOR={editor} HUNKWISE_DATA_DIR={tmp_path / 'data'}"
    command = f"cd {ROOT} && {env} {sys.executable} -m hunkwise --repo {repo}"
    try:
        tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "45", command)
        wait_for(session, "No model is configured")
        wait_for(session, "1 hunks")
        tmux("send-keys", "-t", session, "Tab")
        wait_for(session, "y accept")
        tmux("send-keys", "-t", session, "E")
        wait_for(session, "hello, world")
        tmux("send-keys", "-t", session, "c")
        wait_for(session, "press o to override")
        tmux("send-keys", "-t", session, "o")
        wait_for(session, "Press o again")
        tmux("send-keys", "-t", session, "o")
        wait_for(session, "✓ committed")
        tmux("send-keys", "-t", session, "q")
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-session", "-t", session], capture_output=True)
    assert git(repo, "show", "HEAD:greet.py") == "def greet():\n    return 'hello, world'\n"
    body = git(repo, "log", "-1", "--format=%B")
    assert "Committed by explicit override: tests were not run" in body
    # What was edited in the review is on disk too: nothing is left that would undo it.
    assert (repo / "greet.py").read_text() == "def greet():\n    return 'hello, world'\n"
    assert git(repo, "status", "--porcelain") == ""
