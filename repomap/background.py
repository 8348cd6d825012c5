"""Cache writes nobody waits for, done by a forked child while the caller goes on."""

from __future__ import annotations

import atexit
import multiprocessing
import os
from collections.abc import Callable

_pending: list[int] = []  # children not yet reaped
_exit_hook = False  # whether interpreter exit waits for them


def forking_works() -> bool:
    """Whether this platform forks (Linux does; elsewhere work runs in the caller)."""
    return hasattr(os, "fork") and "fork" in multiprocessing.get_all_start_methods()


def run_detached(work: Callable[[], None]) -> None:
    """Run `work` in a forked child (or here, where fork is unavailable); never raises from it.

    The child shares nothing back: `work` may only write files. Children are reaped before
    the next one starts, by `wait_detached`, and when the interpreter exits.
    """
    wait_detached()
    if not forking_works():
        try:
            work()
        except Exception:  # noqa: BLE001 - a cache write that fails only costs speed later
            pass
        return
    global _exit_hook
    if not _exit_hook:
        atexit.register(wait_detached)
        _exit_hook = True
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code, never runs its atexit
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    _pending.append(pid)


def wait_detached() -> None:
    """Wait until every child started by `run_detached` has finished."""
    while _pending:
        pid = _pending.pop()
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:  # already reaped by someone else
            pass
