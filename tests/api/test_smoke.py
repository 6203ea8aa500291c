"""A first walk through the API: file two clashing notices and see the conflict on both sides."""

from __future__ import annotations

from typing import Any

from conftest import Api


def square(lon: float, lat: float, size_deg: float = 0.4) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [
            [
                [lon, lat],
                [lon + size_deg, lat],
                [lon + size_deg, lat + size_deg],
                [lon, lat + size_deg],
                [lon, lat],
            ]
        ],
    }


def notice(
    outline: dict[str, Any],
    start: str = "2026-11-24T15:00:00Z",
    end: str = "2026-11-24T17:00:00Z",
    lower: float = 3000,
    upper: float = 9000,
    kind: str = "air_sortie",
    title: str = "CAP north",
) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": title,
        "volumes": [
            {
                "outline": outline,
                "altitude": {"lower_m": lower, "upper_m": upper},
                "time": {"start": start, "end": end},
            }
        ],
        "remarks": "free text",
        "contact": "duty officer line 2",
    }


def test_two_clashing_notices_make_one_conflict_seen_by_both(api: Api) -> None:
    a = api.client.post("/v1/notices", json=notice(square(36.1, 34.5)), headers=api.as_("alpha"))
    assert a.status_code == 201, a.text
    assert a.json()["conflicts"] == []
    b = api.client.post("/v1/notices", json=notice(square(36.3, 34.7)), headers=api.as_("bravo"))
    assert b.status_code == 201, b.text
    body = b.json()
    assert len(body["conflicts"]) == 1
    conflict = body["conflicts"][0]
    assert conflict["with"] == {"type": "notice", "id": a.json()["id"], "party": "alpha"}
    seen = api.client.get("/v1/conflicts", headers=api.as_("alpha")).json()["conflicts"]
    assert [c["id"] for c in seen] == [conflict["id"]]
