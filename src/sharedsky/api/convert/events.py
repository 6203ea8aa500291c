"""Events of the live stream (``wire/v1/events.py``)."""

from __future__ import annotations

from sharedsky.service.stream import StreamEvent
from sharedsky.wire import v1


def event_out(event: StreamEvent) -> v1.EventOut:
    """The wire form of an event as its viewer may see it."""
    return v1.EventOut(
        seq=event.seq,
        time=event.time,
        type=event.type,
        actor=event.actor,
        payload=dict(event.payload),
    )
