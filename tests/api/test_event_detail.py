"""The full data events carry for the state tables never leaks: a party receives it on its
stream, its webhooks and its ledger export only as the reads would show it (R-STREAM-1).

    alpha ──conflicts_only── bravo        alpha ──host_only── charlie

alpha files one notice of two volumes: one clashes with bravo's notice and charlie's, the
other (FAR, at coordinates that occur nowhere else) clashes with nothing. bravo may see the
clashing volume alone, charlie nothing of alpha's notice (not even its id).
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from typing import Any, cast

import pytest
from _bodies import notice, square, volume
from _support import THREE_PARTY_YAML, Api, make_env
from fastapi import FastAPI

from sharedsky.api.routes import webhooks
from sharedsky.domain.ids import PartyId
from sharedsky.domain.visibility import Viewer
from sharedsky.events.streams import StreamCursor
from sharedsky.ledger.export import read_jsonl
from sharedsky.service.stream import read_stream
from sharedsky.service.webhooks import deliver_due
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock, RecordingSender

HERE = square(36.1, 34.5)
FAR_LON = 41.23456
"""The far volume's corner: a number that only its outline holds."""


@pytest.fixture
def api3(database: Database, clock: FakeClock) -> Iterator[Api]:
    """The three-party API with the webhook routes."""
    holder = Api(make_env(database, clock, THREE_PARTY_YAML))
    app = cast(FastAPI, holder.client.app)
    if not any(getattr(r, "path", None) == "/v1/webhooks" for r in app.routes):
        app.include_router(webhooks.router)
    with holder.client:
        yield holder


@pytest.fixture
def day(api3: Api) -> dict[str, str]:
    """The filings, with a webhook for bravo and charlie registered first; returns ids."""
    for party in ("bravo", "charlie"):
        url = f"https://{party}.example/hook"
        assert api3.client.post(
            "/v1/webhooks", json={"url": url}, headers=api3.as_(party)
        ).is_success
    body = notice(HERE)
    body["volumes"].append(volume(square(FAR_LON, 30.0)))
    answer = api3.client.post("/v1/notices", json=body, headers=api3.as_("alpha"))
    assert answer.status_code == 201, answer.text
    ids = {"alpha": answer.json()["id"]}
    for party in ("bravo", "charlie"):
        answer = api3.client.post("/v1/notices", json=notice(HERE), headers=api3.as_(party))
        assert answer.status_code == 201 and answer.json()["conflicts"], answer.text
        ids[party] = answer.json()["id"]
    amended = api3.client.put(
        f"/v1/notices/{ids['alpha']}", json=body, headers=api3.as_("alpha") | {"If-Match": "1"}
    )
    assert amended.status_code == 200, amended.text
    return ids


def stream_text(api: Api, party: str) -> str:
    """Everything ``party``'s stream sends from the start (the route ends after ``limit``)."""
    viewer = Viewer(PartyId(party), party == "host")
    count = len(read_stream(api.env.deps, viewer, StreamCursor(0, 0.0), 0.0, 10_000).events)
    answer = api.client.get(f"/v1/events?after=0&limit={count}", headers=api.as_(party))
    assert answer.status_code == 200
    return answer.text


def payloads(stream: str, event_type: str) -> list[dict[str, Any]]:
    """The payloads of the events of ``event_type`` in an SSE body."""
    found = []
    for block in stream.split("\n\n"):
        if f"event: {event_type}" in block:
            data = json.loads(block.split("data: ", 1)[1])
            found.append(data["payload"])
    return found


def webhook_text(api: Api) -> dict[str, str]:
    """What the webhooks POST to each party: one JSON body a line."""
    sender = RecordingSender()
    deliver_due(api.env.deps, sender, time.monotonic())
    found: dict[str, str] = {}
    for request in sender.sent:
        party = request.url.split("//")[1].split(".")[0]
        found[party] = found.get(party, "") + request.body.decode() + "\n"
    return found


def export(api: Api, party: str) -> list[dict[str, Any]]:
    answer = api.client.get("/v1/ledger", headers=api.as_(party))
    assert answer.status_code == 200
    entries, _ = read_jsonl(io.BytesIO(answer.content))
    return entries


def test_the_host_receives_the_full_data_whole(api3: Api, day: dict[str, str]) -> None:
    text = stream_text(api3, "host")
    assert str(FAR_LON) in text and '"content"' in text and '"record"' in text


def test_a_conflicts_only_counterparty_never_receives_a_volume_that_does_not_clash(
    api3: Api, day: dict[str, str]
) -> None:
    """bravo sees alpha's notice (it clashes) but not its far volume: not on its stream, not
    through its webhook, not in its ledger export."""
    stream = stream_text(api3, "bravo")
    assert day["alpha"] in stream  # the notice's events reach bravo…
    assert str(FAR_LON) not in stream  # … without the far volume
    hooked = webhook_text(api3)
    assert day["alpha"] in hooked["bravo"] and str(FAR_LON) not in hooked["bravo"]
    entries = export(api3, "bravo")
    assert str(FAR_LON) not in str(entries)
    about_alpha = [e for e in entries if day["alpha"] in str(e)]
    assert about_alpha  # whatever names alpha's notice comes redacted or cut
    # alpha's own stream keeps the whole content of its notice
    assert str(FAR_LON) in stream_text(api3, "alpha")


def test_a_host_only_counterparty_never_learns_the_other_side(
    api3: Api, day: dict[str, str]
) -> None:
    """charlie is told of its conflict with alpha's notice with the notice's id withheld: no
    ``record`` of the conflict, no content, nowhere the id."""
    stream = stream_text(api3, "charlie")
    assert day["alpha"] not in stream and str(FAR_LON) not in stream
    with_alpha = [
        p for p in payloads(stream, "conflict.detected") if "alpha" in str(p["a"] + p["b"])
    ]
    assert with_alpha and all("record" not in p for p in with_alpha)
    hooked = webhook_text(api3)["charlie"]
    assert day["alpha"] not in hooked and str(FAR_LON) not in hooked
    bodies = [json.loads(line) for line in hooked.splitlines()]
    hooked_alpha = [
        b["payload"]
        for b in bodies
        if b["type"] == "conflict.detected"
        and "alpha" in str(b["payload"]["a"] + b["payload"]["b"])
    ]
    assert hooked_alpha and all("record" not in p for p in hooked_alpha)
    entries = export(api3, "charlie")
    assert day["alpha"] not in str(entries) and str(FAR_LON) not in str(entries)


def test_a_counterparty_receives_only_its_own_acknowledgement_requests_of_a_notice(
    api3: Api, day: dict[str, str]
) -> None:
    """bravo's notice asks charlie (full) and alpha (conflicts_only, clashing) to acknowledge
    it: each sees only its own request; the owner sees both."""

    def acks_of(party: str) -> list[str]:
        filed = payloads(stream_text(api3, party), "notice.filed")
        (mine,) = [p for p in filed if p["notice"] == day["bravo"]]
        return sorted(r["party"] for r in mine["acks"])

    assert acks_of("bravo") == ["alpha", "charlie"]
    assert acks_of("charlie") == ["charlie"]
    assert acks_of("alpha") == ["alpha"]
