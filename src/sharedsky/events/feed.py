"""EventFeed: the recent events of the log, read once per change and shared by every stream of
a process, so that fifty streams cost one query per commit instead of fifty.

A stream asks the feed for the events after its position. The feed re-reads the log (once, for
all askers) when the bus has been notified since its last read, or when its last read is older
than the poll interval (changes committed by another process); a position older than the events
it holds is answered from the database directly. Events commit in seq order on every backend
(SQLite serialises writers; on PostgreSQL the event log takes a transaction lock from the first
append to the commit), so reading strictly after the newest seq read never skips one.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable

from sharedsky.store.events import StoredEvent

Fetch = Callable[[int, int], list[StoredEvent]]
"""Read up to ``limit`` events strictly after ``seq`` from the log: fetch(seq, limit)."""

CAPACITY = 20_000
"""Most events the feed keeps in memory."""
_BATCH = 2_000


class EventFeed:
    """A shared, thread-safe window of the newest events."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._lock = threading.Lock()
        self._capacity = capacity
        self._events: list[StoredEvent] = []
        self._seqs: list[int] = []
        self._head: int | None = None
        """The newest seq read from the log (None until the first read)."""
        self._floor = 0
        """Every event with a seq above this one (up to the head) is held."""
        self._read_generation = -1
        self._read_at_s = 0.0

    def after(
        self, seq: int, limit: int, generation: int, max_age_s: float, fetch: Fetch
    ) -> list[StoredEvent]:
        """Up to ``limit`` events with a seq above ``seq``, as fresh as the bus ``generation``
        the caller has seen, and at most ``max_age_s`` seconds old."""
        with self._lock:
            if self._head is None:
                self._head = self._floor = seq
            if seq >= self._floor:
                stale = time.monotonic() - self._read_at_s >= max_age_s
                if generation != self._read_generation or stale:
                    self._refresh(fetch, generation)
                start = bisect.bisect_right(self._seqs, seq)
                return self._events[start : start + limit]
        # older than what is held: straight from the log, outside the lock
        return fetch(seq, limit)

    def _refresh(self, fetch: Fetch, generation: int) -> None:
        """Read everything new from the log (under the lock: one reader for all)."""
        assert self._head is not None  # set by the caller
        self._read_generation = generation
        self._read_at_s = time.monotonic()
        while True:
            fresh = fetch(self._head, _BATCH)
            if not fresh:
                return
            self._events.extend(fresh)
            self._seqs.extend(e.seq for e in fresh)
            self._head = fresh[-1].seq
            if len(self._events) > self._capacity:
                drop = len(self._events) - self._capacity
                self._floor = self._seqs[drop - 1]
                del self._events[:drop]
                del self._seqs[:drop]
            if len(fresh) < _BATCH:
                return
