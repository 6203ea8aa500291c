"""The console in the operator's language and objects named, not numbered, in a real browser:
bravo's chrome reads Turkish, a Hebrew operator's reads right to left (the map stays left to
right), and no inbox line, toast or host escalation names an object by its id alone, nor gives
two different objects one label."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from _browser import Console, Mechanism, layout_holds
from _servers import post
from playwright.sync_api import Page, expect

from sharedsky.interop.console_words import load_console_words

pytestmark = pytest.mark.browser

MECHANISM_YAML = """\
mechanism: console-language
host: {id: host, name: Coordination Cell, language: en}
parties:
  - {id: alpha, name: Alpha Air Command, language: en}
  - {id: bravo, name: Bravo Air Command, language: tr}
  - {id: charlie, name: Charlie Relief Flights, language: he}
defaults:
  sharing: full
  ack_deadline_s: {routine: 900, priority: 300, flash: 2}
channels:
  - between: [alpha, bravo]
    sharing: conflicts_only
"""
"""Bravo reads Turkish (as in the demo) and charlie Hebrew; alpha shares with bravo only what
clashes, so bravo sees alpha's notices without their titles; a flash item is due in two
seconds, so one left unacknowledged reaches the host while the test watches."""

ID = re.compile(r"\b(?:ack|cfl|msg|ntc|tac|whk|zon)-[0-9a-f]{6,}")
"""An object's id as the server writes it."""

TOASTS_JS = """() => {
    window.__toasts = [];
    new MutationObserver(() => {
        const el = document.getElementById("toast");
        if (!el.hidden && el.textContent) window.__toasts.push(el.textContent);
    }).observe(document.getElementById("toast"), {childList: true, characterData: true,
        subtree: true, attributes: true});
}"""
"""Record every toast the page shows from now on (``window.__toasts``)."""


@pytest.fixture(scope="module")
def mechanism_yaml() -> str:
    """This module's mechanism."""
    return MECHANISM_YAML


def words(language: str) -> dict[str, str]:
    """The console's words in ``language``, as the server serves them."""
    return load_console_words().words(language)


def uav(title: str, lon: float, start: datetime, hours: float) -> dict[str, Any]:
    """A notice body: a UAV circle of 15 km at (lon, 34.8), 3–9 km AMSL, ``hours`` long."""
    return {
        "kind": "uav",
        "title": title,
        "volumes": [
            {
                "outline": {"type": "Circle", "center": [lon, 34.8], "radius_m": 15_000},
                "altitude": {"lower_m": 3000, "upper_m": 9000},
                "time": {
                    "start": start.isoformat(),
                    "end": (start + timedelta(hours=hours)).isoformat(),
                },
            }
        ],
    }


TAB_LINES_JS = """() => {
    const lines = (el) => {
        const range = document.createRange();
        range.selectNodeContents(el);
        const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => r.top);
        tops.sort((a, b) => a - b);
        return tops.filter((top, i) => i === 0 || top - tops[i - 1] > 8).length;
    };
    const row = document.querySelector(".tabs");
    const tabs = [...row.querySelectorAll("button[role=tab]")].filter((b) => b.offsetParent);
    return {
        tabs: tabs.map((b) => [b.dataset.tab, lines(b), b.scrollWidth <= b.clientWidth]),
        tops: [...new Set(tabs.map((b) => Math.round(b.getBoundingClientRect().top)))],
        fits: row.scrollWidth <= row.clientWidth,
    };
}"""
"""Each visible tab's number of text lines and whether its words fit it, the tabs' tops, and
whether the row fits the panel."""


def tab_row_is_one_line(page: Page) -> list[str]:
    """Assert the tab row is one line: every tab on one row, each tab's words on one line and
    inside it, the row inside the panel; returns the tabs checked."""
    found = page.evaluate(TAB_LINES_JS)
    assert found["fits"] and len(found["tops"]) == 1, found
    assert all(lines == 1 and fits for _, lines, fits in found["tabs"]), found
    return [tab for tab, _, _ in found["tabs"]]


def chrome_direction(page: Page, selector: str) -> str:
    """The computed CSS ``direction`` of the element at ``selector``."""
    direction: str = page.eval_on_selector(selector, "el => getComputedStyle(el).direction")
    return direction


def test_bravo_reads_turkish_and_a_hebrew_operator_right_to_left(
    open_console: Callable[[str], Console], shots: Path
) -> None:
    """Bravo's tabs, buttons and form read Turkish from the same catalogue as the hotline's
    templates; charlie's read Hebrew, right to left (the document and the chrome), while the
    map stays left to right; both layouts hold at 1280 × 800."""
    tr = words("tr")
    bravo = open_console("bravo")
    page = bravo.page
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "tr",
        "ltr",
    ]
    expect(page.locator("[data-tab=inbox] [data-i18n]")).to_have_text(tr["tab.inbox"])
    expect(page.locator("#tab-file")).to_have_text(tr["tab.file"])
    expect(page.locator("[data-tab=hotline] [data-i18n]")).to_have_text(tr["tab.hotline"])
    expect(page.locator("[data-tab=lists]")).to_have_text(tr["tab.objects"])
    expect(page.locator("#signout")).to_have_text(tr["signout"])
    expect(page.locator("#stream-state")).to_have_text(tr["stream.live"])
    assert tr["tab.inbox"] == "Gelen kutusu" and tr["signout"] == "Oturumu kapat"
    page.click("#tab-file")
    expect(page.locator("#file-submit")).to_have_text(tr["file.file_notice"])
    expect(page.locator("[data-draw=Polygon]")).to_have_text(tr["file.draw_polygon"])
    expect(page.locator("#file-shape")).to_have_text(tr["file.nothing_yet"])
    expect(page.locator("#map-legend")).to_contain_text(tr["legend.parties"])
    layout_holds(page)
    page.click("[data-tab=inbox]")
    shown = tab_row_is_one_line(page)  # "Gelen kutusu" and its badge beside five other tabs
    assert shown == ["inbox", "file", "hotline", "lists", "parties", "operators"], shown
    bravo.screenshot(shots, "bravo-tr-1280x800")
    bravo.assert_clean()

    he = words("he")
    charlie = open_console("charlie")
    page = charlie.page
    assert page.evaluate("document.documentElement.dir") == "rtl"
    expect(page.locator("[data-tab=inbox] [data-i18n]")).to_have_text(he["tab.inbox"])
    expect(page.locator("#signout")).to_have_text(he["signout"])
    for chrome in (".topbar", ".side", ".tabs", "#panel-inbox"):
        assert chrome_direction(page, chrome) == "rtl", chrome
    assert chrome_direction(page, "#map") == "ltr"  # a map is not text
    page.click("[data-tab=hotline]")
    expect(page.locator("#compose-send")).to_have_text(he["hotline.send"])
    assert chrome_direction(page, "#compose") == "rtl"
    layout_holds(page)
    charlie.screenshot(shots, "charlie-he-hotline-1280x800")
    page.click("[data-tab=inbox]")
    tab_row_is_one_line(page)
    charlie.screenshot(shots, "charlie-he-1280x800")
    charlie.assert_clean()


def filled(pattern: str, **values: object) -> str:
    """A right-to-left word's pattern with its placeholders filled, each value a bidirectional
    isolate (U+2068 … U+2069) as the console fills it, so that a Latin figure keeps its order."""
    for name, value in values.items():
        pattern = pattern.replace("{" + name + "}", "\u2068" + str(value) + "\u2069")
    return pattern


def test_a_hebrew_operator_reads_parser_refusals_parameters_and_drawing_hints_in_hebrew(
    open_console: Callable[[str], Console], shots: Path
) -> None:
    """What used to read English in charlie's Hebrew console: the coordinate parser's message
    about a typed line, the server's refusal (a Hebrew line by the problem's code, the server's
    English reason after it), the drawing plugin's hints and a template's parameter names."""
    he = words("he")
    charlie = open_console("charlie")
    page = charlie.page
    page.click("[data-tab=file]")
    page.fill("[data-testid=file-coordinates]", "34.5N 36.1E\n34.5 36.3")
    reason = filled(he["coordinates.no_hemisphere"], text="34.5 36.3", example="34.5N 36.1E")
    expect(page.locator("#file-coordinates-errors li")).to_have_text(
        [filled(he["coordinates.at_line"], line=2, reason=reason)]
    )
    charlie.screenshot(shots, "charlie-he-typed-line")

    page.fill("[data-testid=file-coordinates]", "34.5N 36.1E\n34.5N 36.3E\n34.7N 36.3E")
    page.fill("#file-form [name=lower]", "9000")
    page.fill("#file-form [name=upper]", "3000")
    check = page.locator("#file-check")
    expect(check).to_contain_text(he["problem.invalid_volume"])
    expect(check).to_contain_text("(the lower altitude must be below the upper altitude)")
    expect(check).to_contain_text(he["field.lower"])
    charlie.screenshot(shots, "charlie-he-refusal")

    page.fill("[data-testid=file-coordinates]", "")
    page.click("[data-draw=Polygon]")
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.get_by_text(he["draw.first_vertex"])).to_be_visible()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2)
    expect(page.get_by_text(he["draw.continue_line"])).to_be_visible()
    charlie.screenshot(shots, "charlie-he-drawing-hint")
    page.keyboard.press("Escape")

    page.click("[data-tab=hotline]")
    page.select_option("#compose-template", "altitude_change")
    labels = page.locator("#compose-params label")
    expect(labels).to_have_count(2)
    expect(labels.nth(0)).to_contain_text(he["param.lower_m"])
    expect(labels.nth(1)).to_contain_text(he["param.upper_m"])
    charlie.screenshot(shots, "charlie-he-template-parameters")
    assert charlie.outside == []
    assert all("422" in m for m in charlie.errors), charlie.errors  # the check's refusal


def test_no_inbox_line_toast_or_host_escalation_names_an_object_by_its_id_alone(
    open_console: Callable[[str], Console], mechanism: Mechanism, shots: Path
) -> None:
    """Alpha files two UAV notices over bravo's orbit at different hours: bravo (who sees them
    only in part, without their titles) is told of two conflicts whose inbox lines differ (by
    their windows) and name both sides, and so are the notices; acknowledging one toasts its
    name. Two flash messages to charlie nobody acknowledges reach the host, whose escalations
    name each message by priority, sender and time, the parties and the rung. No line shows an
    id; each keeps it behind a copy button."""
    bravo = open_console("bravo")
    page = bravo.page
    page.evaluate(TOASTS_JS)
    start = datetime.now(UTC) + timedelta(hours=2)
    alpha = mechanism.tokens["alpha"]
    first = post(mechanism.base, alpha, "/v1/notices", uav("Recce east", 36.15, start, 1))
    second = post(
        mechanism.base,
        alpha,
        "/v1/notices",
        uav("Recce east", 36.15, start + timedelta(hours=1), 1),
    )
    assert first["conflicts"] and second["conflicts"]

    conflicts = page.locator("#inbox-list li.item[data-subject=conflict]")
    expect(conflicts).to_have_count(2)
    rows = page.locator("#inbox-list li.item")
    labels = []
    for i in range(rows.count()):
        row = rows.nth(i)
        text = row.inner_text()
        assert not ID.search(text), text
        label = (
            f"{row.locator('.item-title').inner_text()} | {row.locator('.item-name').inner_text()}"
        )
        assert row.locator(".item-name").inner_text().strip(), text
        labels.append(label)
        copy = row.locator("button[data-copy]")
        assert ID.fullmatch(copy.get_attribute("data-copy") or ""), text
    assert len(set(labels)) == len(labels), labels
    for i in range(2):
        name = conflicts.nth(i).locator(".item-name").inner_text()
        assert name.startswith("orbit 36.1 × Alpha Air Command"), name
    bravo.screenshot(shots, "bravo-tr-inbox-named")

    named = conflicts.nth(0).locator(".item-name").inner_text()
    conflicts.nth(0).locator("button[data-ack]").click()
    expect(conflicts).to_have_count(1)
    toasts: list[str] = page.evaluate("window.__toasts")
    assert toasts, "no toast"
    assert any(named.split(" · ")[0] in t for t in toasts), toasts
    assert [t for t in toasts if ID.search(t)] == []
    bravo.assert_clean()

    host = open_console("host")
    hp = host.page
    hp.click("#tab-host")
    for text in ("relief corridor closed", "relief corridor open"):
        post(
            mechanism.base,
            alpha,
            "/v1/messages",
            {"to": "charlie", "priority": "flash", "text": text},
        )
        hp.wait_for_timeout(1100)  # the two are sent at different seconds
    reached = hp.locator("#escalations-host li.to-host")
    expect(reached).to_have_count(2, timeout=20_000)
    lines = [reached.nth(i).locator(".escalation-text").inner_text() for i in range(2)]
    assert len(set(lines)) == 2, lines
    for i in range(2):
        text = reached.nth(i).inner_text()
        assert not ID.search(text), text
        assert "Charlie Relief Flights owes acknowledgement of the message" in text, text
        assert "flash message from Alpha Air Command" in text, text
        assert "rung" in text and "reached the host" in text, text
    every = hp.locator("#escalations li, #escalations-host li")
    assert [t for t in every.all_inner_texts() if ID.search(t)] == []
    host.screenshot(shots, "host-escalations-named")
    host.assert_clean()
