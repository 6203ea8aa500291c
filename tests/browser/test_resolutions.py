"""Resolving a clash from the console's conflict panel in a real browser against a real server:
alpha's duty officer opens a conflict, reads the options in words with the notice each amends
and a late warning where one applies, previews one on the map, is asked before amending, gets
through a dropped connection and a notice changed meanwhile (412) without being trapped, and
applies "start later"; the conflict then reads resolved on both parties' consoles, and the host
is told in one line why it has no options (R-RESOLVE-1)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from _browser import Console, Mechanism, set_view
from _servers import post
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser


def circle_notice(
    title: str, lon: float, lat: float, start: datetime, minutes: int
) -> dict[str, Any]:
    """A notice body: a circle of 10 km at (lon, lat), 3–9 km AMSL, for ``minutes`` from
    ``start``."""
    end = start + timedelta(minutes=minutes)
    return {
        "kind": "air_sortie",
        "title": title,
        "volumes": [
            {
                "outline": {"type": "Circle", "center": [lon, lat], "radius_m": 10_000},
                "altitude": {"lower_m": 3000, "upper_m": 9000},
                "time": {"start": start.isoformat(), "end": end.isoformat()},
            }
        ],
        "remarks": "",
    }


def api(mechanism: Mechanism, party: str, method: str, path: str, **kwargs: Any) -> Any:
    """One call as ``party``; asserts a 2xx answer and returns its JSON."""
    answer = httpx.request(
        method,
        f"{mechanism.base}{path}",
        headers={"Authorization": f"Bearer {mechanism.tokens[party]}", **kwargs.pop("headers", {})},
        timeout=10.0,
        **kwargs,
    )
    assert answer.is_success, answer.text
    return answer.json()


def open_conflict(page: Page, conflict_id: str) -> None:
    """Choose a conflict in Objects: its details, with the resolution section, open."""
    page.click("[data-tab=lists]")
    page.click(f"#conflict-list li[data-ref='conflict|{conflict_id}']")
    expect(page.locator(f"#details[data-id='{conflict_id}'] #resolutions")).to_be_attached()


def test_a_duty_officer_resolves_a_clash_from_the_conflict_panel(
    open_console: Callable[[str], Console], mechanism: Mechanism, shots: Path
) -> None:
    """R-RESOLVE-1"""
    orbit: Any = mechanism.bravo_notice  # bravo's orbit east of Cyprus (conftest)
    orbit_end = datetime.fromisoformat(orbit["volumes"][0]["time"]["end"])
    # alpha's CAP overlaps the last 30 min of bravo's orbit: 30 min + the 5 min buffer later
    # clears it
    cap_body = circle_notice("CAP Homs", 36.15, 34.8, orbit_end - timedelta(minutes=30), 90)
    cap = post(mechanism.base, mechanism.tokens["alpha"], "/v1/notices", cap_body)
    # a second clash, soon: starting 10 min earlier would leave less than the 15 min lead time
    now = datetime.fromisoformat(cap["filed_at"])
    tanker = circle_notice("Tanker west", 34.9, 35.6, now + timedelta(minutes=40), 60)
    post(mechanism.base, mechanism.tokens["bravo"], "/v1/notices", tanker)
    recce_body = circle_notice("Recce Latakia", 34.95, 35.6, now + timedelta(minutes=20), 25)
    recce = post(mechanism.base, mechanism.tokens["alpha"], "/v1/notices", recce_body)
    [cap_conflict] = [c["id"] for c in cap["conflicts"]]
    [recce_conflict] = [c["id"] for c in recce["conflicts"]]
    kinds = {o["kind"]: o for o in cap["resolutions"]}
    assert kinds["shift_later"]["shift_s"] == 35 * 60, cap["resolutions"]

    alpha = open_console("alpha")
    a = alpha.page

    # the soon clash: an earlier start is offered but marked late, a later one in hours
    open_conflict(a, recce_conflict)
    section = a.locator("#resolutions")
    expect(section).to_have_attribute("data-state", "ready")
    earlier = section.locator("li[data-kind=shift_earlier]")
    expect(earlier).to_contain_text("Start 10 min earlier")
    expect(earlier.locator("[data-late]")).to_have_text("late: less than the agreed lead time")
    later = section.locator("li[data-kind=shift_later]")
    expect(later).to_contain_text("Start 1 h 25 min later")
    expect(later.locator("[data-late]")).to_have_count(0)
    expect(section.locator("li[data-kind=climb]")).to_contain_text(re.compile(r"Climb \d+00 ft"))
    expect(section.locator("li[data-kind=shrink_window]")).to_contain_text(
        re.compile(r"Keep .+ only")
    )
    expect(section.locator("li[data-option]").first).to_contain_text("amends Recce Latakia")

    # the notice changes while the officer decides: the server refuses the option (412), the
    # panel says so and lists the options again, for the new version
    amended = {**recce_body, "remarks": "two ships"}

    def amend_meanwhile(route: Route) -> None:
        api(
            mechanism,
            "alpha",
            "PUT",
            f"/v1/notices/{recce['id']}",
            json=amended,
            headers={"If-Match": "1"},
        )
        route.continue_()

    a.route(re.compile(r"/resolutions/v1-"), amend_meanwhile)
    later.locator("[data-resolve=apply]").click()
    expect(later.locator(".resolve-question")).to_have_text(
        "Amend Recce Latakia: start 1 h 25 min later?"
    )
    later.locator("[data-resolve=confirm]").click()
    expect(section.locator(".resolve-note")).to_have_text(
        "Recce Latakia changed since these options were listed: here they are again as of now."
    )
    expect(section.locator("li[data-kind=shift_later]")).to_have_attribute(
        "data-option", re.compile(r"^v2-")
    )
    expect(section.locator(".resolve-question")).to_have_count(0)
    a.unroute(re.compile(r"/resolutions/v1-"))
    alpha.errors[:] = [e for e in alpha.errors if "status of 412" not in e]

    # bravo (Hebrew) opens the CAP conflict: its own options, for its orbit, right to left
    bravo = open_console("bravo")
    b = bravo.page
    open_conflict(b, cap_conflict)
    expect(b.locator("#resolutions")).to_have_attribute("data-state", "ready")
    expect(b.locator("#resolutions li[data-option]").first).to_contain_text("orbit 36.1")
    assert b.evaluate("document.documentElement.dir") == "rtl"

    # the host has nothing to amend, and says so in one line
    host = open_console("host")
    open_conflict(host.page, cap_conflict)
    expect(host.page.locator("#resolutions")).to_have_attribute("data-reason", "host")
    expect(host.page.locator("#resolutions")).to_contain_text("No options for the host")

    # alpha opens the CAP conflict and points at "start later": its volumes are drawn, dashed
    open_conflict(a, cap_conflict)
    shift = section.locator("li[data-kind=shift_later]")
    expect(shift.locator(".resolve-words")).to_contain_text("Start 35 min later")
    expect(shift).to_contain_text("amends CAP Homs")
    set_view(a, 34.8, 36.15, 8)
    shift.hover()
    expect(a.locator("body")).to_have_attribute(
        "data-resolution-preview", shift.get_attribute("data-option") or "?"
    )
    expect(a.locator("path.resolution-preview").first).to_be_attached()
    expect(a.locator(".resolution-preview-label")).to_contain_text("Start 35 min later → ")
    bravo.screenshot(shots, "bravo-options-hebrew")

    # Apply asks first; Back leaves everything as it was
    shift.locator("[data-resolve=apply]").click()
    question = shift.locator(".resolve-question")
    expect(question).to_have_text("Amend CAP Homs: start 35 min later?")
    alpha.screenshot(shots, "alpha-confirm")
    shift.locator("[data-resolve=back]").click()
    expect(question).to_have_count(0)

    # the connection drops as the amendment is sent: the reason shows, Amend stays at hand
    a.route(
        f"**/v1/notices/{cap['id']}",
        lambda route: route.abort() if route.request.method == "PUT" else route.continue_(),
    )
    shift.locator("[data-resolve=apply]").click()
    shift.locator("[data-resolve=confirm]").click()
    expect(shift.locator(".error")).to_contain_text("Not amended:")
    expect(shift.locator("[data-resolve=confirm]")).to_be_enabled()
    expect(shift.locator("[data-resolve=back]")).to_be_enabled()
    a.unroute(f"**/v1/notices/{cap['id']}")
    alpha.errors[:] = [e for e in alpha.errors if "ERR_FAILED" not in e]

    # again: amended, and the conflict is resolved on both consoles, live
    shift.locator("[data-resolve=confirm]").click()
    expect(a.locator("#toast")).to_have_text("Amended CAP Homs: start 35 min later")
    expect(section).to_have_attribute("data-reason", "resolved")
    expect(section).to_contain_text("Resolved: nothing left to do.")
    expect(b.locator("#resolutions")).to_have_attribute("data-reason", "resolved")
    expect(b.locator(f"#conflict-list li[data-ref='conflict|{cap_conflict}']")).to_have_count(0)
    # bravo sees alpha's notices only while they clash (conflicts_only): the CAP leaves its map
    b.wait_for_function(
        "id => !window.sharedsky.state.notices.some((n) => n.id === id)", arg=cap["id"]
    )
    expect(a.locator("body")).to_have_attribute("data-resolution-preview", "")
    alpha.screenshot(shots, "alpha-resolved")
    bravo.screenshot(shots, "bravo-resolved")

    shown = api(mechanism, "alpha", "GET", f"/v1/notices/{cap['id']}")
    assert shown["version"] == 2
    start = datetime.fromisoformat(shown["volumes"][0]["time"]["start"])
    assert start == orbit_end + timedelta(minutes=5)
    conflict = api(mechanism, "bravo", "GET", f"/v1/conflicts/{cap_conflict}")
    assert (conflict["state"], conflict["resolved_reason"]) == ("resolved", "amended")
    for console in (alpha, bravo, host):
        console.assert_clean()
