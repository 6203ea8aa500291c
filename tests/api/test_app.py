"""``create_app(container)``: the app keeps one attribute, its container, whatever it serves;
the OpenAPI document is built from the routes alone."""

from __future__ import annotations

import inspect
from typing import cast

from _support import Api
from fastapi import FastAPI

from sharedsky.api.app import create_app, document_app

MESSAGE = {
    "to": "bravo",
    "priority": "flash",
    "template": "request_delay",
    "params": {"minutes": 5},
}


def _attributes(app: FastAPI) -> set[str]:
    """The attributes set on ``app.state`` (Starlette keeps them in one dict)."""
    return set(app.state._state)


def test_create_app_takes_only_the_container() -> None:
    assert list(inspect.signature(create_app).parameters) == ["container"]


def test_the_app_keeps_one_attribute_its_container_after_requests_and_a_stream(api: Api) -> None:
    app = cast(FastAPI, api.client.app)
    assert _attributes(app) == {"container"}  # after the start
    assert app.state.container is api.container
    client = api.client
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/v1/me").status_code == 401
    assert client.get("/v1/me", headers=api.as_("alpha")).status_code == 200
    sent = client.post("/v1/messages", json=MESSAGE, headers=api.as_("alpha"))  # the fast lane
    assert sent.status_code == 201, sent.text
    assert client.get("/v1/tracks", headers=api.as_("bravo")).status_code == 200
    assert client.get("/metrics", headers=api.as_("host")).status_code == 200
    with client.stream("GET", "/v1/events?after=0&limit=1", headers=api.as_("bravo")) as stream:
        assert any(line.startswith("event: message.sent") for line in stream.iter_lines())
    assert api.container.fast_lane.answered == 1
    assert _attributes(app) == {"container"}


def test_the_document_app_holds_nothing() -> None:
    app = document_app()
    assert _attributes(app) == set()
    assert "/v1/events" in app.openapi()["paths"]
