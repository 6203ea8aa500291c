"""The console's static assets at ``/``: served with a strict Content-Security-Policy, a clear
``503`` while they are not built, and never in the way of an API route."""

from __future__ import annotations

from pathlib import Path

from _support import Api
from fastapi import FastAPI
from starlette.testclient import TestClient

from sharedsky.api import console
from sharedsky.interop.console_words import english_words


def _app(directory: Path) -> TestClient:
    app = FastAPI()

    @app.get("/v1/ping")
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    console.install(app, directory)
    return TestClient(app)


def test_the_console_page_is_served_at_the_root_from_this_origin_only(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>console</title>")
    (tmp_path / "app.js").write_text("export {};")
    client = _app(tmp_path)
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<title>console</title>" in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "connect-src 'self'" in policy
    script = client.get("/app.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert client.get("/missing.js").status_code == 404
    assert client.get("/v1/ping").json() == {"pong": "yes"}


def test_missing_assets_answer_503_saying_how_to_build_them(tmp_path: Path) -> None:
    client = _app(tmp_path / "not-built")
    for path in ("/", "/app.js"):
        answer = client.get(path)
        assert answer.status_code == 503
        assert "make assets" in answer.text
    assert client.get("/v1/ping").status_code == 200


def test_assets_built_after_start_are_served_without_a_restart(tmp_path: Path) -> None:
    client = _app(tmp_path)
    assert client.get("/").status_code == 503
    (tmp_path / "index.html").write_text("<!doctype html><title>late</title>")
    assert client.get("/").status_code == 200


def test_api_routes_win_over_the_console_mount(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    me = api.client.get("/v1/me", headers=api.as_("alpha"))
    assert me.json()["party"] == "alpha"
    assert api.client.get("/openapi.json").json()["openapi"].startswith("3.1")
    unknown = api.client.get("/v1/no-such-route")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert api.client.get("/").headers["content-type"].startswith("text/html")


def test_the_console_words_come_in_the_asked_language_with_its_direction_and_no_token(
    api: Api,
) -> None:
    """The sign-in page asks before any token is given; bravo's console asks for Turkish."""
    turkish = api.client.get("/v1/catalogues/console", params={"lang": "tr-TR"})
    assert turkish.status_code == 200
    body = turkish.json()
    assert (body["language"], body["direction"]) == ("tr", "ltr")
    assert body["words"]["tab.inbox"] == "Gelen kutusu"
    assert set(body["words"]) == set(english_words())
    hebrew = api.client.get("/v1/catalogues/console", params={"lang": "he"}).json()
    assert (hebrew["language"], hebrew["direction"]) == ("he", "rtl")
    unknown = api.client.get("/v1/catalogues/console", params={"lang": "xx"}).json()
    assert (unknown["language"], unknown["direction"]) == ("en", "ltr")
    assert unknown["words"] == dict(english_words())
    assert api.client.get("/v1/catalogues/console").json()["language"] == "en"
