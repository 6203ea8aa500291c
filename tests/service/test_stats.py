"""Lead-time compliance counts from delivery, not from filing (R-LEAD-2)."""

from __future__ import annotations

from datetime import timedelta

from _support import T0, Api, Env

from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.deliveries import Delivery
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.visibility import Viewer
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline
from sharedsky.service.context import Actor
from sharedsky.service.notices import file_notice
from sharedsky.service.stats import lead_time_report

ALPHA = Actor(OperatorId("alpha-duty"), PartyId("alpha"), False)


def draft(start_in_s: int, lon: float) -> NoticeDraft:
    start = T0 + timedelta(seconds=start_in_s)
    volume = Volume4D(
        CircleOutline((lon, 34.8), 5_000),
        AltitudeBand(3000, 9000),
        TimeWindow(start, start + timedelta(hours=1)),
    )
    return NoticeDraft(NoticeKind.AIR_SORTIE, "sortie", (volume,))


def deliver(env: Env, notice_id: str, party: str, after_s: int) -> None:
    at = T0 + timedelta(seconds=after_s)
    env.deps.db.run(
        lambda uow: uow.deliveries.record(
            [Delivery("notice", notice_id, PartyId(party), at, "stream")]
        )
    )


def test_lead_time_is_counted_from_delivery_to_the_counterparty(env: Env) -> None:
    on_time = file_notice(env.deps, ALPHA, draft(3600, 30.0)).notice  # 1 h ahead
    squeezed = file_notice(env.deps, ALPHA, draft(1200, 31.0)).notice  # 20 min ahead at filing
    never = file_notice(env.deps, ALPHA, draft(7200, 32.0)).notice
    deliver(env, on_time.id, "bravo", 60)
    deliver(env, squeezed.id, "bravo", 600)  # reached bravo 10 min later: 600 s < 900 s
    deliver(env, squeezed.id, "bravo", 900)  # a later delivery changes nothing
    del never  # the Levant channel is conflicts_only: an undelivered notice is not counted
    report = lead_time_report(env.deps, Viewer(PartyId("host"), True))
    channel = next(c for c in report if (c.sender, c.recipient) == ("alpha", "bravo"))
    assert channel.notices == 2 and channel.late == 1
    assert channel.compliance == 0.5
    assert channel.min_lead_time_s == 600 and channel.median_lead_time_s == (3540 + 600) / 2
    assert [(n.notice, n.lead_time_s, n.required_s) for n in channel.late_notices] == [
        (squeezed.id, 600, 900)
    ]
    reverse = next(c for c in report if (c.sender, c.recipient) == ("bravo", "alpha"))
    assert reverse.notices == 0 and reverse.compliance is None


def test_the_report_route_shows_a_party_only_its_channels(api: Api) -> None:
    host = api.client.get("/v1/stats/lead-time", headers=api.as_("host")).json()["channels"]
    assert {(c["sender"], c["recipient"]) for c in host} == {("alpha", "bravo"), ("bravo", "alpha")}
    bravo = api.client.get("/v1/stats/lead-time", headers=api.as_("bravo"))
    assert bravo.status_code == 200
    assert all("bravo" in (c["sender"], c["recipient"]) for c in bravo.json()["channels"])
    assert api.client.get("/v1/stats/lead-time").status_code == 401


def test_reading_the_stream_records_the_delivery_that_lead_time_counts_from(api: Api) -> None:
    """R-LEAD-2, R-STREAM-1: the lead time is measured when the notice reaches bravo's stream."""
    from _bodies import notice, square

    a = api.client.post("/v1/notices", json=notice(square(36.1, 34.5)), headers=api.as_("alpha"))
    assert a.status_code == 201
    api.client.post("/v1/notices", json=notice(square(36.3, 34.7)), headers=api.as_("bravo"))
    api.env.clock.advance(600)  # bravo's stream is read ten minutes after alpha filed
    with api.client.stream(
        "GET", "/v1/events?after=0&limit=2", headers=api.as_("bravo")
    ) as response:
        body = "".join(response.iter_text())
    assert "notice.filed" in body
    channels = api.client.get("/v1/stats/lead-time", headers=api.as_("host")).json()["channels"]
    sent = next(c for c in channels if (c["sender"], c["recipient"]) == ("alpha", "bravo"))
    assert sent["notices"] == 1
    assert sent["min_lead_time_s"] == 3 * 3600 - 600  # start 15:00, delivered 12:10
