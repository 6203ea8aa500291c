"""``POST /v1/notices/{id}/activate`` and ``/release`` over HTTP: the status on the reads, the
flash event on the counterparty's stream, and the refusals as problem+json (R-ACT-1 … R-ACT-5).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from _bodies import notice, square
from _support import T0, Api, make_env

from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

MANUAL_YAML = """\
mechanism: manual
host: {id: host, name: Coordination Cell}
parties:
  - id: alpha
    name: Alpha
    operators: [{id: alpha-watch, role: viewer}, {id: alpha-duty, role: duty}]
  - {id: bravo, name: Bravo}
defaults:
  sharing: full
  ack_deadline_s: {routine: 900, priority: 300, flash: 60}
  activation: manual
  early_activation_s: 1800
"""

START = T0 + timedelta(hours=3)  # the bodies' window: 15:00–17:00Z


@pytest.fixture
def api(database: Database, clock: FakeClock) -> Iterator[Api]:
    holder = Api(make_env(database, clock, MANUAL_YAML))
    with holder.client:
        yield holder


def post(api: Api, path: str, party: str = "alpha-duty") -> Any:
    return api.client.post(path, headers={"Authorization": f"Bearer {api.env.tokens[party]}"})


def filed(api: Api) -> str:
    answer = api.client.post(
        "/v1/notices", json=notice(square(36.1, 34.5)), headers=api.as_("alpha-duty")
    )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["status"], answer.json()["activation"]) == ("planned", "manual")
    return str(answer.json()["id"])


def stream(api: Api, party: str, count: int) -> list[dict[str, Any]]:
    """The first ``count`` events of ``party``'s stream (it waits for more without a limit)."""
    answer = api.client.get(f"/v1/events?after=0&limit={count}", headers=api.as_(party))
    assert answer.status_code == 200, answer.text
    return [json.loads(line[6:]) for line in answer.text.splitlines() if line.startswith("data: ")]


def ledger_length(api: Api) -> int:
    return len(api.env.deps.db.run(lambda uow: uow.events.after(0), readonly=True))


def test_an_early_activation_reaches_the_counterparty_with_flash_priority(
    api: Api, clock: FakeClock
) -> None:
    """R-ACT-2"""
    notice_id = filed(api)
    clock.set(START - timedelta(minutes=20))
    answer = post(api, f"/v1/notices/{notice_id}/activate")
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["activated_at"]) == (
        "active",
        "2026-11-24T14:40:00Z",
    )
    filed_, event = stream(api, "bravo", 2)
    assert (filed_["type"], event["type"]) == ("notice.filed", "notice.activated")
    payload = event["payload"]
    assert (payload["early"], payload["priority"]) == (True, "flash")
    assert [(a["party"], a["priority"]) for a in payload["acks"]] == [("bravo", "flash")]
    shown = api.client.get(f"/v1/notices/{notice_id}", headers=api.as_("bravo")).json()
    flash = [a for a in shown["acknowledgements"] if a["priority"] == "flash"]
    assert [(a["party"], a["due_at"]) for a in flash] == [("bravo", "2026-11-24T14:41:00Z")]


def test_refusals_are_problems_with_clear_codes_and_store_nothing(
    api: Api, clock: FakeClock
) -> None:
    """R-ACT-2, R-ACT-5"""
    notice_id = filed(api)
    head = ledger_length(api)
    clock.set(START - timedelta(minutes=31))
    refused = post(api, f"/v1/notices/{notice_id}/activate")
    assert (refused.status_code, refused.json()["code"]) == (409, "too-early")
    assert refused.headers["content-type"] == "application/problem+json"
    assert post(api, f"/v1/notices/{notice_id}/activate", "bravo").status_code == 404
    viewer = post(api, f"/v1/notices/{notice_id}/activate", "alpha-watch")
    assert (viewer.status_code, viewer.json()["code"]) == (403, "forbidden-role")
    planned = post(api, f"/v1/notices/{notice_id}/release")
    assert (planned.status_code, planned.json()["code"]) == (409, "state-conflict")
    clock.set(START + timedelta(hours=2))
    ended = post(api, f"/v1/notices/{notice_id}/activate")
    assert (ended.status_code, ended.json()["code"]) == (409, "window-ended")
    assert ledger_length(api) == head


def test_a_release_ends_the_notice_now_and_lists_it_as_released(api: Api, clock: FakeClock) -> None:
    """R-ACT-3"""
    notice_id = filed(api)
    clock.set(START + timedelta(minutes=5))
    assert post(api, f"/v1/notices/{notice_id}/activate").status_code == 200
    clock.set(START + timedelta(minutes=45))
    answer = post(api, f"/v1/notices/{notice_id}/release")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["status"], body["version"], body["released_at"]) == (
        "released",
        2,
        "2026-11-24T15:45:00Z",
    )
    assert body["volumes"][0]["time"]["end"] == "2026-11-24T15:45:00Z"
    listed = api.client.get("/v1/notices?status=released", headers=api.as_("bravo")).json()
    assert [n["id"] for n in listed["notices"]] == [notice_id]
    assert [e["type"] for e in stream(api, "bravo", 3)] == [
        "notice.filed",
        "notice.activated",
        "notice.released",
    ]
