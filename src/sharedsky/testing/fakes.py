"""FakeClock, SequentialIds, RecordingSender and FakeResolver: deterministic stand-ins for the
clock, the id factory, the webhook sender and the resolver of webhook hosts."""

from __future__ import annotations

import ipaddress
import itertools
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sharedsky.domain.addresses import IPAddress, TargetRules
from sharedsky.events.webhooks import TargetGuard


class FakeClock:
    """A clock that stands still until moved; thread-safe."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The current fake time."""
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward by ``seconds`` and return the new time."""
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment``."""
        with self._lock:
            self._now = moment


class SequentialIds:
    """Ids ``prefix-000001``, ``prefix-000002`` … in order; thread-safe."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def new(self, prefix: str) -> str:
        """The next id with this prefix."""
        with self._lock:
            return f"{prefix}-{next(self._counter):06d}"


@dataclass(frozen=True, slots=True)
class SentRequest:
    """One request a `RecordingSender` was asked to send, and what it answered."""

    url: str
    body: bytes
    headers: dict[str, str]
    status_code: int | None
    """The status it answered; None when it raised instead."""


class RecordingSender:
    """A webhook sender that records every request and answers from a script: ``answers`` maps
    a URL to the statuses (or exceptions) of its successive requests; past the end of the
    script, or for an unscripted URL, it answers ``default_status``. Thread-safe."""

    def __init__(
        self,
        answers: Mapping[str, list[int | Exception]] | None = None,
        default_status: int = 200,
    ) -> None:
        self._script = {url: list(steps) for url, steps in (answers or {}).items()}
        self.default_status = default_status
        self.sent: list[SentRequest] = []
        self._lock = threading.Lock()

    def script(self, url: str, *steps: int | Exception) -> None:
        """Append answers for ``url``'s next requests."""
        with self._lock:
            self._script.setdefault(url, []).extend(steps)

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """Record the request and answer the next scripted status (or raise its exception)."""
        with self._lock:
            steps = self._script.get(url)
            step: int | Exception = steps.pop(0) if steps else self.default_status
            status = None if isinstance(step, Exception) else step
            self.sent.append(SentRequest(url, body, dict(headers), status))
        if isinstance(step, Exception):
            raise step
        return step

    def to(self, url: str) -> list[SentRequest]:
        """The requests sent to ``url``, in order."""
        with self._lock:
            return [r for r in self.sent if r.url == url]


class FakeResolver:
    """A resolver of fixed answers: host → addresses (an unknown host resolves to nothing);
    records every host it was asked."""

    def __init__(self, answers: Mapping[str, Sequence[str]] | None = None) -> None:
        self.answers = {h: [ipaddress.ip_address(a) for a in v] for h, v in (answers or {}).items()}
        self.asked: list[str] = []

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """The fixed addresses of ``host``; an IP literal resolves to itself."""
        self.asked.append(host)
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            return list(self.answers.get(host, []))


def open_targets(resolver: FakeResolver | None = None) -> TargetGuard:
    """Webhook rules that allow plain http and any address (tests register receivers on
    ``http://127.0.0.1``); the server's defaults are strict."""
    rules = TargetRules(allow_private=True, allow_http=True)
    return TargetGuard(rules, resolver or FakeResolver())
