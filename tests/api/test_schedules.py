"""Recurring windows over HTTP: a scheduled volume is filed, shown and amended as filed, a
conflict names the occurrence that clashes (R-SCHED-1), and a schedule that cannot be expanded
gets 422 with its field and stores nothing (R-SCHED-2)."""

from __future__ import annotations

from typing import Any

import pytest
from _bodies import notice, square, volume
from _support import Api
from api.test_tracks import post, run_tick, state, tactical

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR"]


def plan(**changes: Any) -> dict[str, Any]:
    """Weekdays 07:00–11:30 UTC from Monday 30 Nov to Friday 11 Dec 2026 (T0 is Tue 24 Nov)."""
    return {
        "weekdays": WEEKDAYS,
        "from": "07:00",
        "to": "11:30",
        "first_date": "2026-11-30",
        "last_date": "2026-12-11",
    } | changes


def scheduled_notice(**changes: Any) -> dict[str, Any]:
    body = notice(square(36.1, 34.5))
    own = dict(body["volumes"][0])
    del own["time"]
    body["volumes"] = [own | {"schedule": plan(**changes)}]
    return body


def ledger_length(api: Api) -> int:
    return len(api.env.deps.db.run(lambda uow: uow.events.after(0), readonly=True))


def test_a_scheduled_notice_is_filed_and_shown_with_its_schedule_and_envelope(api: Api) -> None:
    """R-SCHED-1: the schedule as filed, the window its envelope, the lead time to the first
    occurrence (Monday 07:00, 5 days 19 h after T0)."""
    answer = api.client.post("/v1/notices", json=scheduled_notice(), headers=api.as_("alpha"))
    assert answer.status_code == 201, answer.text
    got = api.client.get(f"/v1/notices/{answer.json()['id']}", headers=api.as_("alpha")).json()
    (vol,) = got["volumes"]
    assert vol["schedule"] == plan()
    assert vol["time"] == {"start": "2026-11-30T07:00:00Z", "end": "2026-12-11T11:30:00Z"}
    assert got["lead_time_s"] == (5 * 24 + 19) * 3600


def test_a_conflict_names_the_occurrence_that_clashes(api: Api) -> None:
    """R-SCHED-1: bravo's Wednesday 10:00–14:00 clashes with alpha's Wednesday occurrence only;
    its Saturday notice clashes with nothing (no occurrence on a Saturday)."""
    alpha = api.client.post("/v1/notices", json=scheduled_notice(), headers=api.as_("alpha"))
    assert alpha.status_code == 201, alpha.text
    saturday = notice(square(36.2, 34.6), start="2026-12-05T06:00:00Z", end="2026-12-05T14:00:00Z")
    answer = api.client.post("/v1/notices", json=saturday, headers=api.as_("bravo"))
    assert answer.status_code == 201, answer.text
    assert answer.json()["conflicts"] == []
    wednesday = notice(square(36.2, 34.6), start="2026-12-02T10:00:00Z", end="2026-12-02T14:00:00Z")
    answer = api.client.post("/v1/notices", json=wednesday, headers=api.as_("bravo"))
    assert answer.status_code == 201, answer.text
    (conflict,) = answer.json()["conflicts"]
    occurrence = {"start": "2026-12-02T07:00:00Z", "end": "2026-12-02T11:30:00Z"}
    assert conflict["window"] == {"start": "2026-12-02T10:00:00Z", "end": "2026-12-02T11:30:00Z"}
    mine = api.client.get(f"/v1/conflicts/{conflict['id']}", headers=api.as_("alpha")).json()
    assert mine["own"]["occurrence"] == occurrence
    assert mine["occurrence"] == occurrence
    assert mine["with"]["occurrence"] is None  # bravo's volume has one window


def test_an_amendment_keeps_a_schedule_sent_back_as_it_was_shown(api: Api) -> None:
    """R-SCHED-1: a volume as answered (time and schedule) files the same schedule; its
    ``time`` is the server's and ignored."""
    filed = api.client.post("/v1/notices", json=scheduled_notice(), headers=api.as_("alpha"))
    shown = api.client.get(f"/v1/notices/{filed.json()['id']}", headers=api.as_("alpha")).json()
    body = scheduled_notice()
    (vol,) = shown["volumes"]
    body["volumes"] = [
        {
            "outline": vol["outline"],
            "altitude": vol["altitude"],
            "time": {"start": "2030-01-01T00:00:00Z", "end": "2030-01-02T00:00:00Z"},
            "schedule": vol["schedule"] | {"to": "12:00"},
        }
    ]
    answer = api.client.put(
        f"/v1/notices/{shown['id']}",
        json=body,
        headers=api.as_("alpha") | {"If-Match": str(shown["version"])},
    )
    assert answer.status_code == 200, answer.text
    (vol,) = answer.json()["volumes"]
    assert vol["schedule"]["to"] == "12:00"
    assert vol["time"] == {"start": "2026-11-30T07:00:00Z", "end": "2026-12-11T12:00:00Z"}


BAD = {
    "no occurrence": (
        plan(weekdays=["SA", "SU"], last_date="2026-12-04"),
        "weekdays",
        "occurrence",
    ),
    "no weekday": (plan(weekdays=[]), "weekdays", "weekday"),
    "too many": (
        plan(weekdays=["MO", "TU", "WE", "TH", "FR", "SA", "SU"], last_date="2027-12-31"),
        "last_date",
        "366",
    ),
    "bad weekday": (plan(weekdays=["MO", "XX"]), "weekdays", ""),
    "to equals from": (plan(to="07:00"), "to", "another time"),
    "not a time": (plan(**{"from": "25:00"}), "from", ""),
    "dates reversed": (plan(first_date="2026-12-11", last_date="2026-11-30"), "last_date", ""),
    "the calendar's last day": (
        plan(weekdays=["FR"], first_date="9999-12-31", last_date="9999-12-31"),
        "weekdays",
        "no occurrence",
    ),
    "year one": (plan(first_date="0001-01-01", last_date="0001-01-05"), "first_date", "past"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_schedule_that_cannot_be_expanded_gets_422_and_nothing_is_stored(
    api: Api, case: str
) -> None:
    """R-SCHED-2, R-INPUT-1"""
    schedule, field, words = BAD[case]
    body = scheduled_notice()
    body["volumes"][0]["schedule"] = schedule
    before = ledger_length(api)
    answer = api.client.post("/v1/notices", json=body, headers=api.as_("alpha"))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["path"][:4] == ["volumes", 0, "schedule", field], problem
    assert words.lower() in problem["detail"].lower(), problem
    assert ledger_length(api) == before
    assert api.client.get("/v1/notices", headers=api.as_("alpha")).json()["notices"] == []


def test_a_volume_with_neither_time_nor_schedule_gets_422(api: Api) -> None:
    """R-SCHED-2"""
    body = notice()
    del body["volumes"][0]["time"]
    answer = api.client.post("/v1/notices", json=body, headers=api.as_("alpha"))
    assert answer.status_code == 422, answer.text
    assert "time window or a schedule" in answer.json()["detail"]
    assert volume(square(36.1, 34.5))["time"]  # the body helper's volume has one


@pytest.mark.parametrize("name", ["geojson", "kml", "f3548"])
def test_an_export_gives_a_scheduled_volume_its_envelope(api: Api, name: str) -> None:
    """R-SCHED-1: every format writes the envelope (the first occurrence's start to the last
    one's end), which holds every occurrence: a reader that knows no schedule errs on the safe
    side."""
    filed = api.client.post("/v1/notices", json=scheduled_notice(), headers=api.as_("alpha"))
    assert filed.status_code == 201, filed.text
    answer = api.client.get(f"/v1/export?format={name}", headers=api.as_("alpha"))
    assert answer.status_code == 200, answer.text
    text = answer.text  # the NOTAM draft: tests/interop/formats/test_notam.py
    if name == "kml":
        assert "2026-11-30T07:00:00Z" in text and "2026-12-11T11:30:00Z" in text, text
    else:
        assert "2026-11-30T07:00:00" in text and "2026-12-11T11:30:00" in text, text


def test_a_geojson_export_carries_the_schedule_and_imports_as_it(api: Api) -> None:
    """R-SCHED-1: the GeoJSON feature gives the schedule beside its envelope, and an import of
    it files the same schedule."""
    filed = api.client.post("/v1/notices", json=scheduled_notice(), headers=api.as_("alpha"))
    assert filed.status_code == 201, filed.text
    answer = api.client.get("/v1/export?format=geojson", headers=api.as_("alpha"))
    (feature,) = [f for f in answer.json()["features"] if f["properties"].get("schedule")]
    assert feature["properties"]["schedule"] == plan()
    imported = api.client.post(
        "/v1/import?format=geojson&dry_run=false",
        content=answer.content,
        headers=api.as_("alpha"),
    )
    assert imported.status_code == 200, imported.text
    (item,) = imported.json()["items"]
    shown = api.client.get(f"/v1/notices/{item['id']}", headers=api.as_("alpha")).json()
    assert shown["volumes"][0]["schedule"] == plan()


def test_a_track_under_a_scheduled_notice_conforms_only_within_an_occurrence(api: Api) -> None:
    """R-SCHED-1, R-TACT-5: Tuesday 12:00 is within the Tuesday 11:00–13:00 occurrence (no
    alert); Wednesday 12:00 is within the envelope but in no occurrence (outside)."""
    body = scheduled_notice(weekdays=["TU", "TH"], first_date="2026-11-24", last_date="2026-11-26")
    body["volumes"][0]["schedule"] |= {"from": "11:00", "to": "13:00"}
    filed = api.client.post("/v1/notices", json=body, headers=api.as_("alpha"))
    assert filed.status_code == 201, filed.text
    notice_id = filed.json()["id"]
    track = {"alt": 5000, "gs": 20.0, "notice_id": notice_id}
    post(api, "alpha", state("A1", 34.7, 36.3, 0.0, **track))
    assert run_tick(api).opened == 0
    wednesday = api.env.clock.advance(24 * 3600)
    post(api, "alpha", state("A1", 34.7, 36.3, 0.0, at=wednesday, **track))
    run_tick(api)
    (alert,) = tactical(api, "alpha")
    assert alert["category"] == "conformance" and alert["figures"]["status"] == "outside"


def test_a_scheduled_notice_is_advised_to_climb_or_descend_and_the_advice_clears_it(
    api: Api,
) -> None:
    """R-SCHED-1, R-RESOLVE-1: alpha's Monday–Friday schedule clashes with bravo's two
    Wednesday and Thursday windows (one conflict per occurrence): its owner is offered height
    options only (here the climb: a 6 km band does not fit below 3 km), and the climb, applied,
    clears every occurrence."""
    alpha = api.client.post("/v1/notices", json=scheduled_notice(), headers=api.as_("alpha"))
    assert alpha.status_code == 201, alpha.text
    body = notice(square(36.2, 34.6), start="2026-12-02T10:00:00Z", end="2026-12-02T14:00:00Z")
    body["volumes"].append(
        volume(square(36.2, 34.6), start="2026-12-03T06:00:00Z", end="2026-12-03T08:00:00Z")
    )
    bravo = api.client.post("/v1/notices", json=body, headers=api.as_("bravo"))
    assert bravo.status_code == 201, bravo.text
    conflicts = bravo.json()["conflicts"]
    assert len(conflicts) == 2
    answer = api.client.get(
        f"/v1/conflicts/{conflicts[0]['id']}/resolutions", headers=api.as_("alpha")
    )
    assert answer.status_code == 200, answer.text
    options = answer.json()["options"]
    assert [o["kind"] for o in options] == ["climb"]  # no band as thick fits below
    climb = options[0]
    assert climb["volumes"][0]["schedule"] == plan()
    amended = scheduled_notice()
    amended["volumes"] = [
        {k: v for k, v in vol.items() if k != "index"} for vol in climb["volumes"]
    ]
    done = api.client.put(
        f"/v1/notices/{alpha.json()['id']}",
        json=amended,
        headers=api.as_("alpha") | {"If-Match": "1"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["conflicts"] == []
