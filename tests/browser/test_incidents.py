"""Incidents in a real browser against a real server (R-INC-1 … R-INC-3): alpha's duty officer
files an incident about the conflict of its orbit with bravo's from the conflict's details,
the related conflict pre-filled; bravo's (Hebrew) sees it arrive live in its inbox, opens it
and acknowledges it; alpha sees the acknowledgement arrive."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from _browser import Console, Mechanism
from _servers import orbit, post
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_alpha_files_an_incident_bravo_acknowledges_it_alpha_sees_it_acknowledged(
    open_console: Callable[[str], Console], mechanism: Mechanism, shots: Path
) -> None:
    """R-INC-1 … R-INC-3"""
    cap = post(mechanism.base, mechanism.tokens["alpha"], "/v1/notices", orbit(36.15))
    conflicts = get_json(mechanism, "alpha", "/v1/conflicts?state=open")["conflicts"]
    conflict = next(c for c in conflicts if cap["id"] in (c["own"]["id"], c["with"]["id"]))

    bravo = open_console("bravo")
    b = bravo.page
    expect(b.locator("#inbox-list li[data-subject=incident]")).to_have_count(0)

    alpha = open_console("alpha")
    a = alpha.page
    a.click("[data-tab=lists]")
    expect(a.locator("#panel-lists h3", has_text="Incidents (0)")).to_be_visible()
    a.locator(f"#conflict-list li[data-ref='conflict|{conflict['id']}']").click()
    details = a.locator(f"#details[data-id='{conflict['id']}']")
    details.locator("[data-action=incident-about]").click()
    form = a.locator("#incident-form")
    expect(form.locator(f"li[data-related=conflict][data-id='{conflict['id']}']")).to_be_visible()
    # the narrative is required: nothing is filed without it
    form.locator("[data-testid=incident-submit]").click()
    expect(a.locator("#incident-error")).to_have_text("Say what happened")
    # the next click on the map gives the position (here a click fired on the Leaflet map)
    form.locator("[data-action=incident-pick]").click()
    a.evaluate("window.sharedsky.map.map.fire('click', {latlng: {lat: 34.75, lng: 36.05}})")
    expect(form.locator("[name=position]")).to_have_value("34.75000 36.05000")
    a.fill("#incident-form [name=position]", "34.8N 36.12E")
    a.fill("#incident-narrative-input", "Near miss in the orbit overlap\ntanker climbed to FL250")
    # a reload of the lists (an event) keeps what is typed, and the caret where it was
    a.evaluate("window.sharedsky.objects.render()")
    expect(a.locator("#incident-narrative-input")).to_be_focused()
    expect(a.locator("#incident-narrative-input")).to_have_value(
        "Near miss in the orbit overlap\ntanker climbed to FL250"
    )
    alpha.screenshot(shots, "alpha-form")
    form.locator("[data-testid=incident-submit]").click()
    expect(a.locator("#toast")).to_contain_text("Incident filed")
    shown = a.locator("#details[data-type=incident]")
    expect(shown).to_be_visible()
    expect(shown.locator("#incident-acks li[data-party=bravo]")).to_have_attribute(
        "data-state", "pending"
    )
    expect(shown.locator("#incident-related li[data-related=conflict]")).to_have_count(1)
    expect(shown.locator("#incident-timeline")).to_contain_text("#")
    expect(a.locator("#incident-list li")).to_have_count(1)
    expect(a.locator("#incident-list li .narrative")).to_have_text("Near miss in the orbit overlap")

    filed = get_json(mechanism, "alpha", "/v1/incidents")["incidents"]
    assert len(filed) == 1
    incident = filed[0]
    assert incident["conflicts"] == [conflict["id"]]
    assert incident["parties"] == ["bravo"]
    assert incident["position"] == [36.12, 34.8]
    assert incident["narrative"] == "Near miss in the orbit overlap\ntanker climbed to FL250"

    # bravo: live in the inbox, by name, in Hebrew; opened with a double click, acknowledged
    row = b.locator(f"#inbox-list li[data-subject=incident][data-id='{incident['id']}']")
    expect(row).to_have_count(1)
    expect(row.locator(".item-title")).to_contain_text("תקרית שדווחה על ידי")
    expect(row.locator(".item-title")).to_contain_text("Alpha Air Command")
    expect(row).to_contain_text("Near miss in the orbit overlap")
    bravo.screenshot(shots, "bravo-inbox-hebrew")
    row.locator(".item-title").dblclick()
    seen = b.locator(f"#details[data-type=incident][data-id='{incident['id']}']")
    expect(seen).to_be_visible()
    expect(seen.locator("#incident-narrative")).to_contain_text("tanker climbed to FL250")
    expect(seen.locator("#incident-acks li[data-party=bravo]")).to_have_attribute(
        "data-state", "pending"
    )
    bravo.screenshot(shots, "bravo-details-hebrew")
    seen.locator("[data-testid=incident-ack]").click()
    expect(seen.locator("#incident-acks li[data-party=bravo]")).to_have_attribute(
        "data-state", "acknowledged"
    )
    expect(b.locator("#inbox-list li[data-subject=incident]")).to_have_count(0)
    expect(seen.locator("[data-testid=incident-ack]")).to_have_count(0)

    # alpha sees the acknowledgement arrive
    expect(shown.locator("#incident-acks li[data-party=bravo]")).to_have_attribute(
        "data-state", "acknowledged"
    )
    expect(a.locator("#incident-list li [data-ack-state]")).to_have_attribute(
        "data-ack-state", "acknowledged"
    )
    alpha.screenshot(shots, "alpha-acknowledged")
    acks = get_json(mechanism, "alpha", f"/v1/incidents/{incident['id']}")["acks"]
    assert [(x["party"], x["status"]) for x in acks] == [("bravo", "acknowledged")]
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
