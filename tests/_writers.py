"""Clients that write to a real server from many threads — file notices, amend them, send
hotline messages and acknowledge those received — and note every write answered 2xx, with
when, so that a test can check that a database holds each of them."""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from sharedsky.store.engine import make_engine
from sharedsky.store.tables import ack_requests, messages, notices

PARTIES = ("alpha", "bravo")


@dataclass(frozen=True, slots=True)
class Write:
    """One write the server answered with a 2xx."""

    kind: str
    """``notice`` (filed), ``amendment``, ``message`` (sent) or ``ack`` (of a message)."""
    id: str
    """The notice's or the message's id."""
    version: int
    """The notice's version the answer gave (0 for messages and acknowledgements)."""
    answered_s: float
    """When the answer arrived (``time.monotonic()``)."""


def _notice(thread: int, number: int) -> dict[str, Any]:
    """A small circle of its own (no two clash), from now + 2 h for an hour."""
    start = datetime.now(UTC) + timedelta(hours=2)
    return {
        "kind": "air_sortie",
        "title": f"writer {thread} notice {number}",
        "volumes": [
            {
                "outline": {
                    "type": "Circle",
                    "center": [-170 + (number % 1000) * 0.3, -60 + thread * 6],
                    "radius_m": 500,
                },
                "altitude": {"lower_m": 3000, "upper_m": 4000},
                "time": {
                    "start": start.isoformat(),
                    "end": (start + timedelta(hours=1)).isoformat(),
                },
            }
        ],
    }


@dataclass
class Writers:
    """``count`` threads writing to ``base`` as alpha and bravo in turn, until ``stop()``."""

    base: str
    tokens: dict[str, str]
    count: int = 20
    writes: list[Write] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    """Answers other than 2xx (status and body): none is expected while the server runs."""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _inbox: dict[str, queue.SimpleQueue[str]] = field(
        default_factory=lambda: {p: queue.SimpleQueue() for p in PARTIES}
    )

    def start(self) -> None:
        """Start the threads."""
        for number in range(self.count):
            thread = threading.Thread(target=self._run, args=(number,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop the threads (a request in flight ends with its answer or its error)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(30.0)
            assert not thread.is_alive()

    def answered_before(self, moment_s: float) -> list[Write]:
        """The writes answered before ``moment_s`` (monotonic)."""
        with self._lock:
            return [w for w in self.writes if w.answered_s < moment_s]

    def _note(self, kind: str, id_: str, version: int = 0) -> None:
        with self._lock:
            self.writes.append(Write(kind, id_, version, time.monotonic()))

    def _ok(self, answer: httpx.Response) -> bool:
        if answer.is_success:
            return True
        with self._lock:
            self.refused.append(f"{answer.request.method} {answer.request.url.path}: "
                                f"{answer.status_code} {answer.text}")  # fmt: skip
        return False

    def _run(self, number: int) -> None:
        party = PARTIES[number % 2]
        other = PARTIES[(number + 1) % 2]
        headers = {"Authorization": f"Bearer {self.tokens[party]}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=10.0) as http:
            filed = 0
            while not self._stop.is_set():
                try:
                    self._round(http, number, filed, party, other)
                except httpx.TransportError:  # the server was killed: try again until stopped
                    time.sleep(0.05)
                filed += 1

    def _round(self, http: httpx.Client, number: int, filed: int, party: str, other: str) -> None:
        answer = http.post("/v1/notices", json=_notice(number, filed))
        if not self._ok(answer):
            return
        notice = answer.json()["id"]
        self._note("notice", notice, 1)
        body = _notice(number, filed) | {"title": f"writer {number} notice {filed}, amended"}
        answer = http.put(f"/v1/notices/{notice}", json=body, headers={"If-Match": "1"})
        if self._ok(answer):
            self._note("amendment", notice, 2)
        answer = http.post("/v1/messages", json={"to": other, "template": "standby"})
        if self._ok(answer):
            message = answer.json()["id"]
            self._note("message", message)
            self._inbox[other].put(message)
        try:
            received = self._inbox[party].get_nowait()
        except queue.Empty:
            return
        if self._ok(http.post(f"/v1/messages/{received}/ack")):
            self._note("ack", received)


def missing(url: str, writes: list[Write]) -> list[Write]:
    """The writes the database at ``url`` does not hold: a notice absent or at an older version
    than answered, a message absent, a message acknowledged whose request is not."""
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            versions = dict(connection.execute(select(notices.c.id, notices.c.version)).all())
            sent = set(connection.execute(select(messages.c.id)).scalars())
            acked = set(
                connection.execute(
                    select(ack_requests.c.subject_id).where(
                        ack_requests.c.subject == "message",
                        ack_requests.c.status == "acknowledged",
                    )
                ).scalars()
            )
    finally:
        engine.dispose()
    lost = []
    for write in writes:
        if write.kind in ("notice", "amendment"):
            held = versions.get(write.id, 0) >= write.version
        elif write.kind == "message":
            held = write.id in sent
        else:
            held = write.id in acked
        if not held:
            lost.append(write)
    return lost


def counts(writes: list[Write]) -> dict[str, int]:
    """Writes by kind."""
    found: dict[str, int] = {}
    for write in writes:
        found[write.kind] = found.get(write.kind, 0) + 1
    return found
