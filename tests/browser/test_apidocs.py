"""The API reference renders offline in Chromium: Swagger UI at ``/docs`` lists the operations
and Redoc at ``/redoc`` lays them out, with every request kept on the loopback interface
(anything else is refused and recorded) and no script error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from _browser import Console, Mechanism

pytestmark = pytest.mark.browser


def _only_this_server(console: Console, base: str) -> None:
    origins = {
        urlsplit(r.url)._replace(path="", query="", fragment="").geturl() for r in console.requests
    }
    origins = {o for o in origins if not o.startswith(("data:", "blob:"))}
    assert origins == {base}, origins
    console.assert_clean()


def test_swagger_ui_lists_the_operations_offline(
    open_console: Callable[[str | None], Console], mechanism: Mechanism, shots: Path
) -> None:
    console = open_console(None)
    page = console.page
    page.goto(f"{mechanism.base}/docs")
    page.locator(".opblock").first.wait_for()
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/v1/notices" in summaries and "/v1/events" in summaries
    assert page.locator(".btn.authorize").count() == 1  # the bearer scheme is declared
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "swagger-ui.png"))
    _only_this_server(console, mechanism.base)


def test_redoc_lays_out_the_operations_offline(
    open_console: Callable[[str | None], Console], mechanism: Mechanism, shots: Path
) -> None:
    console = open_console(None)
    page = console.page
    page.goto(f"{mechanism.base}/redoc")
    page.get_by_text("File a notice", exact=False).first.wait_for()
    assert page.locator("h1").first.inner_text().startswith("sharedsky")
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "redoc.png"))
    _only_this_server(console, mechanism.base)
