"""The operator console in a real browser (headless Chromium) against a real server process:
two parties follow a clash and a flash message live, the host sees the whole mechanism, and the
page holds at 1280 × 800, asks nothing of any address but 127.0.0.1 and survives a dropped
stream."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from _browser import Console, Mechanism, draw_polygon, layout_holds, set_view, sign_in
from _servers import orbit, post
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

HEBREW_REQUEST_DELAY = "מבקשים לדחות את הפעילות שלכם ב-20 דקות."
"""The ``request_delay`` template with minutes=20, as bravo (Hebrew) must read it."""


def test_a_clash_and_a_flash_message_reach_the_other_party_live(
    open_console: Callable[[str], Console], mechanism: Mechanism, shots: Path
) -> None:
    """Alpha draws a notice over bravo's orbit and sees the server's check report the conflict
    before filing; files it; bravo sees the conflict appear without reloading and acknowledges
    it by key; alpha composes a standard flash message by keyboard; bravo's screen is taken
    over (with sound) showing it in Hebrew, right to left, until bravo acknowledges with Enter;
    alpha sees the message delivered, then both see it acknowledged (R-CHECK-1, R-MSG-2); alpha's
    notice is planned and its early activation refused (R-ACT-2). Then a medevac conflict takes
    over bravo's screen and is listed first, in its own colour (R-PRIO-1)."""
    alpha = open_console("alpha")
    bravo = open_console("bravo")
    a, b = alpha.page, bravo.page
    shown = datetime.fromisoformat(a.locator("#utc-clock").inner_text().replace(" ", "T"))
    assert abs(shown - datetime.now(UTC)) < timedelta(seconds=5)
    expect(b.locator("#conflict-list li[data-ref]")).to_have_count(0)

    # alpha files a polygon over bravo's orbit (circle of 20 km at 36.1 E, 34.8 N)
    a.click("[data-tab=file]")
    set_view(a, 34.8, 36.1, 8)
    draw_polygon(a, [(35.95, 34.65), (36.3, 34.65), (36.3, 34.95), (35.95, 34.95)])
    a.fill("#file-form [name=title]", "Strike package east")
    a.select_option("#file-form [name=kind]", "air_sortie")
    a.fill("#file-form [name=remarks]", "drawn in the browser test")
    # the form offers the priority statuses (R-PRIO-1); this notice has none
    expect(a.locator("#file-form [name=priority_status] option")).to_have_count(5)
    expect(a.locator("#file-form [name=priority_status]")).to_have_value("")
    # the server's check (nothing stored) shows the clash while the form is still open
    check = a.locator("#file-check")
    expect(check).to_have_attribute("data-count", "1")
    expect(a.locator("#check-count")).to_have_text("1 conflict")
    expect(check.locator("li.check-conflict")).to_contain_text(
        "this draft × a notice of Bravo Air Command"
    )
    expect(a.locator("path.conflict-preview").first).to_be_attached()
    a.fill("#file-form [name=lower]", "1000")  # below bravo's orbit (3–9 km): no clash
    a.fill("#file-form [name=upper]", "2500")
    expect(check).to_have_attribute("data-count", "0")
    expect(a.locator("path.conflict-preview")).to_have_count(0)
    a.fill("#file-form [name=upper]", "9000")
    a.fill("#file-form [name=lower]", "3000")
    expect(check).to_have_attribute("data-count", "1")
    alpha.screenshot(shots, "alpha-check-before-filing")
    assert [r for r in alpha.requests if r.url.endswith("/v1/notices") and r.method == "POST"] == []
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
    expect(sent.locator(".ticks")).to_have_attribute("data-state", re.compile("^(sent|delivered)$"))

    # bravo: the flash message takes over the screen, in Hebrew, right to left, with sound
    takeover = b.locator("#takeover")
    expect(takeover).to_be_visible()
    expect(b.locator("#takeover-text")).to_contain_text(HEBREW_REQUEST_DELAY)
    expect(b.locator("#takeover-text")).to_have_attribute("dir", "rtl")
    expect(b.locator("body")).to_have_attribute("data-beeps", re.compile(r"[1-9]\d*"))
    # the replies it expects are offered there too (R-MSG-5); Enter still acknowledges only
    expect(b.locator("#takeover-replies [data-reply]")).to_have_count(2)
    expect(b.locator("#takeover-replies [data-reply=UNABLE]")).to_contain_text("לא נוכל לבצע")
    bravo.screenshot(shots, "bravo-flash-takeover")
    # ✓✓ on alpha's side once the message reached bravo's stream (before bravo acknowledges)
    expect(sent.locator(".ticks")).to_have_attribute("data-state", "delivered")
    expect(sent.locator(".ticks")).to_have_text("✓✓")
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

    # the message expects WILCO or UNABLE: bravo replies in one click, in Hebrew; alpha sees
    # the reply come back (R-MSG-5)
    buttons = received.locator(".reply-buttons button")
    expect(buttons).to_have_count(2)
    expect(buttons.first).to_contain_text("WILCO")
    expect(buttons.first).to_contain_text("מובן, יבוצע")
    expect(sent.locator(".reply-awaited")).to_contain_text("WILCO / UNABLE")
    bravo.screenshot(shots, "bravo-reply-buttons")
    received.locator("[data-reply=WILCO]").click()
    expect(received.locator(".reply-given")).to_have_attribute("data-reply-state", "WILCO")
    expect(received.locator(".reply-buttons")).to_have_count(0)
    expect(sent.locator(".reply-given")).to_contain_text("Wilco: will comply")
    expect(sent.locator(".reply-given .chip")).to_have_text("WILCO")
    alpha.screenshot(shots, "alpha-reply-received")
    bravo.screenshot(shots, "bravo-replied")

    # bravo opens alpha's comms card from the map's legend: the Parties tab, in Hebrew
    b.locator("#map-legend [data-party=alpha]").click()
    card = b.locator("#panel-parties .party-card[data-party=alpha]")
    expect(card).to_be_visible()
    expect(card).to_have_class(re.compile(r"\bselected\b"))
    expect(card.locator("[data-comms=frequency]")).to_have_count(2)
    expect(card.locator("[data-comms=frequency]").first).to_contain_text("121.500 MHz")
    expect(card.locator("[data-comms=phone] a")).to_have_attribute("href", "tel:+442079460100")
    expect(card).to_contain_text("H24")
    expect(card).to_contain_text("תדרים")  # "Frequencies", in bravo's Hebrew
    expect(b.locator("#panel-parties .party-card[data-party=bravo] .comms-none")).to_be_visible()
    bravo.screenshot(shots, "bravo-comms-card")

    # a question reaches bravo's inbox with its replies: AFFIRM there answers it in one click
    asked = post(
        mechanism.base,
        mechanism.tokens["alpha"],
        "/v1/messages",
        {"to": "bravo", "template": "request_deconfliction_call", "params": {"time": "14:30"}},
    )
    b.click("[data-tab=inbox]")
    question = b.locator(f"#panel-inbox li[data-subject=message][data-id='{asked['id']}']")
    expect(question.locator("[data-reply]")).to_have_count(2)
    expect(question.locator("[data-reply=AFFIRM]")).to_contain_text("חיובי: כן")
    bravo.screenshot(shots, "bravo-inbox-question")
    question.locator("[data-reply=AFFIRM]").click()
    expect(question).to_have_count(0)
    a.click("[data-tab=hotline]")
    a.click("#threads li[data-thread='parties:alpha|bravo']")
    answered = a.locator(f"#thread article[data-message='{asked['id']}'] .reply-given")
    expect(answered).to_have_attribute("data-reply-state", "AFFIRM")
    expect(answered).to_contain_text("Affirm: yes")

    # alpha's own notice is planned: its panel offers Activate, refused 2 h before its start
    # (R-ACT-2: at most 30 min early), which the toast says
    a.click("[data-tab=lists]")
    a.locator("#panel-lists li[data-ref^='notice|']:has([data-amend]) strong").first.click()
    expect(a.locator("#details")).to_contain_text("planned")
    a.click("#details [data-action=activate-notice]")
    expect(a.locator("#toast")).to_contain_text("Not activated")
    assert alpha.errors == [
        "Failed to load resource: the server responded with a status of 409 (Conflict)"
    ]
    alpha.errors.clear()
    for console in (alpha, bravo):
        layout_holds(console.page)
        console.assert_clean()

    # R-PRIO-1: alpha files a medevac notice over bravo's orbit, then a plain one (newer: the
    # server lists it first); the medevac conflict, asked within the flash deadline, takes over
    # bravo's screen, heads the inbox and, acknowledged, the conflict list, in its own colour
    token = mechanism.tokens["alpha"]
    casevac = orbit(36.2) | {"title": "casevac", "priority_status": "medevac"}
    medevac = post(mechanism.base, token, "/v1/notices", casevac)
    plain = post(mechanism.base, token, "/v1/notices", orbit(36.15) | {"title": "tanker"})
    (marked,) = medevac["conflicts"]
    assert (
        marked["priority_status"] == "medevac" and plain["conflicts"][0]["priority_status"] is None
    )
    expect(b.locator("#takeover")).to_have_attribute("data-id", marked["id"])
    first = b.locator("#inbox-list li.item").first
    expect(first).to_have_attribute("data-id", marked["id"])
    expect(first).to_have_class(re.compile(r"\bpriority-status\b"))
    b.keyboard.press("Enter")
    expect(b.locator("#takeover")).to_be_hidden()
    b.click("[data-tab=lists]")
    rows = b.locator("#conflict-list li[data-ref]")
    expect(rows).to_have_count(3)
    expect(rows.first).to_have_attribute("data-ref", f"conflict|{marked['id']}")
    expect(rows.first).to_have_class(re.compile(r"\bpriority-status\b"))
    expect(rows.nth(1)).not_to_have_class(re.compile(r"\bpriority-status\b"))
    chip = rows.first.locator(".chip.priority-status")
    expect(chip).to_have_css("background-color", "rgb(74, 20, 140)")
    # on the map too: the medevac conflict's region is edged in the priority colour, the
    # plain one in red; the legend says what the edge means
    regions = b.locator("path.conflict-region.priority-status")
    expect(regions).to_have_count(1)
    expect(regions).to_have_attribute("stroke", "#4a148c")
    expect(b.locator("path.conflict-region:not(.priority-status)").first).to_have_attribute(
        "stroke", "#d21e1e"
    )
    expect(b.locator("#map-legend .hatch-swatch.priority-status")).to_be_visible()
    bravo.screenshot(shots, "bravo-priority-conflict-first")
    bravo.assert_clean()
    for notice in (medevac, plain):  # the module's later tests start without these conflicts
        post(mechanism.base, token, f"/v1/notices/{notice['id']}/cancel")


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
    expect(page.locator("#panel-host table.lead")).to_contain_text(
        "Bravo Air Command → Alpha Air Command"
    )
    expect(page.locator("body")).to_have_attribute("data-map-objects", re.compile(r"[1-9]\d*"))
    host.screenshot(shots, "host-view")
    layout_holds(page)
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
    contact = "Ops desk +90 555 0100"
    reconnected = post(
        mechanism.base,
        mechanism.tokens["alpha"],
        "/v1/notices",
        {**orbit(32.5, 34.0, 5_000), "contact": contact},
    )
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
    amended = httpx.get(
        f"{mechanism.base}/v1/notices/{reconnected['id']}",
        headers={"Authorization": f"Bearer {mechanism.tokens['alpha']}"},
    ).json()
    assert amended["version"] == 2 and amended["contact"] == contact  # the form has no contact

    # its panel shows its ledger timeline: filed, then amended
    page.click("[data-tab=lists]")
    page.locator("#panel-lists li[data-ref]", has_text="orbit 32.5").click()
    timeline = page.locator("#timeline li")
    expect(timeline.filter(has_text="notice.filed")).to_have_count(1)
    expect(timeline.filter(has_text="notice.amended")).to_have_count(1)
    # read from the export about that notice, not from the whole ledger (the checkpoint the
    # console reads as it opens, to know where its stream may resume, is not the export)
    ledger_reads = [
        r.url for r in alpha.requests if "/v1/ledger" in r.url and "/v1/ledger/" not in r.url
    ]
    assert ledger_reads and all("about=ntc" in url for url in ledger_reads), ledger_reads
    alpha.screenshot(shots, "alpha-timeline")
    alpha.assert_clean()


def test_a_party_declares_a_zone_from_the_console(
    open_console: Callable[[str], Console], mechanism: Mechanism, shots: Path
) -> None:
    """Alpha switches the form to a zone, draws it, gives kind, band and an open-ended window,
    declares it; the red-line zone is on the map, in Objects with its timeline, and can be
    withdrawn from its panel."""
    alpha = open_console("alpha")
    page = alpha.page
    page.click("[data-tab=file]")
    page.check("#file-form [name=what][value=zone]")
    expect(page.locator("#file-submit")).to_have_text("Declare zone")
    set_view(page, 33.0, 30.0, 8)
    draw_polygon(page, [(29.8, 32.85), (30.2, 32.85), (30.2, 33.15), (29.8, 33.15)])
    page.fill("#file-form [name=title]", "Convoy route west")
    page.select_option("#file-form [name=kind]", "red_line")
    page.select_option("#file-form [name=unit]", "fl")
    page.fill("#file-form [name=lower]", "0")
    page.fill("#file-form [name=upper]", "150")
    page.fill("#file-form [name=end]", "")
    page.click("#file-submit")
    expect(page.locator("#file-result h3")).to_contain_text("Declared")
    expect(page.locator("#file-result")).to_contain_text("FL000–FL150")  # as filed
    expect(page.locator("path.zone-red_line")).to_have_count(1)

    page.locator("path.zone-red_line").click()
    details = page.locator("#details[data-type=zone]")
    expect(details).to_contain_text("Convoy route west")
    expect(details.locator("#timeline li").filter(has_text="zone.declared")).to_have_count(1)
    alpha.screenshot(shots, "alpha-zone-declared")
    details.locator("[data-action=withdraw-zone]").click()
    expect(page.locator("path.zone-red_line")).to_have_count(0)
    layout_holds(page)
    alpha.assert_clean()
