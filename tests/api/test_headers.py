"""Security headers on every response: API answers, errors, event streams and the console's
files; HSTS only on a request that came over TLS."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from _support import Api
from fastapi import FastAPI
from starlette.testclient import TestClient

from sharedsky.api import console
from sharedsky.api.headers import API_CONTENT_SECURITY_POLICY

ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def _has_the_headers(headers: dict[str, str] | object, csp: str | None = None) -> None:
    found = cast(dict[str, str], headers)
    for name, value in ALWAYS.items():
        assert found[name] == value, name
    policy = found["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    if csp is not None:
        assert policy == csp
    assert "strict-transport-security" not in found


@pytest.mark.parametrize(
    ("path", "party", "status"),
    [
        ("/healthz", None, 200),
        ("/v1/me", "alpha", 200),
        ("/v1/me", None, 401),  # an error
        ("/v1/notices/ntc_missing", "alpha", 404),
        ("/v1/no/such/route", "alpha", 404),
        ("/metrics", "alpha", 403),
        ("/openapi.json", None, 200),
    ],
)
def test_api_answers_and_errors_carry_the_security_headers(
    api: Api, path: str, party: str | None, status: int
) -> None:
    answer = api.client.get(path, headers=api.as_(party) if party else {})
    assert answer.status_code == status
    _has_the_headers(answer.headers, API_CONTENT_SECURITY_POLICY)


def test_a_message_answered_by_the_fast_lane_carries_them(api: Api) -> None:
    body = {"to": "bravo", "priority": "routine", "text": "radio check"}
    answer = api.client.post("/v1/messages", json=body, headers=api.as_("alpha"))
    assert answer.status_code == 201
    _has_the_headers(answer.headers, API_CONTENT_SECURITY_POLICY)


def test_an_event_stream_carries_them(api: Api) -> None:
    answer = api.client.get("/v1/events?after=0&limit=1", headers=api.as_("host"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    _has_the_headers(answer.headers, API_CONTENT_SECURITY_POLICY)


def test_console_pages_keep_their_own_policy_once(api: Api, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>console</title>")
    app = cast(FastAPI, api.client.app)
    mount = app.router.routes[-1]
    app.router.routes[-1] = type(mount)("/", console.ConsoleAssets(tmp_path), name="console")
    page = api.client.get("/")
    assert page.status_code == 200
    _has_the_headers(page.headers, console.CONTENT_SECURITY_POLICY)
    assert page.headers.get_list("content-security-policy") == [console.CONTENT_SECURITY_POLICY]
    assert page.headers.get_list("x-content-type-options") == ["nosniff"]
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "img-src 'self' data:" in policy
    assert "connect-src 'self'" in policy
    missing = api.client.get("/missing.js")
    assert missing.status_code == 404
    _has_the_headers(missing.headers)


def test_the_console_not_built_page_carries_them(api: Api, tmp_path: Path) -> None:
    app = cast(FastAPI, api.client.app)
    mount = app.router.routes[-1]
    app.router.routes[-1] = type(mount)(
        "/", console.ConsoleAssets(tmp_path / "none"), name="console"
    )
    answer = api.client.get("/")
    assert answer.status_code == 503
    _has_the_headers(answer.headers)


def test_hsts_is_sent_only_over_tls(api: Api) -> None:
    app = cast(FastAPI, api.client.app)
    plain = api.client.get("/healthz")
    assert "strict-transport-security" not in plain.headers
    with TestClient(app, base_url="https://sharedsky.test") as tls:
        secure = tls.get("/healthz")
        assert secure.headers["strict-transport-security"] == "max-age=31536000"
        refused = tls.get("/v1/me")
        assert refused.status_code == 401
        assert refused.headers["strict-transport-security"] == "max-age=31536000"
