"""Filing, amending, cancelling, listing and acknowledging notices through the API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _bodies import notice, square, zone
from _support import LEVANT_YAML, Api, make_env

from sharedsky.api.routes import _render
from sharedsky.service.context import Actor
from sharedsky.service.idempotency import kept_result
from sharedsky.service.ports import Deps
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock


def file(api: Api, party: str, body: dict[str, object], **headers: str) -> dict[str, object]:
    response = api.client.post("/v1/notices", json=body, headers=api.as_(party) | headers)
    assert response.status_code == 201, response.text
    result: dict[str, object] = response.json()
    return result


def test_filing_returns_the_contract_fields(api: Api) -> None:
    body = file(api, "alpha", notice())
    for key in ("id", "version", "status", "lead_time_s", "late", "conflicts"):
        assert key in body
    assert body["version"] == 1
    assert body["status"] == "planned"
    assert body["lead_time_s"] == 3 * 3600  # clock at 12:00, start 15:00
    assert body["late"] is False


def test_short_notice_is_accepted_but_recorded_late(api: Api) -> None:
    """R-LEAD-1"""
    body = file(api, "alpha", notice(start="2026-11-24T12:10:00Z", end="2026-11-24T13:00:00Z"))
    assert body["lead_time_s"] == 600
    assert body["late"] is True
    assert body["late_for"] == ["bravo"]


def test_exercise_needs_a_day_of_notice(api: Api) -> None:
    """R-LEAD-1: the per-kind minimum applies."""
    body = file(
        api,
        "alpha",
        notice(kind="exercise", start="2026-11-25T06:00:00Z", end="2026-11-25T08:00:00Z"),
    )
    assert body["late"] is True  # 18 h < 86,400 s
    body = file(
        api,
        "alpha",
        notice(kind="exercise", start="2026-11-25T13:00:00Z", end="2026-11-25T15:00:00Z"),
    )
    assert body["late"] is False


def test_clash_shows_on_both_sides_and_needs_both_acks(api: Api) -> None:
    """R-ACK-1, R-DETECT-1"""
    a = file(api, "alpha", notice(square(36.1, 34.5)))
    b = file(api, "bravo", notice(square(36.3, 34.7)))
    conflicts = b["conflicts"]
    assert isinstance(conflicts, list) and len(conflicts) == 1
    conflict = conflicts[0]
    assert conflict["with"] == {
        "type": "notice",
        "id": a["id"],
        "party": "alpha",
        "priority_status": None,
        "occurrence": None,
    }
    assert conflict["priority_status"] is None and conflict["own"]["priority_status"] is None
    assert conflict["window"] == {"start": "2026-11-24T15:00:00Z", "end": "2026-11-24T17:00:00Z"}
    assert conflict["altitude"] == {"lower_m": 3000.0, "upper_m": 9000.0}
    assert conflict["region"]["type"] in ("Polygon", "MultiPolygon")
    seen_by_alpha = api.client.get("/v1/conflicts", headers=api.as_("alpha")).json()["conflicts"]
    assert [c["id"] for c in seen_by_alpha] == [conflict["id"]]
    assert seen_by_alpha[0]["with"]["party"] == "bravo"
    for party in ("alpha", "bravo"):
        pending = api.client.get("/v1/acks/pending", headers=api.as_(party)).json()
        assert conflict["id"] in [p["subject_id"] for p in pending["acknowledgements"]]
        ack = api.client.post(f"/v1/conflicts/{conflict['id']}/ack", headers=api.as_(party))
        assert ack.status_code == 200, ack.text
        assert ack.json()["status"] == "acknowledged"
        assert ack.json()["acked_by"] == f"{party}-duty"
        pending = api.client.get("/v1/acks/pending", headers=api.as_(party)).json()
        assert conflict["id"] not in [p["subject_id"] for p in pending["acknowledgements"]]


def test_amend_needs_the_current_version(api: Api) -> None:
    """R-VER-1"""
    a = file(api, "alpha", notice())
    url = f"/v1/notices/{a['id']}"
    missing = api.client.put(url, json=notice(title="moved"), headers=api.as_("alpha"))
    assert missing.status_code == 428
    ok = api.client.put(
        url, json=notice(title="moved"), headers=api.as_("alpha") | {"If-Match": "1"}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["version"] == 2
    stale = api.client.put(
        url, json=notice(title="again"), headers=api.as_("alpha") | {"If-Match": "1"}
    )
    assert stale.status_code == 412
    assert stale.json()["code"] == "stale-version"
    assert api.client.get(url, headers=api.as_("alpha")).json()["title"] == "moved"


def test_amending_away_resolves_the_conflict_and_unrelated_change_keeps_it(api: Api) -> None:
    """R-DETECT-3"""
    a = file(api, "alpha", notice(square(36.1, 34.5)))
    b = file(api, "bravo", notice(square(36.3, 34.7)))
    conflict_id = b["conflicts"][0]["id"]  # type: ignore[index]
    url = f"/v1/notices/{a['id']}"
    same = api.client.put(
        url,
        json=notice(square(36.1, 34.5), title="renamed"),
        headers=api.as_("alpha") | {"If-Match": "1"},
    )
    assert [c["id"] for c in same.json()["conflicts"]] == [conflict_id]
    away = api.client.put(
        url,
        json=notice(square(36.1, 34.5), lower_m=12000, upper_m=13000),
        headers=api.as_("alpha") | {"If-Match": "2"},
    )
    assert away.json()["conflicts"] == []
    shown = api.client.get(f"/v1/conflicts/{conflict_id}", headers=api.as_("bravo")).json()
    assert shown["state"] == "resolved"
    assert shown["resolved_reason"] == "amended"


def test_cancel_resolves_conflicts_and_stops_matching(api: Api) -> None:
    """R-DETECT-3"""
    a = file(api, "alpha", notice(square(36.1, 34.5)))
    b = file(api, "bravo", notice(square(36.3, 34.7)))
    cancelled = api.client.post(f"/v1/notices/{a['id']}/cancel", headers=api.as_("alpha"))
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    conflict_id = b["conflicts"][0]["id"]  # type: ignore[index]
    shown = api.client.get(f"/v1/conflicts/{conflict_id}", headers=api.as_("alpha")).json()
    assert (shown["state"], shown["resolved_reason"]) == ("resolved", "cancelled")
    again = file(api, "bravo", notice(square(36.3, 34.7)))
    assert again["conflicts"] == []
    twice = api.client.post(f"/v1/notices/{a['id']}/cancel", headers=api.as_("alpha"))
    assert twice.status_code == 409


def test_status_moves_with_the_clock_and_conflicts_expire(api: Api) -> None:
    """R-STATUS-1, R-DETECT-3"""
    a = file(api, "alpha", notice(square(36.1, 34.5)))
    b = file(api, "bravo", notice(square(36.3, 34.7)))
    url = f"/v1/notices/{a['id']}"
    api.env.clock.advance(3 * 3600)  # 15:00
    assert api.client.get(url, headers=api.as_("alpha")).json()["status"] == "active"
    api.env.clock.advance(2 * 3600)  # 17:00
    assert api.client.get(url, headers=api.as_("alpha")).json()["status"] == "ended"
    conflict_id = b["conflicts"][0]["id"]  # type: ignore[index]
    assert (
        api.client.get(f"/v1/conflicts/{conflict_id}", headers=api.as_("alpha")).json()["state"]
        == "open"
    )
    api.env.clock.advance(300)  # the time buffer after the end
    shown = api.client.get(f"/v1/conflicts/{conflict_id}", headers=api.as_("alpha")).json()
    assert (shown["state"], shown["resolved_reason"]) == ("resolved", "expired")


def test_list_filters(api: Api) -> None:
    north = file(api, "alpha", notice(square(36.1, 35.5), title="north"))
    south = file(api, "alpha", notice(square(36.1, 32.5), title="south", kind="uav"))
    later = file(
        api,
        "bravo",
        notice(
            square(40.1, 32.5),
            title="later",
            start="2026-11-25T15:00:00Z",
            end="2026-11-25T16:00:00Z",
        ),
    )
    h = api.as_("host")

    def ids(query: str) -> set[str]:
        response = api.client.get(f"/v1/notices?{query}", headers=h)
        assert response.status_code == 200, response.text
        return {n["id"] for n in response.json()["notices"]}

    assert ids("bbox=35,35,37,36.5") == {north["id"]}
    assert ids("kind=uav") == {south["id"]}
    assert ids("party=bravo") == {later["id"]}
    assert ids("from=2026-11-25T00:00:00Z") == {later["id"]}
    assert ids("to=2026-11-25T00:00:00Z") == {north["id"], south["id"]}
    assert ids("status=planned") == {north["id"], south["id"], later["id"]}
    assert ids("status=active") == set()
    assert api.client.get("/v1/notices?bbox=1,2,3", headers=h).status_code == 422


def test_idempotency_key_returns_the_first_result(api: Api) -> None:
    """R-IDEM-1"""
    first = api.client.post(
        "/v1/notices", json=notice(), headers=api.as_("alpha") | {"Idempotency-Key": "k-1"}
    )
    again = api.client.post(
        "/v1/notices", json=notice(), headers=api.as_("alpha") | {"Idempotency-Key": "k-1"}
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers.get("idempotent-replayed") == "true"
    listed = api.client.get("/v1/notices", headers=api.as_("alpha")).json()["notices"]
    assert len(listed) == 1
    other = api.client.post(
        "/v1/notices",
        json=notice(title="different"),
        headers=api.as_("alpha") | {"Idempotency-Key": "k-1"},
    )
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency-mismatch"


def test_a_duplicate_that_lost_the_race_for_its_key_replays_the_first_answer(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R-IDEM-1: a retry that looked for its key before the first request committed (it found
    nothing, so it files too) is refused on the key, and answers what the first answered."""
    headers = api.as_("alpha") | {"Idempotency-Key": "k-1"}
    first = api.client.post("/v1/notices", json=notice(), headers=headers)
    looks: list[str] = []

    def looked_too_early(deps: Deps, actor: Actor, key: str, request_sha256: str) -> str | None:
        looks.append(key)
        if len(looks) == 1:
            return None
        return kept_result(deps, actor, key, request_sha256)

    monkeypatch.setattr(_render, "kept_result", looked_too_early)
    again = api.client.post("/v1/notices", json=notice(), headers=headers)
    assert looks == ["k-1", "k-1"]  # before filing, and after the key refused the filing
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
    assert again.headers.get("idempotent-replayed") == "true"
    assert "idempotent-replayed" not in first.headers
    listed = api.client.get("/v1/notices", headers=api.as_("alpha")).json()["notices"]
    assert [n["id"] for n in listed] == [first.json()["id"]]


def test_zone_declare_amend_withdraw_and_conflict_with_notice(api: Api) -> None:
    declared = api.client.post(
        "/v1/zones", json=zone(square(36.2, 34.6, 0.1), kind="red_line"), headers=api.as_("bravo")
    )
    assert declared.status_code == 201, declared.text
    z = declared.json()
    assert z["volume"]["time"]["end"] is None
    assert z["status"] == "active"
    a = file(api, "alpha", notice(square(36.1, 34.5), lower_m=1000, upper_m=5000))
    assert [c["with"] for c in a["conflicts"]] == [
        {
            "type": "zone",
            "id": z["id"],
            "party": "bravo",
            "priority_status": None,
            "occurrence": None,
        }
    ]  # type: ignore[union-attr]
    amended = api.client.put(
        f"/v1/zones/{z['id']}",
        json=zone(square(36.2, 34.6, 0.1), kind="red_line", title="Border strip"),
        headers=api.as_("bravo") | {"If-Match": "1"},
    )
    assert amended.status_code == 200, amended.text
    assert amended.json()["version"] == 2
    withdrawn = api.client.post(f"/v1/zones/{z['id']}/withdraw", headers=api.as_("bravo"))
    assert withdrawn.json()["status"] == "withdrawn"
    open_for_alpha = api.client.get("/v1/conflicts?state=open", headers=api.as_("alpha")).json()
    assert open_for_alpha["conflicts"] == []


def test_acknowledging_a_notice_records_who_and_when(api: Api) -> None:
    """R-ACK-1"""
    file(api, "bravo", notice(square(36.3, 34.7)))
    a = file(api, "alpha", notice(square(36.1, 34.5)))  # clashes, so bravo must acknowledge it
    api.env.clock.advance(120)
    ack = api.client.post(f"/v1/notices/{a['id']}/ack", headers=api.as_("bravo"))
    assert ack.status_code == 200, ack.text
    assert ack.json()["acked_at"] == "2026-11-24T12:02:00Z"
    assert ack.json()["due_at"] == "2026-11-24T12:15:00Z"
    detail = api.client.get(f"/v1/notices/{a['id']}", headers=api.as_("alpha")).json()
    assert [(x["party"], x["status"]) for x in detail["acknowledgements"]] == [
        ("bravo", "acknowledged")
    ]
    own = api.client.post(f"/v1/notices/{a['id']}/ack", headers=api.as_("alpha"))
    assert own.status_code == 409


def test_a_visible_notice_can_be_acknowledged_unasked(api: Api) -> None:
    a = file(api, "alpha", notice(square(36.1, 34.5)))
    file(api, "bravo", notice(square(36.3, 34.7)))  # now bravo sees alpha's clashing volume
    ack = api.client.post(f"/v1/notices/{a['id']}/ack", headers=api.as_("bravo"))
    assert ack.status_code == 200, ack.text
    assert ack.json()["acked_at"] == ack.json()["due_at"] == "2026-11-24T12:00:00Z"


def test_the_inbox_drops_conflicts_that_expired_or_resolved(api: Api) -> None:
    file(api, "alpha", notice(square(36.1, 34.5)))
    b = file(api, "bravo", notice(square(36.3, 34.7)))
    conflict_id = b["conflicts"][0]["id"]  # type: ignore[index]

    def inbox(party: str) -> list[str]:
        body = api.client.get("/v1/acks/pending", headers=api.as_(party)).json()
        return [a["subject_id"] for a in body["acknowledgements"]]

    assert conflict_id in inbox("alpha")
    api.env.clock.advance(5 * 3600 + 300)  # past the end and the time buffer
    assert conflict_id not in inbox("alpha")
    assert inbox("bravo") == []


AREA_YAML = LEVANT_YAML + "area: [35.0, 32.0, 42.5, 37.5]\n"
"""The Levant mechanism with an area of responsibility (a bbox, lon/lat)."""


@pytest.fixture
def bounded(database: Database, clock: FakeClock) -> Iterator[Api]:
    """The API over the Levant mechanism with an area of responsibility."""
    holder = Api(make_env(database, clock, AREA_YAML))
    with holder.client:
        yield holder


def _count(api: Api, what: str) -> int:
    return len(api.client.get(f"/v1/{what}", headers=api.as_("host")).json()[what])


def test_a_volume_outside_the_area_is_refused_unless_meant(bounded: Api) -> None:
    """R-AREA-1: filing, amending and declaring; swapped coordinates are named."""
    api = bounded
    swapped_square = square(34.5, 36.1)  # (36.1 N, 34.5 E) given as [lat, lon]
    refused = api.client.post("/v1/notices", json=notice(swapped_square), headers=api.as_("alpha"))
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] == "outside-area"
    assert problem["path"] == ["volumes", 0, "outline"]
    assert "coordinates may be swapped" in problem["detail"]
    assert "swapped, the numbers would lie inside it" in problem["detail"]
    assert _count(api, "notices") == 0
    meant = file(api, "alpha", notice(swapped_square) | {"outside_area": True})
    assert meant["version"] == 1
    inside = file(api, "alpha", notice(square(36.1, 34.5)))
    amended = api.client.put(
        f"/v1/notices/{inside['id']}",
        json=notice(swapped_square),
        headers=api.as_("alpha") | {"If-Match": "1"},
    )
    assert amended.status_code == 422 and amended.json()["code"] == "outside-area"
    declared = api.client.post("/v1/zones", json=zone(swapped_square), headers=api.as_("alpha"))
    assert declared.status_code == 422 and declared.json()["path"] == ["volume", "outline"]
    assert _count(api, "zones") == 0
    meant_zone = api.client.post(
        "/v1/zones", json=zone(swapped_square) | {"outside_area": True}, headers=api.as_("alpha")
    )
    assert meant_zone.status_code == 201, meant_zone.text
    mechanism = api.client.get("/v1/mechanism", headers=api.as_("bravo")).json()
    assert mechanism["area"]["coordinates"][0][:2] == [[35.0, 32.0], [42.5, 32.0]]


def test_a_mechanism_without_an_area_takes_any_placement(api: Api) -> None:
    """R-AREA-1"""
    file(api, "alpha", notice(square(2.0, 48.0)))
    assert api.client.get("/v1/mechanism", headers=api.as_("alpha")).json()["area"] is None


def test_a_notice_wholly_in_the_past_is_refused_unless_recorded_after_the_fact(
    api: Api,
) -> None:
    """R-LEAD-3: the clock stands at 12:00; a window that ended at 11:30 gives no notice."""
    past = notice(start="2026-11-24T10:00:00Z", end="2026-11-24T11:30:00Z")
    refused = api.client.post("/v1/notices", json=past, headers=api.as_("alpha"))
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["code"] == "notice-in-the-past"
    assert problem["path"] == ["volumes", 0, "time", "end"]
    assert "record_past: true" in problem["detail"]
    assert _count(api, "notices") == 0
    recorded = file(api, "alpha", past | {"record_past": True})
    assert recorded["recorded_after_the_fact"] is True and recorded["status"] == "ended"
    shown = api.client.get(f"/v1/notices/{recorded['id']}", headers=api.as_("host")).json()
    assert shown["recorded_after_the_fact"] is True
    ongoing = file(api, "alpha", notice(start="2026-11-24T11:00:00Z", end="2026-11-24T13:00:00Z"))
    assert ongoing["recorded_after_the_fact"] is False  # under way: still a notice
    listed = api.client.get("/v1/notices", headers=api.as_("alpha")).json()["notices"]
    assert {n["id"]: n["recorded_after_the_fact"] for n in listed} == {
        recorded["id"]: True,
        ongoing["id"]: False,
    }
    moved = api.client.put(
        f"/v1/notices/{ongoing['id']}",
        json=notice(start="2026-11-24T11:00:00Z", end="2026-11-24T11:45:00Z"),
        headers=api.as_("alpha") | {"If-Match": "1"},
    )
    assert moved.status_code == 422 and moved.json()["code"] == "notice-in-the-past"


def test_a_priority_notice_marks_its_conflicts_and_asks_them_within_flash(api: Api) -> None:
    """R-PRIO-1: alpha files a medevac notice (its list shows the status); bravo's clashing
    filing sees the conflict marked, with each side's status, and the notice (redacted under
    conflicts_only) with its status; both sides owe the conflict's acknowledgement within the
    flash deadline."""
    a = file(api, "alpha", notice(square(36.1, 34.5)) | {"priority_status": "medevac"})
    assert a["priority_status"] == "medevac"
    listed = api.client.get("/v1/notices", headers=api.as_("alpha")).json()["notices"]
    assert [n["priority_status"] for n in listed] == ["medevac"]
    b = file(api, "bravo", notice(square(36.3, 34.7)))
    assert b["priority_status"] is None
    (conflict,) = b["conflicts"]  # type: ignore[misc]
    assert conflict["priority_status"] == "medevac"
    assert conflict["with"]["priority_status"] == "medevac"
    assert conflict["own"]["priority_status"] is None
    shown = api.client.get(f"/v1/notices/{a['id']}", headers=api.as_("bravo")).json()
    assert shown["redacted"] is True and shown["priority_status"] == "medevac"
    for party in ("alpha", "bravo"):
        pending = api.client.get("/v1/acks/pending", headers=api.as_(party)).json()
        (ack,) = [p for p in pending["acknowledgements"] if p["subject_id"] == conflict["id"]]
        assert ack["priority"] == "flash"
        assert ack["due_at"] == "2026-11-24T12:01:00Z"  # the clock at 12:00, flash 60 s
    (seen,) = api.client.get("/v1/conflicts", headers=api.as_("alpha")).json()["conflicts"]
    assert seen["own"]["priority_status"] == "medevac" and seen["with"]["priority_status"] is None


@pytest.mark.parametrize("value", ["MEDEVAC", "vip", 3, ""])
def test_an_unknown_priority_status_gets_422_with_its_path(api: Api, value: object) -> None:
    """R-PRIO-1: and nothing is filed."""
    body = notice() | {"priority_status": value}
    refused = api.client.post("/v1/notices", json=body, headers=api.as_("alpha"))
    assert refused.status_code == 422, refused.text
    assert refused.json()["path"] == ["priority_status"]
    assert api.client.get("/v1/notices", headers=api.as_("alpha")).json()["notices"] == []
