"""Lead-time compliance counts from delivery, not from filing (R-LEAD-2)."""

from __future__ import annotations

from datetime import timedelta

from _support import T0, Api, Env

from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.visibility import Viewer
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline
from sharedsky.service.context import Actor
from sharedsky.service.notices import file_notice
from sharedsky.service.stats import lead_time_report
from sharedsky.store.deliveries import Delivery

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
