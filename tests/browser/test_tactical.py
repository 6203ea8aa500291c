"""Live tracks, tactical conflicts and escalations in a real browser against a real server
process: two parties report their aircraft through the API, and bravo's console shows both
tracks, the predicted conflict as a line labelled with its time to CPA, and — when the pair
comes within a minute of losing separation — the warning that takes over the screen until it is
acknowledged by key; a flash message left unacknowledged climbs to the host, whose view lists
it."""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from _browser import Console, Mechanism, layout_holds, set_view
from _servers import post
from playwright.sync_api import expect

from sharedsky.interop.console_words import load_console_words

pytestmark = pytest.mark.browser

HEBREW = load_console_words().words("he")
"""Bravo's console words: bravo reads Hebrew here."""


def hebrew(key: str, **values: str) -> str:
    """Bravo's word of ``key`` with its placeholders filled (a regex where the values are), each
    value a bidirectional isolate, as a right-to-left console fills it (web/src/i18n.js)."""
    pattern = HEBREW[key]
    for name, value in values.items():
        pattern = pattern.replace("{" + name + "}", "\u2068" + value + "\u2069")
    return pattern


FLASH_DEADLINE_S = 2
MECHANISM_YAML = f"""\
mechanism: console-tactical
host: {{id: host, name: Coordination Cell, language: en}}
parties:
  - {{id: alpha, name: Alpha Air Command, language: en}}
  - {{id: bravo, name: Bravo Air Command, language: he}}
defaults:
  sharing: full
  ack_deadline_s: {{routine: 900, priority: 300, flash: {FLASH_DEADLINE_S}}}
channels:
  - between: [alpha, bravo]
    sharing: conflicts_only
"""
"""As the console tests' mechanism, but a flash item is due within two seconds: it reaches the
host (no party here declares a ladder) while the test watches. The tactical alert below opens
at caution, whose acknowledgement is due in five minutes."""


@pytest.fixture(scope="module")
def mechanism_yaml() -> str:
    """This module's mechanism."""
    return MECHANISM_YAML


LAT_DEG = 34.0
MID_LON_DEG = 33.5
"""The pair meets south of Cyprus, over the sea, far from bravo's orbit (36.1 E)."""
ALT_M = 6000.0
GS_MPS = 200.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT_DEG))
FEED_PERIOD_S = 1.0


@dataclass
class HeadOn:
    """Alpha's A1 (callsign VIPER 11) flying east and bravo's B1 (no callsign) flying west at
    one altitude, ``apart_deg`` of longitude apart at ``start`` (monotonic seconds), re-reported
    every second."""

    apart_deg: float
    start: float = field(default_factory=lambda: _now_s())

    def states(self) -> dict[str, dict[str, object]]:
        """Each party's state of its own aircraft now (dead-reckoned from ``start``)."""
        moved_deg = GS_MPS * (_now_s() - self.start) / M_PER_DEG_LON
        half = self.apart_deg / 2
        now = datetime.now(UTC).isoformat()
        common = {"time": now, "lat": LAT_DEG, "alt_m": ALT_M, "gs_mps": GS_MPS, "vs_mps": 0.0}
        east = MID_LON_DEG - half + moved_deg
        west = MID_LON_DEG + half - moved_deg
        return {
            "alpha": {"id": "A1", "callsign": "VIPER 11", "lon": east, "trk_deg": 90.0, **common},
            "bravo": {"id": "B1", "lon": west, "trk_deg": 270.0, **common},
        }


def _now_s() -> float:
    return datetime.now(UTC).timestamp()


@contextmanager
def feed(mechanism: Mechanism, geometry: HeadOn) -> Iterator[Callable[[HeadOn], None]]:
    """Report both aircraft every second (each party its own, with its own token) until the
    block ends; yields a function that changes the geometry (the next report jumps to it)."""
    current = [geometry]
    stop = threading.Event()
    errors: list[str] = []
    clients = {
        party: httpx.Client(
            base_url=mechanism.base,
            headers={"Authorization": f"Bearer {mechanism.tokens[party]}"},
            timeout=5.0,
        )
        for party in ("alpha", "bravo")
    }

    def run() -> None:
        while not stop.is_set():
            for party, state in current[0].states().items():
                answer = clients[party].post("/v1/tracks", json={"tracks": [state]})
                if answer.status_code != 202:
                    errors.append(f"{party}: {answer.status_code} {answer.text}")
            stop.wait(FEED_PERIOD_S)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield lambda geometry: current.__setitem__(0, geometry)
    finally:
        stop.set()
        thread.join(10.0)
        for client in clients.values():
            client.close()
    assert errors == [], errors


def test_bravo_sees_both_tracks_the_conflict_line_and_the_warning_takeover(
    open_console: Callable[[str], Console], mechanism: Mechanism, shots: Path
) -> None:
    """Head-on 0.6° apart (about 55 km, closing at 400 m/s: separation lost in about two
    minutes) is a caution: bravo's map shows both tracks (alpha's only because the alert was
    sent to bravo: the channel shares conflicts only) and a dashed line between them labelled
    with the time to CPA, counting down; the alert waits in the inbox. Re-reported 0.25° apart
    (loss within a minute) it becomes a warning, which takes over bravo's screen with sound
    until bravo presses Enter (R-TACT-2)."""
    bravo = open_console("bravo")
    page = bravo.page
    set_view(page, LAT_DEG, MID_LON_DEG, 9)
    body = page.locator("body")
    with feed(mechanism, HeadOn(apart_deg=0.6)) as move:
        own = page.locator(".track-icon[data-track='bravo/B1']")
        other = page.locator(".track-icon[data-track='alpha/A1']")
        expect(own).to_be_visible()
        expect(own).to_have_class(re.compile(r"\btrack-own\b"))
        expect(own.locator(".track-label")).to_have_text("B1 FL197")
        expect(other).to_be_visible()
        expect(other).to_have_class(re.compile(r"\btrack-other\b"))
        expect(other.locator(".track-label")).to_have_text("VIPER 11 FL197")  # by callsign
        expect(body).to_have_attribute("data-map-tracks", "2")
        expect(page.locator("path.track-vector")).to_have_count(2)

        label = page.locator(".tactical-label[data-severity=caution]")
        expect(label).to_have_text(
            re.compile("^" + hebrew("tactical.cpa_in", time=r"[12]:\d\d") + " · ")
        )
        expect(page.locator("path.tactical-line")).to_have_count(1)
        conflict_id = label.get_attribute("data-conflict")
        assert conflict_id and conflict_id.startswith("tac")
        expect(page.locator("#toast")).to_contain_text("VIPER 11")  # the alert's toast
        first = label.inner_text()
        expect(label).not_to_have_text(first)  # the time to CPA counts down
        item = page.locator(f"#panel-inbox li[data-subject=conflict][data-id='{conflict_id}']")
        expect(item).to_have_class(re.compile(r"\bsev-caution\b"))
        expect(item).to_contain_text("VIPER 11")
        expect(item).not_to_contain_text("A1 ")
        expect(item.locator(".tactical-summary")).to_have_text(
            re.compile(hebrew("tactical.cpa_in", time=r"[12]:\d\d"))
        )
        expect(page.locator("#takeover")).to_be_hidden()
        bravo.screenshot(shots, "bravo-tactical-caution")

        # a click on alpha's track shows its details and the conflict it is in
        other.click()
        details = page.locator("#details[data-type=track]")
        expect(details).to_contain_text(hebrew("track.heading", callsign="VIPER 11"))
        expect(details.locator(".object-id code").first).to_have_text("A1")  # to copy
        expect(details.locator("li[data-ref^='tactical|']")).to_have_count(1)

        # 0.25° apart: separation lost within a minute — the same alert rises to warning
        move(HeadOn(apart_deg=0.25))
        takeover = page.locator("#takeover")
        expect(takeover).to_be_visible()
        expect(takeover).to_have_attribute("data-kind", "warning")
        expect(takeover).to_have_attribute("data-id", conflict_id)
        what = HEBREW["takeover.category.separation"]
        title = hebrew("takeover.warning", what=what)
        expect(page.locator("#takeover-title")).to_have_text(title)
        expect(page.locator("#takeover-text")).to_contain_text("VIPER 11")
        expect(page.locator("#takeover-free")).to_contain_text(
            re.compile(hebrew("tactical.cpa_in", time=r"0:\d\d"))
        )
        beeps = int(body.get_attribute("data-beeps") or "0")
        assert beeps >= 1
        expect(page.locator(".tactical-label[data-severity=warning]")).to_be_attached()
        bravo.screenshot(shots, "bravo-warning-takeover")
        page.keyboard.press("Enter")
        expect(takeover).to_be_hidden()
        expect(item).to_have_count(0)
        expect(page.locator(f".tactical-label[data-conflict='{conflict_id}']")).to_be_attached()
        bravo.screenshot(shots, "bravo-warning-acknowledged")
    layout_holds(page)
    bravo.assert_clean()


def test_the_host_sees_a_flash_message_escalated_to_it(
    open_console: Callable[[str], Console], mechanism: Mechanism, shots: Path
) -> None:
    """Alpha sends bravo a flash message that nobody at bravo acknowledges: two seconds later
    it climbs to the host, whose view lists it among the escalations that reached the host
    and counts it against bravo (R-ESC-1)."""
    host = open_console("host")
    page = host.page
    page.click("#tab-host")
    sent = post(
        mechanism.base,
        mechanism.tokens["alpha"],
        "/v1/messages",
        {"to": "bravo", "priority": "flash", "text": "confirm you see the tanker"},
    )
    # other escalations may reach the host meanwhile (alpha never acknowledges its alerts)
    reached = page.locator(f"#escalations-host li.to-host[data-subject-id='{sent['id']}']")
    expect(reached).to_have_count(1)
    expect(reached).to_contain_text("Bravo Air Command owes acknowledgement of the message")
    expect(reached).to_contain_text("flash message from Alpha Air Command")
    expect(reached).not_to_contain_text(sent["id"])  # a name, not an id; the id is copied
    expect(reached.locator("button[data-copy]")).to_have_attribute("data-copy", sent["id"])
    expect(reached).to_contain_text("reached the host")
    expect(page.locator("#panel-host tr[data-party=bravo] td").last).to_have_text("1")
    host.screenshot(shots, "host-escalation")
    layout_holds(page)
    host.assert_clean()
