"""The operator console in a real browser (headless Chromium) against a real server process:
two parties follow a clash and a flash message live, the host sees the whole mechanism, and the
page holds at 1280 × 800, asks nothing of any address but 127.0.0.1 and survives a dropped
stream."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from _browser import Console, Mechanism, sign_in
from _servers import orbit, post
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

HEBREW_REQUEST_DELAY = "מבקשים לדחות את הפעילות שלכם ב-20 דקות."
"""The ``request_delay`` template with minutes=20, as bravo (Hebrew) must read it."""


def _map_point(page: Page, lon: float, lat: float) -> tuple[float, float]:
    """Page pixel coordinates of a WGS84 position on the console's map."""
    x, y = page.evaluate(
        """([lat, lon]) => {
            const p = window.sharedsky.map.map.latLngToContainerPoint([lat, lon]);
            const box = document.getElementById("map").getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        [lat, lon],
    )
    return float(x), float(y)


def _draw_polygon(page: Page, corners: list[tuple[float, float]]) -> None:
    """Click each corner (lon, lat) on the map, then the first again to close the ring."""
    page.click("[data-draw=Polygon]")
    for lon, lat in [*corners, corners[0]]:
        page.mouse.click(*_map_point(page, lon, lat))
        page.wait_for_timeout(60)
    expect(page.locator("#file-shape")).to_have_attribute("data-drawn", "Polygon")


def _layout_holds(page: Page) -> None:
    """Nothing overflows 1280 × 800; the clock, tabs, map and side panel are all on screen."""
    scroll = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert scroll[0] <= 1280 and scroll[1] <= 800, scroll
    boxes = {sel: page.locator(sel).bounding_box() for sel in ("#utc-clock", "#map", ".side")}
    for selector, box in boxes.items():
        assert box is not None, selector
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, (selector, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= 800, (selector, box)
    map_box, side_box = boxes["#map"], boxes[".side"]
    assert map_box is not None and side_box is not None
    assert map_box["x"] + map_box["width"] <= side_box["x"] + 1
    assert map_box["width"] >= 700 and map_box["height"] >= 700


def test_a_clash_and_a_flash_message_reach_the_other_party_live(
    open_console: Callable[[str], Console], mechanism: Mechanism, shots: Path
) -> None:
    """Alpha draws and files a notice over bravo's orbit; bravo sees the conflict appear
    without reloading and acknowledges it by key; alpha composes a standard flash message by
    keyboard; bravo's screen is taken over (with sound) showing it in Hebrew, right to left,
    until bravo acknowledges with Enter; both see the acknowledgement ticks (R-MSG-2)."""
    alpha = open_console("alpha")
    bravo = open_console("bravo")
    a, b = alpha.page, bravo.page
    shown = datetime.fromisoformat(a.locator("#utc-clock").inner_text().replace(" ", "T"))
    assert abs(shown - datetime.now(UTC)) < timedelta(seconds=5)
    expect(b.locator("#conflict-list li[data-ref]")).to_have_count(0)

    # alpha files a polygon over bravo's orbit (circle of 20 km at 36.1 E, 34.8 N)
    a.click("[data-tab=file]")
    a.evaluate("window.sharedsky.map.map.setView([34.8, 36.1], 8, {animate: false})")
    _draw_polygon(a, [(35.95, 34.65), (36.3, 34.65), (36.3, 34.95), (35.95, 34.95)])
    a.fill("#file-form [name=title]", "Strike package east")
    a.select_option("#file-form [name=kind]", "air_sortie")
    a.fill("#file-form [name=remarks]", "drawn in the browser test")
    a.click("#file-submit")
    expect(a.locator("#file-conflict-count")).to_have_attribute("data-count", "1")
    conflict_id = a.locator("#file-result li[data-conflict]").get_attribute("data-conflict")
    assert conflict_id
    expect(a.locator("body")).to_have_attribute("data-map-conflicts", "1")

    # bravo: the conflict arrives on the stream, hatched on the map and in the inbox
    item = b.locator(f"#panel-inbox li[data-subject=conflict][data-id='{conflict_id}']")
    expect(item).to_be_visible()
    expect(b.locator("body")).to_have_attribute("data-map-conflicts", "1")
    expect(b.locator("path.conflict-region").first).to_be_attached()
    expect(item.locator(".countdown")).to_have_text(re.compile(r"\d+:\d\d"))
    bravo.screenshot(shots, "bravo-conflict-arrived")
    item.click()
    b.keyboard.press("a")
    expect(item).to_have_count(0)

    # alpha composes a standard flash message about the conflict, by keyboard
    a.evaluate("document.activeElement.blur()")
    a.keyboard.press("c")
    expect(a.locator("#compose-template")).to_be_focused()
    a.select_option("#compose [name=template]", "request_delay")
    a.select_option("#compose [name=to]", "bravo")
    a.select_option("#compose [name=priority]", "flash")
    a.select_option("#compose [name=about]", f"conflict:{conflict_id}")
    a.fill("#compose [data-param=minutes]", "20")
    a.fill("#compose [name=text]", "tanker on station")
    a.press("#compose [name=text]", "Control+Enter")
    sent = a.locator("#thread article.message.mine")
    expect(sent).to_have_count(1)
    expect(sent.locator(".ticks")).to_have_attribute("data-state", "sent")

    # bravo: the flash message takes over the screen, in Hebrew, right to left, with sound
    takeover = b.locator("#takeover")
    expect(takeover).to_be_visible()
    expect(b.locator("#takeover-text")).to_contain_text(HEBREW_REQUEST_DELAY)
    expect(b.locator("#takeover-text")).to_have_attribute("dir", "rtl")
    expect(b.locator("body")).to_have_attribute("data-beeps", re.compile(r"[1-9]\d*"))
    bravo.screenshot(shots, "bravo-flash-takeover")
    b.keyboard.press("Enter")
    expect(takeover).to_be_hidden()

    # both see the message acknowledged
    expect(sent.locator(".ticks")).to_have_attribute("data-state", "acknowledged")
    expect(sent.locator(".ticks")).to_have_text("✓✓")
    b.click("[data-tab=hotline]")
    b.click(f"#threads li[data-thread='conflict:{conflict_id}']")
    received = b.locator("#thread article.message.theirs")
    expect(received.locator(".rendered")).to_have_text(HEBREW_REQUEST_DELAY)
    expect(received.locator(".rendered")).to_have_attribute("dir", "rtl")
    expect(received.locator(".free")).to_have_text("tanker on station")
    expect(received.locator(".ticks")).to_have_attribute("data-state", "acknowledged")
    alpha.screenshot(shots, "alpha-ticks")
    bravo.screenshot(shots, "bravo-ticks")
    for console in (alpha, bravo):
        _layout_holds(console.page)
        console.assert_clean()


def test_the_host_sees_every_party_and_lead_time_compliance(
    open_console: Callable[[str], Console], mechanism: Mechanism, shots: Path
) -> None:
    """The host's tab lists the parties, the escalations and a compliance bar per channel."""
    host = open_console("host")
    page = host.page
    expect(page.locator("#tab-host")).to_be_visible()
    page.click("#tab-host")
    expect(page.locator("#panel-host table.parties tbody tr")).to_have_count(2)
    expect(page.locator("#panel-host table.parties")).to_contain_text("Bravo Air Command")
    expect(page.locator("#lead-chart svg.chart rect.bar").first).to_be_attached()
    expect(page.locator("#panel-host table.lead")).to_contain_text("bravo → alpha")
    expect(page.locator("body")).to_have_attribute("data-map-objects", re.compile(r"[1-9]\d*"))
    host.screenshot(shots, "host-view")
    _layout_holds(page)
    host.assert_clean()


def test_sign_in_survives_a_reload_and_the_stream_resumes_after_a_drop(
    open_console: Callable[[str | None], Console], mechanism: Mechanism, shots: Path
) -> None:
    """A wrong token is refused on the form; the token lives in sessionStorage, so a reload
    signs in again; a dropped stream reconnects with Last-Event-ID and the map catches up."""
    alpha = open_console(None)
    page = alpha.page
    page.fill("#token", "not-a-token")
    page.press("#token", "Enter")
    expect(page.locator("#signin-error")).to_have_text("That token is not valid.")
    assert alpha.errors == [
        "Failed to load resource: the server responded with a status of 401 (Unauthorized)"
    ]
    alpha.errors.clear()
    sign_in(page, mechanism.tokens["alpha"])
    page.reload()
    page.wait_for_selector("#stream-state[data-state=live]")
    expect(page.locator("#signin")).to_be_hidden()

    post(mechanism.base, mechanism.tokens["alpha"], "/v1/notices", orbit(33.0, 34.0, 5_000))
    expect(page.locator("body")).to_have_attribute("data-last-event", re.compile(r"\d+"))
    page.evaluate("window.sharedsky.stream.controller.abort()")
    expect(page.locator("#stream-state")).to_have_attribute("data-state", "reconnecting")
    expect(page.locator("#stream-state")).to_have_attribute("data-state", "live")
    post(mechanism.base, mechanism.tokens["alpha"], "/v1/notices", orbit(32.5, 34.0, 5_000))
    page.click("[data-tab=lists]")
    expect(page.locator("#panel-lists")).to_contain_text("orbit 32.5")
    resumed = [
        r for r in alpha.requests if r.url.endswith("/v1/events") and "last-event-id" in r.headers
    ]
    assert resumed, "the stream reconnected without Last-Event-ID"
    alpha.screenshot(shots, "alpha-after-reconnect")

    # the time slider: nothing on the map is active now; in three hours all of it is
    body = page.locator("body")
    every = body.get_attribute("data-map-objects")
    assert every is not None and int(every) >= 2
    page.locator("#time-slider").fill("0")
    expect(body).to_have_attribute("data-map-objects", "0")
    page.locator("#time-slider").fill("12")
    expect(body).to_have_attribute("data-map-objects", every)
    expect(page.locator("#time-label")).to_contain_text("+3:00")

    # amend an own notice from its panel: a new version with If-Match
    page.locator("#panel-lists li[data-ref]", has_text="orbit 32.5").locator("[data-amend]").click()
    expect(page.locator("#file-submit")).to_have_text("Amend v1")
    page.fill("#file-form [name=upper]", "8000")
    page.click("#file-submit")
    expect(page.locator("#file-result h3")).to_contain_text("Amended")
    expect(page.locator("#file-result h3")).to_contain_text("v2")

    # its panel shows its ledger timeline: filed, then amended
    page.click("[data-tab=lists]")
    page.locator("#panel-lists li[data-ref]", has_text="orbit 32.5").click()
    timeline = page.locator("#timeline li")
    expect(timeline.filter(has_text="notice.filed")).to_have_count(1)
    expect(timeline.filter(has_text="notice.amended")).to_have_count(1)
    alpha.screenshot(shots, "alpha-timeline")
    alpha.assert_clean()
