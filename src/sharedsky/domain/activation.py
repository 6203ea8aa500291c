"""Activation and early release: the status a notice or zone moves through, and the rules of
each step (R-ACT-1 … R-ACT-5).

::

    planned ──activate──▶ active ──release──▶ released
       │                    │
       └──── window ends ───┴──── window ends ──▶ ended

A notice is ``planned`` until its owner activates it (``manual``) or, under ``at_start`` (the
default, today's behaviour), until its window starts, as if activated then. ``active`` ends
when the window ends (``ended``), or earlier when the owner releases the airspace
(``released``). A planned notice whose window passes is ``ended`` with no activation. The
status is driven by the recorded events (activation, release) and, where no event decides it,
by the clock: every function here takes ``now``.

An activation may come up to ``early_activation_s`` before the window's start (an *early*
activation, which reaches the counterparties with flash priority); earlier, or once the window
has ended, it is refused. A release needs the object active and its window begun (before it,
cancel instead); the released object's window ends at the release, so its volumes stop
clashing from then on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sharedsky.domain.channels import Activation
from sharedsky.domain.errors import StateConflict, TooEarly, WindowEnded
from sharedsky.domain.ids import PartyId
from sharedsky.domain.mechanism import Mechanism


class ActivationStatus(StrEnum):
    """Where a notice or zone stands between its activation and its end."""

    PLANNED = "planned"
    ACTIVE = "active"
    RELEASED = "released"
    ENDED = "ended"


TRANSITIONS: Mapping[ActivationStatus, frozenset[ActivationStatus]] = {
    ActivationStatus.PLANNED: frozenset({ActivationStatus.ACTIVE, ActivationStatus.ENDED}),
    ActivationStatus.ACTIVE: frozenset({ActivationStatus.RELEASED, ActivationStatus.ENDED}),
    ActivationStatus.RELEASED: frozenset(),
    ActivationStatus.ENDED: frozenset(),
}
"""The status each status may move to (besides staying): nothing leaves released or ended."""


@dataclass(frozen=True, slots=True)
class ActivationRules:
    """How one party's notices and zones are activated."""

    mode: Activation
    early_s: int
    """How long before the window's start an activation is accepted, seconds."""
    grace_s: int
    """How long after the start a ``manual`` object may stay planned before it is flagged,
    seconds."""


def activation_rules(mechanism: Mechanism, party: PartyId) -> ActivationRules:
    """The activation rules of ``party``'s objects over all its channels: ``manual`` when the
    channel with any counterparty says so (a counterparty that expects an activation gets one),
    the smallest early allowance and grace of any channel; the defaults for a party without
    counterparties (or the host)."""
    channels = [mechanism.channel(party, other) for other in mechanism.counterparties(party)]
    rules = channels or [mechanism.defaults]
    manual = any(r.activation is Activation.MANUAL for r in rules)
    return ActivationRules(
        Activation.MANUAL if manual else Activation.AT_START,
        min(r.early_activation_s for r in rules),
        min(r.activation_grace_s for r in rules),
    )


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """What decides an object's activation status: its mode, window and recorded steps."""

    mode: Activation
    start: datetime
    end: datetime | None
    """None: a standing zone, which never ends by itself."""
    activated_at: datetime | None = None
    released_at: datetime | None = None

    def status(self, now: datetime) -> ActivationStatus:
        """The status at ``now``: released once released, ended once the window has passed,
        active once activated (or, ``at_start``, once started), planned before."""
        if self.released_at is not None:
            return ActivationStatus.RELEASED
        if self.end is not None and now >= self.end:
            return ActivationStatus.ENDED
        if self.activated_at is not None:
            return ActivationStatus.ACTIVE
        if self.mode is Activation.AT_START and now >= self.start:
            return ActivationStatus.ACTIVE
        return ActivationStatus.PLANNED

    def is_early(self, now: datetime) -> bool:
        """True when an activation at ``now`` comes before the window's start."""
        return now < self.start

    def check_activation(self, now: datetime, early_s: int) -> None:
        """Raise unless the object may be activated at ``now``: TooEarly more than
        ``early_s`` seconds before its start, WindowEnded after its end, StateConflict when
        it was activated or released already."""
        status = self.status(now)
        if status is ActivationStatus.ENDED:
            raise WindowEnded(f"its window ended at {_hm(self.end)}: nothing to activate")
        if status is ActivationStatus.RELEASED or self.activated_at is not None:
            raise StateConflict(f"it was {status} already (activations are recorded once)")
        earliest = self.start - timedelta(seconds=early_s)
        if now < earliest:
            raise TooEarly(
                f"its window starts at {_hm(self.start)}; it may be activated from "
                f"{_hm(earliest)} ({early_s} s early) on"
            )

    def check_release(self, now: datetime) -> None:
        """Raise unless the object may be released at ``now``: WindowEnded after its end,
        StateConflict unless it is active with its window begun (before it: cancel or
        withdraw instead)."""
        status = self.status(now)
        if status is ActivationStatus.ENDED:
            raise WindowEnded(f"its window ended at {_hm(self.end)}: nothing to release")
        if status is not ActivationStatus.ACTIVE:
            raise StateConflict(f"only an active object can be released; it is {status}")
        if now <= self.start:
            raise StateConflict(
                f"its window starts at {_hm(self.start)}: before it, cancel or withdraw it"
            )


def _hm(moment: datetime | None) -> str:
    return "(none)" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S}Z"
