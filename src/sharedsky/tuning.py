"""How a serving process is tuned: numbers that change how fast it answers, never what it answers.

Each was chosen by measuring the hotline or strategic benchmark; the figures and their dates
are in benchmarks/README.md ("Tuning"), not here. The one that operators may change, Python's
thread switch interval, is a setting (``Settings.gil_switch_interval_s``); ``serve`` applies it
with the collector's thresholds when it starts (``bootstrap.Container.start``).

This module imports nothing of sharedsky, so that every layer may read it.
"""

from __future__ import annotations

import gc

WORKER_THREADS = 200
"""Threads for blocking work (sync routes, database reads of event streams) in a server: every
open event stream borrows one per read, so anyio's default of 40 would starve the routes under
fifty streams."""

GC_THRESHOLDS = (20_000, 20, 20)
"""The cyclic garbage collector's thresholds in a server (Python's: 700, 10, 10): a request
allocates thousands of objects that reference counting frees at once, and at 700 the youngest
generation would be scanned every few requests, with every request in flight."""

ROUTER_ORDER = (
    "messages",
    "tracks",
    "notices",
    "zones",
    "conflicts",
    "webhooks",
    "stats",
    "ledger",
    "operations",
    "operators",
    "stream",
    "meta",
    "formats",
    "incidents",
)
"""The API's routers (modules of ``api/routes``) in the order FastAPI tries them, route by route,
on each request: the busiest first. No two routers' paths overlap, so the order changes nothing
but the time it takes to find a route."""

OPENED_AT_START = 8
"""Database connections a server opens before it answers, so that its first requests do not
wait for connections to be made (``Database.open_connections``)."""

DELIVERY_FLUSH_S = 0.05
"""How often the first deliveries noted by event streams are written, in seconds: a longer
interval makes each write bigger, and the messages committing behind it wait for it; a shorter
one adds a write for every few messages."""

PING_IDLE_S = 1.0
"""A pooled PostgreSQL connection idle this long (seconds) is pinged before it is used again;
one in steady use is not (a ping is a round trip on every checkout)."""


def settle_heap() -> None:
    """Collect, then freeze what start-up allocated, so that the cyclic garbage collector no
    longer rescans it on every full collection (pauses of tens of milliseconds otherwise); and
    collect less often (``GC_THRESHOLDS``). For a server after start-up, and for benchmarks that
    measure as one."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


WORKER_HEALTHCHECK_S = 60
"""How long uvicorn's supervisor of ``serve --workers N`` waits for a worker to answer its
health check before it kills the worker as hung and starts another (uvicorn's default: 5 s).
A worker answers from a thread, which a starting worker's imports and Numba's cache loads can
keep from the interpreter for more than 5 s on a loaded machine (two cores, another run
beside): then the supervisor killed each new worker in turn, and the server never started."""
