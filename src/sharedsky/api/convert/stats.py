"""Lead-time compliance statistics (``wire/v1/stats.py``)."""

from __future__ import annotations

from collections.abc import Iterable

from sharedsky.service.stats import ChannelLeadTimes
from sharedsky.wire.v1.stats import ChannelLeadTimesOut, LateNoticeOut, LeadTimeReport


def lead_time_out(channels: Iterable[ChannelLeadTimes]) -> LeadTimeReport:
    """The lead-time report of ``channels``, each with its late notices listed."""
    return LeadTimeReport(
        channels=[
            ChannelLeadTimesOut(
                sender=c.sender,
                recipient=c.recipient,
                notices=c.notices,
                late=c.late,
                undelivered=c.undelivered,
                compliance=c.compliance,
                median_lead_time_s=c.median_lead_time_s,
                min_lead_time_s=c.min_lead_time_s,
                late_notices=[
                    LateNoticeOut(
                        id=n.notice,
                        kind=str(n.kind),
                        lead_time_s=n.lead_time_s,
                        required_s=n.required_s,
                        delivered_at=n.delivered_at,
                    )
                    for n in c.late_notices
                ],
            )
            for c in channels
        ]
    )
