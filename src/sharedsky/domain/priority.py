"""Operational priority: the status that makes a notice's activity one the others give way to.

A notice may carry a priority status (``medevac``, ``humanitarian``, ``sar``, ``emergency``;
none by default). Any duty operator of the filing party may set it, on filing or amending; the
ledger records it with the notice's content. A conflict with such a notice is marked (each
side keeps the status its notice had when the clash was found), both sides acknowledge it
within the flash deadline, and resolution advice never moves the notice that ranks higher: it
offers options only to the side that gives way (`gives_way`).

The ranks (highest first) follow the operational-priority rule of air traffic control (FAA
Order JO 7110.65, §2-1-4 "Operational priority"; ICAO flight-plan item 18 ``STS/``
indicators EMER, MEDEVAC, SAR, HUM):

1. ``emergency`` — an aircraft in distress has the right of way over all other traffic;
2. ``medevac`` — a life-critical medical evacuation is given priority next;
3. ``sar`` — search and rescue on a mission gets maximum assistance;
4. ``humanitarian`` — a humanitarian flight, whose timing is planned and can be agreed.

Two priority notices of the same rank give way to neither: no advice moves either, and the
duty officers settle it on the hotline.
"""

from __future__ import annotations

from enum import StrEnum


class PriorityStatus(StrEnum):
    """A notice's operational priority; none (``None`` where it is held) is the lowest."""

    MEDEVAC = "medevac"
    HUMANITARIAN = "humanitarian"
    SAR = "sar"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        """Higher ranks are given way to: emergency 4, medevac 3, sar 2, humanitarian 1."""
        return _RANKS[self]


_RANKS = {
    PriorityStatus.EMERGENCY: 4,
    PriorityStatus.MEDEVAC: 3,
    PriorityStatus.SAR: 2,
    PriorityStatus.HUMANITARIAN: 1,
}


def rank_of(status: PriorityStatus | None) -> int:
    """The rank of ``status``; 0 for none."""
    return 0 if status is None else status.rank


def gives_way(own: PriorityStatus | None, other: PriorityStatus | None) -> bool:
    """True when a notice of status ``own`` is the one to move in a clash with one of status
    ``other``: it ranks lower, or neither has a priority status (then either may move). Two
    priority notices of the same rank: neither."""
    if own is None and other is None:
        return True
    return rank_of(own) < rank_of(other)


def highest(*statuses: PriorityStatus | None) -> PriorityStatus | None:
    """The highest-ranked of ``statuses``; None when none is set."""
    found = [s for s in statuses if s is not None]
    return max(found, key=rank_of) if found else None
