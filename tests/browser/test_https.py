"""The console over HTTPS (``serve --tls-cert --tls-key``): it loads, signs in, follows the live
stream and sends a message, with HSTS on its page and nothing refused by its CSP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _browser import UI_TIMEOUT_MS, VIEWPORT, Console, sign_in
from _servers import init, serve
from playwright.sync_api import Browser, expect

from sharedsky.client.tls import client_context
from sharedsky.testing.pki import Authority

pytestmark = pytest.mark.browser

MECHANISM_YAML = """\
mechanism: console-https
host: {id: host, name: Coordination Cell, language: en}
parties:
  - {id: alpha, name: Alpha Air Command, language: en}
  - {id: bravo, name: Bravo Air Command, language: en}
"""


@pytest.fixture(scope="module")
def https_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("https-console")
    ca = Authority(folder / "ca")
    server = ca.server()
    db = f"sqlite:///{folder / 'https.db'}"
    tokens = init(folder, MECHANISM_YAML, db)
    argv = ["--tls-cert", str(server.cert), "--tls-key", str(server.key)]
    with serve(db, folder / "server.log", argv=argv, verify=client_context(ca.cert)) as base:
        yield base, tokens


def test_the_console_works_over_https(
    browser: Browser, https_base: tuple[str, dict[str, str]], shots: Path
) -> None:
    base, tokens = https_base
    assert base.startswith("https://")
    # the test's CA is not the browser's: accept its certificate, as an operator would import it
    context = browser.new_context(viewport=VIEWPORT, ignore_https_errors=True, timezone_id="UTC")
    context.set_default_timeout(UI_TIMEOUT_MS)
    try:
        page = context.new_page()
        console = Console(page)
        page.on("console", lambda m: console.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: console.errors.append(str(exc)))
        answer = page.goto(f"{base}/")
        assert answer is not None and answer.ok
        assert answer.headers["strict-transport-security"].startswith("max-age=")
        sign_in(page, tokens["alpha"])
        page.click("[data-tab=hotline]")
        page.select_option("#compose [name=to]", "bravo")
        page.fill("#compose [name=text]", "over https")
        page.press("#compose [name=text]", "Control+Enter")
        expect(page.locator("#thread article.message.mine").last).to_contain_text("over https")
        console.screenshot(shots, "alpha-over-https")
        console.assert_clean()
    finally:
        context.close()
