"""``GET /v1/events`` over HTTP: SSE framing, visibility, resume with ``Last-Event-ID`` and
``?after``, start from now, keep-alive comments, and clear 4xx answers (R-STREAM-1)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx
import pytest
import uvicorn
from _bodies import notice, square, zone
from _support import T0, THREE_PARTY_YAML, Api, make_env
from fastapi import FastAPI

from sharedsky.api.app import create_app
from sharedsky.api.routes import stream
from sharedsky.bootstrap import Container, build_deps
from sharedsky.cli.demo import free_port
from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.events import Audience, types_for
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.operators import Role
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline
from sharedsky.interop.mechanism_yaml import parse_mechanism
from sharedsky.service.context import Actor
from sharedsky.service.mechanism import load_mechanism
from sharedsky.service.notices import file_notice
from sharedsky.service.operators import add_operator
from sharedsky.service.ports import SystemClock
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock, SequentialIds, open_targets

HERE = square(36.1, 34.5)
FAR = square(40.0, 30.0)


@dataclass(frozen=True)
class Frame:
    """One parsed SSE event."""

    id: int
    event: str
    data: dict[str, Any]


def parse(text: str) -> tuple[list[Frame], list[str]]:
    """(events, comments) of an SSE body."""
    frames: list[Frame] = []
    comments: list[str] = []
    for block in text.split("\n\n"):
        fields: dict[str, list[str]] = {}
        for line in block.split("\n"):
            if line.startswith(":"):
                comments.append(line[1:].strip())
            elif line:
                name, _, value = line.partition(": ")
                fields.setdefault(name, []).append(value)
        if "data" in fields and "id" not in fields:  # a ledger checkpoint, not an event
            assert fields["event"] == ["checkpoint"], block
        elif "data" in fields:
            data = json.loads("\n".join(fields["data"]))
            frames.append(Frame(int(fields["id"][0]), fields["event"][0], data))
    return frames, comments


def streamable(api: Api) -> list[int]:
    """The seqs of every event a stream may carry (not the ledger-only records)."""
    events = api.env.deps.db.run(lambda uow: uow.events.after(0), readonly=True)
    return [e.seq for e in events if e.type not in types_for(Audience.LEDGER)]


@pytest.fixture
def api3(database: Database, clock: FakeClock) -> Iterator[Api]:
    """The three-party API with the stream router, keep-alive every 0.1 s."""
    env = make_env(database, clock, THREE_PARTY_YAML)
    holder = Api(env, Container.for_deps(env.deps, keepalive_s=0.1))
    with holder.client:
        yield holder


@pytest.fixture
def filed(api3: Api) -> dict[str, str]:
    """alpha: a notice far away and one HERE; bravo: one HERE (clashes with alpha's);
    alpha: a zone far away. Returns name → id."""
    ids = {}
    for name, party, outline in (
        ("A_far", "alpha", FAR),
        ("A", "alpha", HERE),
        ("B", "bravo", HERE),
    ):
        answer = api3.client.post("/v1/notices", json=notice(outline), headers=api3.as_(party))
        assert answer.status_code == 201, answer.text
        ids[name] = answer.json()["id"]
    answer = api3.client.post("/v1/zones", json=zone(FAR), headers=api3.as_("alpha"))
    assert answer.status_code == 201, answer.text
    ids["Z_far"] = answer.json()["id"]
    return ids


def events_of(api3: Api, party: str, query: str, **headers: str) -> list[Frame]:
    answer = api3.client.get(f"/v1/events?{query}", headers=api3.as_(party) | headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/event-stream")
    return parse(answer.text)[0]


def subject(frame: Frame, ids: dict[str, str]) -> str:
    names = {v: k for k, v in ids.items()}
    payload = frame.data["payload"]
    key = payload.get("notice") or payload.get("zone") or "conflict"
    return f"{frame.event}:{names.get(key, key)}"


def test_each_event_carries_its_seq_as_id_and_its_type_as_event(
    api3: Api, filed: dict[str, str]
) -> None:
    """R-STREAM-1: host everything, in seq order; the data is {seq, time, type, actor, payload}."""
    frames = events_of(api3, "host", "after=0&limit=6")
    assert [f.event for f in frames] == [
        "mechanism.loaded",
        "notice.filed",
        "notice.filed",
        "conflict.detected",
        "notice.filed",
        "zone.declared",
    ]
    assert [f.id for f in frames] == [f.data["seq"] for f in frames] == streamable(api3)
    assert all(f.event == f.data["type"] for f in frames)
    assert set(frames[1].data) == {"seq", "time", "type", "actor", "payload"}
    assert frames[1].data["time"] == "2026-11-24T12:00:00Z"
    assert frames[1].data["actor"].startswith("alpha")


def test_a_party_receives_only_the_events_it_may_see(api3: Api, filed: dict[str, str]) -> None:
    """R-STREAM-1: under conflicts_only bravo sees A (it clashes with B), never A_far or Z_far;
    charlie (host_only with alpha, full with bravo) sees only B."""
    bravo = events_of(api3, "bravo", "after=0&limit=3")
    assert [subject(f, filed) for f in bravo] == [
        "notice.filed:A",
        "conflict.detected:conflict",
        "notice.filed:B",
    ]
    charlie = events_of(api3, "charlie", "after=0&limit=1")
    assert [subject(f, filed) for f in charlie] == ["notice.filed:B"]
    assert charlie[0].data["payload"]["conflicts"] == []


def test_last_event_id_resumes_with_nothing_lost_and_nothing_repeated(
    api3: Api, filed: dict[str, str]
) -> None:
    """R-STREAM-1: the header wins over ?after, as a browser reconnecting to the same URL sends."""
    whole = events_of(api3, "alpha", "after=0&limit=5")
    first = events_of(api3, "alpha", "after=0&limit=2")
    rest = events_of(api3, "alpha", "after=0&limit=3", **{"Last-Event-ID": str(first[-1].id)})
    assert first + rest == whole
    assert [subject(f, filed) for f in whole] == [
        "notice.filed:A_far",
        "notice.filed:A",
        "conflict.detected:conflict",
        "notice.filed:B",
        "zone.declared:Z_far",
    ]
    assert events_of(api3, "alpha", f"after={whole[2].id}&limit=2") == whole[3:]


def _file_later(api3: Api, delay_s: float) -> threading.Timer:
    volume = Volume4D(
        CircleOutline((10.0, 10.0), 5_000),
        AltitudeBand(3000, 9000),
        TimeWindow(T0 + timedelta(hours=2), T0 + timedelta(hours=3)),
    )
    alpha = Actor(OperatorId("alpha-duty"), PartyId("alpha"), False)
    draft = NoticeDraft(NoticeKind.UAV, "late", (volume,))
    timer = threading.Timer(delay_s, file_notice, (api3.env.deps, alpha, draft))
    timer.start()
    return timer


def test_without_a_position_the_stream_starts_now_waits_and_keeps_alive(
    api3: Api, filed: dict[str, str]
) -> None:
    """R-STREAM-1: nothing of the backlog; the next event arrives live; idle → keep-alive."""
    timer = _file_later(api3, 0.5)
    answer = api3.client.get("/v1/events?limit=1", headers=api3.as_("host"))
    timer.join()
    frames, comments = parse(answer.text)
    assert [(f.event, f.data["payload"]["notice"]) for f in frames] == [
        ("notice.filed", frames[0].data["payload"]["notice"])
    ]
    assert frames[0].id == streamable(api3)[-1]
    assert "keep-alive" in comments
    assert answer.text.startswith("retry: 1000\n\n")
    assert answer.headers["cache-control"] == "no-cache"


def test_a_stream_needs_a_token(api3: Api) -> None:
    answer = api3.client.get("/v1/events?after=0&limit=1")
    assert answer.status_code == 401


@pytest.mark.parametrize("bad", ["abc", "-1", "1.5"])
def test_a_malformed_last_event_id_gets_422_with_its_path(api3: Api, bad: str) -> None:
    answer = api3.client.get("/v1/events", headers=api3.as_("alpha") | {"Last-Event-ID": bad})
    assert answer.status_code == 422
    assert answer.json()["path"] == ["Last-Event-ID"]


@pytest.mark.parametrize("query", ["after=-1", "limit=0", "after=x"])
def test_bad_query_parameters_get_422(api3: Api, query: str) -> None:
    assert api3.client.get(f"/v1/events?{query}", headers=api3.as_("alpha")).status_code == 422


def test_the_events_route_is_included_once_and_commits_notify_the_containers_bus(
    api3: Api,
) -> None:
    app = cast(FastAPI, api3.client.app)
    routes = [
        r
        for r in app.router.routes
        if getattr(r, "original_router", None) is stream.router
        or getattr(r, "path", None) == "/v1/events"
    ]
    assert len(routes) == 1  # FastAPI keeps an included router as one entry
    assert "/v1/events" in app.openapi()["paths"]
    bus = api3.container.bus
    before = bus.generation
    filed = api3.client.post("/v1/notices", json=notice(), headers=api3.as_("alpha"))
    assert filed.status_code == 201, filed.text
    assert bus.generation > before


def test_a_stream_stops_promptly_when_its_client_leaves(api3: Api) -> None:
    """The server's generator ends (and leaves the bus) soon after the client disconnects."""
    app = cast(FastAPI, api3.client.app)
    bus, pump = api3.container.bus, api3.container.feed
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10.0
        while not server.started:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        url = f"http://127.0.0.1:{port}/v1/events"
        with httpx.stream("GET", url, headers=api3.as_("alpha"), timeout=5.0) as answer:
            assert next(answer.iter_lines()) == "retry: 1000"
            assert pump.watchers == 1
        deadline = time.monotonic() + 2.0
        while pump.watchers or pump.running:
            assert time.monotonic() < deadline, "the stream outlived its client"
            time.sleep(0.02)
        assert bus.subscribers == 0  # the pump left the bus with its last stream
    finally:
        server.should_exit = True
        thread.join(10.0)


@contextlib.contextmanager
def _served(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn on a thread (lifespan on): its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10.0
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10.0)


def test_a_stream_closes_within_a_second_of_its_tokens_expiry(database: Database) -> None:
    """A token that expires (``--expires-in``) is refused from then on, and the stream it
    holds is closed within a second, though no event comes and the next keep-alive is 15 s
    away (no change of the operators tells the credentials watch)."""
    clock = SystemClock()  # a real clock: the token expires in real time
    mechanism, mechanism_json = parse_mechanism(THREE_PARTY_YAML)
    load_mechanism(database, clock, mechanism, mechanism_json)
    deps = build_deps(database, clock=clock, ids=SequentialIds(), webhook_targets=open_targets())
    expires_at = datetime.now(UTC) + timedelta(seconds=2)
    issued = add_operator(deps, None, "alpha-brief", "alpha", Role.VIEWER, expires_at=expires_at)
    auth = {"Authorization": f"Bearer {issued.token}"}
    app = create_app(Container.for_deps(deps, keepalive_s=15.0))
    with _served(app) as base:
        assert httpx.get(f"{base}/v1/me", headers=auth).json()["operator"] == "alpha-brief"
        timeout = httpx.Timeout(5.0, read=10.0)
        with httpx.stream("GET", f"{base}/v1/events", headers=auth, timeout=timeout) as answer:
            assert answer.status_code == 200
            try:
                for _ in answer.iter_bytes():
                    pass
            except httpx.ReadTimeout:
                pytest.fail("the stream outlived its token by 8 s")
        closed_s = (datetime.now(UTC) - expires_at).total_seconds()
        refused = httpx.get(f"{base}/v1/me", headers=auth)
    assert 0.0 <= closed_s <= 1.0, f"closed {closed_s:.2f} s after the expiry"
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]
