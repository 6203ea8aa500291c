"""What operators see of a running server: Prometheus metrics and a request id on every request.

``Metrics`` holds one ``CollectorRegistry`` per app (several apps in one process, as in the
tests, do not share counters): the HTTP requests by route template, method and status with
their latency; failed authentications; the tactical tick's duration; escalations and webhook
deliveries; the ledger entries committed; the open event streams, the database connections in
use and whether the process holds the duties; and, computed at each scrape from the database
and the shared picture, the live tracks, the open tactical alerts and the acknowledgement
backlog per party (one grouped query).

Under ``serve --workers N`` the N processes answer one port, and a scrape reaches one of them:
each then keeps its series in prometheus-client's multiprocess files (the directory
``PROMETHEUS_MULTIPROC_DIR`` that ``serve`` makes for its workers) and a scrape adds up every
process's, so that whichever process answers, the figures are the server's. The gauges of a
process's own state (streams, connections, duties) are set from that state at each scrape and
every ``REFRESH_S`` by each process; a dead process's gauges leave the sum.

``Observability`` is a pure ASGI middleware, outermost but for the security headers, so that it
sees the requests the messages fast lane answers too: it gives each request an id (the
client's ``X-Request-Id`` when it is sane, else a new one) that every log line written meanwhile
carries and the response repeats, counts and times the request, and answers an unexpected error
with the app's own 500 handler (whose log line and body carry the error id) — Starlette would
answer it outside every middleware, without the request id.
"""

from __future__ import annotations

import inspect
import logging
import os
import random
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sharedsky.api.logs import REQUEST_ID
from sharedsky.domain.errors import Unauthenticated
from sharedsky.service.deadlines import TickResult
from sharedsky.service.operations import ack_backlog
from sharedsky.service.ports import Deps
from sharedsky.service.tactical import TacticalBoard
from sharedsky.service.tracks import Picture
from sharedsky.service.webhooks import PassResult

log = logging.getLogger("sharedsky.api.observability")

REQUEST_ID_HEADER = "X-Request-Id"
_REQUEST_ID_KEY = REQUEST_ID_HEADER.lower().encode()
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
"""A client's request id is echoed when it matches this; otherwise the server makes one."""

LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Upper bounds of the request latency histogram, in seconds."""
TICK_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
"""Upper bounds of the tactical tick duration histogram, in seconds."""

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
"""Methods counted by name; any other is counted as ``OTHER`` (labels stay few)."""
UNMATCHED = "unmatched"
"""The route label of a request no route took (a 404 of the router or of the console)."""
_LANE_ROUTES = {("POST", "/v1/messages")}
"""Requests answered in front of the router (``api/fastlane.py``), which sets no route."""
MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
"""The environment variable naming the directory where the processes of one server keep their
series (prometheus-client reads it when it is imported, so ``serve`` sets it before it starts
its workers)."""
REFRESH_S = 1.0
"""How often a process of several sets the gauges of its own state, in seconds: a scrape
answered by another process sees them at most this old."""


class StreamCount:
    """Open event streams per party; changed in the event loop, read at a scrape (a party
    whose streams all closed stays at 0, so its series does not vanish)."""

    def __init__(self) -> None:
        self._open: dict[str, int] = {}

    def opened(self, party: str) -> None:
        """One more stream of ``party`` is open."""
        self._open[party] = self._open.get(party, 0) + 1

    def closed(self, party: str) -> None:
        """One stream of ``party`` closed."""
        self._open[party] = self._open.get(party, 1) - 1

    def by_party(self) -> dict[str, int]:
        """A copy of the counts (safe from another thread)."""
        return dict(self._open)


@dataclass
class LaneCount:
    """How many requests the messages fast lane answered itself (``api/fastlane.py``; the
    others went to the app)."""

    answered: int = 0


class Metrics:
    """The metrics of one app (``Container.metrics``): see the module docstring."""

    def __init__(
        self,
        deps: Deps,
        picture: Picture,
        board: TacticalBoard,
        streams: StreamCount,
        duty_holder: Callable[[], bool] | None = None,
    ) -> None:
        self.shared_dir = os.environ.get(MULTIPROCESS_DIR_VARIABLE) or None
        """The directory of the server's processes' series; None when this process is the
        server alone."""
        self.registry = CollectorRegistry()
        """What a scrape reads."""
        self.registry.register(_Refresh(self.refresh))  # first: the gauges, then the reading
        own = self.registry
        if self.shared_dir is not None:
            _forget_the_dead(self.shared_dir)
            multiprocess.MultiProcessCollector(self.registry, path=self.shared_dir)  # type: ignore[no-untyped-call]
            own = CollectorRegistry()  # this process's series are read from the files
        self._deps = deps
        self.streams = streams
        self._duty_holder = duty_holder
        self.requests = Counter(
            "sharedsky_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=own,
        )
        self.latency = Histogram(
            "sharedsky_http_request_duration_seconds",
            "Seconds from a request's arrival to its response head (an event stream: to its "
            "opening), by method and route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS_S,
            registry=own,
        )
        self.auth_failures = Counter(
            "sharedsky_auth_failures",
            "Failed authentications (401), by reason: missing-token, unknown-token, "
            "missing-signature, bad-signature.",
            ["reason"],
            registry=own,
        )
        self.tactical_tick = Histogram(
            "sharedsky_tactical_tick_duration_seconds",
            "Seconds one tactical detection tick took.",
            buckets=TICK_BUCKETS_S,
            registry=own,
        )
        self.escalations = Counter(
            "sharedsky_escalations",
            "Acknowledgement requests escalated one rung by the deadline ticks.",
            registry=own,
        )
        self.webhook_deliveries = Counter(
            "sharedsky_webhook_deliveries",
            "Webhook delivery attempts, by outcome (delivered, failed).",
            ["outcome"],
            registry=own,
        )
        self.webhook_dead_letters = Counter(
            "sharedsky_webhook_dead_letters",
            "Events given up for a webhook after its last failed attempt.",
            registry=own,
        )
        self.events_appended = Counter(
            "sharedsky_ledger_events_appended",
            "Ledger entries committed.",
            registry=own,
        )
        self._appended_seen = deps.db.events_appended
        self._appended_lock = threading.Lock()
        deps.db.on_commit(self._committed)
        self.connections = Gauge(
            "sharedsky_db_connections_in_use",
            "Pooled database connections checked out now.",
            registry=own,
            multiprocess_mode="livesum",
        )
        self.streams_open = Gauge(
            "sharedsky_event_streams_open",
            "Event streams open now, by party.",
            ["party"],
            registry=own,
            multiprocess_mode="livesum",
        )
        self.duties = (
            None
            if duty_holder is None
            else Gauge(
                "sharedsky_duty_holder",
                "Processes running the periodic duties (deadlines, webhooks, the tactical "
                "tick): 1 while one does, else 0.",
                registry=own,
                multiprocess_mode="livesum",
            )
        )
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self.registry.register(_Scraped(deps, picture, board))

    def refresh(self) -> None:
        """Set the gauges of this process's own state from that state (at each scrape, and
        every ``REFRESH_S`` in a process of several); a dead process's gauges leave the sum."""
        if self.shared_dir is not None:
            _forget_the_dead(self.shared_dir)
        self.connections.set(self._deps.db.connections_in_use())
        mechanism = self._deps.mechanism
        parties = [str(p.id) for p in mechanism.parties] + [str(mechanism.host.id)]
        counts = self.streams.by_party()
        for party in sorted(set(parties) | set(counts)):
            self.streams_open.labels(party).set(counts.get(party, 0))
        if self.duties is not None and self._duty_holder is not None:
            self.duties.set(1 if self._duty_holder() else 0)

    def _committed(self) -> None:
        """The database's commit listener: count the entries committed since the last call."""
        with self._appended_lock:
            now = self._deps.db.events_appended
            fresh, self._appended_seen = now - self._appended_seen, now
        if fresh > 0:
            self.events_appended.inc(fresh)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request and its latency (the labelled series are looked up
        once per combination: ``labels()`` costs more than the increment)."""
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(method, route, str(status)),
                self.latency.labels(method, route),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def auth_failed(self, request: Request, exc: Unauthenticated) -> None:
        """Count a failed authentication and log it with the client's address."""
        self.auth_failures.labels(exc.reason).inc()
        client = request.client
        address = f"{client.host}:{client.port}" if client is not None else "unknown"
        log.warning(
            "authentication failed (%s) from %s: %s",
            exc.reason,
            address,
            exc.detail,
            extra={"client": address, "reason": exc.reason},
        )

    def tick_took(self, seconds: float) -> None:
        """The tactical ticker's ``on_tick``."""
        self.tactical_tick.observe(seconds)

    def deadlines_ticked(self, result: TickResult) -> None:
        """The deadline scheduler's ``on_tick``."""
        if result.escalated:
            self.escalations.inc(result.escalated)

    def webhooks_passed(self, result: PassResult) -> None:
        """The webhook worker's ``on_pass``."""
        if result.delivered:
            self.webhook_deliveries.labels("delivered").inc(result.delivered)
        if result.failed:
            self.webhook_deliveries.labels("failed").inc(result.failed)
        if result.dead:
            self.webhook_dead_letters.inc(result.dead)


class _Refresh(Collector):
    """Sets the gauges of the process's own state as a scrape begins (registered first)."""

    def __init__(self, refresh: Callable[[], None]) -> None:
        self._refresh = refresh

    def describe(self) -> Iterable[Metric]:
        return ()

    def collect(self) -> Iterable[Metric]:
        self._refresh()
        return ()


def _forget_the_dead(path: str) -> None:
    """Take the gauges of processes no longer running out of the sum (a worker killed and
    restarted leaves its files behind)."""
    for name in os.listdir(path):
        if not name.startswith("gauge_live"):
            continue
        pid_text = name.rsplit("_", 1)[-1].removesuffix(".db")
        if pid_text.isdigit() and not _alive(int(pid_text)):
            multiprocess.mark_process_dead(int(pid_text), path)  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process of that number: alive
        return True
    return True


class _Scraped(Collector):
    """The values computed when the metrics are read (in the scraping thread), from the
    database and the live picture that every process shares."""

    def __init__(self, deps: Deps, picture: Picture, board: TacticalBoard) -> None:
        self._deps = deps
        self._picture = picture
        self._board = board

    def describe(self) -> Iterable[Metric]:
        return ()  # nothing is read when the collector is registered

    def collect(self) -> Iterable[Metric]:
        deps = self._deps
        yield GaugeMetricFamily(
            "sharedsky_tracks_live",
            "Tracks with a fresh state in the live picture.",
            value=self._picture.live(deps.clock.now().timestamp()),
        )
        yield GaugeMetricFamily(
            "sharedsky_tactical_alerts_open",
            "Tactical alerts open on the board.",
            value=len(self._board.current()),
        )
        parties = [str(p.id) for p in deps.mechanism.parties] + [str(deps.mechanism.host.id)]
        try:
            backlog = ack_backlog(deps)
        except Exception:  # the database did not answer: the rest is still worth reading
            log.warning("metrics: the acknowledgement backlog could not be read", exc_info=True)
            return
        for name, text, field in (
            ("sharedsky_acks_pending", "Acknowledgement requests pending, by party.", "pending"),
            (
                "sharedsky_acks_overdue",
                "Pending requests past their due time, by party.",
                "overdue",
            ),
            (
                "sharedsky_acks_escalated",
                "Pending requests escalated one rung or more, by party.",
                "escalated",
            ),
        ):
            counts = {str(b.party): cast(int, getattr(b, field)) for b in backlog}
            yield _by_party(name, text, parties, counts)


def _by_party(
    name: str, text: str, parties: list[str], counts: Mapping[str, int]
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, text, labels=["party"])
    for party in sorted(set(parties) | set(counts)):
        family.add_metric([party], counts.get(party, 0))
    return family


def request_id_of(scope: Scope, ids: random.Random) -> str:
    """The client's ``X-Request-Id`` if it is sane (1 to 128 of ``[A-Za-z0-9._-]``), else a
    new one of 32 hex digits drawn from ``ids``."""
    for key, value in scope["headers"]:
        if key == _REQUEST_ID_KEY:
            text: str = value.decode("latin-1")
            if _SANE_REQUEST_ID.fullmatch(text):
                return text
            break
    return f"{ids.getrandbits(128):032x}"


def route_label(scope: Scope, status: int) -> str:
    """The template of the route that answered (``/v1/notices/{notice_id}``), never the raw
    path: the console's mount counts as ``/{path}``, a request no route took as
    ``UNMATCHED``, one the fast lane answered as its path."""
    route = scope.get("route")
    if route is None:
        if (scope["method"], scope["path"]) in _LANE_ROUTES:
            return cast(str, scope["path"])
        return UNMATCHED
    if isinstance(route, Mount):
        return UNMATCHED if status == 404 else f"{route.path}/{{path}}"
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class Observability:
    """ASGI middleware: see the module docstring."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self._ids = random.Random(secrets.randbits(128))
        """Request ids, from a generator seeded once: an id names a request and grants nothing,
        and the system's entropy would cost a system call that lets go of the interpreter (the
        event loop then waits for it, up to the switch interval, on every request)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_s = time.perf_counter()
        request_id = request_id_of(scope, self._ids)
        header = (_REQUEST_ID_KEY, request_id.encode())
        token = REQUEST_ID.set(request_id)
        responded = False

        async def send_with_id(message: Message) -> None:
            nonlocal responded
            if message["type"] == "http.response.start":
                responded = True
                message["headers"] = [*message.get("headers", ()), header]
                status: int = message["status"]
                method: str = scope["method"]
                self.metrics.observe_request(
                    method if method in _METHODS else "OTHER",
                    route_label(scope, status),
                    status,
                    time.perf_counter() - started_s,
                )
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if responded:  # too late to answer: the server logs it and drops the connection
                raise
            response = await _unexpected(scope, exc)
            await response(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)


async def _unexpected(scope: Scope, exc: Exception) -> Response:
    """The app's own answer to an unexpected error (``api/errors.py``: logged with an error id
    that the 500 body repeats); re-raised when the app has no handler for ``Exception``."""
    handlers: Mapping[type, Callable[..., object]] = scope["app"].exception_handlers
    handler = handlers.get(Exception)
    if handler is None:
        raise exc
    answer = handler(Request(scope), exc)
    if inspect.isawaitable(answer):
        answer = await answer
    return cast(Response, answer)


class MetricsPort:
    """The ``--metrics-port`` listener (127.0.0.1, no token), a duty: only the process holding
    the duties binds it, so that N workers never clash over it; a port held by another program
    is logged, and the process serves on without it."""

    def __init__(self, port: int, registry: CollectorRegistry) -> None:
        self._port = port
        self._registry = registry
        self._server: Any = None

    def start(self) -> None:
        """Bind the port and serve the metrics on a thread of its own."""
        try:
            self._server = start_http_server(self._port, addr="127.0.0.1", registry=self._registry)[
                0
            ]
        except OSError as exc:
            log.warning("the metrics port %d could not be bound: %s", self._port, exc)

    def stop(self) -> None:
        """Close the listener."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
