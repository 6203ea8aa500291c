"""Notices on the wire: the filing request, the notice and the filing response."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, ConfigDict, Field

from sharedsky.wire.v1.common import NoticeVolume, PriorityStatus, VolumeOut, WireModel
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


class NoticeDetailOut(NoticeOut):
    """One notice with its open conflicts and acknowledgements."""

    conflicts: list[ConflictOut]
    acknowledgements: list[AckState]


class NoticeList(WireModel):
    """A list of notices."""

    notices: list[NoticeOut] = Field(default_factory=list)
