"""The Levant demo scenario: zones and about 40 notices over the next 24 hours, several clashing.

Names are fictional; places are real. Random notices of each party stay in their own sector
(alpha over the sea and the south-west, bravo in the east), so the only clashes are the five
designed ones, each of a different kind (polygon × circle, corridor × polygon, notice × red
line, notice × protected zone, and two windows 3 minutes apart inside the 5-minute buffer).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib.resources import files
from typing import Any

MECHANISM_YAML = files("sharedsky.sim").joinpath("levant.yaml").read_text(encoding="utf-8")
"""The demo mechanism file (read when this module is imported; it ships with the package)."""


@dataclass(frozen=True, slots=True)
class Item:
    """One thing a party submits: a notice or a zone body in the v1 wire format."""

    party: str
    kind: str
    """``notice`` or ``zone``."""
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Scenario:
    """What to submit, in order, and the clashes that must come out (pairs of titles)."""

    items: tuple[Item, ...]
    expected_clashes: tuple[tuple[str, str], ...]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _box(lon0: float, lat0: float, lon1: float, lat1: float) -> dict[str, Any]:
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


def _circle(lon: float, lat: float, radius_m: float) -> dict[str, Any]:
    return {"type": "Circle", "center": [lon, lat], "radius_m": radius_m}


def _corridor(path: list[list[float]], half_width_m: float) -> dict[str, Any]:
    return {"type": "Corridor", "path": path, "half_width_m": half_width_m}


def _volume(
    outline: dict[str, Any], lower_m: float, upper_m: float, start: datetime, end: datetime | None
) -> dict[str, Any]:
    time = {"start": _iso(start)} | ({} if end is None else {"end": _iso(end)})
    return {"outline": outline, "altitude": {"lower_m": lower_m, "upper_m": upper_m}, "time": time}


def _notice(
    party: str,
    kind: str,
    title: str,
    outline: dict[str, Any],
    band: tuple[float, float],
    start: datetime,
    hours: float,
    remarks: str = "",
) -> Item:
    body = {
        "kind": kind,
        "title": title,
        "volumes": [_volume(outline, band[0], band[1], start, start + timedelta(hours=hours))],
        "remarks": remarks,
        "contact": f"{party} operations duty officer",
    }
    return Item(party, "notice", body)


def _zone(
    party: str,
    kind: str,
    title: str,
    outline: dict[str, Any],
    band: tuple[float, float],
    start: datetime,
) -> Item:
    body = {"kind": kind, "title": title, "volume": _volume(outline, band[0], band[1], start, None)}
    return Item(party, "zone", body)


_SECTORS = {"alpha": (33.6, 31.6, 35.0, 33.3), "bravo": (37.8, 34.0, 39.6, 35.8)}
_KINDS = ["air_sortie", "air_sortie", "uav", "ground_movement", "hazard", "other"]


def _random_notices(party: str, now: datetime, rng: random.Random, count: int) -> list[Item]:
    lon0, lat0, lon1, lat1 = _SECTORS[party]
    items = []
    for n in range(count):
        lon, lat = rng.uniform(lon0, lon1 - 0.3), rng.uniform(lat0, lat1 - 0.3)
        shape = rng.choice(["box", "circle", "corridor"])
        if shape == "box":
            size = rng.uniform(0.05, 0.3)
            outline = _box(lon, lat, lon + size, lat + size)
        elif shape == "circle":
            outline = _circle(lon, lat, rng.uniform(3_000, 15_000))
        else:
            outline = _corridor([[lon, lat], [lon + 0.3, lat + rng.uniform(-0.2, 0.2)]], 3_000)
        start = now + timedelta(minutes=rng.randrange(30, 22 * 60))
        low = rng.choice([0, 300, 1500, 3000, 6000])
        kind = rng.choice(_KINDS)
        items.append(
            _notice(
                party,
                kind,
                f"{party.title()} routine {n + 1:02d}",
                outline,
                (low, low + rng.choice([600, 1500, 3000])),
                start,
                rng.choice([1, 2, 3]),
            )
        )
    return items


def levant(now: datetime, seed: int = 2026) -> Scenario:
    """The demo scenario starting at ``now`` (UTC), reproducible for a seed."""
    rng = random.Random(seed)

    def h(hours: float) -> datetime:
        return now + timedelta(hours=hours)

    zones = [
        _zone(
            "bravo",
            "protected",
            "Field hospital Aleppo west",
            _circle(37.05, 36.20, 5_000),
            (0, 3_000),
            now,
        ),
        _zone(
            "bravo",
            "red_line",
            "Northern border strip",
            _box(36.5, 36.6, 37.5, 36.9),
            (0, 15_000),
            now,
        ),
        _zone(
            "alpha", "protected", "Coastal air base", _circle(35.95, 35.40, 8_000), (0, 5_000), now
        ),
        _zone(
            "alpha",
            "restricted",
            "Naval exercise box",
            _box(34.6, 34.6, 35.3, 35.2),
            (0, 6_000),
            now,
        ),
    ]
    designed = [
        _notice(
            "alpha",
            "air_sortie",
            "CAP north",
            _box(36.1, 34.5, 36.9, 35.1),
            (3_000, 9_000),
            h(3),
            2,
            "combat air patrol, two ships",
        ),
        _notice(
            "bravo", "uav", "ISR orbit Homs", _circle(36.7, 34.8, 15_000), (6_000, 7_500), h(4), 2
        ),
        _notice(
            "alpha",
            "air_sortie",
            "Transit east",
            _corridor([[35.9, 33.9], [36.8, 34.2]], 5_000),
            (8_000, 10_000),
            h(6),
            1,
        ),
        _notice(
            "bravo",
            "uav",
            "UAV patrol Orontes",
            _box(36.4, 34.0, 36.7, 34.3),
            (8_500, 9_500),
            h(6.5),
            2.5,
        ),
        _notice(
            "alpha",
            "air_sortie",
            "Strike package north",
            _box(36.8, 36.5, 37.1, 36.75),
            (5_000, 8_000),
            h(10),
            1,
        ),
        _notice(
            "bravo",
            "air_sortie",
            "Medevac Latakia",
            _circle(36.02, 35.45, 3_000),
            (0, 1_500),
            h(2),
            1,
        ),
        _notice(
            "alpha",
            "air_sortie",
            "Tanker track",
            _corridor([[35.2, 33.6], [35.8, 33.7]], 4_000),
            (7_000, 8_000),
            h(12),
            1,
        ),
        _notice(
            "bravo",
            "air_sortie",
            "Fighter sweep",
            _box(35.5, 33.55, 35.7, 33.75),
            (7_500, 9_000),
            now + timedelta(hours=13, minutes=3),
            1,
        ),
    ]
    designed.append(
        _notice(
            "bravo",
            "ground_movement",
            "Short-notice convoy Deir ez-Zor",
            _box(39.0, 35.2, 39.3, 35.4),
            (0, 300),
            now + timedelta(minutes=10),
            2,
            "filed late on purpose: lead time below 900 s",
        )
    )
    randoms = _random_notices("alpha", now, rng, 16) + _random_notices("bravo", now, rng, 16)
    return Scenario(
        items=tuple(zones + designed + randoms),
        expected_clashes=(
            ("CAP north", "ISR orbit Homs"),
            ("Transit east", "UAV patrol Orontes"),
            ("Strike package north", "Northern border strip"),
            ("Medevac Latakia", "Coastal air base"),
            ("Tanker track", "Fighter sweep"),
        ),
    )
