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
from datetime import timedelta
from typing import Any

import pytest
from _hypothesis import examples
from _round_trip import amsl, mechanism, ok, same_volume, wire
from _support import LEVANT_YAML, T0, Api
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.interop.formats.f3548 import entity_id
from sharedsky.units import FL_M, FT_M

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


# -- the property -----------------------------------------------------------------------------


@contextmanager
def _mechanism() -> Iterator[Api]:
    with mechanism(TERRAIN_YAML) as api:
        yield api


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
            filed = [ok(source.client.post("/v1/notices", json=n, headers=alpha)) for n in notices]
            declared = [ok(source.client.post("/v1/zones", json=z, headers=alpha)) for z in zones]
            try:
                exported = source.client.get(f"/v1/export?format={name}{query}", headers=alpha)
                assert exported.status_code == 200, exported.text
                data = exported.content if exact else _without_exact(name, exported.content)
                answer = ok(
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
                    shown = ok(
                        target.client.get(
                            f"/v1/notices/{got[title]['id']}", headers=target.as_("alpha")
                        )
                    )
                    assert name == "f3548" or shown["kind"] == body["kind"]
                    assert len(shown["volumes"]) == len(body["volumes"])
                    for sent, back in zip(body["volumes"], shown["volumes"], strict=True):
                        problems += same_volume(wire(sent), back, any_unit=name == "f3548")
                for body in zones:
                    item = got[body["title"]]
                    shown = ok(
                        target.client.get(f"/v1/zones/{item['id']}", headers=target.as_("alpha"))
                    )
                    assert shown["kind"] == body["kind"]
                    problems += same_volume(wire(body["volume"]), shown["volume"])
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
            filed = ok(source.client.post("/v1/notices", json=body, headers=alpha))
            try:
                exported = source.client.get("/v1/export?format=f3548", headers=alpha)
                answer = ok(
                    target.client.post(
                        "/v1/import?format=f3548&dry_run=false",
                        content=exported.content,
                        headers=target.as_("alpha"),
                    )
                )
            finally:
                source.client.post(f"/v1/notices/{filed['id']}/cancel", headers=alpha)
            (item,) = answer["items"]
            shown = ok(target.client.get(f"/v1/notices/{item['id']}", headers=target.as_("alpha")))
            sent, back = amsl(filed["volumes"][0]["altitude"]), shown["volumes"][0]["altitude"]
            assert back["lower"]["reference"] == back["upper"]["reference"] == "W84"
            assert back["amsl_m"]["lower_m"] <= sent[0] and sent[1] <= back["amsl_m"]["upper_m"]

        widened()


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
