"""interop/formats/cot: every event parses with lxml (not the writer's ElementTree) and carries
CoT 2.0's required attributes; tracks are points with course and speed, notices, zones and
conflict regions drawings in their party's colour, stale at their window's end."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from _bodies import notice, square, volume, zone
from _exports import notice_out_of as notice_out
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from pyproj import Geod
from shapely.geometry import Point, Polygon

from sharedsky.interop.formats import cot
from sharedsky.interop.formats.model import ExportSet
from sharedsky.wire import v1

if TYPE_CHECKING:
    from _support import Api

GEOD = Geod(ellps="WGS84")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ALPHA = v1.PartyOut(id="alpha", name="Alpha Air Command", language="en", colour="#0072B2")
BRAVO = v1.PartyOut(id="bravo", name="Bravo Air Command", language="tr", colour="#E69F00")
HOST = v1.PartyOut(id="host", name="Coordination Cell", language="en", colour="#000000")
MECHANISM = v1.MechanismOut(
    mechanism="Levant Deconfliction", host=HOST, parties=[ALPHA, BRAVO], channels=[]
)
REQUIRED = ("version", "uid", "type", "how", "time", "start", "stale")
POINT = ("lat", "lon", "hae", "ce", "le")


def track(track_id: str, party: str, **values: Any) -> v1.TrackOut:
    state = {
        "id": track_id,
        "party": party,
        "time": NOW - timedelta(seconds=2),
        "lat": 34.5,
        "lon": 36.2,
        "alt_m": 6000.0,
        "gs_mps": 220.0,
        "trk_deg": 95.0,
        "vs_mps": 0.0,
        "notice_id": None,
        "age_s": 2.0,
    }
    return v1.TrackOut.model_validate(state | values)


def zone_out(zone_id: str, party: str, body: dict[str, Any], **fields: Any) -> v1.ZoneOut:
    return v1.ZoneOut.model_validate(
        {
            "id": zone_id,
            "party": party,
            "kind": body["kind"],
            "title": body["title"],
            "version": 1,
            "status": "active",
            "volume": body["volume"],
            "remarks": "",
            "declared_at": NOW,
            "updated_at": NOW,
            "withdrawn_at": None,
            "redacted": False,
        }
        | fields
    )


def conflict_out(region: dict[str, Any], **fields: Any) -> v1.ConflictOut:
    return v1.ConflictOut.model_validate(
        {
            "id": "cfl-7",
            "state": "open",
            "resolved_reason": None,
            "with": {"type": "notice", "id": "N-B", "party": "bravo"},
            "own": {
                "type": "notice",
                "id": "N-A",
                "party": "alpha",
                "version": 2,
                "volume_index": 0,
            },
            "window": {"start": "2026-11-24T15:00:00Z", "end": "2026-11-24T16:00:00Z"},
            "altitude": {"lower_m": 3000, "upper_m": 6000},
            "distance_m": 0.0,
            "region": region,
            "detected_at": NOW,
            "resolved_at": None,
        }
        | fields
    )


CORRIDOR = {"type": "Corridor", "path": [[35.8, 33.9], [36.1, 34.0], [36.4, 33.8]],
            "half_width_m": 5000.0}  # fmt: skip
CIRCLE = {"type": "Circle", "center": [36.3, 33.5], "radius_m": 2000.0}


def picture(**overrides: Any) -> ExportSet:
    """alpha's picture: its own track and one of bravo's, a polygon notice with a second
    volume that ended an hour ago, a corridor notice, a cancelled notice, an open-ended
    circle zone, a withdrawn zone and a conflict."""
    sortie = notice(square(36.1, 34.5), title="CAP north")
    sortie["volumes"].append(
        volume(square(37.0, 35.0), start="2026-11-24T09:00:00Z", end="2026-11-24T11:00:00Z")
    )
    transit = notice(CORRIDOR, kind="uav", title="UAV transit")
    parts: dict[str, Any] = {
        "generated_at": NOW,
        "viewer": "alpha",
        "parties": (HOST, ALPHA, BRAVO),
        "mechanism": MECHANISM,
        "tracks": (track("A1", "alpha"), track("B7", "bravo", lat=34.9, lon=36.6, trk_deg=271.5)),
        "notices": (
            notice_out("N-A", "alpha", sortie),
            notice_out("N-C", "bravo", transit),
            notice_out("N-X", "alpha", notice(title="called off"), status="cancelled"),
        ),
        "zones": (
            zone_out("Z-1", "bravo", zone(CIRCLE)),
            zone_out("Z-2", "bravo", zone(square(35.0, 33.0)), status="withdrawn"),
        ),
        "conflicts": (conflict_out(square(36.3, 34.6, 0.1)),),
    }
    return ExportSet(**(parts | overrides))


def parsed(document: bytes) -> list[Any]:
    """The events of a written document, checked as CoT 2.0 wants each of them."""
    root = etree.fromstring(document)
    assert root.tag == "events"
    found = list(root)
    for event in found:
        check_event(event)
    return found


def check_event(event: Any) -> None:
    assert event.tag == "event"
    for name in REQUIRED:
        assert event.get(name), (name, etree.tostring(event))
    assert event.get("version") == "2.0"
    time, start, stale = (moment(event.get(n)) for n in ("time", "start", "stale"))
    assert start < stale and time < stale
    points = event.findall("point")
    assert len(points) == 1
    values = {name: float(points[0].get(name)) for name in POINT}
    assert -90.0 <= values["lat"] <= 90.0 and -180.0 <= values["lon"] <= 180.0
    assert values["ce"] > 0 and values["le"] > 0
    assert event.find("detail") is not None


def moment(text: str) -> datetime:
    assert text.endswith("Z") and len(text) == len("2026-11-24T12:00:00.000Z"), text
    return datetime.fromisoformat(text[:-1] + "+00:00")


def by_uid(events: list[Any]) -> dict[str, Any]:
    uids = [e.get("uid") for e in events]
    assert len(uids) == len(set(uids)), uids
    return dict(zip(uids, events, strict=True))


def links(event: Any) -> list[tuple[float, float]]:
    """(lon, lat) of each ``<link point="lat,lon"/>``."""
    points = [link.get("point").split(",") for link in event.find("detail").findall("link")]
    return [(float(lon), float(lat)) for lat, lon in points]


def test_the_document_holds_every_current_object_once_under_a_stable_uid() -> None:
    events = by_uid(parsed(cot.write(picture())))
    prefix = "sharedsky.levant-deconfliction"
    assert sorted(events) == sorted(
        [
            f"{prefix}.track.alpha.A1",
            f"{prefix}.track.bravo.B7",
            f"{prefix}.notice.N-A.0",  # volume 1 ended at 11:00: left out
            f"{prefix}.notice.N-C.0",
            f"{prefix}.zone.Z-1",
            f"{prefix}.conflict.cfl-7.0",
        ]
    )
    later = picture(generated_at=NOW + timedelta(minutes=5))
    assert sorted(by_uid(parsed(cot.write(later)))) == sorted(events)


def test_tracks_are_points_with_course_speed_and_a_short_stale() -> None:
    events = by_uid(parsed(cot.write(picture())))
    own = events["sharedsky.levant-deconfliction.track.alpha.A1"]
    other = events["sharedsky.levant-deconfliction.track.bravo.B7"]
    assert own.get("type") == "a-f-A" and other.get("type") == "a-n-A"
    assert own.get("how") == "m-r"
    point = other.find("point")
    assert (float(point.get("lat")), float(point.get("lon"))) == (34.9, 36.6)
    assert float(point.get("hae")) == 6000.0
    assert float(point.get("ce")) == float(point.get("le")) == 9999999.0
    motion = other.find("detail/track")
    assert float(motion.get("course")) == 271.5 and float(motion.get("speed")) == 220.0
    assert other.find("detail/contact").get("callsign") == "B7"
    state_time = NOW - timedelta(seconds=2)
    assert moment(other.get("time")) == moment(other.get("start")) == state_time
    assert moment(other.get("stale")) == state_time + timedelta(seconds=20)
    assert int(other.find("detail/color").get("argb")) == cot.argb("#E69F00")


def test_a_polygon_volume_is_a_closed_drawing_through_its_corners_until_its_end() -> None:
    event = by_uid(parsed(cot.write(picture())))["sharedsky.levant-deconfliction.notice.N-A.0"]
    assert event.get("type") == "u-d-f" and event.get("how") == "h-e"
    ring = links(event)
    assert ring[0] == ring[-1]
    corners = [(36.1, 34.5), (36.5, 34.5), (36.5, 34.9), (36.1, 34.9)]
    assert [p for p in ring if p in corners] == [*corners, corners[0]]
    # the edges are cut into pieces of at most 10 km (the 0.4° sides are 37–44 km long)
    _, _, pieces_m = GEOD.inv(*np.array(ring[:-1]).T, *np.array(ring[1:]).T)
    assert len(ring) > 5 and max(pieces_m) <= cot.EDGE_M + 1e-6
    assert moment(event.get("time")) == NOW
    assert moment(event.get("start")) == datetime(2026, 11, 24, 15, tzinfo=UTC)
    assert moment(event.get("stale")) == datetime(2026, 11, 24, 17, tzinfo=UTC)
    detail = event.find("detail")
    assert int(detail.find("strokeColor").get("value")) == cot.argb("#0072B2")
    assert int(detail.find("fillColor").get("value")) == cot.argb("#0072B2", 0x40)
    assert detail.find("contact").get("callsign") == "CAP north"
    assert "3000–9000 m AMSL" in detail.find("remarks").text
    about = detail.find("__sharedsky")
    assert about.attrib == {
        "object": "notice", "id": "N-A", "party": "alpha", "version": "2", "kind": "air_sortie",
        "lower_m": "3000.0", "upper_m": "9000.0", "start": "2026-11-24T15:00:00.000Z",
        "end": "2026-11-24T17:00:00.000Z", "index": "0",
    }  # fmt: skip


def test_a_corridor_is_drawn_as_its_area() -> None:
    event = by_uid(parsed(cot.write(picture())))["sharedsky.levant-deconfliction.notice.N-C.0"]
    ring = links(event)
    path = CORRIDOR["path"]
    # every drawn vertex lies half a width from the path (a 32-gon's chords: within 1 %) …
    lon, lat = np.array(ring).T
    nearest_m = np.full(len(ring), np.inf)
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(path):
        dense = GEOD.npts(lon1, lat1, lon2, lat2, 200, initial_idx=0, terminus_idx=0)
        for plon, plat in dense:
            _, _, d = GEOD.inv(lon, lat, np.full_like(lon, plon), np.full_like(lat, plat))
            nearest_m = np.minimum(nearest_m, d)
    assert np.all(np.abs(nearest_m - 5000.0) < 60.0), (nearest_m.min(), nearest_m.max())
    # … and the drawing holds the whole path
    drawn = Polygon(ring)
    assert all(drawn.contains(Point(p)) for p in path)
    assert event.find("detail/__sharedsky").get("kind") == "uav"


def test_an_open_ended_circle_zone_is_an_ellipse_stale_a_day_after_the_export() -> None:
    event = by_uid(parsed(cot.write(picture())))["sharedsky.levant-deconfliction.zone.Z-1"]
    assert event.get("type") == "u-d-c-c"
    point = event.find("point")
    assert (float(point.get("lon")), float(point.get("lat"))) == (36.3, 33.5)
    ellipse = event.find("detail/shape/ellipse")
    assert float(ellipse.get("major")) == float(ellipse.get("minor")) == 2000.0
    assert moment(event.get("start")) == datetime(2026, 11, 24, 12, tzinfo=UTC)
    assert moment(event.get("stale")) == NOW + timedelta(days=1)
    assert "further notice" in event.find("detail/remarks").text
    assert int(event.find("detail/strokeColor").get("value")) == cot.argb("#E69F00")


def test_a_conflict_region_is_red_and_each_of_its_polygons_a_drawing() -> None:
    two = {
        "type": "MultiPolygon",
        "coordinates": [
            square(36.3, 34.6, 0.1)["coordinates"],
            square(36.0, 34.6, 0.05)["coordinates"],
        ],
    }  # fmt: skip
    gone = conflict_out(square(35.0, 34.0, 0.1), id="cfl-8", state="resolved")
    events = by_uid(parsed(cot.write(picture(conflicts=(conflict_out(two), gone)))))
    drawn = sorted(uid for uid in events if ".conflict." in uid)
    assert drawn == [f"sharedsky.levant-deconfliction.conflict.cfl-7.{k}" for k in (0, 1)]
    first = events[drawn[0]]
    assert int(first.find("detail/strokeColor").get("value")) == cot.argb(cot.CONFLICT_COLOUR)
    assert links(first)[:4] == [(36.3, 34.6), (36.4, 34.6), (36.4, 34.7), (36.3, 34.7)]
    assert moment(first.get("stale")) == datetime(2026, 11, 24, 16, tzinfo=UTC)
    assert "with notice N-B of bravo" in first.find("detail/remarks").text


def test_a_hidden_side_and_a_redacted_notice_say_no_more_than_the_read() -> None:
    hidden = conflict_out(square(36.3, 34.6, 0.1), **{"with": {"type": "notice", "id": None,
                                                               "party": "bravo"}})  # fmt: skip
    cut = notice_out("N-B", "bravo", notice(title=""), redacted=True)
    document = cot.write(picture(notices=(cut,), conflicts=(hidden,)))
    events = by_uid(parsed(document))
    assert (
        "with a notice of bravo"
        in events["sharedsky.levant-deconfliction.conflict.cfl-7.0"].find("detail/remarks").text
    )
    label = events["sharedsky.levant-deconfliction.notice.N-B.0"].find("detail/contact")
    assert label.get("callsign") == "bravo air sortie"
    assert b"None" not in document


def test_events_stream_the_same_events_one_by_one_without_a_declaration() -> None:
    export = picture()
    streamed = list(cot.events(export))
    whole = parsed(cot.write(export))
    assert [e.uid for e in streamed] == [e.get("uid") for e in whole]
    assert [e.object for e in streamed] == ["track", "track", "notice", "notice", "zone",
                                            "conflict"]  # fmt: skip
    for one, same in zip(streamed, whole, strict=True):
        assert one.xml.startswith(b"<event ") and one.xml.endswith(b"</event>")
        event = etree.fromstring(one.xml)
        check_event(event)
        assert canonical(event) == canonical(same)


def canonical(event: Any) -> bytes:
    """An event's canonical XML without the indentation ``write`` adds."""
    for element in event.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        element.tail = None
    return bytes(etree.tostring(event, method="c14n"))


def test_a_marker_moves_only_when_its_object_changes() -> None:
    first = {e.uid: e.marker for e in cot.events(picture())}
    later = {e.uid: e.marker for e in cot.events(picture(generated_at=NOW + timedelta(seconds=9)))}
    assert later == first
    moved = picture(tracks=(track("A1", "alpha", time=NOW),))
    markers = {e.uid: e.marker for e in cot.events(moved)}
    assert (
        markers["sharedsky.levant-deconfliction.track.alpha.A1"]
        != first["sharedsky.levant-deconfliction.track.alpha.A1"]
    )


def test_without_a_mechanism_the_uids_start_with_sharedsky() -> None:
    events = by_uid(parsed(cot.write(picture(mechanism=None, conflicts=(), zones=()))))
    assert all(uid.startswith("sharedsky.") for uid in events)
    assert "sharedsky.track.alpha.A1" in events


@given(
    lat=st.floats(-84, 84),
    lon=st.floats(-180, 180),
    alt_m=st.floats(-500, 30_000),
    gs_mps=st.floats(0, 1000),
    trk_deg=st.floats(0, 360, exclude_max=True),
    track_id=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
                     max_size=32),
)  # fmt: skip
def test_any_track_reads_back_as_sent(
    lat: float, lon: float, alt_m: float, gs_mps: float, trk_deg: float, track_id: str
) -> None:
    state = track(track_id, "bravo", lat=lat, lon=lon, alt_m=alt_m, gs_mps=gs_mps,
                  trk_deg=trk_deg)  # fmt: skip
    (event,) = parsed(cot.write(picture(tracks=(state,), notices=(), zones=(), conflicts=())))
    point = event.find("point")
    assert abs(float(point.get("lat")) - lat) <= 1e-7 and abs(float(point.get("lon")) - lon) <= 1e-7
    assert abs(float(point.get("hae")) - alt_m) <= 0.05
    motion = event.find("detail/track")
    assert abs(float(motion.get("course")) - trk_deg) <= 0.05 or trk_deg > 359.95
    assert abs(float(motion.get("speed")) - gs_mps) <= 0.005
    assert event.find("detail/contact").get("callsign") == track_id


@given(
    lon=st.floats(-170, 170),
    lat=st.floats(-80, 80),
    size=st.floats(0.001, 2.0),
    radius_m=st.floats(1.0, 500_000.0),
)
def test_any_polygon_or_circle_draws_its_filed_outline(
    lon: float, lat: float, size: float, radius_m: float
) -> None:
    body = notice(square(lon, lat, size), title="box")
    body["volumes"].append(volume({"type": "Circle", "center": [lon, lat], "radius_m": radius_m}))
    export = picture(tracks=(), zones=(), conflicts=(), notices=(notice_out("N", "alpha", body),))
    box, circle = parsed(cot.write(export))
    drawn = np.array(links(box))
    for corner in ((lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size)):
        assert np.min(np.max(np.abs(drawn - corner), axis=1)) <= 0.6e-7  # to 7 decimals
    assert float(circle.find("detail/shape/ellipse").get("major")) == round(radius_m, 1)


def test_notices_and_zones_filed_through_the_api_export_as_the_reads_show_them(api: Api) -> None:
    """bravo's view under conflicts_only: its own notice in full, of alpha's only the clashing
    volume (no title), and the conflict; nothing of alpha's second volume."""
    far = volume(square(39.0, 36.0))
    alpha = notice(square(36.1, 34.5), title="secret sortie")
    alpha["volumes"].append(far)
    assert api.client.post("/v1/notices", json=alpha, headers=api.as_("alpha")).is_success
    bravo = notice(square(36.3, 34.7, 0.2), kind="uav", title="ISR orbit")
    assert api.client.post("/v1/notices", json=bravo, headers=api.as_("bravo")).is_success
    read = {path: api.client.get(path, headers=api.as_("bravo")).json()
            for path in ("/v1/notices", "/v1/zones", "/v1/conflicts", "/v1/mechanism")}  # fmt: skip
    mechanism = v1.MechanismOut.model_validate(read["/v1/mechanism"])
    export = ExportSet(
        generated_at=api.env.clock.now(),
        viewer="bravo",
        parties=(mechanism.host, *mechanism.parties),
        notices=tuple(v1.NoticeList.model_validate(read["/v1/notices"]).notices),
        zones=tuple(v1.ZoneList.model_validate(read["/v1/zones"]).zones),
        conflicts=tuple(v1.ConflictList.model_validate(read["/v1/conflicts"]).conflicts),
        mechanism=mechanism,
    )
    document = cot.write(export)
    events = parsed(document)
    kinds = sorted(e.find("detail/__sharedsky").get("object") for e in events)
    assert kinds == ["conflict", "notice", "notice"]
    assert b"secret sortie" not in document and b"39.0" not in document
    alpha_drawing = next(e for e in events if e.find("detail/__sharedsky").get("party") == "alpha")
    assert alpha_drawing.find("detail/contact").get("callsign") == "alpha air sortie"
