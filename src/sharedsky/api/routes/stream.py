"""``GET /v1/events``: the live, resumable Server-Sent Events stream of what the caller may see.

Each stream has its own cursor over the app's shared ``EventFeed``, which one ``FeedPump`` keeps
fresh: it re-reads the log when the app's ``EventBus`` is notified after a commit, in this
process or (on PostgreSQL, through ``events/pg_notify.PgListener``) in another, and at least
every ``POLL_S`` seconds (``stream_poll_s``). A stream takes its events from the feed in the
event loop and goes to the database (in a worker thread) only for the objects an event's
visibility depends on, or when it is further behind than the feed holds. Nothing is queued
between producers and streams, so a slow consumer slows only itself.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Header, Query, Request
from fastapi.responses import StreamingResponse

from sharedsky.api.auth import ActorDep, DepsDep, credentials_watch, token_of
from sharedsky.api.observability import StreamCount
from sharedsky.api.routes.ledger import MAX_SEQ
from sharedsky.domain.errors import InvalidInput
from sharedsky.domain.visibility import Viewer
from sharedsky.events.bus import EventBus
from sharedsky.events.feed import EventFeed, FeedPump
from sharedsky.events.streams import KEEP_ALIVE, StreamCursor, sse_event, sse_retry
from sharedsky.ledger.checkpoints import Checkpoint
from sharedsky.service.ledger import checkpoint
from sharedsky.service.mechanism import token_sha256
from sharedsky.service.ports import Deps
from sharedsky.service.stream import (
    PAGE_SIZE,
    DeliveryBuffer,
    Sightings,
    StreamEvent,
    fetch_events,
    head_of_log,
    load_sightings,
    may_concern,
    needs_sightings,
    open_cursor,
    page_of,
)
from sharedsky.store.mapping import to_us
from sharedsky.wire import v1
from sharedsky.wire.v1.ledger import CheckpointOut

router = APIRouter(tags=["events"])

DEFAULT_KEEPALIVE_S = 15.0
"""Seconds of silence after which a stream sends a ``: keep-alive`` comment line."""
POLL_S = 0.2
"""Seconds between two reads of the log by an idle stream that was not woken (the default)."""
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
EVENT_MODELS = (v1.EventOut, CheckpointOut)
"""The models whose schemas ``_SSE_CONTENT`` refers to (``api/openapi.py`` adds them)."""

DEFAULT_CHECKPOINT_EVERY = 1000
"""Entries after which a checkpoint is published (setting ``ledger_checkpoint_every``)."""
DEFAULT_CHECKPOINT_INTERVAL_S = 60.0
"""Seconds after which one is published anyway (setting ``ledger_checkpoint_interval_s``)."""
DELIVERY_FLUSH_S = 0.05
"""How often the deliveries noted by streams are written, in seconds: a write every 100 ms, of
some fifty deliveries and their ledger entries at 500 messages/s, held up the messages
committing behind it (PostgreSQL p99 35–37 → 29 ms at 50 ms); every 10–20 ms costs each
message more (p50 13.8 → 15.6–17 ms)."""


class EventStreamResponse(StreamingResponse):
    """A streamed ``text/event-stream`` answer (so OpenAPI files the event schema under it)."""

    media_type = "text/event-stream"


def install(
    app: FastAPI,
    *,
    keepalive_s: float = DEFAULT_KEEPALIVE_S,
    poll_s: float = POLL_S,
    checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
    checkpoint_interval_s: float = DEFAULT_CHECKPOINT_INTERVAL_S,
) -> EventBus:
    """Include the router in ``app``, set its keep-alive and poll intervals in seconds and when
    checkpoints are published, and return the app's ``EventBus`` (created if absent) for use
    cases to notify after commit. Idempotent: the router is included once."""
    if not _included(app):
        app.include_router(router)
    app.state.stream_keepalive_s = keepalive_s
    app.state.stream_poll_s = poll_s
    app.state.poke_streams = lambda: feed_pump(app).poke_all()  # operators changed
    board = checkpoint_board(app)
    board.every, board.interval_s = checkpoint_every, checkpoint_interval_s
    pump: FeedPump | None = getattr(app.state, "feed_pump", None)
    if pump is not None:
        pump.poll_s = poll_s
    return event_bus(app)


def _included(app: FastAPI) -> bool:
    """True when ``router`` is already part of ``app`` (FastAPI keeps an included router as one
    entry that refers to it as ``original_router``)."""
    return any(
        getattr(r, "original_router", None) is router or getattr(r, "path", None) == "/v1/events"
        for r in app.router.routes
    )


def delivery_buffer(app: FastAPI) -> DeliveryBuffer:
    """The app's ``DeliveryBuffer`` (``app.state.delivery_buffer``), created on first use; the
    app's lifespan flushes it every ``DELIVERY_FLUSH_S`` seconds and at shutdown."""
    buffer: DeliveryBuffer | None = getattr(app.state, "delivery_buffer", None)
    if buffer is None:
        buffer = DeliveryBuffer(app.state.deps)
        app.state.delivery_buffer = buffer
    return buffer


async def flush_deliveries(app: FastAPI) -> None:
    """Write the deliveries the streams noted, every ``DELIVERY_FLUSH_S`` seconds, until
    cancelled (then once more)."""
    buffer = delivery_buffer(app)
    try:
        while True:
            await anyio.sleep(DELIVERY_FLUSH_S)
            await anyio.to_thread.run_sync(buffer.flush)
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(buffer.flush)


class CheckpointBoard:
    """The newest checkpoint this process published, for every stream to pass on
    (R-LEDGER-6): one is made when the ledger grew by ``every`` entries, or by fewer after
    ``interval_s`` seconds, while streams are open."""

    def __init__(self, every: int, interval_s: float) -> None:
        self.every = every
        self.interval_s = interval_s
        self.latest: Checkpoint | None = None
        self.version = 0
        """Checkpoints published so far (a stream sends one when it has not sent this one)."""
        self._made_s = -math.inf

    def due(self, head: int | None, now_s: float) -> bool:
        """True when a checkpoint of ``head`` should be made now."""
        if head is None:
            return False
        if self.latest is None:
            return True
        grown = head - self.latest.seq
        return grown >= self.every or (grown > 0 and now_s - self._made_s >= self.interval_s)

    def publish(self, checkpoint: Checkpoint, now_s: float) -> None:
        """Make ``checkpoint`` the one streams pass on."""
        self.latest = checkpoint
        self._made_s = now_s
        self.version += 1


CHECKPOINT_LOOK_S = 0.5
"""How often the publisher looks whether a checkpoint is due, in seconds."""


def checkpoint_board(app: FastAPI) -> CheckpointBoard:
    """The app's ``CheckpointBoard`` (``app.state.checkpoint_board``), created on first use."""
    board: CheckpointBoard | None = getattr(app.state, "checkpoint_board", None)
    if board is None:
        board = CheckpointBoard(DEFAULT_CHECKPOINT_EVERY, DEFAULT_CHECKPOINT_INTERVAL_S)
        app.state.checkpoint_board = board
    return board


async def publish_checkpoints(app: FastAPI) -> None:
    """While streams are open, publish a signed checkpoint when one is due and wake every
    stream to send it; until cancelled."""
    board = checkpoint_board(app)
    deps: Deps = app.state.deps
    while True:
        await anyio.sleep(CHECKPOINT_LOOK_S)
        pump = feed_pump(app)
        if not pump.running or not board.due(pump.feed.head, time.monotonic()):
            continue
        made = await anyio.to_thread.run_sync(checkpoint, deps)
        board.publish(made, time.monotonic())
        pump.poke_all()


def _checkpoint_frame(made: Checkpoint) -> bytes:
    """An SSE frame without an id (it must not move ``Last-Event-ID``)."""
    return b"event: checkpoint\ndata: " + json.dumps(made.to_json()).encode() + b"\n\n"


def feed_pump(app: FastAPI) -> FeedPump:
    """The app's ``FeedPump`` over its shared ``EventFeed`` (``app.state.feed_pump``), created on
    first use; it runs while streams watch it."""
    pump: FeedPump | None = getattr(app.state, "feed_pump", None)
    if pump is None:
        deps: Deps = app.state.deps
        pump = FeedPump(
            EventFeed(),
            event_bus(app),
            lambda seq, limit: fetch_events(deps, seq, limit),
            lambda: head_of_log(deps),
        )
        pump.poll_s = getattr(app.state, "stream_poll_s", POLL_S)
        app.state.feed_pump = pump
    return pump


def event_bus(app: FastAPI) -> EventBus:
    """The app's ``EventBus`` (``app.state.event_bus``), created on first use."""
    bus: EventBus | None = getattr(app.state, "event_bus", None)
    if bus is None:
        bus = EventBus()
        app.state.event_bus = bus
    return bus


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
    data = v1.EventOut(
        seq=event.seq,
        time=event.time,
        type=event.type,
        actor=event.actor,
        payload=dict(event.payload),
    )
    return sse_event(event.seq, event.type, data.model_dump_json())


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
) -> AsyncIterator[bytes]:
    """The byte frames of one stream until the client leaves (or ``limit`` events were sent,
    or its token stops working: ``still_valid``), with each checkpoint the process publishes
    meanwhile (and the latest one first); counted in ``streams`` while it is open."""
    sent = 0
    receipts = 0
    with _counted(streams, viewer.party), pump.watch(partial(may_concern, viewer)) as watch:
        yield sse_retry(RETRY_MS)
        quiet_since = time.monotonic()
        while True:
            if not still_valid():  # revoked, rotated away or expired: the stream ends
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
            await watch.wait(wait_s)


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
    deps: DepsDep,
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
    cursor = await anyio.to_thread.run_sync(open_cursor, deps, start)
    credentials = credentials_watch(request.app.state)
    token = token_of(request.headers.get("authorization"))
    sha256, since = token_sha256(token or ""), credentials.generation

    def still_valid() -> bool:
        return credentials.allows(sha256, since, to_us(datetime.now(UTC)))

    keepalive_s: float = getattr(request.app.state, "stream_keepalive_s", DEFAULT_KEEPALIVE_S)
    frames = _frames(
        deps,
        actor.viewer,
        cursor,
        feed_pump(request.app),
        delivery_buffer(request.app),
        keepalive_s,
        limit,
        checkpoint_board(request.app),
        still_valid,
        getattr(request.app.state, "stream_count", None),
    )
    return EventStreamResponse(
        frames,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
