"""Agreement in a real browser against a real server: alpha files an orbit that clashes with
bravo's and asks for agreement; bravo's duty officer (Hebrew) finds the request on the notice,
not in the acknowledgement inbox, and counter-proposes it 30 minutes later; alpha sees the
counter-proposal live and accepts it, which amends the notice; bravo is asked again for the
new version and agrees, and alpha sees the agreement arrive (R-AGREE-1 … R-AGREE-5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from _browser import Console, Mechanism
from _servers import orbit, post
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def open_notice(page: Page, notice_id: str) -> None:
    """Choose a notice in Objects: its details (with the agreement section) open."""
    page.click("[data-tab=lists]")
    page.locator(f"#panel-lists li[data-ref='notice|{notice_id}']").first.click()
    expect(page.locator(f"#details[data-id='{notice_id}'] #agreement")).to_be_attached()


def test_a_counterparty_counters_the_filer_accepts_and_the_counterparty_agrees(
    open_console: Callable[[str], Console], mechanism: Mechanism, shots: Path
) -> None:
    """R-AGREE-1 … R-AGREE-5"""
    body: dict[str, Any] = orbit(36.15) | {"request_agreement": True, "title": "CAP agreed"}
    cap = post(mechanism.base, mechanism.tokens["alpha"], "/v1/notices", body)
    assert cap["request_agreement"] is True and cap["conflicts"]
    start = datetime.fromisoformat(cap["volumes"][0]["time"]["start"])

    bravo = open_console("bravo")
    b = bravo.page
    # the request is answered on the notice: the inbox holds the acknowledgements only
    expect(b.locator("#inbox-list li[data-subject=agreement]")).to_have_count(0)
    expect(b.locator(f"#inbox-list li[data-subject=notice][data-id='{cap['id']}']")).to_have_count(
        1
    )
    ack = b.locator(f"#inbox-list li[data-id='{cap['id']}'] button[data-ack]")
    expect(ack).to_have_attribute("title", "אשר קבלה: אישור קבלה בלבד, לעולם לא הסכמה")
    open_notice(b, cap["id"])
    section = b.locator("#agreement")
    expect(section.locator("[data-action=agree-notice]")).to_be_visible()
    expect(section.locator("li.position")).to_have_count(1)
    expect(section.locator("li.position[data-party=bravo]")).to_have_attribute(
        "data-state", "pending"
    )
    bravo.screenshot(shots, "bravo-asked-hebrew")
    b.fill("#counter-minutes", "30")
    section.locator("[data-action=counter-notice]").click()
    expect(b.locator("#toast")).to_contain_text("הצעה נגדית נשלחה")
    expect(section.locator("li.position[data-party=bravo]")).to_have_attribute(
        "data-state", "countered"
    )
    expect(section.locator("[data-action=agree-notice]")).to_have_count(0)

    # alpha sees the counter-proposal on its notice and accepts it: the notice is amended
    alpha = open_console("alpha")
    a = alpha.page
    open_notice(a, cap["id"])
    own = a.locator("#agreement")
    countered = own.locator("li.position[data-party=bravo]")
    expect(countered).to_have_attribute("data-state", "countered")
    later = (start + timedelta(minutes=30)).strftime("%Y-%m-%d %H:%MZ")
    expect(countered).to_contain_text(f"counter-proposal {later}")
    alpha.screenshot(shots, "alpha-countered")
    countered.locator("[data-action=accept-counter]").click()
    expect(a.locator("#toast")).to_contain_text("Counter-proposal accepted: CAP agreed")
    expect(own.locator("li.position[data-party=bravo]")).to_have_attribute("data-state", "pending")
    shown = get_json(mechanism, "alpha", f"/v1/notices/{cap['id']}")
    assert shown["version"] == 2
    assert shown["volumes"][0]["time"]["start"].startswith(
        (start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    )

    # bravo is asked again, live, for version 2, and agrees; alpha sees it arrive
    expect(section.locator("[data-action=agree-notice]")).to_be_visible()
    section.locator("[data-action=agree-notice]").click()
    expect(section.locator("li.position[data-party=bravo]")).to_have_attribute(
        "data-state", "agreed"
    )
    expect(own.locator("li.position[data-party=bravo]")).to_have_attribute("data-state", "agreed")
    bravo.screenshot(shots, "bravo-agreed-hebrew")
    alpha.screenshot(shots, "alpha-agreed")
    for console in (alpha, bravo):
        console.assert_clean()


def get_json(mechanism: Mechanism, party: str, path: str) -> Any:
    """GET ``path`` as ``party`` (a 2xx answer's JSON)."""
    answer = httpx.get(
        f"{mechanism.base}{path}",
        headers={"Authorization": f"Bearer {mechanism.tokens[party]}"},
        timeout=10.0,
    )
    assert answer.is_success, answer.text
    return answer.json()
