"""Waiting on a model stream that the caller can walk away from the moment it is cancelled."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
POLL_S = 0.05  # how soon a set cancel event is noticed while no chunk arrives

_END = object()


class Cancelled(Exception):  # noqa: N818 - control flow like asyncio.CancelledError, not an error
    """The caller cancelled a model call; never shown to the user as an error."""


def until_cancelled(
    open_stream: Callable[[], Iterable[T]], cancel: threading.Event, poll_s: float = POLL_S
) -> Iterator[T]:
    """Yield the items of `open_stream()`; raise Cancelled within `poll_s` of `cancel` being set.

    The request and the stream are read in a helper thread, because a provider can block for
    a long time before the first token (or between tokens) and a socket read cannot be
    interrupted. A cancelled call's thread is abandoned: it stops at its next chunk.
    """
    items: queue.Queue[tuple[bool, object]] = queue.Queue()
    abandoned = threading.Event()

    def pump() -> None:
        try:
            for item in open_stream():
                if abandoned.is_set():
                    return
                items.put((True, item))
            items.put((False, _END))
        except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread
            items.put((False, exc))

    if cancel.is_set():
        raise Cancelled
    threading.Thread(target=pump, name="hunkwise-model-stream", daemon=True).start()
    try:
        while True:
            try:
                is_item, value = items.get(timeout=poll_s)
            except queue.Empty:
                if cancel.is_set():
                    raise Cancelled from None
                continue
            if cancel.is_set():
                raise Cancelled
            if is_item:
                yield value  # type: ignore[misc]
            elif value is _END:
                return
            else:
                assert isinstance(value, Exception)
                raise value
    finally:
        abandoned.set()
