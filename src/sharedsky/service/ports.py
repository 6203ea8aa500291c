"""What the use cases need from the outside world, as Protocols, with the real implementations."""

from __future__ import annotations

import random
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sharedsky.domain.mechanism import Mechanism
from sharedsky.events.webhooks import TargetGuard
from sharedsky.store.uow import Database


class Clock(Protocol):
    """The source of the server's authoritative time."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class IdFactory(Protocol):
    """Makes new object ids."""

    def new(self, prefix: str) -> str:
        """A new unique id starting with ``prefix``."""
        ...


class SystemClock:
    """The machine's clock, in UTC."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        return datetime.now(UTC)


class RandomIds:
    """Ids of a prefix and 16 random hex digits (64 bits), from a generator seeded once from
    the operating system's entropy (an id names an object; it grants nothing, so it need not
    cost a system call each)."""

    def __init__(self) -> None:
        self._random = random.Random(secrets.randbits(128))
        self._lock = threading.Lock()

    def new(self, prefix: str) -> str:
        """A new random id such as ``ntc-3f2a9c0d1b7e4a55``."""
        with self._lock:
            bits = self._random.getrandbits(64)
        return f"{prefix}-{bits:016x}"


@dataclass(frozen=True, slots=True)
class Deps:
    """Everything a use case needs, built once by the composition root."""

    db: Database
    clock: Clock
    ids: IdFactory
    mechanism: Mechanism
    webhook_targets: TargetGuard = field(default_factory=TargetGuard)
    """Which webhook URLs may be registered (strict by default: https to public addresses)."""
