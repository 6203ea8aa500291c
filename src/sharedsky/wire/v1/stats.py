"""Lead-time compliance on the wire."""

from __future__ import annotations

from pydantic import AwareDatetime

from sharedsky.wire.v1.common import WireModel


class LateNoticeOut(WireModel):
    """A notice delivered with less than the channel's minimum lead time."""

    id: str
    kind: str
    lead_time_s: float
    required_s: int
    delivered_at: AwareDatetime


class ChannelLeadTimesOut(WireModel):
    """The lead times one party's notices gave another (``from`` → ``to``)."""

    sender: str
    recipient: str
    notices: int
    late: int
    undelivered: int
    compliance: float | None
    median_lead_time_s: float | None
    min_lead_time_s: float | None
    late_notices: list[LateNoticeOut]


class LeadTimeReport(WireModel):
    """Lead-time compliance per channel the caller may see."""

    channels: list[ChannelLeadTimesOut]
