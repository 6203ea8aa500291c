"""Conflicts: detected clashes between two parties' notices and zones, and their state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sharedsky.domain.ids import ConflictId, PartyId
from sharedsky.domain.priority import PriorityStatus, highest
from sharedsky.domain.schedules import Occurrence


class ObjectType(StrEnum):
    """What kind of object takes part in a conflict."""

    NOTICE = "notice"
    ZONE = "zone"


class ConflictState(StrEnum):
    """Open until an amendment, cancellation, withdrawal or expiry removes the clash."""

    OPEN = "open"
    RESOLVED = "resolved"

    def needs_ack(self) -> bool:
        """Only open conflicts await acknowledgement."""
        return self is ConflictState.OPEN


class ResolvedReason(StrEnum):
    """Why a conflict stopped being open."""

    AMENDED = "amended"
    CANCELLED = "cancelled"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """One side of a conflict: the object, its owner, version and the clashing volume."""

    type: ObjectType
    id: str
    party: PartyId
    version: int
    volume_index: int
    priority_status: PriorityStatus | None = None
    """The priority status of a notice side when the clash was found (``domain/priority.py``;
    None for none, and for a zone)."""
    occurrence: Occurrence | None = None
    """The occurrence of the side's scheduled volume that clashes (``domain/schedules.py``);
    None when the volume has one window."""


@dataclass(frozen=True, slots=True)
class Conflict:
    """A clash between side ``a`` (the object whose filing found it) and side ``b``."""

    id: ConflictId
    a: ObjectRef
    b: ObjectRef
    window_start: datetime
    """Start of the overlapping time window (or of the gap between the windows)."""
    window_end: datetime | None
    """End of that window; None when both sides are open-ended zones."""
    alt_lo_m: float
    alt_hi_m: float
    distance_m: float
    """Horizontal distance between the two outlines, metres (0 when they overlap)."""
    region: dict[str, object]
    """GeoJSON (lon/lat) of the area within lateral separation of both sides."""
    region_a: dict[str, object] | None
    """The part of side a within lateral separation of side b (kept where the channel is
    ``host_only``, whose parties see only their own part; None elsewhere)."""
    region_b: dict[str, object] | None
    """The part of side b within lateral separation of side a (as region_a)."""
    detected_at: datetime
    expires_at: datetime | None
    """When the clash is over: the earlier side's end plus the time buffer."""
    state: ConflictState = ConflictState.OPEN
    resolved_at: datetime | None = None
    resolved_reason: ResolvedReason | None = None
    datum_margin_m: float | None = None
    """Set when the clash exists only through the datums' widening (R-HEIGHT-3): the vertical
    gap in metres between the two bands at their nominal heights (QNH 1013.25 hPa, mid
    terrain, the geoid at each outline's centre; limits on one reference exactly), which is at
    least the vertical separation and which the widening closed. None when the bands come
    within the vertical separation at their nominal heights too."""

    @property
    def priority_status(self) -> PriorityStatus | None:
        """The higher priority status of its two sides; None when neither has one. A conflict
        with a priority notice is acknowledged within the flash deadline."""
        return highest(self.a.priority_status, self.b.priority_status)

    def involves(self, party: PartyId) -> bool:
        """True when ``party`` owns either side."""
        return party in (self.a.party, self.b.party)

    def side_of(self, party: PartyId) -> ObjectRef:
        """The side owned by ``party`` (side a when the party owns neither)."""
        return self.b if self.b.party == party else self.a

    def other_side(self, party: PartyId) -> ObjectRef:
        """The side not owned by ``party``."""
        return self.a if self.b.party == party else self.b

    def own_region(self, party: PartyId) -> dict[str, object]:
        """The part of the party's own object that lies within separation of the other."""
        own = self.region_b if self.b.party == party else self.region_a
        return own if own is not None else {"type": "MultiPolygon", "coordinates": []}

    def state_at(self, now: datetime) -> ConflictState:
        """The state at ``now``: an open conflict whose clash is over counts as resolved."""
        if self.state is ConflictState.OPEN and self.expires_at is not None:
            if now >= self.expires_at:
                return ConflictState.RESOLVED
        return self.state

    def reason_at(self, now: datetime) -> ResolvedReason | None:
        """Why the conflict is resolved at ``now``, or None while open."""
        if self.state is ConflictState.RESOLVED:
            return self.resolved_reason
        if self.state_at(now) is ConflictState.RESOLVED:
            return ResolvedReason.EXPIRED
        return None


@dataclass(frozen=True, slots=True)
class ConflictFilter:
    """Filters of a conflict listing; None means "any"."""

    party: PartyId | None = None
    """Conflicts with a side owned by this party."""
    object_id: str | None = None
    """Conflicts with this notice or zone on either side."""
    state: ConflictState | None = None
    limit: int = 1000
