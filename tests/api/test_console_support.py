"""Routes the console leans on: the dry-run filing check, escalations, message delivery times."""

from __future__ import annotations

from typing import Any

import _bodies as bodies
from _support import Api

from sharedsky.domain.ids import PartyId
from sharedsky.domain.visibility import Viewer
from sharedsky.service.deadlines import tick
from sharedsky.service.stream import StreamEvent, record_deliveries


def changes(api: Api) -> int:
    """The ledger's entries but the deliveries (a read delivers what it shows: R-LEAD-2)."""
    lines = api.client.get("/v1/ledger", headers=api.as_("host")).text.splitlines()
    return sum(1 for line in lines if '"type":"delivery.recorded"' not in line.replace(" ", ""))


def count(api: Api, path: str, key: str) -> int:
    return len(api.client.get(path, headers=api.as_("host")).json()[key])


def test_the_check_reports_what_filing_would_and_stores_nothing(api: Api) -> None:
    """R-CHECK-1."""
    alpha, bravo = api.as_("alpha"), api.as_("bravo")
    first = api.client.post("/v1/notices", json=bodies.notice(), headers=alpha)
    assert first.status_code == 201
    events_before = changes(api)
    draft = bodies.notice(bodies.square(36.3, 34.5), start="2026-11-24T12:05:00Z")
    checked = api.client.post("/v1/notices/check", json=draft, headers=bravo)
    assert checked.status_code == 200, checked.text
    body = checked.json()
    assert body["lead_time_s"] == 300 and body["late_for"] == ["alpha"]
    (conflict,) = body["conflicts"]
    assert conflict["with"]["party"] == "alpha" and conflict["state"] == "open"
    # nothing stored: no notice, no conflict, no ledger entry
    assert count(api, "/v1/notices", "notices") == 1
    assert count(api, "/v1/conflicts", "conflicts") == 0
    assert changes(api) == events_before
    # filing the same draft finds the same conflict
    filed = api.client.post("/v1/notices", json=draft, headers=bravo).json()
    assert [c["with"] for c in filed["conflicts"]] == [conflict["with"]]


def test_the_check_of_an_amendment_and_bad_drafts(api: Api) -> None:
    alpha, bravo = api.as_("alpha"), api.as_("bravo")
    mine = api.client.post("/v1/notices", json=bodies.notice(), headers=alpha).json()
    theirs = bodies.notice(bodies.square(36.3, 34.5))
    api.client.post("/v1/notices", json=theirs, headers=bravo)
    away = bodies.notice(bodies.square(30.0, 30.0))
    checked = api.client.post(
        "/v1/notices/check", params={"amending": mine["id"]}, json=away, headers=alpha
    )
    assert checked.status_code == 200 and checked.json()["conflicts"] == [], checked.text
    other = api.client.post(
        "/v1/notices/check", params={"amending": mine["id"]}, json=away, headers=bravo
    )
    assert other.status_code == 404
    bad: dict[str, Any] = bodies.notice(upper_m=1000, lower_m=2000)
    refused = api.client.post("/v1/notices/check", json=bad, headers=alpha)
    assert refused.status_code == 422 and refused.json()["path"][:2] == ["volumes", 0]
    host = api.client.post("/v1/notices/check", json=away, headers=api.as_("host"))
    assert host.status_code == 403


def test_escalations_list_each_step_for_the_party_and_the_host(api: Api) -> None:
    alpha, bravo = api.as_("alpha"), api.as_("bravo")
    api.client.post("/v1/notices", json=bodies.notice(), headers=alpha)
    api.client.post("/v1/notices", json=bodies.notice(bodies.square(36.3, 34.5)), headers=bravo)
    assert api.client.get("/v1/escalations", headers=bravo).json() == {"escalations": []}
    api.env.clock.advance(3600)
    assert tick(api.env.deps).escalated > 0
    mine = api.client.get("/v1/escalations", headers=bravo).json()["escalations"]
    assert mine and {e["party"] for e in mine} == {"bravo"}
    step = mine[0]
    assert step["to_host"] is True and step["rung_name"] == "host"  # no ladder: straight up
    assert step["subject"] in ("notice", "conflict") and step["next_due_at"] is None
    every = api.client.get("/v1/escalations", headers=api.as_("host")).json()["escalations"]
    assert {e["party"] for e in every} == {"alpha", "bravo"}


def test_an_escalated_incident_is_listed_with_its_subject(api: Api) -> None:
    """The host's console reads an incident's escalation (it named only notices, conflicts and
    messages: a late incident's step answered 500)."""
    alpha, bravo = api.as_("alpha"), api.as_("bravo")
    api.client.post("/v1/notices", json=bodies.notice(), headers=alpha)
    filed = api.client.post(
        "/v1/notices", json=bodies.notice(bodies.square(36.3, 34.5)), headers=bravo
    ).json()
    conflict = filed["conflicts"][0]["id"]
    body = {"time": api.env.clock.now().isoformat(), "position": [36.2, 34.6]}
    incident = api.client.post(
        "/v1/incidents",
        json=body | {"narrative": "near miss", "conflicts": [conflict]},
        headers=alpha,
    ).json()
    api.env.clock.advance(3600)
    assert tick(api.env.deps).escalated > 0
    every = api.client.get("/v1/escalations", headers=api.as_("host"))
    assert every.status_code == 200, every.text
    steps = [e for e in every.json()["escalations"] if e["subject"] == "incident"]
    assert [(e["subject_id"], e["party"]) for e in steps] == [(incident["id"], "bravo")]


def test_a_message_shows_when_it_reached_the_recipient(api: Api) -> None:
    sent = api.client.post(
        "/v1/messages",
        json={"to": "bravo", "priority": "routine", "text": "radio check"},
        headers=api.as_("alpha"),
    ).json()
    assert sent["delivered_at"] is None
    event = StreamEvent(
        1, api.env.clock.now(), "message.sent", "alpha-duty",
        {"message": sent["id"], "from": "alpha", "to": "bravo"},
    )  # fmt: skip
    api.env.clock.advance(2)
    record_deliveries(api.env.deps, Viewer(PartyId("bravo"), False), [event])
    read = api.client.get(f"/v1/messages/{sent['id']}", headers=api.as_("alpha")).json()
    assert read["delivered_at"] == "2026-11-24T12:00:02Z"
