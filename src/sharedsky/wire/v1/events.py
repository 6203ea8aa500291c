"""The data of one Server-Sent Event of ``GET /v1/events``."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime

from sharedsky.wire.v1.common import WireModel


class EventOut(WireModel):
    """One event as the receiving operator may see it; the SSE ``id`` repeats ``seq``."""

    seq: int
    """Global sequence number: increases along a stream, with gaps where events were withheld."""
    time: AwareDatetime
    """When the change was committed (server clock, UTC)."""
    type: str
    """The event type, as in the SSE ``event`` field (``notice.filed``, ``conflict.detected``…)."""
    actor: str
    """The operator who caused the event, or ``system``."""
    payload: dict[str, Any]
    """The event's payload, cut to what the receiver may see."""
