"""Route of lead-time compliance statistics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sharedsky.api.auth import ActorDep, DepsDep
from sharedsky.api.routes._render import json_response
from sharedsky.service.stats import lead_time_report
from sharedsky.wire.v1.stats import ChannelLeadTimesOut, LateNoticeOut, LeadTimeReport

router = APIRouter(tags=["stats"])


@router.get("/v1/stats/lead-time", responses={200: {"model": LeadTimeReport}})
def lead_time(actor: ActorDep, deps: DepsDep) -> Response:
    """Per channel: notices delivered, late ones, compliance, median and minimum lead time
    (from delivery to the counterparty, not from filing), and the late notices listed."""
    channels = [
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
        for c in lead_time_report(deps, actor.viewer)
    ]
    return json_response(LeadTimeReport(channels=channels))
