"""Request bodies shared by the API tests."""

from __future__ import annotations

from typing import Any


def square(lon: float, lat: float, size_deg: float = 0.4) -> dict[str, Any]:
    """A GeoJSON square with its south-west corner at (lon, lat)."""
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


def volume(
    outline: dict[str, Any],
    start: str = "2026-11-24T15:00:00Z",
    end: str | None = "2026-11-24T17:00:00Z",
    lower_m: float = 3000,
    upper_m: float = 9000,
) -> dict[str, Any]:
    """A Volume4D body."""
    time: dict[str, Any] = {"start": start}
    if end is not None:
        time["end"] = end
    return {"outline": outline, "altitude": {"lower_m": lower_m, "upper_m": upper_m}, "time": time}


def notice(
    outline: dict[str, Any] | None = None,
    kind: str = "air_sortie",
    title: str = "CAP north",
    **volume_args: Any,
) -> dict[str, Any]:
    """A notice body with one volume (the issue's example by default)."""
    return {
        "kind": kind,
        "title": title,
        "volumes": [volume(outline or square(36.1, 34.5), **volume_args)],
        "remarks": "free text",
        "contact": "duty officer line 2",
    }


def zone(
    outline: dict[str, Any], kind: str = "protected", title: str = "Hospital", **volume_args: Any
) -> dict[str, Any]:
    """A zone body (open-ended unless ``end`` is given)."""
    volume_args.setdefault("end", None)
    volume_args.setdefault("start", "2026-11-24T12:00:00Z")
    volume_args.setdefault("lower_m", 0)
    volume_args.setdefault("upper_m", 3000)
    return {"kind": kind, "title": title, "volume": volume(outline, **volume_args)}
