"""Export then import into a fresh mechanism gives the same volumes, within 1 m and 1 s: a
property over random notices and zones (polygons, circles, corridors, bands, windows) for each
format that carries them (F3548 waits for the geoid: its band is on the ellipsoid).

Each example files its objects in mechanism A as alpha, exports them, imports the file with
``dry_run=false`` into mechanism B as alpha, and compares what B then shows; afterwards it
cancels and withdraws them in A, so the next example's export holds only its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest
import shapely
from _hypothesis import examples
from _support import T0, Api, make_env
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.geo.distance import WGS84
from sharedsky.geo.projection import frame_at
from sharedsky.geo.shapes import densify_line
from sharedsky.interop.formats.polygons import TOLERANCE_M
from sharedsky.store.schema import head_revisions
from sharedsky.testing.fakes import FakeClock
from sharedsky.testing.memory import MemoryDatabase

METRE_TOLERANCE = 1.0
SECOND_TOLERANCE = 1.0

# -- random volumes ---------------------------------------------------------------------------

lon_deg = st.floats(33.5, 39.5)
lat_deg = st.floats(30.0, 36.5)
size_deg = st.floats(0.005, 0.2)


@st.composite
def outlines(draw: st.DrawFn) -> dict[str, Any]:
    lon, lat = draw(lon_deg), draw(lat_deg)
    shape = draw(st.sampled_from(["polygon", "circle", "corridor"]))
    if shape == "circle":
        return {"type": "Circle", "center": [lon, lat], "radius_m": draw(st.floats(50, 20_000))}
    if shape == "corridor":
        legs = draw(st.lists(st.tuples(size_deg, st.floats(-0.2, 0.2)), min_size=1, max_size=3))
        path = [[lon, lat]]
        for dx, dy in legs:
            path.append([path[-1][0] + dx, path[-1][1] + dy])
        return {"type": "Corridor", "path": path, "half_width_m": draw(st.floats(50, 5_000))}
    width, height = draw(size_deg), draw(size_deg)
    jitter = draw(st.lists(st.floats(-0.1, 0.1), min_size=4, max_size=4))
    corners = [(0, 0), (1, 0), (1, 1), (0, 1)]
    ring = [
        [lon + (cx + j) * width, lat + (cy + j) * height]
        for (cx, cy), j in zip(corners, jitter, strict=True)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@st.composite
def volumes(draw: st.DrawFn, open_end: bool = False) -> dict[str, Any]:
    lower = draw(st.floats(-100, 12_000))
    start = T0 + timedelta(seconds=draw(st.integers(3_600, 3 * 86_400)))
    microseconds = draw(st.integers(0, 999_999))
    start += timedelta(microseconds=microseconds)
    end = None
    if not (open_end and draw(st.booleans())):
        end = start + timedelta(seconds=draw(st.integers(600, 12 * 3_600)))
    return {
        "outline": draw(outlines()),
        "altitude": {"lower_m": lower, "upper_m": lower + draw(st.floats(1, 6_000))},
        "time": {"start": start.isoformat(), "end": None if end is None else end.isoformat()},
    }


@st.composite
def pictures(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(notices, zones) request bodies with unique titles."""
    kinds = ["air_sortie", "uav", "exercise", "hazard"]
    notices = [
        {"kind": draw(st.sampled_from(kinds)), "title": f"n{i}",
         "volumes": draw(st.lists(volumes(), min_size=1, max_size=3)), "remarks": f"r{i}"}
        for i in range(draw(st.integers(0, 2)))
    ]  # fmt: skip
    zones = [
        {"kind": draw(st.sampled_from(["protected", "red_line", "restricted"])),
         "title": f"z{i}", "volume": draw(volumes(open_end=True))}
        for i in range(draw(st.integers(0 if notices else 1, 2)))
    ]  # fmt: skip
    return notices, zones


# -- comparison -------------------------------------------------------------------------------


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def _same_time(a: dict[str, Any], b: dict[str, Any]) -> bool:
    for key in ("start", "end"):
        x, y = _moment(a.get(key)), _moment(b.get(key))
        if (x is None) != (y is None):
            return False
        if x is not None and y is not None and abs((x - y).total_seconds()) > SECOND_TOLERANCE:
            return False
    return True


def _metres(a: list[float], b: list[float]) -> float:
    return float(WGS84.inv(a[0], a[1], b[0], b[1])[2])


def _boundary_gap_m(original: dict[str, Any], polygon: dict[str, Any]) -> float:
    """How far (m) the polygon's vertices stand from the original circle's or corridor's
    boundary, outward positive; and NaN when a vertex lies inside it."""
    ring = np.asarray(polygon["coordinates"][0])
    if original["type"] == "Circle":
        centre = original["center"]
        _, _, dist = WGS84.inv(np.full(len(ring), centre[0]), np.full(len(ring), centre[1]),
                               ring[:, 0], ring[:, 1])  # fmt: skip
        gaps = np.asarray(dist) - original["radius_m"]
    else:
        path = np.asarray(original["path"])
        frame = frame_at(float(path[:, 0].mean()), float(path[:, 1].mean()))
        dense = densify_line(path[:, 0], path[:, 1], 200.0)
        line = shapely.linestrings(np.column_stack(frame.forward(dense[:, 0], dense[:, 1])))
        points = shapely.points(np.column_stack(frame.forward(ring[:, 0], ring[:, 1])))
        gaps = shapely.distance(points, line) - original["half_width_m"]
    return float(np.min(gaps)) if np.min(gaps) < -0.01 else float(np.max(gaps))


def same_outline(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Within METRE_TOLERANCE: the same shape, or b the polygon standing for a's circle or
    corridor (its vertices no farther out than the tolerance, none inside)."""
    if a["type"] != b["type"]:
        if b["type"] != "Polygon":
            return False
        gap = _boundary_gap_m(a, b)
        return -0.01 <= gap <= min(METRE_TOLERANCE, TOLERANCE_M + 0.01)
    if a["type"] == "Circle":
        return (
            _metres(a["center"], b["center"]) <= METRE_TOLERANCE
            and abs(a["radius_m"] - b["radius_m"]) <= METRE_TOLERANCE
        )
    if a["type"] == "Corridor":
        return (
            len(a["path"]) == len(b["path"])
            and all(
                _metres(p, q) <= METRE_TOLERANCE for p, q in zip(a["path"], b["path"], strict=True)
            )
            and abs(a["half_width_m"] - b["half_width_m"]) <= METRE_TOLERANCE
        )
    ring_a, ring_b = a["coordinates"][0], b["coordinates"][0]
    if len(ring_a) != len(ring_b):
        return False
    # the same ring, maybe the other way round
    forward = all(_metres(p, q) <= METRE_TOLERANCE for p, q in zip(ring_a, ring_b, strict=True))
    backward = all(
        _metres(p, q) <= METRE_TOLERANCE for p, q in zip(ring_a, ring_b[::-1], strict=True)
    )
    return forward or backward


def same_volume(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    problems = []
    if not same_outline(a["outline"], b["outline"]):
        problems.append(f"outline {a['outline']} became {b['outline']}")
    for key in ("lower_m", "upper_m"):
        if abs(a["altitude"][key] - b["altitude"][key]) > METRE_TOLERANCE:
            problems.append(f"{key} {a['altitude'][key]} became {b['altitude'][key]}")
    if not _same_time(a["time"], b["time"]):
        problems.append(f"window {a['time']} became {b['time']}")
    return problems


# -- the property -----------------------------------------------------------------------------


@contextmanager
def _mechanism() -> Iterator[Api]:
    api = Api(make_env(MemoryDatabase(revisions=head_revisions()), FakeClock(T0)))
    with api.client:
        yield api


def _ok(answer: Any) -> Any:
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


FORMATS = [("geojson", ""), ("kml", ""), ("ed318", "&include=notices")]


@pytest.mark.parametrize(("name", "query"), FORMATS)
def test_export_then_import_gives_the_same_volumes(name: str, query: str) -> None:
    with _mechanism() as source, _mechanism() as target:

        @settings(max_examples=examples(8))
        @given(picture=pictures(), exact=st.booleans())
        def round_trip(
            picture: tuple[list[dict[str, Any]], list[dict[str, Any]]], exact: bool
        ) -> None:
            notices, zones = picture
            alpha = source.as_("alpha")
            filed = [_ok(source.client.post("/v1/notices", json=n, headers=alpha)) for n in notices]
            declared = [_ok(source.client.post("/v1/zones", json=z, headers=alpha)) for z in zones]
            try:
                exported = source.client.get(f"/v1/export?format={name}{query}", headers=alpha)
                assert exported.status_code == 200, exported.text
                data = exported.content if exact else _without_exact(name, exported.content)
                answer = _ok(
                    target.client.post(
                        f"/v1/import?format={name}&dry_run=false",
                        content=data,
                        headers=target.as_("alpha"),
                    )
                )
                assert answer["problems"] == []
                got = {item["title"]: item for item in answer["items"]}
                assert sorted(got) == sorted(
                    [n["title"] for n in notices] + [z["title"] for z in zones]
                )
                problems: list[str] = []
                for body in notices:
                    item = got[body["title"]]
                    shown = _ok(
                        target.client.get(f"/v1/notices/{item['id']}", headers=target.as_("alpha"))
                    )
                    assert shown["kind"] == body["kind"] and len(shown["volumes"]) == len(
                        body["volumes"]
                    )
                    for sent, back in zip(body["volumes"], shown["volumes"], strict=True):
                        problems += same_volume(_wire(sent), back)
                for body in zones:
                    item = got[body["title"]]
                    shown = _ok(
                        target.client.get(f"/v1/zones/{item['id']}", headers=target.as_("alpha"))
                    )
                    assert shown["kind"] == body["kind"]
                    problems += same_volume(_wire(body["volume"]), shown["volume"])
                assert problems == [], problems
            finally:
                for n in filed:
                    source.client.post(f"/v1/notices/{n['id']}/cancel", headers=alpha)
                for z in declared:
                    source.client.post(f"/v1/zones/{z['id']}/withdraw", headers=alpha)

        round_trip()


def _wire(volume: dict[str, Any]) -> dict[str, Any]:
    """A sent volume in the form the API answers (times in UTC with Z)."""
    time = volume["time"]
    return volume | {"time": {"start": time["start"], "end": time.get("end")}}


def _without_exact(name: str, data: bytes) -> bytes:
    """The export without the exact circle and corridor parameters, so that the import reads
    the polygons that stand for them."""
    if name == "kml":
        from lxml import etree

        root = etree.fromstring(data)
        for element in root.iter("{*}Data"):
            if element.get("name") == "outline":
                element.getparent().remove(element)
        return bytes(etree.tostring(root))
    document = json.loads(data)
    for feature in document["features"]:
        props = feature["properties"]
        if name == "geojson":
            props.pop("outline", None)
        else:
            ours = props["extendedProperties"]["sharedsky"]
            ours.pop("outline", None)
    return json.dumps(document).encode()
