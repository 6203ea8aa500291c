"""What the use cases need from the outside world, as Protocols, with the real implementations
of the clock and the ids (the unit of work's Protocols are in ``service/uow.py``)."""

from __future__ import annotations

import random
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.tactical import LiveFigures
from sharedsky.domain.tracks import TrackRow
from sharedsky.events.webhooks import TargetGuard
from sharedsky.service.uow import Database


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


class LiveTables(Protocol):
    """The live picture shared by the processes over one database: each track's newest
    state, and the open tactical alerts' latest figures. Each call is a transaction of its
    own, never part of a use case's (``store/live.py``); times are seconds since the epoch."""

    def upsert_tracks(self, rows: Sequence[TrackRow]) -> int:
        """Keep each state unless a newer one of its track is held; how many were kept."""
        ...

    def fresh_tracks(self, oldest_s: float) -> list[TrackRow]:
        """Every state at ``oldest_s`` or later, by (party, track id); empty when none."""
        ...

    def count_fresh(self, oldest_s: float) -> int:
        """How many tracks have a state at ``oldest_s`` or later."""
        ...

    def prune_tracks(self, oldest_s: float) -> int:
        """Delete the states older than ``oldest_s``; how many were deleted."""
        ...

    def clear_tracks(self) -> None:
        """Delete every state."""
        ...

    def replace_figures(self, figures: Mapping[str, LiveFigures]) -> None:
        """Make ``figures`` (by alert id) all the figures held."""
        ...

    def all_figures(self) -> dict[str, LiveFigures]:
        """The figures of every alert, by alert id; empty when none."""
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
