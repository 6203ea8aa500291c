"""Webhooks over HTTP: register (secret shown once), list, delete, attempts; bad URLs get 422 at
``url``; another party's hook is not found (R-HOOK-1, R-INPUT-1, R-AUTH-1)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, cast

import _bodies as bodies
import pytest
from _support import Api, make_env
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sharedsky.api.app import create_app
from sharedsky.api.routes import webhooks
from sharedsky.bootstrap import Container
from sharedsky.domain.addresses import TargetRules
from sharedsky.events.webhooks import RetryPolicy, TargetGuard
from sharedsky.service.webhooks import deliver_due
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock, FakeResolver, RecordingSender
from sharedsky.wire import v1

URL = "https://bravo.example/hooks/sky"


@pytest.fixture
def hooks(database: Database, clock: FakeClock) -> Iterator[Api]:
    """The API over the Levant mechanism, with the webhook routes."""
    holder = Api(make_env(database, clock))
    app = cast(FastAPI, holder.client.app)
    if not any(getattr(r, "path", None) == "/v1/webhooks" for r in app.routes):
        app.include_router(webhooks.router)
    with holder.client:
        yield holder


def register(api: Api, party: str, url: str = URL, key: str | None = None) -> Any:
    headers = api.as_(party) | ({"Idempotency-Key": key} if key else {})
    return api.client.post("/v1/webhooks", json={"url": url}, headers=headers)


def test_registering_answers_201_with_the_secret_once(hooks: Api) -> None:
    answer = register(hooks, "bravo")
    assert answer.status_code == 201
    created = v1.WebhookCreated.model_validate(answer.json())
    assert created.url == URL and created.secret.startswith("whsec_")
    listed = hooks.client.get("/v1/webhooks", headers=hooks.as_("bravo"))
    assert listed.status_code == 200
    (hook,) = v1.WebhookList.model_validate(listed.json()).webhooks
    assert (hook.id, hook.party, hook.url, hook.attempts) == (created.id, "bravo", URL, 0)
    assert created.secret not in listed.text


def test_a_retried_registration_replays_the_first_answer(hooks: Api) -> None:
    """R-IDEM-1."""
    first = register(hooks, "bravo", key="k-1")
    again = register(hooks, "bravo", key="k-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    listed = hooks.client.get("/v1/webhooks", headers=hooks.as_("bravo")).json()
    assert len(listed["webhooks"]) == 1


@pytest.mark.parametrize(
    "url",
    [
        "ftp://bravo.example/x",
        "https://user:secret@bravo.example/x",
        "not a url",
        "",
        "https://bravo.example/" + "x" * 2000,
    ],
)
def test_a_bad_url_gets_422_at_url_and_stores_nothing(hooks: Api, url: str) -> None:
    """R-INPUT-1."""
    answer = register(hooks, "bravo", url)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["path"] == ["url"]
    assert hooks.client.get("/v1/webhooks", headers=hooks.as_("host")).json()["webhooks"] == []


def test_unknown_fields_and_missing_tokens_are_refused(hooks: Api) -> None:
    body = {"url": URL, "events": ["notice.filed"]}
    answer = hooks.client.post("/v1/webhooks", json=body, headers=hooks.as_("bravo"))
    assert answer.status_code == 422 and answer.json()["path"] == ["events"]
    assert hooks.client.post("/v1/webhooks", json={"url": URL}).status_code == 401


def test_another_partys_hook_is_not_found_and_the_host_sees_every_hook(hooks: Api) -> None:
    """R-AUTH-1."""
    hook_id = register(hooks, "bravo").json()["id"]
    for method, path in (
        ("DELETE", f"/v1/webhooks/{hook_id}"),
        ("GET", f"/v1/webhooks/{hook_id}/deliveries"),
    ):
        answer = hooks.client.request(method, path, headers=hooks.as_("alpha"))
        assert answer.status_code == 404 and answer.json()["code"] == "not-found"
    assert hooks.client.get("/v1/webhooks", headers=hooks.as_("alpha")).json()["webhooks"] == []
    seen = hooks.client.get("/v1/webhooks", headers=hooks.as_("host")).json()["webhooks"]
    assert [h["id"] for h in seen] == [hook_id]
    path = f"/v1/webhooks/{hook_id}/deliveries"
    assert hooks.client.get(path, headers=hooks.as_("host")).status_code == 200
    assert (
        hooks.client.delete(f"/v1/webhooks/{hook_id}", headers=hooks.as_("host")).status_code == 403
    )


def test_deleting_answers_204_then_404(hooks: Api) -> None:
    hook_id = register(hooks, "bravo").json()["id"]
    path = f"/v1/webhooks/{hook_id}"
    assert hooks.client.delete(path, headers=hooks.as_("bravo")).status_code == 204
    assert hooks.client.delete(path, headers=hooks.as_("bravo")).status_code == 404
    assert hooks.client.get("/v1/webhooks", headers=hooks.as_("bravo")).json()["webhooks"] == []


def test_the_attempts_are_listed_newest_first_with_the_dead_letters(hooks: Api) -> None:
    hook_id = register(hooks, "bravo").json()["id"]
    zone = bodies.zone(bodies.square(36.1, 34.5))
    assert hooks.client.post("/v1/zones", json=zone, headers=hooks.as_("bravo")).status_code == 201
    sender = RecordingSender({URL: [500, 502]})
    for _ in range(3):
        deliver_due(hooks.env.deps, sender, time.monotonic(), RetryPolicy(max_attempts=2))
        hooks.env.clock.advance(1)
    path = f"/v1/webhooks/{hook_id}/deliveries"
    answer = hooks.client.get(path, headers=hooks.as_("bravo"))
    assert answer.status_code == 200
    listed = v1.WebhookDeliveryList.model_validate(answer.json()).deliveries
    assert [(d.attempt, d.status_code, d.ok, d.dead) for d in listed] == [
        (2, 502, False, True),
        (1, 500, False, False),
    ]
    assert listed[0].error == "HTTP 502" and listed[0].event_type == "zone.declared"
    dead = hooks.client.get(path, params={"dead": "true"}, headers=hooks.as_("bravo")).json()
    assert [d["attempt"] for d in dead["deliveries"]] == [2]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://inside.example/hook", "private"),
        ("https://loop.example/hook", "loopback"),
        ("https://[fe80::1]/hook", "link-local"),
        ("https://169.254.169.254/latest", "link-local"),
        ("http://outside.example/hook", "https"),
        ("https://nowhere.example/hook", "resolve"),
    ],
)
def test_by_default_a_url_on_the_hosts_network_or_over_http_is_refused_at_url(
    database: Database, clock: FakeClock, url: str, says: str
) -> None:
    env = make_env(database, clock)
    resolver = FakeResolver(
        {"inside.example": ["10.0.0.5"], "loop.example": ["::1"], "outside.example": ["8.8.8.8"]}
    )
    strict = replace(env.deps, webhook_targets=TargetGuard(TargetRules(), resolver))
    app = create_app(Container.for_deps(strict))
    with TestClient(app, raise_server_exceptions=False) as client:
        headers = {"Authorization": f"Bearer {env.tokens['bravo']}"}
        answer = client.post("/v1/webhooks", json={"url": url}, headers=headers)
        assert answer.status_code == 422, answer.text
        assert answer.json()["path"] == ["url"]
        assert says in answer.json()["detail"]
        assert client.get("/v1/webhooks", headers=headers).json()["webhooks"] == []
        good = client.post(
            "/v1/webhooks", json={"url": "https://outside.example/hook"}, headers=headers
        )
        assert good.status_code == 201
