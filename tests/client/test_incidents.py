"""The SDK's incident and report calls over the in-process app (R-INC-1, R-INC-2,
R-REVIEW-2)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from _bodies import notice, square
from _support import T0, Api

from sharedsky.client import Client, ClientError, NotFoundError
from sharedsky.ledger.reports import ReportSignature, report_problem
from sharedsky.wire import v1


def sdk(api: Api, party: str) -> Client:
    return Client("http://testserver", api.env.tokens[party], http=api.client)


def test_file_read_and_acknowledge_an_incident(api: Api) -> None:
    api.client.post("/v1/notices", json=notice(square(36.1, 34.5)), headers=api.as_("alpha"))
    clash = api.client.post(
        "/v1/notices", json=notice(square(36.3, 34.5)), headers=api.as_("bravo")
    )
    conflict = clash.json()["conflicts"][0]["id"]
    body = v1.IncidentIn(
        time=T0 - timedelta(minutes=3), position=[36.2, 34.6], conflicts=[conflict],
        narrative="near miss",
    )  # fmt: skip
    filed = sdk(api, "alpha").file_incident(body, idempotency_key="inc-1")
    assert sdk(api, "alpha").file_incident(body, idempotency_key="inc-1").id == filed.id
    assert filed.parties == ["bravo"] and filed.timeline
    assert [i.id for i in sdk(api, "bravo").list_incidents()] == [filed.id]
    ack = sdk(api, "bravo").ack_incident(filed.id)
    assert (ack.subject, ack.status) == ("incident", "acknowledged")
    assert sdk(api, "host").get_incident(filed.id).acks[0].acked_by == ack.acked_by
    with pytest.raises(NotFoundError):
        sdk(api, "bravo").get_incident("inc-none")
    with pytest.raises(ClientError) as caught:
        sdk(api, "alpha").file_incident(body.model_copy(update={"notices": ["ntc-none"]}))
    assert caught.value.status == 422


def test_the_host_publishes_a_report(api: Api) -> None:
    body = v1.ReportIn(sha256="0" * 64, start=T0, end=T0 + timedelta(days=1), head_seq=1,
                       format="pdf")  # fmt: skip
    published = sdk(api, "host").publish_report(body)
    signature = ReportSignature.from_json(published.signature)
    ring = sdk(api, "host").ledger_keys()
    assert report_problem(ring, signature, b"") == "the file's SHA-256 is not the one signed"
    assert published.seq > 1
