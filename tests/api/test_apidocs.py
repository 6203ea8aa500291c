"""``/docs`` (Swagger UI) and ``/redoc`` are served from this server's own files, built from
npm at build time: the pages name nothing elsewhere, every file they load answers here, and
their policy lets the browser fetch from this origin only."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from _support import Api
from fastapi import FastAPI
from starlette.testclient import TestClient

from sharedsky.api import apidocs
from sharedsky.api.console import ASSETS_DIR

_LOADED = re.compile(r"""(?:src|href)="([^"]+)\"""")


@pytest.fixture
def built() -> None:
    """The viewers' files are built (fails under CI=true, where `make unit` builds them)."""
    if (ASSETS_DIR / "apidocs" / "swagger-ui-bundle.js").is_file():
        return
    message = f"the API reference pages are not built into {ASSETS_DIR / 'apidocs'}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (required under CI=true: run `make unit`)")
    pytest.skip(f"{message}: run `make assets` first")


@pytest.mark.usefixtures("built")
@pytest.mark.parametrize(
    ("path", "viewer"),
    [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")],
)
def test_each_reference_page_loads_its_files_from_this_server(
    api: Api, path: str, viewer: str
) -> None:
    page = api.client.get(path)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self';" in policy
    assert "http" not in policy  # no other origin is allowed anything
    loaded = _LOADED.findall(page.text)
    assert f"/apidocs/{viewer}" in loaded
    assert "http" not in page.text.lower()  # not one address elsewhere
    for url in loaded:
        assert url.startswith("/apidocs/"), url
        answer = api.client.get(url)
        assert answer.status_code == 200, url
        assert len(answer.content) > 100, url
    init = next(u for u in loaded if u.endswith("-init.js"))
    script = api.client.get(init).text
    assert '"/openapi.json"' in script and "http" not in script
    if path == "/docs":
        assert "validatorUrl: null" in script  # no badge from validator.swagger.io


def test_the_pages_say_how_to_build_them_until_they_are(tmp_path: Path) -> None:
    app = FastAPI(docs_url=None, redoc_url=None)
    apidocs.install(app, tmp_path)
    with TestClient(app) as client:
        for path in ("/docs", "/redoc"):
            answer = client.get(path)
            assert answer.status_code == 503
            assert "make assets" in answer.text


def test_the_reference_pages_stay_out_of_the_document(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    assert "/docs" not in document["paths"] and "/redoc" not in document["paths"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
