"""Webhook delivery below the use cases: the signature, the retry schedule, the URL check (its
form, and the addresses it may reach: `TargetGuard`), the event body, and the HTTP sender (a
Protocol, with the real one over httpx).

A delivery is ``POST <url>`` with the event as JSON (the same object as the ``data`` of an event
of ``GET /v1/events``) and three headers:

* ``Sharedsky-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``, keyed with
  the hook's secret (UTF-8); a receiver checks it with `verify_signature`;
* ``Sharedsky-Event-Id: <seq>`` — the same event may arrive more than once after a lost answer,
  so receivers deduplicate on it;
* ``Sharedsky-Event-Type: <type>``.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from sharedsky.domain.addresses import IPAddress, TargetRules, target_problem

SIGNATURE_HEADER = "Sharedsky-Signature"
EVENT_ID_HEADER = "Sharedsky-Event-Id"
EVENT_TYPE_HEADER = "Sharedsky-Event-Type"
BACKOFF_BASE_S = 0.5
"""The wait before the first retry, in seconds; each later retry waits twice the one before."""
DEFAULT_TOLERANCE_S = 300.0
"""How old a signature `verify_signature` accepts by default, in seconds."""
MAX_URL_CHARS = 2000


class DeliveryFailed(Exception):
    """The request did not get an HTTP answer (refused, reset, timed out, bad TLS …)."""


class WebhookSender(Protocol):
    """Posts one webhook request."""

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST ``body`` with ``headers`` to ``url`` and return the HTTP status code; raise
        `DeliveryFailed` when no answer came."""
        ...


class Resolver(Protocol):
    """Resolves a host name to IP addresses."""

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address of ``host`` (an IP literal gives itself); empty when it has none.
        Raises OSError when the lookup itself fails."""
        ...


class SystemResolver:
    """The operating system's resolver (``getaddrinfo``)."""

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address of ``host``, in the resolver's order, without repeats."""
        found: list[IPAddress] = []
        for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
            address = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
            if address not in found:
                found.append(address)
        return found


@dataclass(frozen=True, slots=True)
class Admission:
    """Whether a webhook URL may be reached, and at which address."""

    problem: str | None
    """Why not (a sentence); None when it may."""
    address: IPAddress | None = None
    """The checked address to connect to (None when the rules needed no resolution)."""


@dataclass(frozen=True, slots=True)
class TargetGuard:
    """Applies `TargetRules` to webhook URLs, resolving their hosts with ``resolver``."""

    rules: TargetRules = field(default_factory=TargetRules)
    resolver: Resolver = field(default_factory=SystemResolver)

    def admit(self, url: str) -> Admission:
        """Whether ``url`` (a well-formed http(s) URL: see `url_problem`) may be reached now:
        its scheme is allowed and every address its host resolves to is one the rules allow."""
        problem = url_problem(url)
        if problem is not None:
            return Admission(problem)
        parts = urlsplit(url)
        host = parts.hostname or ""
        scheme = parts.scheme.lower()
        addresses: list[IPAddress] = []
        if self.rules.needs_addresses():
            port = parts.port or (443 if scheme == "https" else 80)
            try:
                addresses = self.resolver.resolve(host, port)
            except (OSError, UnicodeError) as exc:
                return Admission(f"the URL's host {host!r} does not resolve: {exc}")
        problem = target_problem(scheme, host, addresses, self.rules)
        return Admission(problem, addresses[0] if addresses and problem is None else None)


class HttpxSender:
    """The real sender: one pooled httpx client, no redirects followed (a 3xx is a failed
    delivery), no proxy from the environment, a timeout in seconds. Before each delivery the
    ``guard`` checks the URL against the address its host resolves to now, and the request
    goes to that very address (with the URL's host in ``Host`` and in TLS's server name), so a
    name that resolved to a public address at registration cannot be re-pointed at the host's
    own network later (DNS rebinding)."""

    def __init__(self, timeout_s: float, guard: TargetGuard | None = None) -> None:
        self._client = httpx.Client(timeout=timeout_s, follow_redirects=False, trust_env=False)
        self._guard = guard or TargetGuard()

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST and return the status code; the answer's body is never read (a receiver
        cannot make the server hold a large answer)."""
        admission = self._guard.admit(url)
        if admission.problem is not None:
            raise DeliveryFailed(f"refused: {admission.problem}")
        target = httpx.URL(url)
        sent_headers = {**headers, "Content-Type": "application/json"}
        extensions: dict[str, str] = {}
        if admission.address is not None:  # connect to the address checked, not a new lookup
            sent_headers["Host"] = target.netloc.decode("ascii")
            if target.scheme == "https":
                extensions["sni_hostname"] = target.host
            target = target.copy_with(host=str(admission.address))
        try:
            request = self._client.build_request(
                "POST", target, content=body, headers=sent_headers, extensions=extensions
            )
            answer = self._client.send(request, stream=True)
            try:
                return answer.status_code
            finally:
                answer.close()
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently one event is retried before it becomes a dead letter."""

    max_attempts: int = 8
    """Failed attempts of one event after which it is given up (recorded as dead)."""
    backoff_cap_s: float = 60.0
    """The longest wait between two attempts, in seconds."""

    def backoff_s(self, failures: int) -> float:
        """Seconds to wait after the ``failures``-th failed attempt (1, 2, …) of one event:
        0.5 × 2^(failures − 1), at most ``backoff_cap_s``.

        >>> [RetryPolicy().backoff_s(n) for n in (1, 2, 3, 8, 9)]
        [0.5, 1.0, 2.0, 60.0, 60.0]
        """
        exponent = min(max(failures - 1, 0), 32)
        return min(self.backoff_cap_s, BACKOFF_BASE_S * 2.0**exponent)


def sign(secret: str, body: bytes, timestamp_s: int) -> str:
    """The ``Sharedsky-Signature`` header value for ``body`` sent at ``timestamp_s`` (unix s)."""
    digest = hmac.new(secret.encode(), f"{timestamp_s}.".encode() + body, hashlib.sha256)
    return f"t={timestamp_s},v1={digest.hexdigest()}"


def verify_signature(
    secret: str,
    header: str,
    body: bytes,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    now_s: float | None = None,
) -> bool:
    """True when ``header`` (a ``Sharedsky-Signature`` value) signs ``body`` with ``secret``
    and its timestamp is within ``tolerance_s`` seconds of ``now_s`` (unix seconds; default the
    machine's clock). A malformed header is simply not valid. Any of several ``v1`` values may
    match (a receiver rotating secrets calls this once per secret)."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    now = time.time() if now_s is None else now_s
    if abs(now - timestamp) > tolerance_s:
        return False
    expected = sign(secret, body, timestamp).rpartition("v1=")[2]
    return any(hmac.compare_digest(expected, c) for c in candidates)


def delivery_headers(
    secret: str, body: bytes, event_seq: int, event_type: str, timestamp_s: int
) -> dict[str, str]:
    """The three headers of one delivery (signature, event id, event type)."""
    return {
        SIGNATURE_HEADER: sign(secret, body, timestamp_s),
        EVENT_ID_HEADER: str(event_seq),
        EVENT_TYPE_HEADER: event_type,
    }


def event_body(
    seq: int, time_: datetime, type_: str, actor: str, payload: Mapping[str, object]
) -> bytes:
    """The JSON body of one delivery: ``{seq, time, type, actor, payload}``, as the ``data`` of
    the event stream (``time`` in RFC 3339, UTC, ``Z``)."""
    moment = time_.astimezone(UTC).isoformat().replace("+00:00", "Z")
    document = {"seq": seq, "time": moment, "type": type_, "actor": actor, "payload": payload}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a webhook address; None when it can: an absolute ``http`` or
    ``https`` URL with a host, no user name or password, no whitespace, at most 2,000 chars.

    >>> url_problem("https://ops.example/hooks/sky") is None
    True
    >>> url_problem("https://user:pw@ops.example/")
    'the URL must not carry credentials (a user name or password)'
    """
    if len(url) > MAX_URL_CHARS:
        return f"the URL must have at most {MAX_URL_CHARS} characters"
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return "the URL must not contain whitespace or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"the URL is malformed: {exc}"
    if parts.scheme.lower() not in ("http", "https"):
        return "the URL must use http or https"
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "the URL must not carry credentials (a user name or password)"
    if not parts.hostname:
        return "the URL must name a host"
    if port == 0:
        return "the URL's port must be between 1 and 65535"
    return None
