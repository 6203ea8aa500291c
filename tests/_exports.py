"""An ExportSet made by hand for the format tests: a notice with a polygon, a circle and a
corridor volume, two zones (one open-ended), an open conflict and a live track."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sharedsky.interop.formats.model import ExportSet
from sharedsky.wire import v1

T = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
START = "2026-11-24T15:00:00Z"
END = "2026-11-24T17:00:00Z"

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[36.1, 34.5], [36.5, 34.5], [36.5, 34.9], [36.1, 34.9], [36.1, 34.5]]],
}
CIRCLE = {"type": "Circle", "center": [36.3, 33.5], "radius_m": 2000.0}
CORRIDOR = {
    "type": "Corridor",
    "path": [[35.9, 33.9], [36.2, 34.1], [36.4, 34.0]],
    "half_width_m": 1500.0,
}


def _volume(outline: dict[str, Any], index: int, lower: float, upper: float) -> dict[str, Any]:
    return {
        "outline": outline,
        "altitude": {"lower_m": lower, "upper_m": upper},
        "time": {"start": START, "end": END},
        "index": index,
    }


def notice_out(**changes: Any) -> v1.NoticeOut:
    body: dict[str, Any] = {
        "id": "ntc-000001",
        "party": "alpha",
        "kind": "air_sortie",
        "title": "CAP north",
        "version": 2,
        "status": "planned",
        "filed_at": T,
        "updated_at": T,
        "cancelled_at": None,
        "lead_time_s": 10800.0,
        "late": False,
        "late_for": [],
        "volumes": [
            _volume(SQUARE, 0, 3000.0, 9000.0),
            _volume(CIRCLE, 1, 500.0, 2500.0),
            _volume(CORRIDOR, 2, 1000.0, 1500.0),
        ],
        "remarks": "two aircraft",
        "contact": "duty line 2",
        "redacted": False,
        "recorded_after_the_fact": False,
    }
    return v1.NoticeOut.model_validate(body | changes)


def zone_out(**changes: Any) -> v1.ZoneOut:
    body: dict[str, Any] = {
        "id": "zon-000002",
        "party": "bravo",
        "kind": "protected",
        "title": "Hospital",
        "version": 1,
        "status": "active",
        "volume": {
            "outline": CIRCLE,
            "altitude": {"lower_m": 0.0, "upper_m": 3000.0},
            "time": {"start": "2026-11-24T12:00:00Z"},
        },
        "remarks": "keep clear",
        "declared_at": T,
        "updated_at": T,
        "withdrawn_at": None,
        "redacted": False,
    }
    return v1.ZoneOut.model_validate(body | changes)


def conflict_out() -> v1.ConflictOut:
    return v1.ConflictOut.model_validate(
        {
            "id": "cfl-000003",
            "state": "open",
            "resolved_reason": None,
            "with": {"type": "zone", "id": "zon-000002", "party": "bravo"},
            "own": {
                "type": "notice",
                "id": "ntc-000001",
                "party": "alpha",
                "version": 2,
                "volume_index": 1,
            },
            "window": {"start": START, "end": END},
            "altitude": {"lower_m": 500.0, "upper_m": 2500.0},
            "distance_m": 0.0,
            "region": {
                "type": "Polygon",
                "coordinates": [[[36.29, 33.49], [36.31, 33.49], [36.31, 33.51], [36.29, 33.49]]],
            },
            "detected_at": T,
            "resolved_at": None,
        }
    )


def track_out() -> v1.TrackOut:
    return v1.TrackOut(
        id="A1",
        party="alpha",
        time=T,
        lat=34.2,
        lon=36.0,
        alt_m=6000.0,
        gs_mps=200.0,
        trk_deg=90.0,
        vs_mps=0.0,
        notice_id="ntc-000001",
        age_s=1.0,
    )


PARTIES = (
    v1.PartyOut(id="host", name="Joint Coordination Cell", language="en", colour="#000000"),
    v1.PartyOut(id="alpha", name="Alpha Air Command", language="en", colour="#1f77b4"),
    v1.PartyOut(id="bravo", name="Bravo Air Command", language="tr", colour="#d62728"),
)


def sample_export(**changes: Any) -> ExportSet:
    """The hand-made picture, as alpha sees it (``changes`` replace its fields)."""
    fields: dict[str, Any] = {
        "generated_at": T,
        "viewer": "alpha",
        "parties": PARTIES,
        "notices": (notice_out(),),
        "zones": (zone_out(),),
        "conflicts": (conflict_out(),),
        "tracks": (track_out(),),
        "mechanism": v1.MechanismOut(
            mechanism="levant-deconfliction",
            host=PARTIES[0],
            parties=list(PARTIES[1:]),
            channels=[],
        ),
    }
    return ExportSet(**(fields | changes))


def notice_out_of(notice_id: str, party: str, body: dict[str, Any], **fields: Any) -> v1.NoticeOut:
    """A notice as a reader sees it, made from a filing body (``_bodies.notice``): version 2,
    filed and updated at ``T``, the body's volumes with their indexes; ``fields`` replace any."""
    vols = [v | {"index": i} for i, v in enumerate(body["volumes"])]
    return v1.NoticeOut.model_validate(
        {
            "id": notice_id,
            "party": party,
            "kind": body["kind"],
            "title": body["title"],
            "version": 2,
            "status": "planned",
            "filed_at": T,
            "updated_at": T,
            "cancelled_at": None,
            "lead_time_s": 10800.0,
            "late": False,
            "late_for": [],
            "volumes": vols,
            "remarks": "",
            "contact": "",
            "redacted": False,
            "recorded_after_the_fact": False,
        }
        | fields
    )
