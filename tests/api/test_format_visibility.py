"""Every export format holds what the caller's reads show and nothing more (R-VIS-1): a
``conflicts_only`` counterparty's export holds only the clashing volumes of the other side, a
``host_only`` counterparty's none, in any format; ids, titles and positions it may not see are
in no byte of any export.

The channels of the visibility matrix (tests/api/test_visibility_matrix.py), open state::

    alpha ──conflicts_only── bravo ──host_only── charlie ──full── alpha

    lon 36.0   36.1      38.0  38.1      40.0      42.0      46.0
        ┌─B0─┐┌──A──┐   ┌─B1─┐┌──C──┐   ┌─B2─┐    ┌─Bq─┐    ┌Za┐
        Z (36.2, in A)    Zc (38.2, in C)

    B0 × A and Z × A clash (alpha–bravo), B1 × C and Zc × C clash (bravo–charlie).
    Tracks: bravo's far east (40.2), alpha's and charlie's beside their notices.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from _bodies import notice, square, volume, zone
from _support import MATRIX_YAML, T0, Api, make_env
from lxml import etree

from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

TITLE = {
    "A": "alpha patrol",
    "C": "charlie airlift",
    "B": "bravo strike",
    "Bq": "bravo transit",
    "Z": "bravo depot",
    "Zc": "bravo camp",
    "Za": "alpha airfield",
}
TRACK = {"alpha": "alpha-track-7", "bravo": "bravo-track-9", "charlie": "charlie-track-3"}

BOX = {
    "B2": (40.0, 34.0, 40.4, 34.4),
    "Bq": (42.0, 34.0, 42.4, 34.4),
    "Za": (46.0, 34.2, 46.1, 34.3),
    "bravo-track": (40.2, 34.2, 40.2, 34.2),
}
"""Where objects lie that no viewer's visible objects reach, (lon, lat, lon, lat)."""

EXPORTS = {"geojson": "", "kml": "", "ed318": "&include=notices", "f3548": ""}

# what each viewer may not see at all (names of TITLE, tracks by party) and where
HIDDEN: dict[str, dict[str, Any]] = {
    "alpha": {
        "objects": ["Bq", "Zc", "k-B-C", "k-Zc"],
        "titles": ["B", "Bq", "Z", "Zc"],
        "boxes": ["B2", "Bq", "bravo-track"],
        "tracks": ["bravo"],
    },
    "bravo": {
        "objects": ["C", "Za"],  # the other side of bravo–charlie conflicts is withheld
        "titles": ["C", "Za"],
        "boxes": ["Za"],
        "tracks": ["alpha", "charlie"],
    },
    "charlie": {
        "objects": ["B", "Bq", "Z", "Zc"],
        "titles": ["B", "Bq", "Z", "Zc"],
        "boxes": ["B2", "Bq", "bravo-track"],
        "tracks": ["bravo"],
    },
}
SHOWN = {
    "alpha": ["A", "C", "Za"],
    "bravo": ["B", "Bq", "Z", "Zc"],
    "charlie": ["A", "C", "Za"],
}
"""Titles each viewer's export holds (in every format that writes the objects)."""


@pytest.fixture
def world(database: Database, clock: FakeClock) -> Iterator[tuple[Api, dict[str, str]]]:
    api = Api(make_env(database, clock, MATRIX_YAML))
    with api.client:
        ids = _build(api)
        yield api, ids


def _send(api: Api, party: str, url: str, body: Any) -> Any:
    answer = api.client.post(url, json=body, headers=api.as_(party))
    assert answer.status_code in (201, 202), answer.text
    return answer.json()


def _notice(name: str, *lons: float) -> dict[str, Any]:
    body = notice(square(lons[0], 34.0 if name.startswith("B") else 34.1), title=TITLE[name])
    body["volumes"] += [volume(square(lon, 34.0)) for lon in lons[1:]]
    return body


def _build(api: Api) -> dict[str, str]:
    ids = {
        "A": _send(api, "alpha", "/v1/notices", _notice("A", 36.1))["id"],
        "C": _send(api, "charlie", "/v1/notices", _notice("C", 38.1))["id"],
    }
    filed = _send(api, "bravo", "/v1/notices", _notice("B", 36.0, 38.0, 40.0))
    ids["B"] = filed["id"]
    found = {c["with"]["party"]: c["id"] for c in filed["conflicts"]}
    assert sorted(found) == ["alpha", "charlie"]
    ids["k-B-A"], ids["k-B-C"] = found["alpha"], found["charlie"]
    ids["Bq"] = _send(api, "bravo", "/v1/notices", _notice("Bq", 42.0))["id"]
    for name, lon in (("Z", 36.2), ("Zc", 38.2)):
        body = zone(square(lon, 34.2, 0.1), title=TITLE[name])
        declared = _send(api, "bravo", "/v1/zones", body)
        ids[name] = declared["id"]
        ids[f"k-{name}"] = declared["conflicts"][0]["id"]
    ids["Za"] = _send(api, "alpha", "/v1/zones", zone(square(46.0, 34.2, 0.1), title=TITLE["Za"]))[
        "id"
    ]
    for party, (lat, lon) in {"alpha": (33.0, 36.5), "bravo": (34.2, 40.2),
                              "charlie": (33.0, 38.3)}.items():  # fmt: skip
        state = {"id": TRACK[party], "time": T0.isoformat(), "lat": lat, "lon": lon,
                 "alt_m": 5000.0, "gs_mps": 150.0, "trk_deg": 0.0, "vs_mps": 0.0}  # fmt: skip
        _send(api, party, "/v1/tracks", {"tracks": [state]})
    return ids


def positions(name: str, data: bytes) -> list[tuple[float, float]]:
    """Every (lon, lat) an export writes, read the way its format writes positions."""
    if name == "kml":
        root = etree.fromstring(data)
        texts = [e.text or "" for e in root.iter("{*}coordinates")]
        return [(float(p.split(",")[0]), float(p.split(",")[1])) for t in texts for p in t.split()]
    found: list[tuple[float, float]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "lng" in value and "lat" in value:
                found.append((float(value["lng"]), float(value["lat"])))
            for key, item in value.items():
                if key in ("coordinates", "center", "path"):
                    _pairs(item, found)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(data))
    return found


def _pairs(value: Any, into: list[tuple[float, float]]) -> None:
    if (
        isinstance(value, list)
        and len(value) >= 2
        and all(isinstance(n, int | float) for n in value[:2])
    ):
        into.append((float(value[0]), float(value[1])))
    elif isinstance(value, list):
        for item in value:
            _pairs(item, into)


def _inside(position: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    margin = 0.02  # a circle's or corridor's polygon reaches a little beyond; none here
    lon, lat = position
    return box[0] - margin <= lon <= box[2] + margin and box[1] - margin <= lat <= box[3] + margin


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_no_export_holds_what_the_viewer_may_not_see(
    world: tuple[Api, dict[str, str]], name: str
) -> None:
    """R-VIS-1: in every format, for a conflicts_only and a host_only counterparty alike."""
    api, ids = world
    problems = []
    for viewer, hidden in HIDDEN.items():
        answer = api.client.get(f"/v1/export?format={name}{EXPORTS[name]}", headers=api.as_(viewer))
        assert answer.status_code == 200, answer.text
        data = answer.content
        text = data.decode()
        for obj in hidden["objects"]:
            if ids[obj] in text:
                problems.append(f"{viewer}/{name}: the id of {obj}")
        for obj in hidden["titles"]:
            if TITLE[obj] in text:
                problems.append(f"{viewer}/{name}: the title of {obj}")
        for party in hidden["tracks"]:
            if TRACK[party] in text:
                problems.append(f"{viewer}/{name}: {party}'s track")
        seen = positions(name, data)
        assert seen, f"{viewer}/{name}: no positions read"
        for box in hidden["boxes"]:
            leaked = [p for p in seen if _inside(p, BOX[box])]
            if leaked:
                problems.append(f"{viewer}/{name}: a position of {box}: {leaked[0]}")
        if name != "f3548":  # F3548 carries no titles
            problems += [
                f"{viewer}/{name}: {obj} is missing"
                for obj in SHOWN[viewer]
                if TITLE[obj] not in text
            ]
        if name in ("geojson", "kml") and TRACK[viewer] not in text:
            problems.append(f"{viewer}/{name}: its own track is missing")
    assert problems == [], "\n".join(problems)


def test_a_conflicts_only_export_holds_the_clashing_volume_only(
    world: tuple[Api, dict[str, str]],
) -> None:
    """R-VIS-1: alpha sees bravo's strike redacted to its volume 0, in the file as in the read."""
    api, ids = world
    features = api.client.get("/v1/export?format=geojson", headers=api.as_("alpha")).json()[
        "features"
    ]
    strike = [f["properties"] for f in features if f["properties"].get("id") == ids["B"]]
    assert [(p["volume_index"], p["title"], p["redacted"]) for p in strike] == [(0, "", True)]
    conflicts = {f["properties"]["id"] for f in features if f["properties"]["object"] == "conflict"}
    assert conflicts == {ids["k-B-A"], ids["k-Z"]}
    host = api.client.get("/v1/export?format=geojson", headers=api.as_("host")).text
    assert all(title in host for title in TITLE.values())
    assert re.search(TRACK["bravo"], host)
