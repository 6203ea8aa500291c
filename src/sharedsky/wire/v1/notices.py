"""Notices on the wire: the filing request, the notice and the filing response."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, ConfigDict, Field

from sharedsky.wire.v1.common import NoticeVolume, PriorityStatus, Volume, VolumeOut, WireModel
from sharedsky.wire.v1.conflicts import ConflictOut, ResolutionOption

NoticeKind = Literal[
    "air_sortie", "uav", "exercise", "ground_movement", "static_site", "hazard", "other"
]
NoticeStatus = Literal["planned", "active", "released", "ended", "cancelled"]


class NoticeIn(WireModel):
    """A notice as filed or amended."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "air_sortie",
                    "title": "CAP north",
                    "volumes": [
                        {
                            "outline": {
                                "type": "Polygon",
                                "coordinates": [
                                    [
                                        [36.1, 34.5],
                                        [36.5, 34.5],
                                        [36.5, 34.9],
                                        [36.1, 34.9],
                                        [36.1, 34.5],
                                    ]
                                ],
                            },
                            "altitude": {"lower_m": 3000, "upper_m": 9000},
                            "time": {
                                "start": "2026-11-24T15:00:00Z",
                                "end": "2026-11-24T17:00:00Z",
                            },
                        }
                    ],
                    "remarks": "two aircraft",
                    "contact": "duty officer line 2",
                }
            ]
        }
    )

    kind: NoticeKind
    title: str
    volumes: list[NoticeVolume]
    remarks: str = ""
    contact: str = ""
    outside_area: bool = False
    """File volumes that lie wholly outside the mechanism's area of responsibility as they
    are; without it such a volume is refused (422 ``outside-area``: the usual cause is
    (latitude, longitude) given where GeoJSON wants (longitude, latitude))."""
    record_past: bool = False
    """Record activity after the fact: the notice's window may have ended already (it is then
    marked ``recorded_after_the_fact``); without it a notice wholly in the past is refused
    (422 ``notice-in-the-past``)."""
    priority_status: PriorityStatus | None = None
    """The activity's operational priority (any duty operator of the filing party may set
    it; the ledger records it): conflicts with the notice are marked and acknowledged within
    the flash deadline, and resolution advice moves the other side, never this notice, unless
    that one ranks higher. Absent or null: none (an amendment without it clears it). Any other
    value gets 422 with the path ``["priority_status"]``."""
    request_agreement: bool = False
    """Ask every counterparty told of the notice to agree, not only to acknowledge receipt
    (``POST /v1/notices/{id}/agree``, ``/deny``, ``/counter``); each version asks again. A
    channel may ask it for some kinds by itself (the mechanism file's ``request_agreement``).
    An amendment without it stops asking (the channel's rule still holds)."""


class AckState(WireModel):
    """Who acknowledged (or still owes an acknowledgement of) an object."""

    party: str
    version: int
    status: Literal["pending", "acknowledged", "superseded"]
    priority: Literal["routine", "priority", "flash"]
    requested_at: AwareDatetime
    due_at: AwareDatetime | None
    """The current deadline; null once the request has climbed to the host."""
    acked_at: AwareDatetime | None
    acked_by: str | None


class NoticeOut(WireModel):
    """A notice as a viewer sees it; ``redacted`` when the sharing policy hides parts of it."""

    id: str
    party: str
    kind: NoticeKind
    title: str
    version: int
    status: NoticeStatus
    filed_at: AwareDatetime
    updated_at: AwareDatetime
    cancelled_at: AwareDatetime | None
    lead_time_s: float
    late: bool
    late_for: list[str]
    volumes: list[VolumeOut]
    remarks: str
    contact: str
    redacted: bool
    recorded_after_the_fact: bool
    """The current version's window had ended when it was filed (with ``record_past``): a
    record of past activity, not a notice of what is to come."""
    priority_status: PriorityStatus | None = None
    """The current version's operational priority; null for none."""
    activation: Literal["at_start", "manual"] = "at_start"
    """How the notice becomes active: by itself at its start, or only when its owner
    activates it (``POST /v1/notices/{id}/activate``; the channels' rule)."""
    activated_at: AwareDatetime | None = None
    """When its owner activated it (an activation before the window's start is early)."""
    released_at: AwareDatetime | None = None
    """When its owner released it early (its volumes end then)."""
    not_activated_at: AwareDatetime | None = None
    """When it was flagged as not activated in time (``notice.not_activated``)."""
    request_agreement: bool = False
    """Its filer asks the counterparties to agree, not only to acknowledge receipt."""


class FilingOut(NoticeOut):
    """The answer to filing or amending: the notice and its open conflicts."""

    conflicts: list[ConflictOut]
    resolutions: list[ResolutionOption] = Field(default_factory=list)
    """The resolution options of the notice (``GET /v1/conflicts/{id}/resolutions``): each
    clears every one of its conflicts, so the list is the same for each of them; empty when
    there is none."""


class FilingCheckOut(WireModel):
    """What filing a draft now would give; nothing was stored."""

    lead_time_s: float
    late_for: list[str]
    """Counterparties whose minimum lead time the draft would miss."""
    conflicts: list[ConflictOut]


class AgreementOut(WireModel):
    """One counterparty's position on the current version of a notice that asks it to agree:
    ``pending`` until it answers, then ``agreed``, ``denied`` (with its ``reason``) or
    ``countered`` (``counter_id`` names the counter-proposal, ``volumes`` what it proposes)."""

    party: str
    version: int
    state: Literal["pending", "agreed", "denied", "countered"]
    requested_at: AwareDatetime
    due_at: AwareDatetime | None
    """When the answer is due (then it escalates as an acknowledgement would); null once the
    request has climbed to the host."""
    rung: int = 0
    """How far up the party's escalation ladder the request has climbed (0: not escalated)."""
    answered_at: AwareDatetime | None = None
    answered_by: str | None = None
    """The operator who answered."""
    reason: str | None = None
    """Why it denied (``denied`` only)."""
    note: str | None = None
    """What it said with its counter-proposal (``countered`` only)."""
    counter_id: str | None = None
    """The id of the counter-proposal, for ``POST /v1/notices/{id}/accept`` (``countered``
    only)."""
    volumes: list[Volume] | None = None
    """The counter-proposal's volumes (``countered`` only)."""


class DenyIn(WireModel):
    """A denial of agreement: why (required, not blank)."""

    reason: str


class CounterIn(WireModel):
    """A counter-proposal: the volumes the counterparty would agree to (validated as a
    filing's; typically those of a resolution option), with an optional note."""

    volumes: list[Volume]
    note: str = ""


class AcceptIn(WireModel):
    """The filer accepts a counter-proposal (``AgreementOut.counter_id``) of its notice's
    current version; If-Match names that version."""

    counter_id: str


class NoticeDetailOut(NoticeOut):
    """One notice with its open conflicts and acknowledgements, and, when it asks for
    agreement, the positions on its current version the viewer may see (every
    counterparty's for the filer and the host, its own for a counterparty)."""

    conflicts: list[ConflictOut]
    acknowledgements: list[AckState]
    agreement: list[AgreementOut] = Field(default_factory=list)


class NoticeList(WireModel):
    """A list of notices."""

    notices: list[NoticeOut] = Field(default_factory=list)
