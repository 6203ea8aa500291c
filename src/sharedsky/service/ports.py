"""What the use cases need from the outside world, as Protocols, with the real implementations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sharedsky.domain.mechanism import Mechanism
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
    """Ids of a prefix and 16 random hex digits (64 bits)."""

    def new(self, prefix: str) -> str:
        """A new random id such as ``ntc-3f2a9c0d1b7e4a55``."""
        return f"{prefix}-{uuid.uuid4().hex[:16]}"


@dataclass(frozen=True, slots=True)
class Deps:
    """Everything a use case needs, built once by the composition root."""

    db: Database
    clock: Clock
    ids: IdFactory
    mechanism: Mechanism
