"""The escalation ladder as a pure state machine: (ladder, current rung, now) → the next step.

A request starts at rung 0 (the party's duty operators) with the due time its priority gives.
Each time a due time passes unacknowledged, the next declared rung is notified and given its
own wait; after the last declared rung (or at once, for a party that declares none) the host
is notified, and nothing climbs further: the request stays pending until acknowledged.

Each step taken is recorded as an ``EscalationRecord``; an ``EscalationStep`` is a record with
the request it climbed, as the escalation list shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sharedsky.domain.ids import PartyId


@dataclass(frozen=True, slots=True)
class Rung:
    """One rung above the duty officer: who is notified and how long they have."""

    name: str
    operators: tuple[str, ...]
    wait_s: int
    """Seconds this rung has to acknowledge before the next one is notified."""


@dataclass(frozen=True, slots=True)
class Step:
    """What one escalation does."""

    rung: int
    """The rung reached (1 = the first declared rung; len(ladder) + 1 = the host)."""
    name: str
    operators: tuple[str, ...]
    next_due: datetime | None
    """When this rung's wait ends; None once the host is reached (the top of the ladder)."""

    @property
    def to_host(self) -> bool:
        """True when this step reaches the host."""
        return self.next_due is None


HOST_RUNG_NAME = "host"


def next_step(ladder: tuple[Rung, ...], current_rung: int, now: datetime) -> Step | None:
    """The step after ``current_rung`` at ``now``; None when the host was already reached."""
    rung = current_rung + 1
    if rung <= len(ladder):
        declared = ladder[rung - 1]
        return Step(
            rung, declared.name, declared.operators, now + timedelta(seconds=declared.wait_s)
        )
    if rung == len(ladder) + 1:
        return Step(rung, HOST_RUNG_NAME, (), None)
    return None


@dataclass(frozen=True, slots=True)
class EscalationRecord:
    """One step: which request reached which rung, when, and its next due time."""

    ack_id: str
    party: PartyId
    rung: int
    rung_name: str
    at: datetime
    next_due: datetime | None
    """When the rung's wait ends; None once the host is reached."""


@dataclass(frozen=True, slots=True)
class EscalationStep:
    """A step with the request it climbed: what is late, and since when."""

    record: EscalationRecord
    subject: str
    subject_id: str
    requested_at: datetime
