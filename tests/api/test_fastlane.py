"""The fast lane of POST /v1/messages answers exactly as the route does, and hands everything
but its plain case to the app untouched."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any, cast

import _bodies as bodies
import pytest
from _support import THREE_PARTY_YAML, Env, make_env
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from sharedsky.api.app import create_app
from sharedsky.api.fastlane import MessagesFastLane
from sharedsky.bootstrap import Container
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

DELAY = {"to": "bravo", "priority": "flash", "template": "request_delay", "params": {"minutes": 20}}


@pytest.fixture
def two(database: Database, clock: FakeClock) -> Iterator[tuple[Env, TestClient, TestClient]]:
    """One mechanism behind two apps: with the lane, and without it (the route alone)."""
    env = make_env(database, clock, THREE_PARTY_YAML)
    with_lane = create_app(Container.for_deps(env.deps))
    without = create_app(Container.for_deps(env.deps))
    without.user_middleware = [m for m in without.user_middleware if m.cls is not MessagesFastLane]
    with (
        TestClient(with_lane, raise_server_exceptions=False) as lane,
        TestClient(without, raise_server_exceptions=False) as route,
    ):
        yield env, lane, route


def _answered(client: TestClient) -> int:
    container = cast(Container, cast(FastAPI, client.app).state.container)
    return container.fast_lane.answered


def _same_but_ids(a: Any, b: Any) -> None:
    """Equal JSON, but for the generated ids of messages and acknowledgement requests."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys()
        for key in a:
            if key not in ("id", "thread") or not isinstance(a[key], str):
                _same_but_ids(a[key], b[key])
            else:
                assert a[key].split("-")[0] == b[key].split("-")[0]
    else:
        assert a == b


def test_the_lane_answers_a_plain_message_as_the_route_does(
    two: tuple[Env, TestClient, TestClient],
) -> None:
    env, lane, route = two
    auth = {"Authorization": f"Bearer {env.tokens['alpha']}"}
    fast = lane.post("/v1/messages", json={**DELAY, "text": "tanker"}, headers=auth)
    slow = route.post("/v1/messages", json={**DELAY, "text": "tanker"}, headers=auth)
    assert fast.status_code == slow.status_code == 201, fast.text
    assert fast.headers["content-type"] == slow.headers["content-type"] == "application/json"
    _same_but_ids(fast.json(), slow.json())
    assert _answered(lane) == 1
    listed = route.get("/v1/messages", headers=auth).json()["messages"]
    assert {m["id"] for m in listed} == {fast.json()["id"], slow.json()["id"]}


@pytest.mark.parametrize(
    ("headers", "content"),
    [
        ({"Authorization": "Bearer nope"}, None),  # unknown token: 401
        ({}, None),  # no token: 401
        ({"Content-Type": "text/plain"}, b'{"to": "bravo", "text": "hi"}'),
        ({"Content-Type": "application/json"}, b'{"to": "bravo", "text": '),  # not JSON
        ({"Content-Type": "application/json"}, b'{"to": 5, "text": "hi"}'),  # wrong type
        ({"Content-Type": "application/json"}, b'{"to": "bravo", "text": "hi", "x": 1}'),
        ({"Content-Type": "application/json"}, b'{"to": "bravo", "template": "pizza"}'),
        ({"Content-Type": "application/json"}, b'{"to": "zulu", "text": "hi"}'),
        ({"Content-Type": "application/json"}, b'{"to": "bravo", "text": "' + b"x" * 2001 + b'"}'),
        ({"Content-Type": "application/json"}, b""),
        ({"Idempotency-Key": ""}, None),
    ],
)
def test_refusals_are_the_apps_own(
    two: tuple[Env, TestClient, TestClient], headers: dict[str, str], content: bytes | None
) -> None:
    """R-INPUT-1: a bad token, a body that is not JSON or does not validate, a refused draft:
    the same status, type and problem with the lane as without it, and nothing sent."""
    env, lane, route = two
    if "Authorization" not in headers and content is not None:
        headers = {**headers, "Authorization": f"Bearer {env.tokens['alpha']}"}
    if "Idempotency-Key" in headers:
        headers = {**headers, "Authorization": f"Bearer {env.tokens['alpha']}"}
    answers = []
    for client in (lane, route):
        if content is None:
            answers.append(client.post("/v1/messages", json=DELAY, headers=headers))
        else:
            answers.append(client.post("/v1/messages", content=content, headers=headers))
    fast, slow = answers
    assert fast.status_code == slow.status_code and fast.status_code in (401, 415, 422)
    assert fast.headers["content-type"] == slow.headers["content-type"]
    assert fast.json() == slow.json()
    host = {"Authorization": f"Bearer {env.tokens['host']}"}
    assert route.get("/v1/messages", headers=host).json()["messages"] == []


def test_a_refusal_after_submission_is_answered_by_the_apps_handler(
    two: tuple[Env, TestClient, TestClient],
) -> None:
    """R-MSG-3: a message about a notice the sender cannot see is refused inside the write
    (404): the lane answers with the app's problem, and sends nothing twice."""
    env, lane, route = two
    filed = route.post(
        "/v1/notices",
        json=bodies.notice(),
        headers={"Authorization": f"Bearer {env.tokens['bravo']}"},
    )
    assert filed.status_code == 201, filed.text
    about = {"type": "notice", "id": "ntc-missing"}
    body = {"to": "bravo", "template": "request_clarification", "about": about}
    auth = {"Authorization": f"Bearer {env.tokens['charlie']}"}
    fast = lane.post("/v1/messages", json=body, headers=auth)
    slow = route.post("/v1/messages", json=body, headers=auth)
    assert fast.status_code == slow.status_code == 404
    assert fast.json() == slow.json()
    assert _answered(lane) == 0


def test_a_message_with_an_idempotency_key_goes_to_the_route(
    two: tuple[Env, TestClient, TestClient],
) -> None:
    env, lane, _route = two
    headers = {"Authorization": f"Bearer {env.tokens['alpha']}", "Idempotency-Key": "k-1"}
    first = lane.post("/v1/messages", json=DELAY, headers=headers)
    again = lane.post("/v1/messages", json=DELAY, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert _answered(lane) == 0


def _run_lane(messages: list[Message], content_type: bytes) -> tuple[list[Message], int]:
    """Drive the lane with a request whose body comes as ``messages``; the inner app records
    what it receives. Returns (messages the app received, requests the lane answered)."""
    received: list[Message] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    lane = MessagesFastLane(inner)
    queue = list(messages)

    async def receive() -> Message:
        return queue.pop(0) if queue else {"type": "http.disconnect"}

    async def send(_message: Message) -> None:
        return None

    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": "/v1/messages",
        "headers": [(b"content-type", content_type)],
    }
    asyncio.run(lane(scope, receive, send))
    return received, lane.count.answered


def test_a_body_in_pieces_reaches_the_app_whole_when_the_lane_hands_it_on() -> None:
    pieces: list[Message] = [
        {"type": "http.request", "body": b'{"to": "bravo", ', "more_body": True},
        {"type": "http.request", "body": b'"text": 5}', "more_body": False},
    ]
    received, answered = _run_lane(pieces, b"application/json")
    assert received == [
        {"type": "http.request", "body": b'{"to": "bravo", "text": 5}', "more_body": False}
    ]
    assert answered == 0


def test_a_client_that_leaves_mid_body_is_seen_leaving_by_the_app() -> None:
    pieces: list[Message] = [
        {"type": "http.request", "body": b'{"to": ', "more_body": True},
        {"type": "http.disconnect"},
    ]
    received, answered = _run_lane(pieces, b"application/json")
    assert received == [pieces[0], pieces[1]]
    assert answered == 0


def test_another_content_type_is_not_read_by_the_lane() -> None:
    pieces: list[Message] = [{"type": "http.request", "body": b"hello", "more_body": False}]
    received, _ = _run_lane(pieces, b"text/plain")
    assert received == pieces
