"""Conflicts and acknowledgements on the wire."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from sharedsky.wire.v1.common import Altitude, ObjectRef, SideRef, Window, WireModel


class ConflictOut(WireModel):
    """A conflict as a viewer sees it; ``with`` is the side that is not the viewer's own."""

    id: str
    kind: Literal["strategic"] = "strategic"
    state: Literal["open", "resolved"]
    resolved_reason: Literal["amended", "cancelled", "withdrawn", "expired"] | None
    with_: ObjectRef = Field(alias="with")
    own: SideRef
    window: Window
    altitude: Altitude
    distance_m: float
    datum_margin_m: float | None = None
    """Present when the clash exists only through the datums' widening (R-HEIGHT-3): the
    vertical gap in metres between the two bands at their nominal heights (QNH 1013.25 hPa,
    mid terrain, the geoid at each outline's centre), at least the vertical separation, which
    the QNH range, terrain bounds or geoid error may close; null for every other conflict."""
    region: dict[str, object]
    detected_at: AwareDatetime
    resolved_at: AwareDatetime | None

    model_config = WireModel.model_config | {"populate_by_name": True, "serialize_by_alias": True}


class ConflictList(WireModel):
    """A list of conflicts."""

    conflicts: list[ConflictOut]


class AckOut(WireModel):
    """An acknowledgement (a receipt, never an approval)."""

    subject: Literal["notice", "conflict", "message"]
    subject_id: str
    version: int
    party: str
    status: Literal["pending", "acknowledged", "superseded"]
    priority: Literal["routine", "priority", "flash"]
    requested_at: AwareDatetime
    due_at: AwareDatetime | None
    """The current deadline; null once the request has climbed to the host."""
    rung: int = 0
    """How far up the party's escalation ladder it has climbed (0: not escalated)."""
    acked_at: AwareDatetime | None
    acked_by: str | None


class AckList(WireModel):
    """What awaits acknowledgement."""

    acknowledgements: list[AckOut]


class EscalationOut(WireModel):
    """One step up a party's escalation ladder."""

    ack: str
    subject: Literal["notice", "conflict", "message"]
    subject_id: str
    party: str
    rung: int
    rung_name: str
    to_host: bool
    """True when this step reached the host (the top of every ladder)."""
    requested_at: AwareDatetime
    at: AwareDatetime
    next_due_at: AwareDatetime | None


class EscalationList(WireModel):
    """Escalation steps, newest first."""

    escalations: list[EscalationOut]
