"""Browser-test support: the console page of one operator (what it asked of the network, its
script errors, screenshots), the running mechanism, and signing in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, Request, ViewportSize

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
