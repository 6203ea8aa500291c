"""``GET /v1/events``: the live, resumable Server-Sent Events stream of what the caller may see.

Each stream has its own cursor over the app's shared ``EventFeed``, which one ``FeedPump``
(``Container.feed``) keeps fresh: it re-reads the log when the app's ``EventBus`` is notified
after a commit, in this process or (on PostgreSQL, through ``events/pg_notify.PgListener``) in
another, and at least every ``stream_poll_s`` seconds. A stream takes its events from the feed
in the event loop and goes to the database (in a worker thread) only for the objects an event's
visibility depends on, or when it is further behind than the feed holds. Nothing is queued
between producers and streams, so a slow consumer slows only itself. The app's container also
holds the ``DeliveryBuffer`` that streams note deliveries in and the ``CheckpointBoard`` whose
newest checkpoint every stream passes on; its tasks write the one and publish to the other.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from sharedsky.api import convert
from sharedsky.api.auth import ActorDep, ContainerDep, token_of
from sharedsky.api.observability import StreamCount
from sharedsky.api.routes.ledger import MAX_SEQ
from sharedsky.domain.errors import InvalidInput
from sharedsky.domain.visibility import Viewer
from sharedsky.events.feed import FeedPump
from sharedsky.events.streams import (
    KEEP_ALIVE,
    CheckpointBoard,
    StreamCursor,
    sse_event,
    sse_retry,
)
from sharedsky.ledger.checkpoints import Checkpoint
from sharedsky.service.mechanism import token_sha256
from sharedsky.service.ports import Deps
from sharedsky.service.stream import (
    PAGE_SIZE,
    DeliveryBuffer,
    Sightings,
    StreamEvent,
    fetch_events,
    load_sightings,
    may_concern,
    needs_sightings,
    open_cursor,
    page_of,
)
from sharedsky.units import to_us
from sharedsky.wire import v1
from sharedsky.wire.v1.events import EVENT_PAYLOADS
from sharedsky.wire.v1.ledger import CheckpointOut

router = APIRouter(tags=["events"])

GAP_POLL_S = 0.2
"""Longest wait, in seconds, of a stream holding events back behind a gap in the sequence:
the gap's grace runs out without any commit to wake the stream."""
RETRY_MS = 1000
"""The reconnection delay the stream asks clients for, in milliseconds."""

_DESCRIPTION = (
    "`text/event-stream`: each event has `id: <seq>`, `event: <type>` and `data:` the JSON "
    "object below. Resumes strictly after `Last-Event-ID` (or `?after=SEQ`); without either it "
    "starts at the newest event. A `: keep-alive` comment comes after every "
    "`stream_keepalive_s` seconds of silence."
)


def _json_of(name: str) -> dict[str, object]:
    return {
        "type": "string",
        "contentMediaType": "application/json",
        "contentSchema": {"$ref": f"#/components/schemas/{name}"},
    }


_SSE_CONTENT = {
    "schema": {
        "type": "object",
        "description": "One event of the stream (OpenAPI 3.1: the schema of each event).",
        "oneOf": [
            {
                "type": "object",
                "required": ["id", "event", "data"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[0-9]+$"},
                    "event": {"type": "string", "not": {"const": "checkpoint"}},
                    "data": _json_of("EventOut"),
                },
            },
            {
                "type": "object",
                "required": ["event", "data"],
                "properties": {"event": {"const": "checkpoint"}, "data": _json_of("CheckpointOut")},
            },
        ],
    }
}
"""The ``text/event-stream`` content of the route: an event (``id`` its seq) or a signed
checkpoint of the ledger (``event: checkpoint``, no ``id``)."""
EVENT_MODELS: tuple[type[BaseModel], ...] = (
    v1.EventOut,
    CheckpointOut,
    *dict.fromkeys(EVENT_PAYLOADS.values()),
)
"""The models whose schemas ``_SSE_CONTENT`` refers to, and the payload of each event type
(``api/openapi.py`` adds them)."""


class EventStreamResponse(StreamingResponse):
    """A streamed ``text/event-stream`` answer (so OpenAPI files the event schema under it)."""

    media_type = "text/event-stream"


def _checkpoint_frame(made: Checkpoint) -> bytes:
    """An SSE frame without an id (it must not move ``Last-Event-ID``)."""
    return b"event: checkpoint\ndata: " + json.dumps(made.to_json()).encode() + b"\n\n"


def _start_after(last_event_id: str | None, after: int | None) -> int | None:
    """The seq to resume after: ``Last-Event-ID`` wins over ``?after`` (a browser reconnects
    to the same URL and adds the header); None means "from now"."""
    if last_event_id is None or last_event_id.strip() == "":
        return after
    value = last_event_id.strip()
    if not value.isdigit() or int(value) > MAX_SEQ:
        raise InvalidInput(
            f"Last-Event-ID must be an integer from 0 to {MAX_SEQ}", ("Last-Event-ID",)
        )
    return int(value)


_FRAMES: OrderedDict[tuple[int, int], tuple[Mapping[str, object], bytes]] = OrderedDict()
"""The newest frames written, by (seq, id of the payload shown): an event that reaches several
streams with the same payload (a message's sender and recipient, every stream of the host) is
serialised once. The payload is kept with its frame, so its id cannot be reused meanwhile."""
_FRAMES_KEPT = 4096


def _frame(event: StreamEvent) -> bytes:
    key = (event.seq, id(event.payload))
    kept = _FRAMES.get(key)
    if kept is not None and kept[0] is event.payload:
        return kept[1]
    frame = _frame_of(event)
    _FRAMES[key] = (event.payload, frame)
    if len(_FRAMES) > _FRAMES_KEPT:
        with contextlib.suppress(KeyError):  # another loop's thread emptied it meanwhile
            _FRAMES.popitem(last=False)
    return frame


def _frame_of(event: StreamEvent) -> bytes:
    return sse_event(event.seq, event.type, convert.event_out(event).model_dump_json())


async def _frames(
    deps: Deps,
    viewer: Viewer,
    cursor: StreamCursor,
    pump: FeedPump,
    deliveries: DeliveryBuffer,
    keepalive_s: float,
    limit: int | None,
    board: CheckpointBoard | None = None,
    still_valid: Callable[[], bool] = lambda: True,
    streams: StreamCount | None = None,
    expires_us: int | None = None,
) -> AsyncIterator[bytes]:
    """The byte frames of one stream until the client leaves (or ``limit`` events were sent,
    or its token stops working: ``still_valid``, or its expiry ``expires_us`` passes, µs since
    the epoch by the system clock), with each checkpoint the process publishes meanwhile (and
    the latest one first); counted in ``streams`` while it is open. It waits no longer than
    until the expiry, which no change of the operators announces."""
    sent = 0
    receipts = 0
    with _counted(streams, viewer.party), pump.watch(partial(may_concern, viewer)) as watch:
        yield sse_retry(RETRY_MS)
        quiet_since = time.monotonic()
        while True:
            if not still_valid() or _expired(expires_us):  # revoked, rotated away, expired
                return
            if board is not None and board.latest is not None and board.version != receipts:
                receipts = board.version
                yield _checkpoint_frame(board.latest)
            raw = pump.feed.window(cursor.position, PAGE_SIZE)
            if raw is None:  # further behind than the feed holds: from the log
                raw = await anyio.to_thread.run_sync(fetch_events, deps, cursor.position, PAGE_SIZE)
            seen = Sightings()
            if needs_sightings(viewer, raw):
                seen = await anyio.to_thread.run_sync(load_sightings, deps, viewer, raw)
            page = page_of(deps.mechanism, viewer, cursor, raw, seen, time.monotonic())
            delivered = list(page.events)
            if limit is not None:
                delivered = delivered[: limit - sent]
            if delivered:  # one write to the socket for the page
                yield b"".join(_frame(event) for event in delivered)
                sent += len(delivered)
                # what reached the party: its lead time counts from now (R-LEAD-2)
                deliveries.add(viewer, delivered)
            if limit is not None and sent >= limit:
                await anyio.to_thread.run_sync(deliveries.flush)  # recorded before it closes
                return
            now_s = time.monotonic()
            if page.events:
                quiet_since = now_s
            elif now_s - quiet_since >= keepalive_s:
                yield KEEP_ALIVE
                quiet_since = now_s
            if page.more:
                continue
            wait_s = max(0.0, quiet_since + keepalive_s - now_s)
            if cursor.waiting_on_gap:
                wait_s = min(wait_s, GAP_POLL_S)
            if expires_us is not None:
                wait_s = min(wait_s, max(0.0, (expires_us - to_us(datetime.now(UTC))) / 1e6))
            await watch.wait(wait_s)


def _expired(expires_us: int | None) -> bool:
    """True once the system clock reaches ``expires_us`` (µs since the epoch; None: never)."""
    return expires_us is not None and to_us(datetime.now(UTC)) >= expires_us


@contextlib.contextmanager
def _counted(streams: StreamCount | None, party: str) -> Iterator[None]:
    """Count one more open stream of ``party`` until it ends, however it ends."""
    if streams is not None:
        streams.opened(party)
    try:
        yield
    finally:
        if streams is not None:
            streams.closed(party)


@router.get(
    "/v1/events",
    response_class=EventStreamResponse,
    responses={200: {"description": _DESCRIPTION, "content": {"text/event-stream": _SSE_CONTENT}}},
)
async def events(
    request: Request,
    actor: ActorDep,
    container: ContainerDep,
    last_event_id: Annotated[
        str | None, Header(description="Resume strictly after this event id (a seq).")
    ] = None,
    after: Annotated[
        int | None,
        Query(
            ge=0, le=MAX_SEQ, description="Start strictly after this seq (0: from the beginning)."
        ),
    ] = None,
    limit: Annotated[
        int | None,
        Query(ge=1, description="Close the stream after this many events (for tests and tools)."),
    ] = None,
) -> EventStreamResponse:
    """The live stream of every event the caller may see, resumable with ``Last-Event-ID``."""
    start = _start_after(last_event_id, after)
    deps = container.deps
    cursor = await anyio.to_thread.run_sync(open_cursor, deps, start)
    credentials = container.credentials
    token = token_of(request.headers.get("authorization"))
    sha256, since = token_sha256(token or ""), credentials.generation

    def still_valid() -> bool:
        return credentials.allows(sha256, since, to_us(datetime.now(UTC)))

    frames = _frames(
        deps,
        actor.viewer,
        cursor,
        container.feed,
        container.deliveries,
        container.stream_keepalive_s,
        limit,
        container.checkpoints,
        still_valid,
        container.streams,
        actor.expires_us,
    )
    return EventStreamResponse(
        frames,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
