"""Zones on the wire."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, ConfigDict

from sharedsky.wire.v1.common import Volume, WireModel
from sharedsky.wire.v1.conflicts import ConflictOut

ZoneKind = Literal["protected", "red_line", "restricted"]


class ZoneIn(WireModel):
    """A zone as declared or amended; its volume's time window may be open-ended."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "protected",
                    "title": "Hospital",
                    "volume": {
                        "outline": {"type": "Circle", "center": [36.3, 33.5], "radius_m": 2000},
                        "altitude": {"lower_m": 0, "upper_m": 3000},
                        "time": {"start": "2026-11-24T12:00:00Z"},
                    },
                }
            ]
        }
    )

    kind: ZoneKind
    title: str
    volume: Volume
    remarks: str = ""
    outside_area: bool = False
    """Declare a volume that lies wholly outside the mechanism's area of responsibility as it
    is; without it such a volume is refused (422 ``outside-area``: the usual cause is
    (latitude, longitude) given where GeoJSON wants (longitude, latitude))."""


class ZoneOut(WireModel):
    """A zone as a viewer sees it."""

    id: str
    party: str
    kind: ZoneKind
    title: str
    version: int
    status: Literal["active", "withdrawn", "expired"]
    volume: Volume
    remarks: str
    declared_at: AwareDatetime
    updated_at: AwareDatetime
    withdrawn_at: AwareDatetime | None
    redacted: bool


class DeclarationOut(ZoneOut):
    """The answer to declaring or amending a zone: the zone and its open conflicts."""

    conflicts: list[ConflictOut]


class ZoneList(WireModel):
    """A list of zones."""

    zones: list[ZoneOut]
