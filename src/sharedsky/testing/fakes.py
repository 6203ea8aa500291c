"""FakeClock and SequentialIds: deterministic stand-ins for the clock and the id factory."""

from __future__ import annotations

import itertools
import threading
from datetime import datetime, timedelta


class FakeClock:
    """A clock that stands still until moved; thread-safe."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The current fake time."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` and return the new time."""
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment``."""
        with self._lock:
            self._now = moment


class SequentialIds:
    """Ids ``prefix-000001``, ``prefix-000002`` … in order; thread-safe."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def new(self, prefix: str) -> str:
        """The next id with this prefix."""
        with self._lock:
            return f"{prefix}-{next(self._counter):06d}"
