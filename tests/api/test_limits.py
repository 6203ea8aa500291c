"""Request limits in front of the app: a token or an address past its rate gets 429 with
Retry-After and nothing is done (the messages fast lane included), other tokens are served;
a body over the limit gets 413, by Content-Length or as a chunked body arrives."""

from __future__ import annotations

import json
from collections.abc import Iterator

import _bodies as bodies
import pytest
from _support import Env, make_env
from fastapi.testclient import TestClient

from sharedsky.api.app import create_app
from sharedsky.api.limits import Buckets, RequestLimits
from sharedsky.bootstrap import Container
from sharedsky.service.tracks import TrackConfig
from sharedsky.settings import Settings
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

NO_REFILL = 1e-6
"""A rate so slow that no bucket refills during a test (per second)."""
DELAY = {"to": "bravo", "priority": "flash", "template": "request_delay", "params": {"minutes": 20}}


def test_a_bucket_gives_its_burst_then_refills_at_its_rate() -> None:
    buckets = Buckets(per_s=2.0, burst=3)
    assert [buckets.take("k", 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("k", 0.0) == pytest.approx(0.5)  # one more in half a second
    assert buckets.take("k", 0.25) == pytest.approx(0.25)
    assert buckets.take("k", 0.5) == 0.0
    assert buckets.take("other", 0.5) == 0.0  # each key its own bucket


def test_buckets_that_have_refilled_are_forgotten_so_the_keys_stay_bounded() -> None:
    buckets = Buckets(per_s=1.0, burst=1, max_keys=10)
    for k in range(1000):  # a new key every second: each earlier one has refilled by then
        assert buckets.take(f"k{k}", float(k)) == 0.0
    assert len(buckets) <= 21
    assert buckets.take("k999", 999.0) == pytest.approx(1.0)  # the live one is kept


def _app(env: Env, limits: RequestLimits) -> TestClient:
    app = create_app(Container.for_deps(env.deps, limits=limits))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def env(database: Database, clock: FakeClock) -> Env:
    return make_env(database, clock)


@pytest.fixture
def tight(env: Env) -> Iterator[TestClient]:
    """The app with a burst of 3 requests per token, no refill."""
    limits = RequestLimits(token_per_s=NO_REFILL, token_burst=3)
    with _app(env, limits) as client:
        yield client


def _auth(env: Env, party: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {env.tokens[party]}"}


def _notices(client: TestClient, env: Env) -> int:
    answer = client.get("/v1/notices", headers=_auth(env, "host"))
    assert answer.status_code == 200, answer.text
    return len(answer.json()["notices"])


def test_a_token_past_its_burst_gets_429_with_retry_after_and_nothing_is_stored(
    tight: TestClient, env: Env
) -> None:
    alpha = _auth(env, "alpha")
    for _ in range(2):
        assert tight.post("/v1/notices", json=bodies.notice(), headers=alpha).status_code == 201
    assert tight.get("/v1/me", headers=alpha).status_code == 200
    before = _notices(tight, env)
    refused = tight.post("/v1/notices", json=bodies.notice(), headers=alpha)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "rate-limited"
    assert int(refused.headers["retry-after"]) >= 1
    assert _notices(tight, env) == before == 2
    assert tight.get("/v1/me", headers=_auth(env, "bravo")).status_code == 200  # not alpha


def test_the_messages_fast_lane_is_limited_too(tight: TestClient, env: Env) -> None:
    alpha = _auth(env, "alpha")
    for _ in range(3):
        assert tight.post("/v1/messages", json=DELAY, headers=alpha).status_code == 201
    refused = tight.post("/v1/messages", json=DELAY, headers=alpha)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate-limited"
    sent = tight.get("/v1/messages", headers=_auth(env, "bravo")).json()["messages"]
    assert len(sent) == 3


def test_an_address_past_its_burst_gets_429_whatever_the_token(env: Env) -> None:
    limits = RequestLimits(address_per_s=NO_REFILL, address_burst=4)
    with _app(env, limits) as client:
        answers = [client.get("/v1/me", headers=_auth(env, p)).status_code for p in ("alpha",) * 4]
        assert answers == [200] * 4
        refused = client.get("/v1/me", headers=_auth(env, "bravo"))
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1


@pytest.fixture
def small(env: Env) -> Iterator[TestClient]:
    """The app with a body limit of 2,000 bytes."""
    with _app(env, RequestLimits(max_body_bytes=2000)) as client:
        yield client


def _large_notice() -> bytes:
    body = bodies.notice()
    body["remarks"] = "x" * 3000
    return json.dumps(body).encode()


def test_a_body_over_the_limit_by_content_length_gets_413(small: TestClient, env: Env) -> None:
    headers = {**_auth(env, "alpha"), "Content-Type": "application/json"}
    answer = small.post("/v1/notices", content=_large_notice(), headers=headers)
    assert answer.status_code == 413
    assert answer.json()["code"] == "body-too-large"
    assert answer.headers["connection"] == "close"
    assert _notices(small, env) == 0
    fits = small.post("/v1/notices", json=bodies.notice(), headers=_auth(env, "alpha"))
    assert fits.status_code == 201


def test_a_chunked_body_over_the_limit_gets_413(small: TestClient, env: Env) -> None:
    data = _large_notice()
    chunks = iter([data[i : i + 500] for i in range(0, len(data), 500)])
    headers = {**_auth(env, "alpha"), "Content-Type": "application/json"}
    answer = small.post("/v1/notices", content=chunks, headers=headers)
    assert answer.status_code == 413
    assert answer.json()["code"] == "body-too-large"
    assert _notices(small, env) == 0


def test_a_chunked_body_within_the_limit_is_served(small: TestClient, env: Env) -> None:
    data = json.dumps(bodies.notice()).encode()
    chunks = iter([data[i : i + 100] for i in range(0, len(data), 100)])
    headers = {**_auth(env, "alpha"), "Content-Type": "application/json"}
    assert small.post("/v1/notices", content=chunks, headers=headers).status_code == 201


def test_the_largest_track_batch_fits_the_default_body_limit() -> None:
    """10,000 states (the default batch maximum) in the row form, with the longest ids and
    notice references, microsecond times and full-precision numbers, indented."""
    state = {
        "id": "x" * 32,
        "party": "p" * 64,
        "time": "2026-11-24T15:00:00.123456+00:00",
        "lat": -33.123456789012345,
        "lon": -151.12345678901234,
        "alt_m": 12345.678901234567,
        "gs_mps": 234.56789012345678,
        "trk_deg": 359.12345678901234,
        "vs_mps": -12.345678901234567,
        "notice_id": "n" * 40,
    }
    assert Settings().track_batch_max == TrackConfig().max_batch == 10_000
    body = json.dumps({"tracks": [state] * 10_000}, indent=2).encode()
    assert len(body) < RequestLimits().max_body_bytes == Settings().max_body_bytes


def test_the_defaults_agree_with_the_settings() -> None:
    settings = Settings()
    limits = RequestLimits()
    assert (limits.token_per_s, limits.token_burst) == (
        settings.rate_limit_token_per_s,
        settings.rate_limit_token_burst,
    )
    assert (limits.address_per_s, limits.address_burst) == (
        settings.rate_limit_address_per_s,
        settings.rate_limit_address_burst,
    )
    assert limits.body_timeout_s == settings.body_timeout_s
