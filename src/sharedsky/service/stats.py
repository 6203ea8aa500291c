"""Lead-time compliance: the notice each counterparty really got, from delivery, per channel."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sharedsky.domain.channels import NoticeKind, Sharing
from sharedsky.domain.ids import NoticeId, PartyId
from sharedsky.domain.notices import Notice, NoticeFilter
from sharedsky.domain.visibility import Viewer
from sharedsky.service.ports import Deps
from sharedsky.service.uow import UnitOfWork

_ALL = 10_000_000


@dataclass(frozen=True, slots=True)
class LateNotice:
    """A notice that reached a counterparty with less than its channel's minimum lead time."""

    notice: NoticeId
    kind: NoticeKind
    lead_time_s: float
    """Seconds from delivery to the counterparty until the notice's earliest start."""
    required_s: int
    delivered_at: datetime


@dataclass(frozen=True, slots=True)
class ChannelLeadTimes:
    """Lead times that ``sender``'s notices gave ``recipient``."""

    sender: PartyId
    recipient: PartyId
    notices: int
    """Notices delivered to the recipient (the population of the figures below)."""
    late: int
    undelivered: int
    """Notices the recipient may see in full that have not reached it yet."""
    compliance: float | None
    """Share of delivered notices on time; None when none was delivered."""
    median_lead_time_s: float | None
    min_lead_time_s: float | None
    late_notices: tuple[LateNotice, ...]


def lead_time_report(deps: Deps, viewer: Viewer) -> list[ChannelLeadTimes]:
    """Per (sender, recipient) channel the viewer may see: the host all, a party those it is in."""
    mech = deps.mechanism

    def work(uow: UnitOfWork) -> list[ChannelLeadTimes]:
        notices = uow.notices.find(NoticeFilter(limit=_ALL), deps.clock.now())
        delivered = {
            (d.subject_id, d.party): d.delivered_at
            for d in uow.deliveries.of("notice", [n.id for n in notices])
        }
        leads: dict[tuple[PartyId, PartyId], list[tuple[Notice, float, datetime]]] = defaultdict(
            list
        )
        undelivered: dict[tuple[PartyId, PartyId], int] = defaultdict(int)
        for notice in notices:
            for other in mech.counterparties(notice.party):
                at = delivered.get((notice.id, other))
                if at is not None:
                    lead_s = (notice.start - at).total_seconds()
                    leads[(notice.party, other)].append((notice, lead_s, at))
                elif mech.channel(notice.party, other).sharing is Sharing.FULL:
                    undelivered[(notice.party, other)] += 1
        report = []
        for sender in mech.parties:
            for recipient in mech.parties:
                key = (sender.id, recipient.id)
                if sender.id == recipient.id:
                    continue
                if not viewer.is_host and viewer.party not in key:
                    continue
                report.append(_channel(deps, key, leads[key], undelivered[key]))
        return report

    return deps.db.run(work, readonly=True)


def _channel(
    deps: Deps,
    key: tuple[PartyId, PartyId],
    got: list[tuple[Notice, float, datetime]],
    undelivered: int,
) -> ChannelLeadTimes:
    rules = deps.mechanism.channel(*key)
    late = tuple(
        LateNotice(n.id, n.kind, round(lead_s, 3), rules.min_lead_time_for(n.kind), at)
        for n, lead_s, at in got
        if lead_s < rules.min_lead_time_for(n.kind)
    )
    values = [lead_s for _, lead_s, _ in got]
    return ChannelLeadTimes(
        sender=key[0],
        recipient=key[1],
        notices=len(got),
        late=len(late),
        undelivered=undelivered,
        compliance=None if not got else round((len(got) - len(late)) / len(got), 4),
        median_lead_time_s=None if not values else round(statistics.median(values), 3),
        min_lead_time_s=None if not values else round(min(values), 3),
        late_notices=late,
    )
