"""Browser-test support: the console page of one operator (what it asked of the network, its
script errors, screenshots), the running mechanism, and signing in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, Request, ViewportSize, expect

VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
UI_TIMEOUT_MS = 10_000


@dataclass
class Mechanism:
    """A running server: its base URL, the operators' tokens and bravo's first notice."""

    base: str
    tokens: dict[str, str]
    bravo_notice: dict[str, object]


@dataclass
class Console:
    """One operator's console page, with what it asked of the network and its script errors."""

    page: Page
    outside: list[str] = field(default_factory=list)
    """Requests that would have left loopback (each was refused)."""
    requests: list[Request] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def screenshot(self, folder: Path, name: str) -> Path:
        """Save a screenshot of the page as ``folder/name.png``."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def assert_clean(self) -> None:
        """Nothing left 127.0.0.1 and no script failed."""
        assert self.outside == [], f"requests off loopback: {self.outside}"
        assert self.errors == [], self.errors


def sign_in(page: Page, token: str) -> None:
    """Type the token, sign in, and wait until the stream is live and the lists are loaded."""
    page.fill("#token", token)
    page.press("#token", "Enter")
    page.wait_for_selector("#stream-state[data-state=live]")
    page.wait_for_selector("body[data-synced][data-basemap=ready]", state="attached")


def set_view(page: Page, lat: float, lon: float, zoom: int) -> None:
    """Centre the console's map on (lat, lon) at ``zoom``, without animation. Returns nothing
    on purpose: Playwright would serialise the Leaflet map that ``setView`` returns, which
    takes seconds."""
    page.evaluate(
        """([lat, lon, zoom]) => {
            window.sharedsky.map.map.setView([lat, lon], zoom, {animate: false});
        }""",
        [lat, lon, zoom],
    )


def map_point(page: Page, lon: float, lat: float) -> tuple[float, float]:
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


def draw_polygon(page: Page, corners: list[tuple[float, float]]) -> None:
    """Click each corner (lon, lat) on the map, then the first again to close the ring."""
    page.click("[data-draw=Polygon]")
    for lon, lat in [*corners, corners[0]]:
        page.mouse.click(*map_point(page, lon, lat))
        page.wait_for_timeout(60)
    expect(page.locator("#file-shape")).to_have_attribute("data-drawn", "Polygon")


def layout_holds(page: Page) -> None:
    """Nothing overflows 1280 × 800; the clock, tabs, map and side panel are all on screen."""
    width, height = VIEWPORT["width"], VIEWPORT["height"]
    scroll = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert scroll[0] <= width and scroll[1] <= height, scroll
    boxes = {sel: page.locator(sel).bounding_box() for sel in ("#utc-clock", "#map", ".side")}
    for selector, box in boxes.items():
        assert box is not None, selector
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (selector, box)
    map_box, side_box = boxes["#map"], boxes[".side"]
    assert map_box is not None and side_box is not None
    assert map_box["x"] + map_box["width"] <= side_box["x"] + 1
    assert map_box["width"] >= 700 and map_box["height"] >= 700
