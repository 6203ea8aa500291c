"""Kept: values a server keeps for a while and reads again in the background while in use.

The credentials caches (tokens, operators' keys) keep what they read for a bounded time, the
longest a change made elsewhere (a revoked token, a newly registered key) goes unseen. A value
in use past a point drawn at random within its time is handed out, once, to be read again in
the background (``claim_refresh``): busy clients never wait for that read, and values read
together (at a start, or by clients that connected together) are not read again together.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

_CLAIMED = float("inf")
"""The refresh time of a value whose refresh was handed out."""


class Kept(Generic[K, V]):
    """Values by key, each kept ``ttl_s`` seconds from when it was read and due for a refresh
    in the background from a time drawn between ``refresh_after`` fractions of it. At most
    ``max_entries`` (all forgotten at once beyond: a bounded memory beats an exact eviction
    order here). Thread-safe."""

    def __init__(
        self, ttl_s: float, refresh_after: tuple[float, float], max_entries: int = 10_000
    ) -> None:
        self._ttl_s = ttl_s
        self._refresh_after = refresh_after
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: dict[K, tuple[V, float, float]] = {}
        """key → (value, kept until, refresh from), times of ``time.monotonic``."""

    def get(self, key: K) -> V | None:
        """The value kept for ``key``; None when there is none or its time is up."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if time.monotonic() >= found[1]:
                del self._entries[key]
                return None
            return found[0]

    def put(self, key: K, value: V, read_at: float | None = None) -> None:
        """Keep ``value``, read at ``read_at`` (``time.monotonic``; now by default)."""
        at = time.monotonic() if read_at is None else read_at
        refresh = at + self._ttl_s * random.uniform(*self._refresh_after)
        with self._lock:
            if len(self._entries) >= self._max_entries and key not in self._entries:
                self._entries.clear()
            self._entries[key] = (value, at + self._ttl_s, refresh)

    def claim_refresh(self, key: K) -> bool:
        """True, once, when the value is due to be read again: the caller reads it in the
        background and calls ``put`` (read), ``drop`` (gone) or ``release`` (not read)."""
        now = time.monotonic()
        with self._lock:
            found = self._entries.get(key)
            if found is None or now < found[2] or now >= found[1]:
                return False
            self._entries[key] = (found[0], found[1], _CLAIMED)
            return True

    def release(self, key: K) -> None:
        """A claimed refresh could not be made: the next use claims it again."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries[key] = (found[0], found[1], 0.0)

    def drop(self, key: K) -> None:
        """Forget the value of ``key``."""
        with self._lock:
            self._entries.pop(key, None)

    def times(self, key: K) -> tuple[float, float] | None:
        """(kept until, refresh from) of ``key``'s value (``time.monotonic``; the refresh time
        is infinite once claimed); None when none is kept."""
        with self._lock:
            found = self._entries.get(key)
        return None if found is None else (found[1], found[2])
