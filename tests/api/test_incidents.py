"""Incidents and published reports over HTTP (R-INC-1 … R-INC-3, R-REVIEW-1 … R-REVIEW-3):
filing, reading as the visibility rules allow, acknowledging, bad input with its field; the
host's report signed and recorded; the figures of a busy day against the independent
recomputation, for the host and for a party's own export."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from _busy_day import busy_day
from _review_reference import figures_of, reference
from _support import T0, THREE_PARTY_YAML, Api, make_env

from sharedsky.domain.review import review_figures
from sharedsky.ledger.export import read_jsonl
from sharedsky.ledger.reports import ReportSignature, file_sha256, report_problem
from sharedsky.ledger.signing import KeyRing
from sharedsky.ledger.verify import verify
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

DAY = (T0 - timedelta(hours=12), T0 + timedelta(hours=12))


def _clash(api: Api) -> str:
    from _bodies import notice, square

    api.client.post("/v1/notices", json=notice(square(36.1, 34.5)), headers=api.as_("alpha"))
    filed = api.client.post(
        "/v1/notices", json=notice(square(36.3, 34.5)), headers=api.as_("bravo")
    ).json()
    return str(filed["conflicts"][0]["id"])


def _body(**changes: Any) -> dict[str, Any]:
    return {"time": T0.isoformat(), "position": [36.2, 34.6], "narrative": "near miss"} | changes


def test_filing_reading_and_acknowledging_an_incident(api: Api) -> None:
    conflict = _clash(api)
    filed = api.client.post(
        "/v1/incidents", json=_body(conflicts=[conflict]), headers=api.as_("alpha")
    )
    assert filed.status_code == 201, filed.text
    incident = filed.json()
    assert (incident["party"], incident["parties"], incident["conflicts"]) == (
        "alpha", ["bravo"], [conflict]
    )  # fmt: skip
    assert incident["timeline"], "the conflict's entries are attached"
    shown = api.client.get(f"/v1/incidents/{incident['id']}", headers=api.as_("bravo")).json()
    assert [(a["party"], a["status"]) for a in shown["acks"]] == [("bravo", "pending")]
    pending = api.client.get("/v1/acks/pending", headers=api.as_("bravo")).json()
    assert "incident" in [a["subject"] for a in pending["acknowledgements"]]
    acked = api.client.post(f"/v1/incidents/{incident['id']}/ack", headers=api.as_("bravo"))
    assert acked.status_code == 200 and acked.json()["subject"] == "incident", acked.text
    listed = api.client.get("/v1/incidents", headers=api.as_("host")).json()["incidents"]
    assert [i["id"] for i in listed] == [incident["id"]]
    assert listed[0]["acks"][0]["status"] == "acknowledged"
    own = api.client.post("/v1/incidents", json=_body(), headers=api.as_("bravo")).json()
    assert api.client.get(f"/v1/incidents/{own['id']}", headers=api.as_("alpha")).status_code == 404
    assert [i["id"] for i in api.client.get("/v1/incidents", headers=api.as_("alpha")).json()[
        "incidents"]] == [incident["id"]]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"notices": ["ntc-nope"]}, ["notices", 0]),
        ({"zones": ["zon-nope"]}, ["zones", 0]),
        ({"conflicts": ["x", "cfl-nope"]}, ["conflicts", 0]),
        ({"tracks": ["T404"]}, ["tracks", 0]),
        ({"time": (T0 + timedelta(minutes=1)).isoformat()}, ["time"]),
        ({"position": [200.0, 34.0]}, ["position", 0]),
        ({"position": [36.0]}, ["position"]),
        ({"narrative": ""}, ["narrative"]),
        ({"time": "2026-11-24T12:00:00"}, ["time"]),
    ],
)
def test_bad_input_gets_422_at_its_field_and_stores_nothing(
    api: Api, changes: dict[str, Any], path: list[object]
) -> None:
    before = api.client.get("/v1/ledger/checkpoint", headers=api.as_("host")).json()["seq"]
    answer = api.client.post("/v1/incidents", json=_body(**changes), headers=api.as_("alpha"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["path"] == path
    after = api.client.get("/v1/ledger/checkpoint", headers=api.as_("host")).json()["seq"]
    assert after == before


def _export(api: Api, who: str) -> list[dict[str, Any]]:
    data = api.client.get("/v1/ledger", headers=api.as_(who)).content
    entries, trailer = read_jsonl(io.BytesIO(data))
    ring = KeyRing.from_json(api.client.get("/v1/ledger/keys", headers=api.as_(who)).json())
    assert verify(entries, trailer, ring).ok
    return entries


def test_the_busy_days_figures_equal_the_independent_recomputation(api: Api) -> None:
    """R-REVIEW-1 over a real ledger: filings, acknowledgements, escalations, an alert and
    two incidents; R-REVIEW-3: each party's own export gives the figures of what it sees."""
    busy_day(api)
    host = _export(api, "host")
    review = review_figures(host, *DAY)
    assert figures_of(review) == reference(host, *DAY)
    assert len(review.incidents) == 2 and review.escalations and review.tactical
    for party in ("alpha", "bravo"):
        own = _export(api, party)
        seen = {e["seq"] for e in own if "type" in e}
        restricted = [e for e in host if e["seq"] in seen]
        assert figures_of(review_figures(own, *DAY)) == figures_of(review_figures(restricted, *DAY))
        assert figures_of(review_figures(own, *DAY)) == reference(restricted, *DAY)


def test_the_host_publishes_a_signed_report_recorded_in_the_ledger(api: Api) -> None:
    """R-REVIEW-2."""
    data = b"<!doctype html><p>review</p>"
    body = {"sha256": file_sha256(data), "start": DAY[0].isoformat(), "end": DAY[1].isoformat(),
            "head_seq": 1, "format": "html"}  # fmt: skip
    answer = api.client.post("/v1/reports", json=body, headers=api.as_("host"))
    assert answer.status_code == 201, answer.text
    signature = ReportSignature.from_json(answer.json()["signature"])
    ring = KeyRing.from_json(api.client.get("/v1/ledger/keys", headers=api.as_("host")).json())
    assert report_problem(ring, signature, data) is None
    [entry] = [e for e in _export(api, "host") if e.get("type") == "report.published"]
    assert entry["seq"] == answer.json()["seq"]
    assert entry["payload"]["sha256"] == file_sha256(data)
    assert entry["payload"]["sig"] == signature.sig
    refused = api.client.post("/v1/reports", json=body, headers=api.as_("alpha"))
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"end": "2026-11-23T00:00:00Z"}, ["to"]),
        ({"sha256": "z" * 64}, ["sha256"]),
        ({"head_seq": 10_000}, ["head_seq"]),
        ({"format": "docx"}, ["format"]),
    ],
)
def test_a_bad_report_is_refused_at_its_field(
    api: Api, changes: dict[str, Any], path: list[str]
) -> None:
    body = {"sha256": "ab" * 32, "start": DAY[0].isoformat(), "end": DAY[1].isoformat(),
            "head_seq": 1, "format": "pdf"} | changes  # fmt: skip
    answer = api.client.post("/v1/reports", json=body, headers=api.as_("host"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["path"] == path
    assert json.loads(answer.text)["code"] in ("invalid-input", "validation-failed")


def test_an_incident_reaches_its_parties_and_the_host_only(
    database: Database, clock: FakeClock
) -> None:
    """R-INC-3 over three parties: alpha files about its clash with bravo; charlie (not
    concerned) neither reads it nor receives its ledger entries whole."""
    api = Api(make_env(database, clock, THREE_PARTY_YAML))
    with api.client:
        conflict = _clash(api)
        filed = api.client.post(
            "/v1/incidents", json=_body(conflicts=[conflict]), headers=api.as_("alpha")
        ).json()
        api.client.post(f"/v1/incidents/{filed['id']}/ack", headers=api.as_("bravo"))
        for who, status in (("alpha", 200), ("bravo", 200), ("host", 200), ("charlie", 404)):
            got = api.client.get(f"/v1/incidents/{filed['id']}", headers=api.as_(who))
            assert got.status_code == status, (who, got.text)
            listed = api.client.get("/v1/incidents", headers=api.as_(who)).json()["incidents"]
            assert [i["id"] for i in listed] == ([filed["id"]] if status == 200 else [])
        for who, whole in (("alpha", True), ("bravo", True), ("host", True), ("charlie", False)):
            types = {e.get("type") for e in _export(api, who)}
            assert ("incident.filed" in types) is whole, who
            assert ("incident.acknowledged" in types) is whole, who
