"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, a real ``sharedsky
serve`` process with two parties and the host, and console pages that record every request
that would leave the loopback interface (and refuse it)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from _browser import UI_TIMEOUT_MS, VIEWPORT, Console, Mechanism, sign_in
from _servers import init, orbit, post, serve
from playwright.sync_api import Browser, ConsoleMessage, Route, ViewportSize, sync_playwright

from sharedsky.api.console import ASSETS_DIR

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "browser"
"""Screenshots land here, one folder per test (gitignored)."""
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

MECHANISM_YAML = """\
mechanism: console-browser
host: {id: host, name: Coordination Cell, language: en}
parties:
  - id: alpha
    name: Alpha Air Command
    language: en
    comms:
      frequencies: [{label: Guard, mhz: 121.5}, {label: Alpha ops, mhz: 282.8}]
      phones: [{label: Air operations centre, number: "+44 20 7946 0100"}]
      languages: [en, ar]
      hours: H24
  - {id: bravo, name: Bravo Air Command, language: he}
defaults:
  sharing: full
  ack_deadline_s: {routine: 900, priority: 300, flash: 120}
channels:
  - between: [alpha, bravo]
    sharing: conflicts_only
"""
"""Bravo reads Hebrew, so the console's right-to-left rendering is exercised; alpha carries a
comms card (R-MECH-4), bravo none."""


def _required(what: str) -> None:
    """Fail under CI=true (a browser test never skips into green there); skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} (required under CI=true: run `make unit`)")
    pytest.skip(f"{what}: run `make assets chromium` first")


def _leaves_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return False
    return (parts.hostname or "") not in LOOPBACK_HOSTS


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium from Debian (Playwright cannot download its own here). Module-scoped:
    Playwright's sync API runs an event loop in the main thread until it stops, and the tests
    that follow (``asyncio.run``) need the thread back."""
    if not CHROMIUM.exists():
        _required(f"no Chromium at {CHROMIUM}")
    if not (ASSETS_DIR / "index.html").is_file():
        _required(f"the console is not built into {ASSETS_DIR}")
    args = ["--autoplay-policy=no-user-gesture-required", "--mute-audio"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def mechanism_yaml() -> str:
    """The mechanism a test module runs (a module may override this fixture)."""
    return MECHANISM_YAML


@pytest.fixture(scope="module")
def mechanism(tmp_path_factory: pytest.TempPathFactory, mechanism_yaml: str) -> Iterator[Mechanism]:
    """``sharedsky init`` + ``serve`` over SQLite; bravo has filed an orbit east of Cyprus."""
    workdir = tmp_path_factory.mktemp("console")
    db = f"sqlite:///{workdir / 'console.db'}"
    tokens = init(workdir, mechanism_yaml, db)
    with serve(db, workdir / "server.log") as base:
        filed = post(base, tokens["bravo"], "/v1/notices", orbit(36.1))
        yield Mechanism(base, tokens, filed)


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Path:
    """This test's screenshot folder under ``test-output/browser/``."""
    return OUTPUT / re.sub(r"[^\w.-]+", "_", request.node.name)


@pytest.fixture
def open_console(browser: Browser, mechanism: Mechanism) -> Iterator[Callable[..., Console]]:
    """Open the console in a fresh browser context (1280 × 800 unless ``viewport`` says) and
    sign in as a party (or ``None``: only open the page). Contexts close at the end of the
    test."""
    contexts = []

    def opener(party: str | None, viewport: ViewportSize | None = None) -> Console:
        context = browser.new_context(
            viewport=viewport or VIEWPORT, locale="en-GB", timezone_id="UTC"
        )
        context.set_default_timeout(UI_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        console = Console(page)

        def refuse(route: Route) -> None:
            console.outside.append(route.request.url)
            route.abort()

        context.route(_leaves_loopback, refuse)
        page.on("request", lambda request: console.requests.append(request))

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error" and "net::ERR_ABORTED" not in message.text:
                console.errors.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda exc: console.errors.append(str(exc)))
        page.goto(f"{mechanism.base}/")
        if party is not None:
            sign_in(page, mechanism.tokens[party])
        return console

    yield opener
    for context in contexts:
        context.close()
