"""interop/formats/notam: a draft ICAO NOTAM per notice, each line of the ICAO form, the limits
as flight levels that hold the band at standard pressure, the Q) circle covering every volume
(checked with pyproj's geodesics, not the writer's), one draft per notice kind."""

from __future__ import annotations

import itertools
import math
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from _bodies import notice, square, volume
from _exports import notice_out_of as notice_out
from _support import LEVANT_YAML, Api, make_env
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Geod

from sharedsky.domain.errors import NoFir
from sharedsky.domain.mechanism import DEFAULT_QCODES
from sharedsky.interop.formats import notam
from sharedsky.interop.formats.model import ExportSet
from sharedsky.wire import v1

if TYPE_CHECKING:
    from sharedsky.store.uow import Database
    from sharedsky.testing.fakes import FakeClock

GEOD = Geod(ellps="WGS84")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ALPHA = v1.PartyOut(id="alpha", name="Alpha Air Command", language="en", colour="#0072B2")
BRAVO = v1.PartyOut(id="bravo", name="Bravo Air Command", language="tr", colour="#E69F00")
HOST = v1.PartyOut(id="host", name="Coordination Cell", language="en", colour="#000000")
KINDS = ["air_sortie", "uav", "exercise", "ground_movement", "static_site", "hazard", "other"]
RULES = v1.NotamOut(
    fir="LCCC", qcodes={str(k): v for k, v in DEFAULT_QCODES.items()}, traffic="IV",
    purpose="BO", scope="W",
)  # fmt: skip
MECHANISM = v1.MechanismOut(
    mechanism="levant", host=HOST, parties=[ALPHA, BRAVO], channels=[], notam=RULES
)
Q_LINE = re.compile(
    r"^Q\) (?P<fir>[A-Z]{4})/(?P<code>Q[A-Z]{4})/(?P<traffic>IV|I|V)/(?P<purpose>N?B?O?M?)/"
    r"(?P<scope>AE|AW|A|E|W)/(?P<lower>\d{3})/(?P<upper>\d{3})/"
    r"(?P<lat>\d{2})(?P<latm>\d{2})(?P<ns>[NS])(?P<lon>\d{3})(?P<lonm>\d{2})(?P<ew>[EW])"
    r"(?P<radius>\d{3})$"
)
HEAD = re.compile(r"^\(A____/(\d{2}) NOTAMN$")
A_LINE = re.compile(r"^A\) ([A-Z]{4}) B\) (\d{10}) C\) (\d{10})$")
D_LINE = re.compile(
    r"^D\) (?:[A-Z]{3} \d{2} \d{4}-(?:[A-Z]{3} \d{2} )?\d{4}"
    r"|[A-Z]{3} \d{2}-[A-Z]{3} \d{2} [A-Z -]+ \d{4}-\d{4})(?:, .+)*$"
)
FG_LINE = re.compile(r"^F\) (SFC|FL\d{3}) G\) FL(\d{3})\)$")


def export_of(*notices: v1.NoticeOut, mechanism: v1.MechanismOut | None = MECHANISM) -> ExportSet:
    return ExportSet(
        generated_at=NOW, viewer="alpha", parties=(HOST, ALPHA, BRAVO), notices=notices,
        mechanism=mechanism,
    )  # fmt: skip


def drafts(document: bytes) -> list[list[str]]:
    """The drafts of a document, each as its lines, every line checked against its form."""
    found = [d.split("\n") for d in document.decode("utf-8").strip("\n").split("\n\n")]
    for lines in found:
        assert HEAD.match(lines[0]), lines[0]
        assert Q_LINE.match(lines[1]), lines[1]
        assert A_LINE.match(lines[2]), lines[2]
        rest = lines[3:]
        if rest[0].startswith("D) "):
            assert D_LINE.match(rest[0]), rest[0]
            rest = rest[1:]
        assert rest[0].startswith("E) ") and FG_LINE.match(rest[-1]), rest
    return found


def fields(lines: list[str]) -> dict[str, Any]:
    q = Q_LINE.match(lines[1])
    a = A_LINE.match(lines[2])
    fg = FG_LINE.match(lines[-1])
    assert q and a and fg
    sign_lat = 1 if q["ns"] == "N" else -1
    sign_lon = 1 if q["ew"] == "E" else -1
    return {
        **q.groupdict(),
        "lower": int(q["lower"]),
        "upper": int(q["upper"]),
        "centre": (
            sign_lon * (int(q["lon"]) + int(q["lonm"]) / 60),
            sign_lat * (int(q["lat"]) + int(q["latm"]) / 60),
        ),
        "radius_nm": int(q["radius"]),
        "a": a[1],
        "b": datetime.strptime(a[2], "%y%m%d%H%M").replace(tzinfo=UTC),
        "c": datetime.strptime(a[3], "%y%m%d%H%M").replace(tzinfo=UTC),
        "f": fg[1],
        "g": int(fg[2]),
        "e": "\n".join(line for line in lines[3:-1] if not line.startswith("D) ")),
    }


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_gets_its_code_and_every_icao_field(kind: str) -> None:
    body = notice(square(36.1, 34.5), kind=kind, title="Orbit Homs")
    (lines,) = drafts(notam.write(export_of(notice_out("N-12", "alpha", body))))
    got = fields(lines)
    assert got["code"] == DEFAULT_QCODES[kind]  # type: ignore[index]
    assert (got["fir"], got["traffic"], got["purpose"], got["scope"]) == ("LCCC", "IV", "BO", "W")
    assert got["a"] == "LCCC"
    assert (got["lower"], got["upper"]) == (98, 295)  # 3000–9000 m AMSL at standard pressure
    assert (got["f"], got["g"]) == ("FL098", 295) and got["lower"] < got["upper"]
    assert got["b"] == datetime(2026, 11, 24, 15, tzinfo=UTC)
    assert got["c"] == datetime(2026, 11, 24, 17, tzinfo=UTC)
    assert lines[0] == "(A____/26 NOTAMN"
    title = kind.replace("_", " ").upper()
    assert got["e"].startswith(f"E) {title} ACTIVITY: ORBIT HOMS. NOTICE N-12 V2 OF ALPHA AIR")
    assert "3000–9000 M AMSL" in got["e"]
    corners = "343000N0360600E-343000N0363000E-345400N0363000E-345400N0360600E-343000N0360600E"
    assert f"POLYGON {corners}" in got["e"].replace("\n", "")


def test_the_mechanism_file_chooses_the_codes_traffic_purpose_and_scope() -> None:
    codes = {"uav": "QWULW", "hazard": "QWMLW"}
    update = {"fir": "OSTT", "traffic": "I", "purpose": "NBO", "scope": "AW", "qcodes": codes}
    rules = RULES.model_copy(update=update)
    mechanism = MECHANISM.model_copy(update={"notam": rules})
    body = notice(kind="hazard", title="Firing")
    (lines,) = drafts(notam.write(export_of(notice_out("N-1", "bravo", body), mechanism=mechanism)))
    assert lines[1].startswith("Q) OSTT/QWMLW/I/NBO/AW/")
    assert lines[2].startswith("A) OSTT ") and "OF BRAVO AIR COMMAND" in lines[3]


def test_without_a_fir_the_writer_says_what_the_mechanism_file_lacks() -> None:
    bare = MECHANISM.model_copy(update={"notam": RULES.model_copy(update={"fir": None})})
    for mechanism in (bare, None):
        with pytest.raises(NoFir) as caught:
            notam.write(export_of(notice_out("N-1", "alpha", notice()), mechanism=mechanism))
        assert "notam: {fir: XXXX}" in caught.value.detail and caught.value.code == "no-fir"


def boundary(outline: dict[str, Any]) -> list[tuple[float, float]]:
    """Points on an outline's edge, drawn with pyproj every 100 m or so."""
    if outline["type"] == "Circle":
        lon, lat = outline["center"]
        az = np.linspace(0, 360, 720, endpoint=False)
        lons, lats, _ = GEOD.fwd(np.full(720, lon), np.full(720, lat), az,
                                 np.full(720, outline["radius_m"]))  # fmt: skip
        return list(zip(lons, lats, strict=True))
    if outline["type"] == "Corridor":
        points = []
        for a, b in itertools.pairwise(outline["path"]):
            line = GEOD.npts(*a, *b, 200, initial_idx=0, terminus_idx=0)
            for lon, lat in line:
                az = np.linspace(0, 360, 72, endpoint=False)
                lons, lats, _ = GEOD.fwd(np.full(72, lon), np.full(72, lat), az,
                                         np.full(72, outline["half_width_m"]))  # fmt: skip
                points += zip(lons, lats, strict=True)
        return points
    ring = outline["coordinates"][0]
    points = []
    for a, b in itertools.pairwise(ring):
        _, _, length_m = GEOD.inv(*a, *b)
        points += GEOD.npts(*a, *b, max(2, int(length_m / 100)), initial_idx=0, terminus_idx=0)
    return points


def farthest_m(centre: tuple[float, float], outlines: list[dict[str, Any]]) -> float:
    points = np.array([p for o in outlines for p in boundary(o)])
    _, _, distance_m = GEOD.inv(
        np.full(len(points), centre[0]), np.full(len(points), centre[1]), points[:, 0],
        points[:, 1],
    )  # fmt: skip
    return float(np.max(distance_m))


outlines_st = st.one_of(
    st.builds(
        lambda lon, lat, size: square(lon, lat, size),
        st.floats(30, 40), st.floats(30, 36), st.floats(0.01, 1.5),
    ),
    st.builds(
        lambda lon, lat, r: {"type": "Circle", "center": [lon, lat], "radius_m": r},
        st.floats(30, 40), st.floats(30, 36), st.floats(100, 200_000),
    ),
    st.builds(
        lambda lon, lat, dlon, dlat, w: {"type": "Corridor", "half_width_m": w,
                                         "path": [[lon, lat], [lon + dlon, lat + dlat]]},
        st.floats(30, 40), st.floats(30, 36), st.floats(-1, 1), st.floats(0.01, 1),
        st.floats(50, 20_000),
    ),
)  # fmt: skip


@given(st.lists(outlines_st, min_size=1, max_size=3))
def test_the_q_circle_covers_every_volume_from_its_rounded_centre(outlines: list[Any]) -> None:
    body = notice(outlines[0])
    body["volumes"] = [volume(o) for o in outlines]
    (lines,) = drafts(notam.write(export_of(notice_out("N-1", "alpha", body))))
    got = fields(lines)
    needed_m = farthest_m(got["centre"], outlines)
    assert needed_m <= got["radius_nm"] * 1852.0  # covers, from the centre as written
    # rounded up to the whole mile, not more (the writer samples edges every 1 km: 1 %)
    assert got["radius_nm"] - needed_m / 1852.0 < 1.01


def pressure_hpa(geopotential_m: float) -> float:
    """The ICAO standard atmosphere's pressure at a geopotential height (the troposphere and
    the isothermal layer above it), from the Doc 7488 formulas."""
    g0, rd, t0, lapse = 9.80665, 287.05287, 288.15, 0.0065
    if geopotential_m <= 11_000.0:
        return 1013.25 * (1 - lapse * geopotential_m / t0) ** (g0 / (rd * lapse))
    p11 = 1013.25 * (1 - lapse * 11_000.0 / t0) ** (g0 / (rd * lapse))
    return p11 * math.exp(-g0 * (geopotential_m - 11_000.0) / (rd * 216.65))


def isa_pressure_hpa(geometric_m: float) -> float:
    """The standard atmosphere's pressure at a height above mean sea level."""
    r = 6_356_766.0
    return pressure_hpa(r * geometric_m / (r + geometric_m))


def level_pressure_hpa(level: int) -> float:
    """The pressure of a flight level: 100 ft of pressure altitude each."""
    return pressure_hpa(level * 100 * 0.3048)


def test_3000_m_amsl_is_above_fl098_and_below_fl099_at_standard_pressure() -> None:
    assert notam.flight_level(3000.0, upward=False) == 98
    assert notam.flight_level(3000.0, upward=True) == 99
    assert level_pressure_hpa(98) > isa_pressure_hpa(3000.0) > level_pressure_hpa(99)


@given(st.floats(-500, 30_000), st.floats(1, 10_000))
def test_the_levels_hold_the_band_at_standard_pressure(lower_m: float, depth_m: float) -> None:
    """Rounded outward: the lower level's pressure is at least the lower limit's (it lies at
    or below it), the upper level's at most the upper limit's; each is the nearest such."""
    upper_m = min(lower_m + depth_m, 30_000.0)
    low = notam.flight_level(lower_m, upward=False)
    high = notam.flight_level(upper_m, upward=True)
    assert low < high or (lower_m <= 0 and upper_m <= 0)
    if lower_m > 0:
        assert level_pressure_hpa(low) >= isa_pressure_hpa(lower_m) * (1 - 1e-12)
        assert level_pressure_hpa(low + 1) < isa_pressure_hpa(lower_m)
    else:
        assert low == 0
    if upper_m > 0:
        assert level_pressure_hpa(high) <= isa_pressure_hpa(upper_m) * (1 + 1e-12)
        assert high == 0 or level_pressure_hpa(high - 1) > isa_pressure_hpa(upper_m)


def test_several_windows_give_a_schedule_and_past_ones_are_left_out() -> None:
    body = notice(square(36.1, 34.5), kind="exercise", title="Drill")
    body["volumes"] += [
        volume(square(36.1, 34.5), start="2026-11-25T22:00:00Z", end="2026-11-26T02:00:00Z",
               lower_m=-200, upper_m=1500),
        volume(square(37.0, 35.0), start="2026-11-24T09:00:00Z", end="2026-11-24T11:00:00Z"),
    ]  # fmt: skip
    cancelled = notice_out("N-X", "alpha", notice(), status="cancelled")
    done = drafts(notam.write(export_of(notice_out("N-2", "alpha", body), cancelled)))
    (lines,) = done  # the cancelled notice has no draft
    assert lines[3] == "D) NOV 24 1500-1700, NOV 25 2200-NOV 26 0200"
    got = fields(lines)
    assert (got["b"], got["c"]) == (
        datetime(2026, 11, 24, 15, tzinfo=UTC),
        datetime(2026, 11, 26, 2, tzinfo=UTC),
    )
    assert (got["f"], got["lower"], got["g"]) == ("SFC", 0, 295)
    assert "AREA 3" not in got["e"] and "-200–1500 M AMSL" in got["e"]
    assert "370000N" not in got["e"]  # the volume that ended at 11:00 is not drafted
    past = notice_out("N-3", "alpha", notice(start="2026-11-24T09:00:00Z",
                                             end="2026-11-24T11:00:00Z"))  # fmt: skip
    assert notam.write(export_of(past)) == b""


def test_circles_and_corridors_are_told_in_item_e() -> None:
    body = notice({"type": "Circle", "center": [36.3, 33.5], "radius_m": 2000.0}, kind="uav")
    body["volumes"].append(volume({"type": "Corridor", "half_width_m": 5000.0,
                                   "path": [[35.8, 33.9], [36.1, 34.0]]}))  # fmt: skip
    (lines,) = drafts(notam.write(export_of(notice_out("N-4", "alpha", body))))
    text = fields(lines)["e"].replace("\n", " ")
    assert "CIRCLE RADIUS 2.0 KM (1.1 NM) CENTRED 333000N0361800E" in text
    assert "CORRIDOR 5.0 KM EITHER SIDE OF 335400N0354800E-340000N0360600E" in text


def test_a_mechanism_file_with_a_fir_drafts_the_notices_read_through_the_api(
    database: Database, clock: FakeClock
) -> None:
    yaml = LEVANT_YAML + "notam: {fir: LCCC, qcodes: {uav: QWULW}}\n"
    api = Api(make_env(database, clock, yaml))
    with api.client:
        body = notice(square(36.1, 34.5), kind="uav", title="ISR orbit")
        assert api.client.post("/v1/notices", json=body, headers=api.as_("alpha")).is_success
        mechanism = v1.MechanismOut.model_validate(
            api.client.get("/v1/mechanism", headers=api.as_("alpha")).json()
        )
        listed = api.client.get("/v1/notices", headers=api.as_("alpha")).json()
    assert mechanism.notam is not None and mechanism.notam.fir == "LCCC"
    assert mechanism.notam.qcodes["air_sortie"] == "QRACA"
    export = ExportSet(
        generated_at=clock.now() + timedelta(seconds=1), viewer="alpha",
        parties=(mechanism.host, *mechanism.parties),
        notices=tuple(v1.NoticeList.model_validate(listed).notices), mechanism=mechanism,
    )  # fmt: skip
    (lines,) = drafts(notam.write(export))
    assert lines[1].startswith("Q) LCCC/QWULW/IV/BO/W/098/295/")
    assert "ISR ORBIT" in lines[3]


def test_a_scheduled_volume_gives_its_envelope_and_its_days_in_item_d() -> None:
    """R-SCHED-1: B) and C) hold every occurrence (the envelope), D) says the dates, the
    days and the daily window."""
    body = notice(square(36.1, 34.5), kind="exercise", title="Training")
    del body["volumes"][0]["time"]
    body["volumes"][0]["time"] = {"start": "2026-11-30T07:00:00Z", "end": "2026-12-11T11:30:00Z"}
    body["volumes"][0]["schedule"] = {
        "weekdays": ["MO", "TU", "WE", "TH", "FR"],
        "from": "07:00",
        "to": "11:30",
        "first_date": "2026-11-30",
        "last_date": "2026-12-11",
    }
    (lines,) = drafts(notam.write(export_of(notice_out("N-S", "alpha", body))))
    assert lines[3] == "D) NOV 30-DEC 11 MON-FRI 0700-1130"
    got = fields(lines)
    assert (got["b"], got["c"]) == (
        datetime(2026, 11, 30, 7, tzinfo=UTC),
        datetime(2026, 12, 11, 11, 30, tzinfo=UTC),
    )
