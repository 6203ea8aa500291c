"""Server answers built without a server (wire models), for the CLI's pure tests."""

from __future__ import annotations

from typing import Any

from _bodies import square, volume

from sharedsky.wire import v1


def notice_out(
    notice_id: str,
    title: str,
    *,
    party: str = "bravo",
    start: str = "2026-11-24T15:00:00Z",
    redacted: bool = False,
) -> v1.NoticeOut:
    vol: dict[str, Any] = volume(square(36.1, 34.5), start=start, lower_m=3657.6, upper_m=9144)
    return v1.NoticeOut.model_validate(
        {
            "id": notice_id,
            "party": party,
            "kind": "air_sortie",
            "title": "" if redacted else title,
            "version": 1,
            "status": "planned",
            "filed_at": "2026-11-24T12:00:00Z",
            "updated_at": "2026-11-24T12:00:00Z",
            "cancelled_at": None,
            "lead_time_s": 10800.0,
            "late": False,
            "late_for": [],
            "volumes": [vol | {"index": 0}],
            "remarks": "",
            "contact": "",
            "redacted": redacted,
            "recorded_after_the_fact": False,
        }
    )


def conflict_out(own: v1.NoticeOut, other: v1.NoticeOut | None) -> v1.ConflictOut:
    return v1.ConflictOut.model_validate(
        {
            "id": "cfl-1",
            "state": "open",
            "resolved_reason": None,
            "with": {
                "type": "notice",
                "id": None if other is None else other.id,
                "party": "bravo" if other is None else other.party,
            },
            "own": {
                "type": "notice",
                "id": own.id,
                "party": own.party,
                "version": 1,
                "volume_index": 0,
            },
            "window": {"start": "2026-11-24T15:00:00Z", "end": "2026-11-24T16:00:00Z"},
            "altitude": {"lower_m": 3657.6, "upper_m": 9144},
            "distance_m": 0.0,
            "region": {},
            "detected_at": "2026-11-24T12:00:00Z",
            "resolved_at": None,
        }
    )
