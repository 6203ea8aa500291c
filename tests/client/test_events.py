"""EventFollower goes through the SDK's transport: same headers, same errors, resumes after a
cut connection from the last seq it saw."""

from __future__ import annotations

import json

import httpx
import pytest
from _support import CutStream

from sharedsky import __version__
from sharedsky.client import AuthError, UnreachableError, events
from sharedsky.client.events import EventFollower


def sse(seq: int) -> bytes:
    """One Server-Sent Event of type ``notice.filed`` with sequence number ``seq``."""
    data = {"seq": seq, "time": "2026-11-24T12:00:00Z", "type": "notice.filed",
            "actor": "alpha-duty", "payload": {"notice": f"n-{seq}"}}  # fmt: skip
    return f"id: {seq}\nevent: notice.filed\ndata: {json.dumps(data)}\n\n".encode()


def test_the_follower_sends_the_sdk_user_agent_token_and_resume_point() -> None:
    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=sse(8), headers={"Content-Type": "text/event-stream"})

    with httpx.Client(transport=httpx.MockTransport(server)) as http:
        follower = EventFollower("http://sky", "tok", after=7, reconnect=False, http=http)
        assert [e.seq for e in follower] == [8]
    (request,) = seen
    assert str(request.url) == "http://sky/v1/events"
    assert request.headers["User-Agent"] == f"sharedsky-sdk/{__version__}"
    assert request.headers["Authorization"] == "Bearer tok"
    assert request.headers["Accept"] == "text/event-stream"
    assert request.headers["Last-Event-ID"] == "7"


def test_a_refused_token_raises_auth_error_even_when_reconnecting() -> None:
    problem = {"type": "about:blank", "title": "Unauthenticated", "status": 401,
               "code": "unauthenticated", "detail": "unknown token"}  # fmt: skip

    def server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json=problem)

    with httpx.Client(transport=httpx.MockTransport(server)) as http:
        with pytest.raises(AuthError) as caught:
            next(iter(EventFollower("http://sky", "bad", http=http)))
    assert (caught.value.status, caught.value.code) == (401, "unauthenticated")


def test_a_cut_stream_resumes_after_the_last_seq_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(events, "RECONNECT_DELAY_S", 0.0)
    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        head = sse(1) + sse(2) if len(seen) == 1 else sse(3)
        return httpx.Response(200, stream=CutStream(head, request))

    with httpx.Client(transport=httpx.MockTransport(server)) as http:
        follower = iter(EventFollower("http://sky", "tok", http=http))
        assert [next(follower).seq for _ in range(3)] == [1, 2, 3]
    assert [r.headers.get("Last-Event-ID") for r in seen] == [None, "2"]


def test_without_reconnecting_a_cut_stream_raises_unreachable() -> None:
    def server(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=CutStream(sse(1), request))

    with httpx.Client(transport=httpx.MockTransport(server)) as http:
        follower = iter(EventFollower("http://sky", "tok", reconnect=False, http=http))
        assert next(follower).seq == 1
        with pytest.raises(UnreachableError) as caught:
            next(follower)
    assert "http://sky" in caught.value.detail and "cut off" in caught.value.detail
