"""Limits on requests, in front of everything else the app does (the messages fast lane too):
a request rate per bearer token and per client address, a largest body, and a time to send it.

* **Rate.** Each token (keyed by the SHA-256 of the bearer token: the middleware does not
  authenticate, and keeps no token) and each client address has a token bucket: ``burst``
  requests at once, refilled at ``per_s`` a second; the workers of one ``serve`` share theirs
  (``api/shared_buckets.py``). A request beyond either gets ``429``
  (``rate-limited``) with ``Retry-After`` in whole seconds, before the app sees it: nothing is
  read, stored or done. Other tokens are unaffected; an address shared by many operators (one
  duty floor behind one gateway) has a far larger bucket than one token.
* **Body size.** A ``Content-Length`` above ``max_body_bytes`` gets ``413`` (``body-too-large``)
  at once; a chunked body is counted as it arrives and refused as soon as it passes the limit.
* **Body time.** The whole body must arrive within ``body_timeout_s`` seconds of the first
  read, or ``408`` (``body-timeout``): a client sending a byte now and then cannot hold a
  worker. Requests without a body (``GET /v1/events`` among them) are not timed here; the
  server's protocol bounds the time to send a request head (`api.protocol`).

* **NUL.** A NUL character in the path, the query string or any text of a JSON body gets ``422``
  (``invalid-input``, the body's field named in ``path``): no text column can hold it
  (PostgreSQL refuses it), so no id, filter, name or message contains one. A body is parsed
  for this only when its bytes hold a NUL or its JSON escape.

The body is read here, whole, and handed on to the app as one message (every route reads its
body whole anyway). The answers of this module close the connection, whose unread rest would
otherwise be taken for the next request.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes

import anyio
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sharedsky.api.errors import problem_of
from sharedsky.api.shared_buckets import SharedBuckets
from sharedsky.domain.errors import (
    BodyTimeout,
    BodyTooLarge,
    InvalidInput,
    RateLimited,
    SharedskyError,
)

LINGER_S = 1.0
"""How long a refused body may go on arriving, read and dropped, before the connection closes."""
MAX_KEYS = 100_000
"""Buckets kept before the full ones (idle long enough to have refilled) are dropped."""


@dataclass(frozen=True, slots=True)
class RequestLimits:
    """The limits of `Limits`; the defaults are far beyond what a busy duty floor sends."""

    token_per_s: float = 50.0
    """Requests per second one bearer token may make, sustained."""
    token_burst: int = 200
    """Requests one bearer token may make at once."""
    address_per_s: float = 2000.0
    """Requests per second one client address may make, sustained (the hotline benchmark sends
    500 messages a second from one address, with 50 streams)."""
    address_burst: int = 4000
    """Requests one client address may make at once."""
    max_body_bytes: int = 8 * 1024 * 1024
    """Largest request body, in bytes (a ``POST /v1/tracks`` of 10,000 states with the longest
    ids, full-precision numbers and indentation is about 4.7 MB)."""
    body_timeout_s: float = 30.0
    """Seconds a client has to send a whole body."""
    shared_dir: str | None = None
    """The directory the processes of one server share (``serve --workers N``): their rate
    buckets are kept there, so that a limit holds for the server, not for each process."""


class Buckets:
    """Token buckets by key: each holds at most ``burst`` and gains ``per_s`` a second."""

    def __init__(self, per_s: float, burst: int, max_keys: int = MAX_KEYS) -> None:
        self.per_s = per_s
        self.burst = float(burst)
        self._levels: dict[str, tuple[float, float]] = {}
        """Key → (level, monotonic seconds when it was that)."""
        self._sweep_at = max_keys

    def take(self, key: str, now_s: float) -> float:
        """Take one from ``key``'s bucket at ``now_s`` (monotonic seconds) and return 0.0; or,
        when it is empty, take nothing and return the seconds until it holds one."""
        level, at_s = self._levels.get(key, (self.burst, now_s))
        level = min(self.burst, level + (now_s - at_s) * self.per_s)
        if level >= 1.0:
            self._levels[key] = (level - 1.0, now_s)
            if len(self._levels) > self._sweep_at:
                self._sweep(now_s)
            return 0.0
        self._levels[key] = (level, now_s)
        return (1.0 - level) / self.per_s

    def _sweep(self, now_s: float) -> None:
        """Forget the buckets that have refilled (a new one starts full: nothing changes)."""
        self._levels = {
            key: (level, at_s)
            for key, (level, at_s) in self._levels.items()
            if level + (now_s - at_s) * self.per_s < self.burst
        }
        self._sweep_at = max(self._sweep_at, 2 * len(self._levels))

    def __len__(self) -> int:
        return len(self._levels)


def _bearer_key(headers: Headers) -> str | None:
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return hashlib.sha256(credentials.strip().encode()).hexdigest()


def _nul_refusal(scope: Scope) -> InvalidInput | None:
    """InvalidInput when the path or the query string holds a NUL character (raw or %00)."""
    if "\x00" in scope.get("path", ""):
        return InvalidInput("a NUL character is not allowed in the URL path", ("path",))
    if b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
        return InvalidInput("a NUL character is not allowed in the query string", ("query",))
    return None


def _nul_in_body(body: bytes) -> InvalidInput | None:
    """InvalidInput naming the first JSON text that holds a NUL (None for any other body,
    which the routes judge as they do today)."""
    if b"\\u0000" not in body and b"\x00" not in body:
        return None
    try:
        document = json.loads(body)
    except ValueError:
        return None  # not JSON: the route refuses it as such
    path = _nul_path(document, ())
    if path is None:
        return None
    return InvalidInput("a NUL character is not allowed in a text", path)


def _nul_path(value: object, path: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, list):
        items: Iterable[tuple[str | int, object]] = enumerate(value)
    elif isinstance(value, dict):
        for key in value:
            if "\x00" in key:
                return (*path, key)
        items = value.items()
    else:
        return None
    for key, item in items:
        found = _nul_path(item, (*path, key))
        if found is not None:
            return found
    return None


def _retry_after_s(wait_s: float) -> int:
    return max(1, math.ceil(wait_s))


class Limits:
    """ASGI middleware: see the module docstring."""

    def __init__(
        self,
        app: ASGIApp,
        limits: RequestLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.limits = limits or RequestLimits()
        self.clock = clock
        """Monotonic seconds (injectable for tests)."""
        limits_ = self.limits
        shared = None if limits_.shared_dir is None else Path(limits_.shared_dir)
        self.tokens: Buckets | SharedBuckets
        self.addresses: Buckets | SharedBuckets
        if shared is None:
            self.tokens = Buckets(limits_.token_per_s, limits_.token_burst)
            self.addresses = Buckets(limits_.address_per_s, limits_.address_burst)
        else:  # the workers of one `serve` share their buckets (api/shared_buckets.py)
            tokens_file, addresses_file = shared / "tokens.buckets", shared / "addresses.buckets"
            self.tokens = SharedBuckets(tokens_file, limits_.token_per_s, limits_.token_burst)
            self.addresses = SharedBuckets(
                addresses_file, limits_.address_per_s, limits_.address_burst
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._rate_refusal(scope, headers) or _nul_refusal(scope)
        if refusal is not None:
            await self._refuse(refusal, scope, receive, send)
            return
        length = headers.get("content-length")
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        if length is not None and length.strip().isdigit():
            if int(length) > self.limits.max_body_bytes:
                await self._refuse(self._too_large(), scope, receive, send)
                return
            if int(length) == 0 and not chunked:
                await self.app(scope, receive, send)
                return
        elif not chunked:  # no body (or a malformed length, which the server refuses first)
            await self.app(scope, receive, send)
            return
        try:
            with anyio.fail_after(self.limits.body_timeout_s):
                first = await self._read_body(receive)
        except TimeoutError:
            late = BodyTimeout(
                f"the request body did not arrive within {self.limits.body_timeout_s:g} s"
            )
            await self._refuse(late, scope, receive, send)
            return
        except BodyTooLarge as exc:
            await self._refuse(exc, scope, receive, send)
            await self._linger(receive)
            return
        nul = _nul_in_body(first.get("body", b""))
        if nul is not None:
            await self._refuse(nul, scope, receive, send)
            return
        await self.app(scope, _replaying(first, receive), send)

    def _rate_refusal(self, scope: Scope, headers: Headers) -> RateLimited | None:
        now_s = self.clock()
        client = scope.get("client")
        address = str(client[0]) if client else ""
        wait_s = self.addresses.take(address, now_s)
        if wait_s > 0:
            return RateLimited(
                f"more than {self.limits.address_per_s:g} requests a second from this address",
                _retry_after_s(wait_s),
            )
        key = _bearer_key(headers)
        if key is not None:
            wait_s = self.tokens.take(key, now_s)
            if wait_s > 0:
                return RateLimited(
                    f"more than {self.limits.token_per_s:g} requests a second with this token",
                    _retry_after_s(wait_s),
                )
        return None

    def _too_large(self) -> BodyTooLarge:
        return BodyTooLarge(f"the request body is larger than {self.limits.max_body_bytes} bytes")

    async def _read_body(self, receive: Receive) -> Message:
        """The whole body as one ``http.request`` message (or, when the client left first, the
        message that said so), counted as it arrives: BodyTooLarge past the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return message
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.max_body_bytes:
                raise self._too_large()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

    async def _linger(self, receive: Receive) -> None:
        """After refusing a body still arriving, read and drop what the client sends on for a
        moment (at most ``LINGER_S``, and as much again as the limit) before the connection
        closes: closed at once, the client's next chunk would meet a reset, which can discard
        the 413 before the client reads it."""
        dropped = 0
        with anyio.move_on_after(LINGER_S):
            while dropped <= self.limits.max_body_bytes:
                message = await receive()
                if message["type"] != "http.request" or not message.get("more_body", False):
                    return
                dropped += len(message.get("body", b""))

    async def _refuse(
        self, refusal: SharedskyError, scope: Scope, receive: Receive, send: Send
    ) -> None:
        response = problem_of(refusal)
        if not isinstance(refusal, RateLimited):
            response.headers["Connection"] = "close"  # the unread body must not follow
        await response(scope, receive, send)


def _replaying(first: Message, receive: Receive) -> Receive:
    """A ``receive`` that gives ``first`` once, then what the server says next (a disconnect,
    which streaming responses wait for)."""
    pending = [first]

    async def replay() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replay
