"""Reading is receiving (R-LEAD-2): a notice, conflict or message that a party's client reads
through the API reaches that party as surely as its stream, so its first read is a first
delivery, recorded in the ledger and counted in the lead-time report; a read again, or a read of
the party's own object, records nothing."""

from __future__ import annotations

import io
from typing import Any

from _bodies import notice, square
from _support import Api

from sharedsky.ledger.export import read_jsonl


def delivered(api: Api) -> list[dict[str, Any]]:
    """The payloads of the ``delivery.recorded`` entries, as the host exports them, once the
    deliveries noted were written."""
    api.container.deliveries.flush()
    response = api.client.get("/v1/ledger", headers=api.as_("host"))
    assert response.status_code == 200, response.text
    entries, _ = read_jsonl(io.BytesIO(response.content))
    return [e["payload"] for e in entries if e.get("type") == "delivery.recorded"]


def file(api: Api, party: str, lon: float) -> dict[str, Any]:
    response = api.client.post(
        "/v1/notices", json=notice(square(lon, 34.5)), headers=api.as_(party)
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_notice_read_in_a_list_is_delivered_once_and_counts_for_the_lead_time(
    api: Api,
) -> None:
    filed = file(api, "alpha", 36.1)
    clash = file(api, "bravo", 36.3)  # the Levant's channels share clashing notices only
    assert delivered(api) == []
    for _ in range(3):  # a console reading its list again and again
        listed = api.client.get("/v1/notices", headers=api.as_("bravo"))
        assert filed["id"] in [n["id"] for n in listed.json()["notices"]]
    found = delivered(api)
    assert [(d["subject"], d["id"], d["party"], d["via"]) for d in found] == [
        ("notice", filed["id"], "bravo", "read")
    ]
    assert found[0]["concerns"] == ["alpha"]
    api.client.get("/v1/notices", headers=api.as_("alpha"))  # its own tells it nothing
    assert [(d["id"], d["party"]) for d in delivered(api)] == [
        (filed["id"], "bravo"),
        (clash["id"], "alpha"),
    ]
    report = api.client.get("/v1/stats/lead-time", headers=api.as_("host")).json()
    channel = next(
        c for c in report["channels"] if (c["sender"], c["recipient"]) == ("alpha", "bravo")
    )
    assert channel["notices"] == 1 and channel["undelivered"] == 0, channel
    assert channel["median_lead_time_s"] is not None


def test_a_notice_conflict_and_message_shown_one_by_one_are_each_delivered(api: Api) -> None:
    mine = file(api, "alpha", 36.1)
    clash = file(api, "bravo", 36.3)
    conflict_id = clash["conflicts"][0]["id"]
    sent = api.client.post(
        "/v1/messages",
        json={"to": "bravo", "priority": "routine", "text": "call us"},
        headers=api.as_("alpha"),
    )
    assert sent.status_code == 201, sent.text
    bravo = api.as_("bravo")
    assert api.client.get(f"/v1/notices/{mine['id']}", headers=bravo).status_code == 200
    assert api.client.get(f"/v1/conflicts/{conflict_id}", headers=bravo).status_code == 200
    assert api.client.get(f"/v1/messages/{sent.json()['id']}", headers=bravo).status_code == 200
    reads = {(d["subject"], d["id"], d["party"]) for d in delivered(api) if d["via"] == "read"}
    assert reads == {
        ("notice", mine["id"], "bravo"),
        ("conflict", conflict_id, "bravo"),
        ("message", sent.json()["id"], "bravo"),
    }


def test_a_list_of_conflicts_or_messages_delivers_them_and_the_senders_own_reads_do_not(
    api: Api,
) -> None:
    file(api, "alpha", 36.1)
    clash = file(api, "bravo", 36.3)
    conflict_id = clash["conflicts"][0]["id"]
    sent = api.client.post(
        "/v1/messages",
        json={"to": "bravo", "priority": "routine", "text": "call us"},
        headers=api.as_("alpha"),
    )
    api.client.get("/v1/messages", headers=api.as_("alpha"))  # the sender's own
    api.client.get("/v1/conflicts", headers=api.as_("alpha"))
    api.client.get("/v1/messages", headers=api.as_("bravo"))
    reads = {(d["subject"], d["id"], d["party"]) for d in delivered(api) if d["via"] == "read"}
    assert reads == {
        ("conflict", conflict_id, "alpha"),
        ("message", sent.json()["id"], "bravo"),
    }
