"""EventBus: wakes waiting streams at once when a use case has committed new events.

The bus carries no events, only a wake-up: every stream reads the events themselves from the
database with its own cursor, so a slow consumer never holds up a producer or another stream.
``notify`` may be called from any thread and never blocks; a wake-up that finds no new event
costs one cheap query. Streams poll as well, so a missed or absent wake-up delays delivery by at
most one poll interval and loses nothing.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Self


class Waiter:
    """An awaitable wake-up flag of one event loop: ``wait`` returns when it was set (since the
    last wait) or after a timeout; a subscription that ends with ``close`` (or its ``with``)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    async def wait(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` seconds for a wake-up; True when one came (one that
        arrived since the last wait counts at once)."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout_s)
        except TimeoutError:
            return False
        finally:
            self._event.clear()
        return True

    def close(self) -> None:
        """End the subscription; idempotent."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class Wakeup(Waiter):
    """One stream's subscription to the bus; use as a context manager or call ``close``."""

    def __init__(self, bus: EventBus, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._bus = bus
        self._loop = loop
        self._scheduled = False
        """A wake-up is already on its way to the loop: more pokes until it lands add nothing."""

    def _poke(self) -> None:
        """Called from any thread: schedule the wake-up on the stream's own loop (once, however
        many commits come before the loop runs it)."""
        if self._scheduled:
            return
        self._scheduled = True
        self._loop.call_soon_threadsafe(self.wake)

    def wake(self) -> None:
        """Wake the waiter now; call in the subscription's own loop."""
        self._scheduled = False  # before setting: a poke from now on schedules another wake-up
        self._event.set()

    def close(self) -> None:
        """Unsubscribe; idempotent."""
        self._bus._remove(self)


class EventBus:
    """Thread-safe fan-out of "new events were committed" to every subscribed stream."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: set[Wakeup] = set()
        self._generation = 0

    @property
    def generation(self) -> int:
        """How many notifications so far: a reader that saw an older number must re-read."""
        return self._generation

    def subscribe(self) -> Wakeup:
        """A new subscription bound to the running event loop."""
        wakeup = Wakeup(self, asyncio.get_running_loop())
        with self._lock:
            self._subscribers.add(wakeup)
        return wakeup

    def notify(self) -> None:
        """Wake every subscribed stream; safe from any thread, never blocks on a stream."""
        with self._lock:
            self._generation += 1
            subscribers = list(self._subscribers)
        for wakeup in subscribers:
            try:
                wakeup._poke()
            except RuntimeError:
                # the stream's loop has closed under it: drop it rather than fail the producer
                self._remove(wakeup)

    @property
    def subscribers(self) -> int:
        """How many streams are subscribed now."""
        with self._lock:
            return len(self._subscribers)

    def _remove(self, wakeup: Wakeup) -> None:
        with self._lock:
            self._subscribers.discard(wakeup)
