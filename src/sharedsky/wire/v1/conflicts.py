"""Conflicts and acknowledgements on the wire."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, RootModel

from sharedsky.wire.v1.common import (
    Altitude,
    ObjectRef,
    Occurrence,
    PriorityStatus,
    SideRef,
    VolumeOut,
    Window,
    WireModel,
)


class ConflictOut(WireModel):
    """A conflict as a viewer sees it; ``with`` is the side that is not the viewer's own."""

    id: str
    kind: Literal["strategic"] = "strategic"
    state: Literal["open", "resolved"]
    resolved_reason: Literal["amended", "cancelled", "withdrawn", "expired"] | None
    with_: ObjectRef = Field(alias="with")
    own: SideRef
    window: Window
    occurrence: Occurrence | None = None
    """The occurrence this conflict concerns when a scheduled volume takes part (R-SCHED-1):
    the viewer's own side's, else the other side's where its id is shown; null when both
    sides have one window. Each side's is in ``own`` and ``with``."""
    altitude: Altitude
    distance_m: float
    datum_margin_m: float | None = None
    """Present when the clash exists only through the datums' widening (R-HEIGHT-3): the
    vertical gap in metres between the two bands at their nominal heights (QNH 1013.25 hPa,
    mid terrain, the geoid at each outline's centre), at least the vertical separation, which
    the QNH range, terrain bounds or geoid error may close; null for every other conflict."""
    priority_status: PriorityStatus | None = None
    """The higher priority status of its two sides (each side's in ``own`` and ``with``):
    the conflict is marked, shown first and acknowledged within the flash deadline; null when
    neither side has one."""
    region: dict[str, object]
    detected_at: AwareDatetime
    resolved_at: AwareDatetime | None

    model_config = WireModel.model_config | {"populate_by_name": True, "serialize_by_alias": True}


class ConflictList(WireModel):
    """A list of conflicts."""

    conflicts: list[ConflictOut]


class _Option(WireModel):
    """One amendment of the caller's own notice that clears every clash of that notice (not
    only this conflict's) without raising another, verified by the detector of a filing."""

    id: str
    """Stable for one version of the notice (``v<version>-<hash>``): applying it after the
    notice changed gets 412."""
    notice_id: str
    volumes: list[VolumeOut]
    """The notice's whole amended list of volumes, as a notice shows them (to send back as
    the volumes of ``PUT /v1/notices/{notice_id}`` with ``If-Match``)."""
    late: bool
    """The amended notice would miss a counterparty's minimum lead time (R-LEAD-1)."""


class ShiftOption(_Option):
    """The smallest shift of the whole notice, in whole minutes (up to 24 h)."""

    kind: Literal["shift_later", "shift_earlier"]
    shift_s: int
    """Seconds, a multiple of 60: positive later, negative earlier."""


class MoveOption(_Option):
    """The nearest band of the same thickness above or below, in steps of 100 ft (up to
    about 20 km); each limit moves in its own unit and on its own reference."""

    kind: Literal["climb", "descend"]
    delta_m: float
    """Metres, a multiple of 30.48 (100 ft): positive up. A flight level moves by 1 FL a
    step (100 ft of pressure altitude)."""


class WindowOption(_Option):
    """The largest part of the time window that is clear (whole-minute ends, except the
    notice's own start or end); volumes left with no time are dropped."""

    kind: Literal["shrink_window"]
    window: Window
    """The window kept."""


ResolutionOption = Annotated[ShiftOption | MoveOption | WindowOption, Field(discriminator="kind")]
"""One resolution option: ``id``, ``kind``, ``notice_id``, ``volumes``, its cost (``shift_s``,
``delta_m`` or ``window``) and ``late``."""


class ResolutionOut(RootModel[ResolutionOption]):
    """One resolution option as an answer's whole body."""


class ResolutionList(WireModel):
    """The resolution options of a conflict for the caller (empty when it may amend neither
    side, or the conflict is resolved)."""

    options: list[ResolutionOption]


class AckOut(WireModel):
    """An acknowledgement (a receipt, never an approval); subject ``agreement``: a request to
    agree to a notice's version, answered by ``/agree``, ``/deny`` or ``/counter``, never by
    acknowledging."""

    subject: Literal["notice", "conflict", "message", "agreement", "incident"]
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
    subject: Literal["notice", "conflict", "message", "agreement", "incident"]
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
