"""Route of lead-time compliance statistics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sharedsky.api import convert
from sharedsky.api.auth import ActorDep, DepsDep
from sharedsky.api.routes._render import json_response
from sharedsky.service.stats import lead_time_report
from sharedsky.wire.v1.stats import LeadTimeReport

router = APIRouter(tags=["stats"])


@router.get("/v1/stats/lead-time", responses={200: {"model": LeadTimeReport}})
def lead_time(actor: ActorDep, deps: DepsDep) -> Response:
    """Per channel: notices delivered, late ones, compliance, median and minimum lead time
    (from delivery to the counterparty, not from filing), and the late notices listed."""
    return json_response(convert.lead_time_out(lead_time_report(deps, actor.viewer)))
