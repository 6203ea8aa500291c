"""Recurring windows in a real browser against a real server process (R-SCHED-1): the File form
takes a schedule (days ticked, a daily window, the dates), files it as typed, lists the notice
with its schedule in words and loads it back to amend; a schedule the form cannot read is named
and nothing is sent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from _browser import Console, Mechanism, layout_holds
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

COORDINATES = "[data-testid=file-coordinates]"
SUBMIT = "[data-testid=file-submit]"
BOX = "34.5N 36.6E\n34.5N 36.8E\n34.7N 36.8E\n34.7N 36.6E\n"


def test_a_notice_with_recurring_windows_is_filed_listed_in_words_and_amended(
    open_console: Callable[[str], Console], mechanism: Mechanism, shots: Path
) -> None:
    """Alpha ticks "Recurring windows", keeps Monday to Friday, gives 07:00–11:30 and two
    weeks of dates, and files: the stored volume carries that schedule; the Objects tab says
    "weekdays 07:00–11:30 UTC, first – last"; Amend loads the schedule back into the form."""
    alpha = open_console("alpha")
    page = alpha.page
    page.click("[data-tab=file]")
    page.fill(COORDINATES, BOX)
    page.fill("#file-form [name=title]", "Weekday training")
    expect(page.locator(".file-schedule")).to_be_hidden()
    page.check("[data-testid=file-recurring]")
    expect(page.locator(".file-schedule")).to_be_visible()
    expect(page.locator("#file-form [name=start]")).to_be_hidden()
    first = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    last = (datetime.now(UTC) + timedelta(days=15)).date().isoformat()
    page.fill("#file-form [name=first_date]", first)
    page.fill("#file-form [name=last_date]", last)
    page.fill("#file-form [name=daily_from]", "7:00")  # not HH:MM: named, nothing sent
    page.click(SUBMIT)
    expect(page.locator("#file-error")).to_contain_text("Tick at least one day")
    page.fill("#file-form [name=daily_from]", "07:00")
    page.fill("#file-form [name=daily_to]", "11:30")
    page.click(SUBMIT)
    expect(page.locator("#file-result h3")).to_contain_text("Filed")
    notice_id = page.locator("#file-result .object-id code").inner_text()
    answer = httpx.get(
        f"{mechanism.base}/v1/notices/{notice_id}",
        headers={"Authorization": f"Bearer {mechanism.tokens['alpha']}"},
        timeout=10,
    )
    (volume,) = answer.json()["volumes"]
    assert volume["schedule"] == {
        "weekdays": ["MO", "TU", "WE", "TH", "FR"],
        "from": "07:00",
        "to": "11:30",
        "first_date": first,
        "last_date": last,
    }
    page.click("[data-tab=lists]")
    row = page.locator(f'li[data-ref="notice|{notice_id}"]')
    expect(row).to_contain_text(f"weekdays 07:00–11:30 UTC, {first} – {last}")
    alpha.screenshot(shots, "recurring-listed")
    row.locator("[data-action=amend-notice]").click()
    expect(page.locator("[data-testid=file-recurring]")).to_be_checked()
    expect(page.locator("#file-form [name=daily_to]")).to_have_value("11:30")
    expect(page.locator("#file-form [name=weekday][value=SA]")).not_to_be_checked()
    layout_holds(page)
    alpha.assert_clean()


def test_the_time_slider_shows_a_recurring_volume_only_within_its_occurrences(
    open_console: Callable[[str], Console], mechanism: Mechanism
) -> None:
    """Alpha's notice recurs daily, two hours from an hour from now, today and tomorrow: at
    +2 h the map draws it, at +6 h (within its envelope, between two occurrences) it does not."""
    alpha = open_console("alpha")
    page, body = alpha.page, alpha.page.locator("body")
    slider = page.locator("#time-slider")

    def drawn_at(step: str) -> int:
        slider.fill(step)
        expect(page.locator("#time-label")).not_to_have_text("all")
        count = body.get_attribute("data-map-objects")
        assert count is not None
        return int(count)

    before = (drawn_at("8"), drawn_at("24"))
    begin = datetime.now(UTC) + timedelta(hours=1)
    end = begin + timedelta(hours=2)
    schedule = {
        "weekdays": ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
        "from": f"{begin:%H:%M}",
        "to": f"{end:%H:%M}",
        "first_date": begin.date().isoformat(),
        "last_date": (begin + timedelta(days=1)).date().isoformat(),
    }
    notice = {
        "kind": "air_sortie",
        "title": "Daily sortie",
        "volumes": [
            {
                "outline": {"type": "Circle", "center": [33.0, 34.9], "radius_m": 5_000},
                "altitude": {"lower_m": 100, "upper_m": 200},
                "schedule": schedule,
            }
        ],
    }
    answer = httpx.post(
        f"{mechanism.base}/v1/notices",
        json=notice,
        headers={"Authorization": f"Bearer {mechanism.tokens['alpha']}"},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    page.click("[data-tab=lists]")
    expect(page.locator("#panel-lists")).to_contain_text("Daily sortie")
    assert (drawn_at("8"), drawn_at("24")) == (before[0] + 1, before[1])
