"""Export from one mechanism, import into a fresh one, and measure how far each volume moved:
the comparisons of the round-trip property (tests/api/test_format_round_trip.py) and of the
demo scenario's round trip (tests/api/test_demo_round_trip.py, scripts/demo_round_trip.py).

Volumes are compared in their wire form (what ``GET /v1/notices/{id}`` answers): an outline
within metres (a circle or corridor may come back as the polygon that stands for it, never
inside it), a band as filed (each limit on the same reference, in metres), a window in seconds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from _support import T0, Api, make_env

from sharedsky.geo.distance import WGS84
from sharedsky.geo.projection import frame_at
from sharedsky.geo.shapes import densify_line
from sharedsky.interop.formats.f3548 import entity_id
from sharedsky.interop.formats.polygons import TOLERANCE_M
from sharedsky.sim.scenarios import MECHANISM_YAML, Scenario
from sharedsky.store.schema import head_revisions
from sharedsky.testing.fakes import FakeClock
from sharedsky.testing.memory import MemoryDatabase
from sharedsky.units import FL_M, FT_M

METRE_TOLERANCE = 1.0
SECOND_TOLERANCE = 1.0
STAND_IN_TOLERANCE_M = min(METRE_TOLERANCE, TOLERANCE_M + 0.01)
"""How far beyond a circle or corridor the polygon standing for it may reach."""

# -- how far apart ----------------------------------------------------------------------------


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def time_gap_s(a: dict[str, Any], b: dict[str, Any]) -> float:
    """The largest shift of a window's start or end, seconds (inf: one end open, not both)."""
    gap = 0.0
    for key in ("start", "end"):
        x, y = _moment(a.get(key)), _moment(b.get(key))
        if (x is None) != (y is None):
            return math.inf
        if x is not None and y is not None:
            gap = max(gap, abs((x - y).total_seconds()))
    return gap


def _metres(a: list[float], b: list[float]) -> float:
    return float(WGS84.inv(a[0], a[1], b[0], b[1])[2])


def _boundary_gap_m(original: dict[str, Any], polygon: dict[str, Any]) -> float:
    """How far (m) the polygon's vertices stand from the original circle's or corridor's
    boundary, outward positive; and the most negative when a vertex lies inside it."""
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


def outline_gap_m(a: dict[str, Any], b: dict[str, Any]) -> float:
    """How far outline b stands from a, metres: the largest shift of a vertex, centre, path
    point, radius or half-width; b a polygon standing for a's circle or corridor: how far its
    vertices reach beyond it (inf when one lies inside, or the shapes cannot match)."""
    if a["type"] != b["type"]:
        if b["type"] != "Polygon":
            return math.inf
        gap = _boundary_gap_m(a, b)
        return gap if gap >= -0.01 else math.inf
    if a["type"] == "Circle":
        return max(_metres(a["center"], b["center"]), abs(a["radius_m"] - b["radius_m"]))
    if a["type"] == "Corridor":
        if len(a["path"]) != len(b["path"]):
            return math.inf
        shifts = [_metres(p, q) for p, q in zip(a["path"], b["path"], strict=True)]
        return max([*shifts, abs(a["half_width_m"] - b["half_width_m"])])
    ring_a, ring_b = a["coordinates"][0], b["coordinates"][0]
    if len(ring_a) != len(ring_b):
        return math.inf
    # the same ring, maybe the other way round
    return min(
        max(_metres(p, q) for p, q in zip(ring_a, ring, strict=True))
        for ring in (ring_b, ring_b[::-1])
    )


def _limit_m(limit: dict[str, Any]) -> float:
    """A limit's value in metres above its own reference."""
    return float(limit["value"]) * {"m": 1.0, "ft": FT_M, "FL": FL_M}[limit["unit"]]


def _limit_gap_m(a: dict[str, Any], b: dict[str, Any], any_unit: bool) -> float:
    if "special" in a or "special" in b:
        return 0.0 if a.get("special") == b.get("special") else math.inf
    if a["reference"] != b["reference"] or not (any_unit or a["unit"] == b["unit"]):
        return math.inf
    return abs(_limit_m(a) - _limit_m(b))


def band_gap_m(a: dict[str, Any], b: dict[str, Any], any_unit: bool = False) -> float:
    """How far band b (as shown) stands from band a (as filed), metres: each limit on the
    same reference and (unless ``any_unit``) in the same unit; a band in metres AMSL the same
    plain band (inf when not)."""
    if "lower_m" in a or "lower_m" in b:
        if "lower_m" not in a or "lower_m" not in b:
            return math.inf
        return max(abs(a[key] - b[key]) for key in ("lower_m", "upper_m"))
    return max(_limit_gap_m(a[side], b[side], any_unit) for side in ("lower", "upper"))


def amsl(altitude: dict[str, Any]) -> tuple[float, float]:
    """(lower_m, upper_m) AMSL of a band as shown: its interval."""
    interval = altitude.get("amsl_m", altitude)
    return interval["lower_m"], interval["upper_m"]


def same_volume(a: dict[str, Any], b: dict[str, Any], any_unit: bool = False) -> list[str]:
    """Why volume b (as B shows it) is not volume a (as A was sent it), within METRE_TOLERANCE
    and SECOND_TOLERANCE (a polygon standing for a circle or corridor: STAND_IN_TOLERANCE_M)."""
    problems = []
    limit_m = STAND_IN_TOLERANCE_M if a["outline"]["type"] != b["outline"]["type"] else None
    if outline_gap_m(a["outline"], b["outline"]) > (limit_m or METRE_TOLERANCE):
        problems.append(f"outline {a['outline']} became {b['outline']}")
    if band_gap_m(a["altitude"], b["altitude"], any_unit) > METRE_TOLERANCE:
        problems.append(f"band {a['altitude']} became {b['altitude']}")
    if time_gap_s(a["time"], b["time"]) > SECOND_TOLERANCE:
        problems.append(f"window {a['time']} became {b['time']}")
    return problems


def wire(volume: dict[str, Any]) -> dict[str, Any]:
    """A sent volume in the form the API answers (an end, maybe null)."""
    time = volume["time"]
    return volume | {"time": {"start": time["start"], "end": time.get("end")}}


# -- mechanisms -------------------------------------------------------------------------------


@contextmanager
def mechanism(yaml_text: str) -> Iterator[Api]:
    """A fresh in-memory mechanism of ``yaml_text`` behind an in-process API client."""
    api = Api(make_env(MemoryDatabase(revisions=head_revisions()), FakeClock(T0), yaml_text))
    with api.client:
        yield api


def ok(answer: Any) -> Any:
    """The JSON of a 200 or 201 answer."""
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


# -- the demo scenario's round trip -----------------------------------------------------------

DEMO_FORMATS = {"geojson": "", "kml": "", "ed318": "&include=notices", "f3548": ""}
"""Each format that exports and imports, with the export's query."""


@dataclass(frozen=True, slots=True)
class Figure:
    """One format's round trip of the demo scenario."""

    format: str
    objects: int
    """Notices and zones sent (F3548: notices only, it holds no zones)."""
    volumes: int
    outline_m: float
    """The largest outline gap (``outline_gap_m``), metres."""
    band_m: float
    """The largest band gap (``band_gap_m``), metres; F3548: how far the W84 band read back
    falls short of holding the band filed (0: it holds it)."""
    widened_m: float
    """F3548: the most the W84 band read back reaches beyond the band filed, metres."""
    time_s: float
    """The largest window shift, seconds."""
    problems: int
    """Features the import refused."""

    def json_line(self) -> str:
        """The figure as one JSON line, gaps rounded to the millimetre or millisecond."""
        fields = {name: getattr(self, name) for name in Figure.__slots__}
        return json.dumps(
            {k: round(v, 3) if isinstance(v, float) else v for k, v in fields.items()}
        )


def _band_figure(sent: dict[str, Any], back: dict[str, Any], name: str) -> tuple[float, float]:
    """(band gap, widening) of one volume's band, metres."""
    if name != "f3548":
        return band_gap_m(sent, back), 0.0
    low, high = amsl(sent)
    got_low, got_high = amsl(back)
    return max(got_low - low, high - got_high, 0.0), max(low - got_low, got_high - high)


def demo_round_trip(scenario: Scenario) -> list[Figure]:
    """File each party's items of ``scenario`` in a mechanism of the demo's own (one per
    party, so an export holds that party's objects only), export each format as that party,
    import every party's file into one fresh mechanism per format, and measure each volume."""
    parties = sorted({item.party for item in scenario.items})
    with _sources(scenario, parties) as sources:
        return [_format_figure(scenario, sources, name) for name in DEMO_FORMATS]


@contextmanager
def _sources(scenario: Scenario, parties: list[str]) -> Iterator[dict[str, tuple[Api, list[str]]]]:
    """Per party: its mechanism, with its items filed, and their ids in item order."""
    with ExitStack() as stack:
        out = {}
        for party in parties:
            api, ids = stack.enter_context(mechanism(MECHANISM_YAML)), []
            for item in (i for i in scenario.items if i.party == party):
                route = "/v1/zones" if item.kind == "zone" else "/v1/notices"
                ids.append(ok(api.client.post(route, json=item.body, headers=api.as_(party)))["id"])
            out[party] = (api, ids)
        yield out


def _format_figure(
    scenario: Scenario, sources: dict[str, tuple[Api, list[str]]], name: str
) -> Figure:
    gaps = {"outline": 0.0, "band": 0.0, "widened": 0.0, "time": 0.0}
    objects = volumes = problems = 0
    with mechanism(MECHANISM_YAML) as target:
        for party, (source, ids) in sources.items():
            exported = source.client.get(
                f"/v1/export?format={name}{DEMO_FORMATS[name]}", headers=source.as_(party)
            )
            answer = ok(
                target.client.post(
                    f"/v1/import?format={name}&dry_run=false",
                    content=exported.content,
                    headers=target.as_(party),
                )
            )
            problems += len(answer["problems"])
            got = {item["title"]: item["id"] for item in answer["items"]}
            shown = {
                obj["id"]: obj
                for route in ("notices", "zones")
                for obj in ok(target.client.get(f"/v1/{route}", headers=target.as_(party)))[route]
            }
            items = [i for i in scenario.items if i.party == party]
            for item, ident in zip(items, ids, strict=True):
                if item.kind == "zone" and name == "f3548":
                    continue
                title = (
                    f"F3548 operational intent {entity_id(ident)}"
                    if name == "f3548"
                    else item.body["title"]
                )
                back_obj = shown[got[title]]
                zone = item.kind == "zone"
                sent_volumes = [item.body["volume"]] if zone else item.body["volumes"]
                back_volumes = [back_obj["volume"]] if zone else back_obj["volumes"]
                objects += 1
                for sent, back in zip(map(wire, sent_volumes), back_volumes, strict=True):
                    volumes += 1
                    band, widened = _band_figure(sent["altitude"], back["altitude"], name)
                    outline = outline_gap_m(sent["outline"], back["outline"])
                    gaps["outline"] = max(gaps["outline"], outline)
                    gaps["band"] = max(gaps["band"], band)
                    gaps["widened"] = max(gaps["widened"], widened)
                    gaps["time"] = max(gaps["time"], time_gap_s(sent["time"], back["time"]))
    return Figure(
        name, objects, volumes, gaps["outline"], gaps["band"], gaps["widened"], gaps["time"],
        problems,
    )  # fmt: skip
