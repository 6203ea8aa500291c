"""Webhook signatures, their verification, the retry schedule and the URL check (R-HOOK-1)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sharedsky.domain.addresses import TargetRules
from sharedsky.events.webhooks import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    Admission,
    DeliveryFailed,
    HttpxSender,
    RetryPolicy,
    TargetGuard,
    delivery_headers,
    event_body,
    sign,
    url_problem,
    verify_signature,
)
from sharedsky.testing.fakes import FakeResolver, open_targets
from sharedsky.wire.v1 import EventOut

SECRET = "whsec_test"
BODY = b'{"seq":7,"type":"notice.filed"}'
T = 1_790_000_000


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY, T) == f"t={T},v1={expected}"


def test_a_signature_verifies_with_its_secret_body_and_a_fresh_timestamp() -> None:
    header = sign(SECRET, BODY, T)
    assert verify_signature(SECRET, header, BODY, tolerance_s=300, now_s=T + 299)
    assert verify_signature(SECRET, header, BODY, tolerance_s=300, now_s=T - 10)


@pytest.mark.parametrize(
    ("secret", "body", "now_s"),
    [
        ("whsec_other", BODY, T),  # another secret
        (SECRET, BODY + b" ", T),  # a changed body
        (SECRET, BODY, T + 301),  # too old: a replay
    ],
)
def test_a_wrong_secret_a_changed_body_or_a_stale_timestamp_does_not_verify(
    secret: str, body: bytes, now_s: float
) -> None:
    assert not verify_signature(secret, sign(SECRET, BODY, T), body, tolerance_s=300, now_s=now_s)


@pytest.mark.parametrize(
    "header",
    ["", "garbage", f"t={T}", "v1=abc", f"t=x,v1={'0' * 64}", f"t={T},v1={'0' * 64}"],
)
def test_a_malformed_or_forged_header_is_simply_not_valid(header: str) -> None:
    assert not verify_signature(SECRET, header, BODY, tolerance_s=300, now_s=T)


def test_any_of_several_v1_values_may_match_so_a_receiver_can_rotate() -> None:
    good = sign(SECRET, BODY, T).split("v1=")[1]
    header = f"t={T},v1={'0' * 64},v1={good}"
    assert verify_signature(SECRET, header, BODY, tolerance_s=5, now_s=T)


def test_the_backoff_doubles_from_half_a_second_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=8, backoff_cap_s=60)
    waits = [policy.backoff_s(n) for n in range(1, 10)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    assert RetryPolicy(backoff_cap_s=3).backoff_s(5) == 3
    assert RetryPolicy().backoff_s(10_000) == 60


def test_a_delivery_carries_signature_event_id_and_type() -> None:
    headers = delivery_headers(SECRET, BODY, 7, "notice.filed", T)
    assert headers == {
        SIGNATURE_HEADER: sign(SECRET, BODY, T),
        EVENT_ID_HEADER: "7",
        EVENT_TYPE_HEADER: "notice.filed",
    }


def test_the_body_is_the_event_object_of_the_stream() -> None:
    moment = datetime(2026, 11, 24, 12, 0, 0, 250_000, tzinfo=UTC)
    body = event_body(7, moment, "notice.filed", "alpha-duty", {"notice": "ntc-1", "n": [1]})
    event = EventOut.model_validate_json(body)
    assert (event.seq, event.time, event.type, event.actor) == (
        7,
        moment,
        "notice.filed",
        "alpha-duty",
    )
    assert event.payload == {"notice": "ntc-1", "n": [1]}
    assert json.loads(body)["time"] == "2026-11-24T12:00:00.250000Z"


@pytest.mark.parametrize(
    "url", ["https://ops.example/hooks/sky", "http://127.0.0.1:8080/x?y=1", "HTTPS://a.b"]
)
def test_http_and_https_urls_with_a_host_are_accepted(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://ops.example/x", "http or https"),
        ("ops.example/hook", "http or https"),
        ("https://user:pw@ops.example/", "credentials"),
        ("https://user@ops.example/", "credentials"),
        ("https:///path-only", "host"),
        ("https://ops.example:99999/", "malformed"),
        ("https://ops.example/a b", "whitespace"),
        ("https://ops.example/" + "a" * 2000, "2000"),
    ],
)
def test_other_urls_are_refused_with_the_reason(url: str, reason: str) -> None:
    problem = url_problem(url)
    assert problem is not None and reason in problem


def test_the_real_sender_turns_no_answer_into_delivery_failed() -> None:
    import socket

    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = HttpxSender(timeout_s=2, guard=open_targets())
    try:
        with pytest.raises(DeliveryFailed, match="ConnectError"):
            sender.send(f"http://127.0.0.1:{port}/x", BODY, {})
    finally:
        sender.close()


# -- where a webhook may go -------------------------------------------------------------------


@dataclass
class _Receiver:
    """A local HTTP endpoint: ``/redirect`` answers 302 to ``/elsewhere``, anything else 200;
    every request's path and Host header is noted."""

    port: int = 0
    seen: list[tuple[str, str]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    state = _Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.seen.append((self.path, self.headers.get("Host", "")))
            redirect = self.path == "/redirect"
            self.send_response(302 if redirect else 200)
            if redirect:
                self.send_header("Location", f"http://127.0.0.1:{state.port}/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


STRICT = TargetRules()
HTTP_ONLY = TargetRules(allow_http=True)


def test_the_guard_admits_https_to_a_public_address_and_names_it() -> None:
    guard = TargetGuard(STRICT, FakeResolver({"ops.example": ["203.0.113.9", "8.8.4.4"]}))
    assert guard.admit("https://ops.example/hook").problem is not None  # 203.0.113.0/24: docs
    guard = TargetGuard(STRICT, FakeResolver({"ops.example": ["8.8.4.4"]}))
    admission = guard.admit("https://ops.example/hook")
    assert admission.problem is None
    assert str(admission.address) == "8.8.4.4"


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "::1", "169.254.169.254", "fe80::1", "10.0.0.1", "fd00::1", "224.0.0.1",
     "0.0.0.0", "::", "240.0.0.1", "::ffff:192.168.0.1"],
)  # fmt: skip
def test_the_guard_refuses_hosts_on_the_hosts_own_network(address: str) -> None:
    guard = TargetGuard(STRICT, FakeResolver({"inside.example": [address]}))
    problem = guard.admit("https://inside.example/hook").problem
    assert problem is not None and "public addresses" in problem
    literal = f"[{address}]" if ":" in address else address
    assert guard.admit(f"https://{literal}/hook").problem is not None


def test_the_guard_refuses_plain_http_and_unresolvable_hosts_by_default() -> None:
    guard = TargetGuard(STRICT, FakeResolver({"ops.example": ["8.8.4.4"]}))
    assert "https" in (guard.admit("http://ops.example/hook").problem or "")
    assert "resolve" in (guard.admit("https://nowhere.example/hook").problem or "")


def test_allowing_private_addresses_and_http_admits_a_local_receiver_unresolved() -> None:
    resolver = FakeResolver()
    admission = open_targets(resolver).admit("http://receiver.internal:8080/hook")
    assert admission.problem is None
    assert resolver.asked == []  # nothing to check, nothing looked up


def test_the_sender_checks_the_address_again_at_delivery(receiver: _Receiver) -> None:
    """DNS rebinding: the name now resolves to the loopback address; nothing is sent."""
    resolver = FakeResolver({"hooks.example": ["127.0.0.1"]})
    sender = HttpxSender(timeout_s=2, guard=TargetGuard(HTTP_ONLY, resolver))
    try:
        with pytest.raises(DeliveryFailed, match=r"refused: .*loopback"):
            sender.send(f"http://hooks.example:{receiver.port}/hook", BODY, {})
    finally:
        sender.close()
    assert receiver.seen == []


class _Pinned(TargetGuard):
    """A guard that admits ``receiver.test`` at 127.0.0.1 (a name no real resolver knows)."""

    def admit(self, url: str) -> Admission:
        return Admission(None, ipaddress.ip_address("127.0.0.1"))


def test_the_sender_connects_to_the_address_it_checked(receiver: _Receiver) -> None:
    """The request reached the address the guard admitted (the name resolves nowhere else),
    carrying the URL's host in ``Host``."""
    sender = HttpxSender(timeout_s=2, guard=_Pinned())
    try:
        assert sender.send(f"http://receiver.test:{receiver.port}/hook", BODY, {}) == 200
    finally:
        sender.close()
    assert receiver.seen == [("/hook", f"receiver.test:{receiver.port}")]


def test_the_sender_does_not_follow_a_redirect(receiver: _Receiver) -> None:
    sender = HttpxSender(timeout_s=2, guard=open_targets())
    try:
        assert sender.send(f"http://127.0.0.1:{receiver.port}/redirect", BODY, {}) == 302
    finally:
        sender.close()
    assert [path for path, _ in receiver.seen] == ["/redirect"]  # never /elsewhere
