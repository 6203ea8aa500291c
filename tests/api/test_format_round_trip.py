"""Export then import into a fresh mechanism gives the same volumes, within 1 m and 1 s: a
property over random notices and zones (polygons, circles, corridors, windows, and bands in
metres AMSL or filed on their datums: m or ft on AMSL, AGL and W84, flight levels, SFC, UNL),
each band coming back as filed, for each format that carries them. F3548 carries notices whose
bands are on the ellipsoid (W84, metres: all it can say); a band on another datum comes back as
a W84 band that holds it, never a smaller one (docs/formats.md).

Each example files its objects in mechanism A as alpha, exports them, imports the file with
``dry_run=false`` into mechanism B as alpha, and compares what B then shows; afterwards it
cancels and withdraws them in A, so the next example's export holds only its own. Both
mechanisms declare terrain bounds, so AGL limits are accepted.
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
from _support import LEVANT_YAML, T0, Api, make_env
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.geo.distance import WGS84
from sharedsky.geo.projection import frame_at
from sharedsky.geo.shapes import densify_line
from sharedsky.interop.formats.f3548 import entity_id
from sharedsky.interop.formats.polygons import TOLERANCE_M
from sharedsky.store.schema import head_revisions
from sharedsky.testing.fakes import FakeClock
from sharedsky.testing.memory import MemoryDatabase
from sharedsky.units import FL_M, FT_M

METRE_TOLERANCE = 1.0
SECOND_TOLERANCE = 1.0
TERRAIN_YAML = LEVANT_YAML + "terrain_m: {min: -430, max: 2814}\n"
MID_TERRAIN_M = (-430 + 2814) / 2

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


DATUMS = ("m", "ft", "FL", "m AGL", "ft AGL", "m W84", "ft W84")
"""How a random limit is filed (besides SFC and UNL)."""


def _limit(datum: str, nominal_m: float) -> dict[str, Any]:
    """A limit on ``datum`` whose nominal height is about ``nominal_m`` AMSL (within the
    geoid's ~20 m here: bands are thicker than that, so lower stays below upper)."""
    unit, _, reference = datum.partition(" ")
    if unit == "FL":
        return {"value": round(nominal_m / FL_M), "unit": "FL", "reference": "STD"}
    metres = {"AGL": nominal_m - MID_TERRAIN_M, "W84": nominal_m + 20.0}.get(reference, nominal_m)
    value = metres if unit == "m" else metres / FT_M
    return {"value": value, "unit": unit, "reference": reference or "AMSL"}


@st.composite
def bands(draw: st.DrawFn, datums: tuple[str, ...] = DATUMS) -> dict[str, Any]:
    """A band in metres AMSL, or filed on random datums (of ``datums``; SFC and UNL too when
    every datum is allowed)."""
    if datums == DATUMS and draw(st.booleans()):
        lower = draw(st.floats(-100, 12_000))
        return {"lower_m": lower, "upper_m": lower + draw(st.floats(1, 6_000))}
    lower_m = draw(st.floats(MID_TERRAIN_M + 100, 12_000))
    upper_m = lower_m + draw(st.floats(300, 6_000))
    named = ("SFC", "UNL") if datums == DATUMS else ()
    low, high = draw(st.sampled_from(datums + named[:1])), draw(st.sampled_from(datums + named[1:]))
    return {
        "lower": {"special": "SFC"} if low == "SFC" else _limit(low, lower_m),
        "upper": {"special": "UNL"} if high == "UNL" else _limit(high, upper_m),
    }


@st.composite
def volumes(
    draw: st.DrawFn, open_end: bool = False, datums: tuple[str, ...] = DATUMS
) -> dict[str, Any]:
    start = T0 + timedelta(seconds=draw(st.integers(3_600, 3 * 86_400)))
    microseconds = draw(st.integers(0, 999_999))
    start += timedelta(microseconds=microseconds)
    end = None
    if not (open_end and draw(st.booleans())):
        end = start + timedelta(seconds=draw(st.integers(600, 12 * 3_600)))
    return {
        "outline": draw(outlines()),
        "altitude": draw(bands(datums)),
        "time": {"start": start.isoformat(), "end": None if end is None else end.isoformat()},
    }


@st.composite
def pictures(
    draw: st.DrawFn, datums: tuple[str, ...] = DATUMS, with_zones: bool = True
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(notices, zones) request bodies with unique titles, not both empty."""
    kinds = ["air_sortie", "uav", "exercise", "hazard"]
    notices = [
        {"kind": draw(st.sampled_from(kinds)), "title": f"n{i}",
         "volumes": draw(st.lists(volumes(datums=datums), min_size=1, max_size=3)),
         "remarks": f"r{i}"}
        for i in range(draw(st.integers(0 if with_zones else 1, 2)))
    ]  # fmt: skip
    zones = [
        {"kind": draw(st.sampled_from(["protected", "red_line", "restricted"])),
         "title": f"z{i}", "volume": draw(volumes(open_end=True, datums=datums))}
        for i in range(draw(st.integers(0 if notices else 1, 2)) if with_zones else 0)
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


def _limit_m(limit: dict[str, Any]) -> float:
    """A limit's value in metres above its own reference."""
    return float(limit["value"]) * {"m": 1.0, "ft": FT_M, "FL": FL_M}[limit["unit"]]


def same_band(a: dict[str, Any], b: dict[str, Any], any_unit: bool = False) -> list[str]:
    """Why band b (as B shows it) is not band a (as A was sent it): each limit as filed, on
    the same reference and (unless ``any_unit``) in the same unit, within METRE_TOLERANCE;
    a band in metres AMSL the same plain band."""
    if "lower_m" in a:
        if "lower_m" not in b:
            return [f"band {a} became {b}"]
        return [
            f"{key} {a[key]} became {b[key]}"
            for key in ("lower_m", "upper_m")
            if abs(a[key] - b[key]) > METRE_TOLERANCE
        ]
    if "lower" not in b:
        return [f"band {a} became {b}"]
    problems = []
    for side in ("lower", "upper"):
        sent, back = a[side], b[side]
        if "special" in sent or "special" in back:
            same = sent.get("special") == back.get("special")
        else:
            same = (
                sent["reference"] == back["reference"]
                and (any_unit or sent["unit"] == back["unit"])
                and abs(_limit_m(sent) - _limit_m(back)) <= METRE_TOLERANCE
            )
        if not same:
            problems.append(f"{side} limit {sent} became {back}")
    return problems


def same_volume(a: dict[str, Any], b: dict[str, Any], any_unit: bool = False) -> list[str]:
    problems = []
    if not same_outline(a["outline"], b["outline"]):
        problems.append(f"outline {a['outline']} became {b['outline']}")
    problems += same_band(a["altitude"], b["altitude"], any_unit)
    if not _same_time(a["time"], b["time"]):
        problems.append(f"window {a['time']} became {b['time']}")
    return problems


# -- the property -----------------------------------------------------------------------------


@contextmanager
def _mechanism() -> Iterator[Api]:
    database = MemoryDatabase(revisions=head_revisions())
    api = Api(make_env(database, FakeClock(T0), TERRAIN_YAML))
    with api.client:
        yield api


def _ok(answer: Any) -> Any:
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


W84 = ("m W84", "ft W84")
FORMATS = [
    ("geojson", "", DATUMS),
    ("kml", "", DATUMS),
    ("ed318", "&include=notices", DATUMS),
    ("f3548", "", W84),
]
"""(format, export query, datums its round trip carries)."""


def _titles(name: str, filed: list[dict[str, Any]], sent: list[dict[str, Any]]) -> list[str]:
    """The titles the import gives the notices sent (and filed in A as ``filed``): their own,
    and in F3548 (which has no title) the intent's id, derived from the notice's."""
    if name != "f3548":
        return [body["title"] for body in sent]
    return [f"F3548 operational intent {entity_id(n['id'])}" for n in filed]


@pytest.mark.parametrize(("name", "query", "datums"), FORMATS)
def test_export_then_import_gives_the_same_volumes(
    name: str, query: str, datums: tuple[str, ...]
) -> None:
    with _mechanism() as source, _mechanism() as target:

        @settings(max_examples=examples(8))
        @given(picture=pictures(datums, with_zones=name != "f3548"), exact=st.booleans())
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
                titles = _titles(name, filed, notices)
                assert sorted(got) == sorted(titles + [z["title"] for z in zones])
                problems: list[str] = []
                for body, title in zip(notices, titles, strict=True):
                    shown = _ok(
                        target.client.get(
                            f"/v1/notices/{got[title]['id']}", headers=target.as_("alpha")
                        )
                    )
                    assert name == "f3548" or shown["kind"] == body["kind"]
                    assert len(shown["volumes"]) == len(body["volumes"])
                    for sent, back in zip(body["volumes"], shown["volumes"], strict=True):
                        problems += same_volume(_wire(sent), back, any_unit=name == "f3548")
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


def test_an_f3548_band_on_another_datum_comes_back_on_the_ellipsoid_and_never_smaller() -> None:
    """F3548 says heights above the ellipsoid only: a band filed on another datum is written
    as W84 heights that hold it wherever the geoid lies, so the band read back (W84) spans at
    least the AMSL interval the original did."""
    with _mechanism() as source, _mechanism() as target:
        alpha = source.as_("alpha")

        @settings(max_examples=examples(6))
        @given(volume=volumes(datums=tuple(d for d in DATUMS if "W84" not in d)))
        def widened(volume: dict[str, Any]) -> None:
            body = {"kind": "uav", "title": "t", "volumes": [volume]}
            filed = _ok(source.client.post("/v1/notices", json=body, headers=alpha))
            try:
                exported = source.client.get("/v1/export?format=f3548", headers=alpha)
                answer = _ok(
                    target.client.post(
                        "/v1/import?format=f3548&dry_run=false",
                        content=exported.content,
                        headers=target.as_("alpha"),
                    )
                )
            finally:
                source.client.post(f"/v1/notices/{filed['id']}/cancel", headers=alpha)
            (item,) = answer["items"]
            shown = _ok(target.client.get(f"/v1/notices/{item['id']}", headers=target.as_("alpha")))
            sent, back = _amsl(filed["volumes"][0]["altitude"]), shown["volumes"][0]["altitude"]
            assert back["lower"]["reference"] == back["upper"]["reference"] == "W84"
            assert back["amsl_m"]["lower_m"] <= sent[0] and sent[1] <= back["amsl_m"]["upper_m"]

        widened()


def _amsl(altitude: dict[str, Any]) -> tuple[float, float]:
    interval = altitude.get("amsl_m", altitude)
    return interval["lower_m"], interval["upper_m"]


def _wire(volume: dict[str, Any]) -> dict[str, Any]:
    """A sent volume in the form the API answers (times in UTC with Z)."""
    time = volume["time"]
    return volume | {"time": {"start": time["start"], "end": time.get("end")}}


def _without_exact(name: str, data: bytes) -> bytes:
    """The export without the exact circle and corridor parameters, so that the import reads
    the polygons that stand for them."""
    if name == "f3548":
        return data  # F3548 has no exact parameters: a circle is a circle, a corridor a polygon
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
