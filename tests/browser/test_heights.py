"""A band filed in flight levels is shown in the console as flight levels, as filed (R-HEIGHT-1):
bravo's inbox names alpha's clashing notice by its band FL100–FL200, not by metres."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from _browser import Console, Mechanism
from _servers import orbit, post
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_flight_level_band_is_shown_as_flight_levels(
    open_console: Callable[[str], Console], mechanism: Mechanism
) -> None:
    """R-HEIGHT-1"""
    body = orbit(36.1)
    body["title"] = "FL orbit"
    body["volumes"][0]["altitude"] = {
        "lower": {"value": 100, "unit": "FL"},
        "upper": {"value": 200, "unit": "FL"},
    }
    filed = post(mechanism.base, mechanism.tokens["alpha"], "/v1/notices", body)
    assert filed["conflicts"], "the FL band overlaps bravo's orbit (3–9 km AMSL)"
    bravo = open_console("bravo")
    item = bravo.page.locator(f"#panel-inbox li[data-subject=notice][data-id='{filed['id']}']")
    expect(item).to_contain_text("FL100–FL200")
    bravo.assert_clean()
