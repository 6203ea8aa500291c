"""``POST /v1/notices/{id}/agree``, ``/deny``, ``/counter`` and ``/accept`` over HTTP: the
agreement state on the notice's read, the answers on the right streams, and every refusal as
problem+json with nothing stored (R-AGREE-1 … R-AGREE-5)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from _bodies import notice, square, volume
from _support import Api, make_env

from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

THREE_YAML = """\
mechanism: agreement
host: {id: host, name: Coordination Cell}
parties:
  - id: alpha
    name: Alpha
    operators: [{id: alpha-watch, role: viewer}, {id: alpha-duty, role: duty}]
  - id: bravo
    name: Bravo
    operators: [{id: bravo-watch, role: viewer}, {id: bravo-duty, role: duty}]
  - {id: charlie, name: Charlie}
defaults:
  sharing: full
  ack_deadline_s: {routine: 900, priority: 300, flash: 60}
"""


@pytest.fixture
def api(database: Database, clock: FakeClock) -> Iterator[Api]:
    holder = Api(make_env(database, clock, THREE_YAML))
    with holder.client:
        yield holder


def post(api: Api, path: str, party: str, body: Any = None, **headers: str) -> Any:
    auth = {"Authorization": f"Bearer {api.env.tokens[party]}"} | headers
    return api.client.post(path, json=body, headers=auth)


def filed(api: Api, ask: bool = True) -> str:
    body = notice(square(36.1, 34.5)) | {"request_agreement": ask}
    answer = post(api, "/v1/notices", "alpha-duty", body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["request_agreement"] is ask
    return str(answer.json()["id"])


def shown(api: Api, notice_id: str, party: str) -> dict[str, Any]:
    answer = api.client.get(f"/v1/notices/{notice_id}", headers=api.as_(party))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def stream_types(api: Api, party: str, count: int) -> list[str]:
    answer = api.client.get(f"/v1/events?after=0&limit={count}", headers=api.as_(party))
    assert answer.status_code == 200, answer.text
    return [
        json.loads(line[6:])["type"]
        for line in answer.text.splitlines()
        if line.startswith("data: ")
    ]


def ledger_length(api: Api) -> int:
    return len(api.env.deps.db.run(lambda uow: uow.events.after(0), readonly=True))


def test_answers_show_on_the_notice_as_each_viewer_may_see_them(api: Api) -> None:
    """R-AGREE-2, R-AGREE-5: the filer and the host see every counterparty's position, a
    counterparty its own; the answers reach the filer, the answering party and the host."""
    notice_id = filed(api)
    pending = shown(api, notice_id, "alpha-duty")["agreement"]
    assert [(p["party"], p["state"], p["version"]) for p in pending] == [
        ("bravo", "pending", 1),
        ("charlie", "pending", 1),
    ]
    agreed = post(api, f"/v1/notices/{notice_id}/agree", "bravo-duty")
    assert agreed.status_code == 200, agreed.text
    assert (agreed.json()["state"], agreed.json()["answered_by"]) == ("agreed", "bravo-duty")
    denied = post(api, f"/v1/notices/{notice_id}/deny", "charlie", {"reason": "range closed"})
    assert denied.status_code == 200, denied.text
    states = {
        p["party"]: (p["state"], p["reason"]) for p in shown(api, notice_id, "host")["agreement"]
    }
    assert states == {"bravo": ("agreed", None), "charlie": ("denied", "range closed")}
    own = shown(api, notice_id, "bravo-duty")["agreement"]
    assert [(p["party"], p["state"]) for p in own] == [("bravo", "agreed")]
    assert post(api, f"/v1/notices/{notice_id}/ack", "bravo-duty").status_code == 200
    assert stream_types(api, "bravo-duty", 3) == [
        "notice.filed",
        "notice.agreed",
        "notice.acknowledged",
    ]
    assert stream_types(api, "alpha-duty", 3) == ["notice.filed", "notice.agreed", "notice.denied"]
    pending_acks = api.client.get("/v1/acks/pending", headers=api.as_("charlie")).json()
    assert [a["subject"] for a in pending_acks["acknowledgements"]] == ["notice"]


def test_a_counter_proposal_is_accepted_as_an_amendment(api: Api) -> None:
    """R-AGREE-3, R-AGREE-4"""
    notice_id = filed(api)
    later = volume(square(36.1, 34.5), "2026-11-24T17:00:00Z", "2026-11-24T19:00:00Z")
    countered = post(
        api, f"/v1/notices/{notice_id}/counter", "bravo-duty", {"volumes": [later], "note": "later"}
    )
    assert countered.status_code == 200, countered.text
    counter_id = countered.json()["counter_id"]
    assert countered.json()["volumes"][0]["time"]["start"] == "2026-11-24T17:00:00Z"
    path = f"/v1/notices/{notice_id}/accept"
    no_match = post(api, path, "alpha-duty", {"counter_id": counter_id})
    assert (no_match.status_code, no_match.json()["code"]) == (428, "precondition-required")
    unknown = post(api, path, "alpha-duty", {"counter_id": "ack-nope"}, **{"If-Match": "1"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not-found")
    accepted = post(api, path, "alpha-duty", {"counter_id": counter_id}, **{"If-Match": "1"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["version"] == 2
    assert accepted.json()["volumes"][0]["time"]["start"] == "2026-11-24T17:00:00Z"
    again = post(api, path, "alpha-duty", {"counter_id": counter_id}, **{"If-Match": "2"})
    assert (again.status_code, again.json()["code"]) == (412, "stale-version")
    after = shown(api, notice_id, "alpha-duty")["agreement"]
    assert [(p["party"], p["state"], p["version"]) for p in after] == [
        ("bravo", "pending", 2),
        ("charlie", "pending", 2),
    ]


def test_bad_answers_get_a_clear_problem_and_store_nothing(api: Api) -> None:
    """R-AGREE-2: twice 409, own notice 403, not asked 409, invisible 404, viewer 403, a blank
    reason and invalid counter volumes 422 at the field."""
    notice_id = filed(api)
    silent = filed(api, ask=False)
    assert post(api, f"/v1/notices/{notice_id}/agree", "bravo-duty").status_code == 200
    before = ledger_length(api)
    bad = {"volumes": [volume(square(36.1, 34.5), lower_m=9000, upper_m=3000)]}
    cases = [
        ("agree", notice_id, "bravo-duty", None, 409, "already-answered", []),
        ("agree", notice_id, "alpha-duty", None, 403, "own-notice", []),
        ("agree", silent, "bravo-duty", None, 409, "agreement-not-requested", []),
        ("agree", "ntc-nope", "charlie", None, 404, "not-found", []),
        ("agree", notice_id, "bravo-watch", None, 403, "forbidden-role", []),
        ("deny", notice_id, "charlie", {"reason": "  "}, 422, "invalid-input", ["reason"]),
        ("counter", notice_id, "charlie", bad, 422, "invalid-volume", ["volumes", 0]),
        ("counter", notice_id, "charlie", {"volumes": []}, 422, "invalid-input", ["volumes"]),
    ]
    for route, target, party, body, status, code, path in cases:
        answer = post(api, f"/v1/notices/{target}/{route}", party, body)
        assert answer.status_code == status, (route, party, answer.text)
        problem = answer.json()
        assert problem["code"] == code, (route, party, problem)
        assert problem["path"][: len(path)] == path, (route, problem)
    missing = post(api, f"/v1/notices/{notice_id}/deny", "charlie", {})
    assert missing.status_code == 422 and missing.json()["path"][-1] == "reason"
    assert ledger_length(api) == before
    assert shown(api, notice_id, "charlie")["agreement"][0]["state"] == "pending"


def test_an_acknowledgement_is_a_receipt_and_settles_no_agreement(api: Api) -> None:
    """R-AGREE-1: acknowledging the notice leaves the request for agreement pending."""
    notice_id = filed(api)
    acked = post(api, f"/v1/notices/{notice_id}/ack", "bravo-duty")
    assert acked.status_code == 200, acked.text
    assert acked.json()["subject"] == "notice"
    [bravo, _] = shown(api, notice_id, "alpha-duty")["agreement"]
    assert bravo["state"] == "pending"
    owed = api.client.get("/v1/acks/pending", headers=api.as_("bravo-duty")).json()
    assert [a["subject"] for a in owed["acknowledgements"]] == ["agreement"]
