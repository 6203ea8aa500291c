"""GET /v1/export and POST /v1/import over the API: media types, filters, errors as
problem+json, and an import that files all of a file in one transaction or nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from _bodies import notice, square, zone
from _support import Api


def _export(api: Api, party: str, query: str) -> Any:
    return api.client.get(f"/v1/export?{query}", headers=api.as_(party))


def _features(api: Api, party: str, query: str = "") -> list[dict[str, Any]]:
    answer = _export(api, party, f"format=geojson{query}")
    assert answer.status_code == 200, answer.text
    features: list[dict[str, Any]] = answer.json()["features"]
    return features


def _file(api: Api, party: str, body: dict[str, Any]) -> str:
    answer = api.client.post("/v1/notices", json=body, headers=api.as_(party))
    assert answer.status_code == 201, answer.text
    ident: str = answer.json()["id"]
    return ident


@pytest.mark.parametrize(
    ("name", "media_type", "suffix"),
    [
        ("geojson", "application/geo+json", "geojson"),
        ("kml", "application/vnd.google-earth.kml+xml", "kml"),
        ("f3548", "application/json", "json"),
    ],
)
def test_each_format_answers_its_media_type(
    api: Api, name: str, media_type: str, suffix: str
) -> None:
    _file(api, "alpha", notice())
    answer = _export(api, "alpha", f"format={name}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == media_type
    assert answer.headers["content-disposition"].endswith(f'.{suffix}"')
    assert b"CAP north" in answer.content or json.loads(answer.content)["operational_intents"]


def test_ed318_holds_zones_and_notices_only_when_asked(api: Api) -> None:
    _file(api, "alpha", notice())
    api.client.post("/v1/zones", json=zone(square(20, 20)), headers=api.as_("alpha"))

    def identifiers(query: str) -> list[str]:
        answer = _export(api, "alpha", f"format=ed318{query}")
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/json"
        return [f["properties"]["name"][0]["text"] for f in answer.json()["features"]]

    assert identifiers("") == ["Hospital"]
    assert identifiers("&include=notices") == ["Hospital", "CAP north"]


def test_an_export_answers_its_media_type_and_a_file_name(api: Api) -> None:
    _file(api, "alpha", notice())
    answer = _export(api, "alpha", "format=geojson")
    assert answer.headers["content-type"] == "application/geo+json"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="sharedsky-alpha-20261124T120000Z.geojson"'
    )
    assert [f["properties"]["title"] for f in answer.json()["features"]] == ["CAP north"]


@pytest.mark.parametrize(
    ("query", "code", "path"),
    [
        ("format=shapefile", "format-unavailable", ["format"]),
        ("format=ed269", "format-unavailable", ["format"]),
        ("format=geojson&what=notices,sorties", "invalid-input", ["what"]),
        ("format=geojson&bbox=1,2,3", "invalid-input", ["bbox"]),
        ("format=geojson&from=2026-11-24T12:00:00", "invalid-input", ["from"]),
        ("format=geojson&include=tracks", "invalid-input", ["include"]),
    ],
)
def test_a_bad_format_or_filter_is_a_422_problem(
    api: Api, query: str, code: str, path: list[str]
) -> None:
    answer = _export(api, "alpha", query)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert (answer.json()["code"], answer.json()["path"]) == (code, path)


def test_box_window_and_parts_cut_the_export(api: Api) -> None:
    _file(api, "alpha", notice(square(36.1, 34.5), title="north"))
    _file(api, "alpha", notice(square(30.1, 30.5), title="south", start="2026-11-24T18:00:00Z",
                               end="2026-11-24T19:00:00Z"))  # fmt: skip
    api.client.post("/v1/zones", json=zone(square(36.2, 34.6, 0.1)), headers=api.as_("alpha"))

    def titles(query: str) -> list[str]:
        return [f["properties"]["title"] for f in _features(api, "alpha", query)]

    assert titles("") == ["north", "south", "Hospital"]
    assert titles("&bbox=36,34,37,35") == ["north", "Hospital"]
    assert titles("&from=2026-11-24T17:30:00Z") == ["south", "Hospital"]
    assert titles("&to=2026-11-24T14:00:00Z") == ["Hospital"]
    assert titles("&what=zones") == ["Hospital"]


def test_an_export_holds_current_objects_only(api: Api) -> None:
    gone = _file(api, "alpha", notice(title="cancelled"))
    _file(api, "alpha", notice(square(30.1, 30.5), title="kept"))
    api.client.post(f"/v1/notices/{gone}/cancel", headers=api.as_("alpha"))
    assert [f["properties"]["title"] for f in _features(api, "alpha")] == ["kept"]


def _geojson(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _feature(outline: dict[str, Any], **props: Any) -> dict[str, Any]:
    props.setdefault("altitude", {"lower_m": 3000, "upper_m": 9000})
    props.setdefault("time", {"start": "2026-11-24T15:00:00Z", "end": "2026-11-24T17:00:00Z"})
    return {"type": "Feature", "geometry": outline, "properties": props}


def _import(api: Api, party: str, data: bytes, query: str = "", **headers: str) -> Any:
    return api.client.post(
        f"/v1/import?format=geojson{query}", content=data, headers=api.as_(party) | headers
    )


def _titles(api: Api, party: str) -> list[str]:
    listed = api.client.get("/v1/notices", headers=api.as_(party)).json()["notices"]
    return [n["title"] for n in listed]


def test_a_dry_run_shows_what_would_be_filed_and_its_conflicts_and_stores_nothing(api: Api) -> None:
    theirs = _file(api, "alpha", notice())
    data = _geojson(
        _feature(square(36.2, 34.6), title="strike"), _feature(square(20, 20), title="far")
    )
    answer = _import(api, "bravo", data)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["dry_run"], body["filed"], body["problems"]) == (True, 0, [])
    strike, far = body["items"]
    assert (strike["index"], strike["title"], strike["id"]) == (0, "strike", None)
    assert [c["with"]["id"] for c in strike["conflicts"]] == [theirs]
    assert far["conflicts"] == []
    assert _titles(api, "bravo") == []


def test_a_commit_files_every_feature_in_one_transaction(api: Api) -> None:
    data = _geojson(
        _feature(square(36.2, 34.6), title="strike"),
        _feature(square(20, 20), title="depot", object="zone", kind="protected"),
    )
    answer = _import(api, "bravo", data, "&dry_run=false")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["dry_run"], body["filed"]) == (False, 2)
    assert all(item["id"] for item in body["items"])
    assert _titles(api, "bravo") == ["strike"]
    zones = api.client.get("/v1/zones", headers=api.as_("bravo")).json()["zones"]
    assert [z["title"] for z in zones] == ["depot"]


def test_a_bad_feature_files_nothing_unless_skipped(api: Api) -> None:
    data = _geojson(
        _feature(square(36.2, 34.6), title="good"),
        _feature(square(36.2, 34.6), title="inverted", altitude={"lower_m": 900, "upper_m": 100}),
    )
    refused = _import(api, "bravo", data, "&dry_run=false")
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] == "invalid-import"
    assert [(p["index"], p["path"][:1]) for p in problem["problems"]] == [(1, ["volumes"])]
    assert _titles(api, "bravo") == []
    skipped = _import(api, "bravo", data, "&dry_run=false&skip_bad=true")
    assert skipped.status_code == 200, skipped.text
    assert [p["index"] for p in skipped.json()["problems"]] == [1]
    assert _titles(api, "bravo") == ["good"]


def test_a_commit_sent_again_with_its_key_is_not_filed_twice(api: Api) -> None:
    data = _geojson(_feature(square(20, 20), title="once"))
    first = _import(api, "bravo", data, "&dry_run=false", **{"Idempotency-Key": "import-1"})
    again = _import(api, "bravo", data, "&dry_run=false", **{"Idempotency-Key": "import-1"})
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert _titles(api, "bravo") == ["once"]


def test_import_options_must_be_usable_before_anything_is_read(api: Api) -> None:
    data = _geojson(_feature(square(20, 20)))
    for query, path in (
        ("&lower=FL100ft&upper=FL200", "lower"),
        ("&lower=100", "upper"),
        ("&object=track", "object"),
        ("&start=2026-11-24T12:00:00", "start"),
    ):
        answer = _import(api, "bravo", data, query)
        assert answer.status_code == 422, (query, answer.text)
        assert answer.json()["path"] == [path], query
    unreadable = _import(api, "bravo", b"\x00not json")
    assert (unreadable.status_code, unreadable.json()["code"]) == (422, "invalid-import")


def test_heights_are_filed_as_the_file_gives_them_and_agl_without_terrain_is_refused_by_index(
    api: Api,
) -> None:
    """A file's flight levels (or the options') are filed as flight levels, not metres; an AGL
    limit in a mechanism without terrain bounds is the feature's problem, with its index,
    not a crash (R-HEIGHT-1)."""
    flight_levels = {"lower": {"value": 100, "unit": "FL"}, "upper": {"value": 200, "unit": "FL"}}
    above_ground = {
        "lower": {"special": "SFC"},
        "upper": {"value": 500, "unit": "ft", "reference": "AGL"},
    }
    data = _geojson(
        _feature(square(20, 20), title="levels", altitude=flight_levels),
        _feature(square(21, 20), title="ground", altitude=None, **above_ground),
        _feature(square(22, 20), title="options", altitude=None),
    )
    answer = _import(api, "bravo", data, "&lower=FL050&upper=9000ft&dry_run=false&skip_bad=true")
    assert answer.status_code == 200, answer.text
    (problem,) = answer.json()["problems"]
    assert problem["index"] == 1 and "terrain_m" in problem["reason"]
    bands = {}
    for item in answer.json()["items"]:
        shown = api.client.get(f"/v1/notices/{item['id']}", headers=api.as_("bravo")).json()
        altitude = shown["volumes"][0]["altitude"]
        bands[item["title"]] = (altitude["lower"], altitude["upper"])
    level = {"unit": "FL", "reference": "STD"}
    assert bands == {
        "levels": ({"value": 100} | level, {"value": 200} | level),
        "options": ({"value": 50} | level, {"value": 9000, "unit": "ft", "reference": "AMSL"}),
    }


def test_cot_and_notam_go_through_the_same_route(api: Api) -> None:
    """The writers of the other formats' module (interop/formats/cot.py, notam.py) answer
    through the one export route: CoT events for what alpha sees; no draft NOTAM where the
    mechanism file names no FIR (a 422 saying so, not an empty file)."""
    from lxml import etree

    notice_id = _file(api, "alpha", notice())
    answer = _export(api, "alpha", "format=cot")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == "application/xml"
    root = etree.fromstring(answer.content)
    uids = [event.get("uid") for event in root.iter("event")]
    assert any(notice_id in uid for uid in uids), uids
    refused = _export(api, "alpha", "format=notam")
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "no-fir"
