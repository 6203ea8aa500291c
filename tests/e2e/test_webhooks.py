"""Webhooks against a real HTTP receiver on a local port, through the real httpx sender: the
receiver fails the first two attempts with 500, then accepts; every event the party may see
arrives exactly once, in order, signed (R-HOOK-1)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from _servers import init, serve
from _support import T0, Env

from sharedsky.domain.channels import NoticeKind, Priority
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.messages import MessageDraft
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.visibility import Viewer
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.events.webhooks import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    HttpxSender,
    RetryPolicy,
    verify_signature,
)
from sharedsky.geo.outlines import CircleOutline
from sharedsky.service.context import Actor
from sharedsky.service.hotline import send_message
from sharedsky.service.notices import file_notice
from sharedsky.service.stream import open_cursor, read_stream
from sharedsky.service.webhooks import deliver_due, list_deliveries, register_webhook
from sharedsky.testing.fakes import RecordingSender, open_targets
from sharedsky.wire.v1 import EventOut

FAILURES = 2


@dataclass
class Receiver:
    """A local HTTP endpoint that answers 500 to its first ``FAILURES`` requests, then 200."""

    url: str
    requests: int = 0
    accepted: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with state.lock:
                state.requests += 1
                failing = state.requests <= FAILURES
                if not failing:
                    state.accepted.append((dict(self.headers.items()), body))
            self.send_response(500 if failing else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/sharedsky"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def actor(party: str) -> Actor:
    return Actor(OperatorId(f"{party}-duty"), PartyId(party), False)


def draft(center: tuple[float, float]) -> NoticeDraft:
    volume = Volume4D(
        CircleOutline(center, 20_000),
        AltitudeBand(3000, 9000),
        TimeWindow(T0 + timedelta(hours=2), T0 + timedelta(hours=3)),
    )
    return NoticeDraft(NoticeKind.UAV, "orbit", (volume,))


def test_every_event_arrives_once_in_order_and_signed_after_two_failures(
    env: Env, receiver: Receiver
) -> None:
    deps = env.deps
    registration = register_webhook(deps, actor("bravo"), receiver.url)
    file_notice(deps, actor("alpha"), draft((40.0, 30.0)))  # far: bravo may not see it
    for center in ((36.5, 34.8), (36.6, 34.8)):
        file_notice(deps, actor("alpha"), draft(center))
        file_notice(deps, actor("bravo"), draft(center))
    message = MessageDraft(PartyId("bravo"), Priority.FLASH, None, {}, "tanker on station", None)
    send_message(deps, actor("alpha"), message)

    cursor = open_cursor(deps, registration.hook.cursor_seq)
    expected = read_stream(deps, Viewer(PartyId("bravo"), False), cursor, now_s=0.0).events
    assert len(expected) >= 6

    sender = HttpxSender(timeout_s=5, guard=open_targets())
    try:
        for _ in range(20):
            deliver_due(deps, sender, time.monotonic(), RetryPolicy(max_attempts=8))
            if len(receiver.accepted) >= len(expected):
                break
            env.clock.advance(2)  # past the backoff of the first retries
    finally:
        sender.close()

    assert receiver.requests == len(expected) + FAILURES
    events = [EventOut.model_validate_json(body) for _, body in receiver.accepted]
    assert [e.seq for e in events] == [e.seq for e in expected]
    assert [e.type for e in events] == [e.type for e in expected]
    assert [e.payload for e in events] == [dict(e.payload) for e in expected]
    assert [int(h[EVENT_ID_HEADER]) for h, _ in receiver.accepted] == [e.seq for e in expected]
    now_s = env.clock.now().timestamp()
    for headers, body in receiver.accepted:
        assert verify_signature(registration.secret, headers[SIGNATURE_HEADER], body, 60, now_s)
        assert headers["Content-Type"] == "application/json"
    attempts = list_deliveries(deps, Viewer(PartyId("bravo"), False), registration.hook.id)
    first = expected[0].seq
    assert [(a.event_seq, a.status_code) for a in reversed(attempts)][:3] == [
        (first, 500),
        (first, 500),
        (first, 200),
    ]


SETTINGS_YAML = """\
mechanism: hooks-e2e
host: {id: host, name: Coordination Cell, language: en}
parties:
  - {id: alpha, name: Alpha Air Command, language: en}
  - {id: bravo, name: Bravo Air Command, language: en}
"""


@pytest.mark.parametrize(
    ("env", "status"),
    [
        ({}, 422),
        ({"SHAREDSKY_WEBHOOK_ALLOW_PRIVATE": "true"}, 422),  # still plain http
        ({"SHAREDSKY_WEBHOOK_ALLOW_PRIVATE": "true", "SHAREDSKY_WEBHOOK_ALLOW_HTTP": "true"}, 201),
    ],
)
def test_serve_refuses_a_local_http_receiver_unless_the_settings_allow_it(
    tmp_path: Path, receiver: Receiver, env: dict[str, str], status: int
) -> None:
    db = f"sqlite:///{tmp_path / 'hooks.db'}"
    tokens = init(tmp_path, SETTINGS_YAML, db)
    with serve(db, tmp_path / "server.log", env=env) as base:
        answer = httpx.post(
            f"{base}/v1/webhooks",
            json={"url": receiver.url},
            headers={"Authorization": f"Bearer {tokens['bravo']}"},
            timeout=10.0,
        )
    assert answer.status_code == status, answer.text
    if status == 422:
        assert answer.json()["path"] == ["url"]


def test_a_redirect_is_a_failed_delivery_and_is_not_followed(env: Env) -> None:
    """R-HOOK-1: a 3xx answer is an attempt that failed; the sender never goes to Location."""
    deps = env.deps
    hook = register_webhook(deps, actor("bravo"), "http://127.0.0.1:9/hook").hook
    file_notice(deps, actor("bravo"), draft((36.5, 34.8)))
    sender = RecordingSender()
    sender.script("http://127.0.0.1:9/hook", 302)
    result = deliver_due(deps, sender, time.monotonic(), RetryPolicy(max_attempts=8))
    assert (result.delivered, result.failed) == (0, 1)
    (attempt,) = list_deliveries(deps, Viewer(PartyId("bravo"), False), hook.id)
    assert (attempt.status_code, attempt.ok, attempt.error) == (302, False, "HTTP 302")
