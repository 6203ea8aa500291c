"""The map of the demo reads at a glance, in a real browser against a real server process: the
Levant scenario is filed and its traffic flown live, and every console (alpha, bravo, the host;
1280 × 800 and 1920 × 1080) draws each party in the colour the mechanism gives it, with a
legend; its first view holds every live notice, zone and track; no two labels on it overlap,
nor any label a CPA tag; and choosing a conflict in the inbox pans the map to it and opens its
popup. Screenshots of each console land in this test's folder of test-output/browser/."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from _browser import Console, Mechanism, set_view
from playwright.sync_api import Page, ViewportSize, expect

from sharedsky.client import Client
from sharedsky.interop.console_words import load_console_words
from sharedsky.sim.replay import parse_time, replay_feeds
from sharedsky.sim.scenarios import MECHANISM_YAML, levant
from sharedsky.sim.traffic import demo_feeds
from sharedsky.wire import v1

pytestmark = pytest.mark.browser

VIEWPORTS: dict[str, ViewportSize] = {
    "1280x800": {"width": 1280, "height": 800},
    "1920x1080": {"width": 1920, "height": 1080},
}
LANGUAGES = {"alpha": "en", "bravo": "tr", "host": "en"}
"""The languages of the demo's parties (sim/levant.yaml): bravo's console reads Turkish."""
FLOWN_BEFORE_S = 200.0
"""The traffic starts this far into the demo: the first planned encounter (2 minutes in) is
over, and the second's (7 minutes in) tactical alert is open with its CPA tag on the map and
rises to a warning (whose take-over covers the map) only 2.5 minutes after the start."""
FLIGHT_S = 900.0
LIVE_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def mechanism_yaml() -> str:
    """The demo's own mechanism file (no colours declared: the palette's)."""
    return MECHANISM_YAML


@dataclass
class Demo:
    """The running demo: its mechanism's colours by party and the filed objects' titles."""

    colours: dict[str, str]
    titles: dict[str, str]


@pytest.fixture(scope="module")
def demo(mechanism: Mechanism) -> Iterator[Demo]:
    """Every item of the Levant scenario filed, and its traffic posted once a second by each
    party (from ``FLOWN_BEFORE_S`` into the demo) until the module's tests are done."""
    start = datetime.now(UTC).replace(microsecond=0)
    scenario = levant(start)
    clients = {p: Client(mechanism.base, mechanism.tokens[p]) for p in ("alpha", "bravo")}
    titles: dict[str, str] = {}
    for item in scenario.items:
        client = clients[item.party]
        if item.kind == "zone":
            made = client.declare_zone(v1.ZoneIn.model_validate(item.body))
            titles[made.id] = made.title
        else:
            filed = client.file_notice(v1.NoticeIn.model_validate(item.body))
            titles[filed.id] = filed.title
    flown = start - timedelta(seconds=FLOWN_BEFORE_S)
    feeds = demo_feeds(
        list(clients),
        flown,
        scenario=scenario,
        notice_ids={title: oid for oid, title in titles.items()},
        duration_s=FLOWN_BEFORE_S + FLIGHT_S,
    )
    now_s = datetime.now(UTC).timestamp()
    from_now = {
        party: itertools.dropwhile(lambda s: parse_time(s["time"]).timestamp() < now_s, feed)
        for party, feed in feeds.items()
    }
    stop = threading.Event()

    class Stopped(Exception):
        """The tests are done: the replay ends."""

    def sink(party: str, batch: list[dict[str, Any]]) -> None:
        if stop.is_set():
            raise Stopped
        clients[party].post_tracks(batch)

    def fly() -> None:
        try:
            replay_feeds(from_now, sink, latest_only=True)
        except Stopped:
            pass

    thread = threading.Thread(target=fly, name="demo-traffic", daemon=True)
    thread.start()
    mech = clients["alpha"].mechanism()
    colours = {p.id: p.colour for p in [mech.host, *mech.parties]}
    try:
        yield Demo(colours, titles)
    finally:
        stop.set()
        thread.join(timeout=10)
        for client in clients.values():
            client.close()


def _snooze(page: Page) -> None:
    """Close a take-over (a tactical warning of the demo's encounters) for a minute, so the map
    is seen and clicked."""
    if page.locator("#takeover").is_visible():
        page.click("#takeover-snooze")
        expect(page.locator("#takeover")).to_be_hidden()


def _first_view(page: Page) -> None:
    """Wait until the first view is fitted, the live picture drawn and its labels placed."""
    expect(page.locator("body")).to_have_attribute("data-first-view", "fitted")
    page.wait_for_function(
        "() => Number(document.body.dataset.mapTracks || 0) > 5", timeout=LIVE_TIMEOUT_MS
    )
    page.wait_for_function("() => document.getElementById('map').dataset.labelsShown > 0")
    page.wait_for_timeout(400)  # one more poll and placing pass


OVERLAPS_JS = """() => {
  const map = document.getElementById("map").getBoundingClientRect();
  const seen = (el) => getComputedStyle(el).visibility === "visible";
  const onMap = (r) => r.width > 0 && r.height > 0 && r.right > map.left
    && r.left < map.right && r.bottom > map.top && r.top < map.bottom;
  const boxes = [...document.querySelectorAll("#map .map-label")]
    .filter(seen)
    .map((el) => ({ el, r: el.getBoundingClientRect() }))
    .filter(({ r }) => onMap(r))
    .map(({ el, r }) => ({
      kind: el.dataset.kind, text: el.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom,
    }));
  const pairs = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b) pairs.push([a, b]);
    }
  return { count: boxes.length, kinds: [...new Set(boxes.map((b) => b.kind))], pairs };
}"""

OUTSIDE_VIEW_JS = """() => {
  const app = window.sharedsky;
  const map = app.map.map;
  const view = map.getBounds();
  const frame = map.getContainer().getBoundingClientRect();
  const controls = [...map.getContainer().querySelectorAll(".leaflet-control")]
    .map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0);
  const under = (latLng) => {
    const p = map.latLngToContainerPoint(latLng);
    const x = p.x + frame.left, y = p.y + frame.top;
    return controls.some((r) => x >= r.left && x <= r.right && y >= r.top && y <= r.bottom);
  };
  const out = [];
  for (const key of app.live.tracks.tracks.keys()) {
    const at = app.live.tracks.position(key);
    if (at && !view.contains(at)) out.push(`${key} off the map`);
    else if (at && under(at)) out.push(`${key} under a control`);
  }
  for (const n of app.state.notices)
    if (n.status !== "cancelled" && n.status !== "ended")
      for (const v of n.volumes) {
        const o = v.outline;
        const c = o.center || (o.coordinates ? o.coordinates[0][0] : o.path[0]);
        if (!view.contains([c[1], c[0]])) out.push(`${n.title} off the map`);
      }
  return out;
}"""

DRAWN_COLOURS_JS = """() => {
  const colours = {};
  const add = (party, value) => {
    (colours[party] = colours[party] || new Set()).add(String(value).toUpperCase());
  };
  for (const path of document.querySelectorAll("#map path.notice, #map path.zone")) {
    const party = [...path.classList].find((c) => c.startsWith("party-"));
    const stroke = path.getAttribute("stroke");
    const paint = stroke && stroke !== "none" ? stroke : path.getAttribute("fill");
    if (party) add(party.slice(6), paint);
  }
  for (const icon of document.querySelectorAll("#map .track-icon")) {
    const party = [...icon.classList].find((c) => c.startsWith("track-party-"));
    const arrow = icon.querySelector(".track-arrow path");
    if (party) add("track:" + party.slice(12), arrow.getAttribute("fill"));
  }
  return Object.fromEntries(Object.entries(colours).map(([k, v]) => [k, [...v]]));
}"""


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_console_draws_the_demo_in_party_colours_and_no_labels_overlap(
    open_console: Callable[..., Console],
    demo: Demo,
    shots: Path,
    viewport: str,
) -> None:
    """R-MECH-3: on each party's map and the host's, a party's notices, zones and tracks are
    drawn in the colour GET /v1/mechanism gives it (read from the drawn SVG), the parties'
    colours differ, and the legend names every party; the first view holds every live track
    and notice, and no two visible labels (track labels, CPA tags, zone kinds, place names,
    count badges) overlap."""
    for party in ("alpha", "bravo", "host"):
        console = open_console(party, VIEWPORTS[viewport])
        page = console.page
        _first_view(page)
        assert page.evaluate(OUTSIDE_VIEW_JS) == [], f"{party}: the first view cuts these off"
        overlaps = page.evaluate(OVERLAPS_JS)
        assert overlaps["pairs"] == [], f"{party} {viewport}: labels overlap"
        assert {"track", "town"} <= set(overlaps["kinds"]), overlaps["kinds"]
        drawn = page.evaluate(DRAWN_COLOURS_JS)
        _snooze(page)
        for side in ("alpha", "bravo"):
            if side in drawn:
                assert drawn[side] == [demo.colours[side]], (party, side, drawn)
            if f"track:{side}" in drawn:
                assert drawn[f"track:{side}"] == [demo.colours[side]], (party, side, drawn)
        legend = page.locator("#map-legend")
        for p, name in (("alpha", "Alpha Air Command"), ("bravo", "Bravo Air Command")):
            expect(legend.locator(f"[data-party={p}]")).to_contain_text(name)
        you = load_console_words().words(LANGUAGES[party])["legend.you"]
        expect(legend.locator(f"[data-party={party}]")).to_contain_text(you)
        if party == "host":
            # the host sees both parties' notices and tracks, each in its own colour
            assert {"alpha", "bravo", "track:alpha", "track:bravo"} <= set(drawn), drawn
            assert drawn["alpha"] != drawn["bravo"]
            assert drawn["track:alpha"] != drawn["track:bravo"]
        console.screenshot(shots, f"{party}-{viewport}")
        console.assert_clean()
        page.context.close()


def test_the_first_view_has_a_cpa_tag_and_no_label_overlaps_it(
    open_console: Callable[..., Console], demo: Demo, shots: Path
) -> None:
    """Once the demo's first planned encounter raises a tactical alert, the host's first view
    shows its CPA tag, and no label meets it or any other label."""
    console = open_console("host", VIEWPORTS["1920x1080"])
    page = console.page
    _first_view(page)
    page.wait_for_function(
        "() => Number(document.body.dataset.mapTactical || 0) > 0", timeout=120_000
    )
    page.wait_for_timeout(1200)
    overlaps = page.evaluate(OVERLAPS_JS)
    assert "cpa" in overlaps["kinds"], overlaps["kinds"]
    assert overlaps["pairs"] == []
    _snooze(page)
    console.screenshot(shots, "host-with-cpa-1920x1080")
    console.assert_clean()


def test_choosing_a_conflict_in_the_inbox_pans_to_it_and_opens_its_popup(
    open_console: Callable[..., Console], mechanism: Mechanism, demo: Demo, shots: Path
) -> None:
    """Alpha looks far away (over Italy), then clicks a strategic conflict in its inbox: the
    map's centre moves into the conflict's region (its bounds from the API), the region is
    highlighted, and its popup names both sides."""
    answer = httpx.get(
        f"{mechanism.base}/v1/conflicts",
        params={"state": "open"},
        headers={"Authorization": f"Bearer {mechanism.tokens['alpha']}"},
    )
    conflicts = [c for c in answer.json()["conflicts"] if c.get("region")]
    assert conflicts, "the demo has open strategic conflicts with a region"
    console = open_console("alpha")
    page = console.page
    _first_view(page)
    _snooze(page)
    set_view(page, 41.9, 12.5, 7)
    listed = page.eval_on_selector_all(
        "#inbox-list li[data-subject=conflict]", "items => items.map((li) => li.dataset.id)"
    )
    conflict = next(c for c in conflicts if c["id"] in listed)  # a strategic one, not tactical
    conflict_id = conflict["id"]
    page.click(f"#inbox-list li[data-id='{conflict_id}'] .item-head")
    expect(page.locator("body")).to_have_attribute("data-shown", f"conflict|{conflict_id}")
    lon_lat = _points(conflict["region"])
    west, east = min(p[0] for p in lon_lat), max(p[0] for p in lon_lat)
    south, north = min(p[1] for p in lon_lat), max(p[1] for p in lon_lat)
    lat, lon = page.evaluate(
        "() => { const c = window.sharedsky.map.map.getCenter(); return [c.lat, c.lng]; }"
    )
    assert west <= lon <= east and south <= lat <= north, (lat, lon, conflict["region"])
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Conflict")
    expect(page.locator(".leaflet-popup-content")).to_contain_text(conflict_id)
    expect(page.locator("#map path.highlight").first).to_be_attached()
    page.wait_for_timeout(400)  # the popup fades in
    _snooze(page)
    console.screenshot(shots, "alpha-conflict-chosen-in-inbox")
    console.assert_clean()


def _points(geometry: dict[str, Any]) -> list[tuple[float, float]]:
    """Every (lon, lat) of a GeoJSON Polygon or MultiPolygon."""
    rings = geometry["coordinates"]
    if geometry["type"] == "MultiPolygon":
        rings = [ring for polygon in rings for ring in polygon]
    return [(float(p[0]), float(p[1])) for ring in rings for p in ring]
