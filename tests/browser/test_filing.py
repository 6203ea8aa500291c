"""Filing by typed coordinates in a real browser against a real server process: a polygon typed
in degrees-minutes-seconds files the same volume as the same polygon drawn on the map; decimal
degrees with hemisphere letters (in either order), MGRS references and a circle with its radius
in nautical miles file exactly what was typed; a line that cannot be read is named by its number
and nothing is sent; a refusal of the server names the field in words and marks its input; a
check result disappears as soon as an input changes; a flash message leaves the hotline's
priority at routine for the next one; a band is filed as typed (feet, flight levels, AGL where
the mechanism declares terrain bounds) and shown back as filed. The parser itself is driven in
the page, line by line."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from _browser import Console, Mechanism, draw_polygon, layout_holds, set_view
from playwright.sync_api import Page, expect
from pyproj import Transformer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def mechanism_yaml(mechanism_yaml: str) -> str:
    """The browser tests' mechanism with terrain bounds, so that the form offers AGL."""
    return mechanism_yaml + "terrain_m: {min: -430, max: 2814}\n"


COORDINATES = "[data-testid=file-coordinates]"
CHECK = "[data-testid=file-check]"
SUBMIT = "[data-testid=file-submit]"

DRAW_ZOOM = 11
PIXEL_DEG = 360 / (256 * 2**DRAW_ZOOM)
"""One screen pixel at the zoom the polygon is drawn at, in degrees of longitude (0.0007°,
about 60 m here): a click lands on a whole pixel, so a drawn corner is within this of the
position aimed at, and a degree of latitude spans more pixels than one of longitude."""

CORNERS = [(35.2, 34.1), (35.45, 34.1), (35.45, 34.25), (35.2, 34.25)]
"""(lon, lat) of the polygon drawn and typed: 35°12'E–35°27'E × 34°06'N–34°15'N."""

TYPED_DMS = "\n".join(
    [
        "34°06'00\"N 035°12'00\"E",
        "34°06′00″N 035°27′00″E",  # the typographic prime and double prime
        "34 15 00 N 035 27 00 E",  # spaces only
        "341500N 0351200E",  # packed, as in a NOTAM
    ]
)


REFUSED_BAND = (
    "Volume 1: lower altitude — The volume is not valid"
    " (the lower altitude must be below the upper altitude)"
)
"""The server's refusal of a band upside down, as the form words it: the field in words, the
line of its code (invalid-volume) in the operator's language, the server's reason after it."""


def _file(page: Page) -> str:
    """Press the form's file button; returns the id of the notice it filed (a new one)."""
    result = page.locator("#file-result .object-id code")
    before = result.inner_text() if result.count() else None
    page.click(SUBMIT)
    expect(page.locator("#file-result h3")).to_contain_text("Filed")
    if before is not None:
        expect(result).not_to_have_text(before)
    filed = result.inner_text()
    assert filed.startswith("ntc"), filed
    return filed


def _notice(mechanism: Mechanism, party: str, notice_id: str) -> dict[str, Any]:
    """A notice as the API returns it to ``party``."""
    answer = httpx.get(
        f"{mechanism.base}/v1/notices/{notice_id}",
        headers={"Authorization": f"Bearer {mechanism.tokens[party]}"},
        timeout=10,
    )
    answer.raise_for_status()
    found: dict[str, Any] = answer.json()
    return found


def _posted_notices(console: Console) -> list[str]:
    return [r.url for r in console.requests if r.method == "POST" and r.url.endswith("/v1/notices")]


def _open_file_tab(open_console: Callable[[str], Console]) -> Console:
    alpha = open_console("alpha")
    alpha.page.click("[data-tab=file]")
    return alpha


def test_a_polygon_typed_in_dms_files_the_same_volume_as_drawing_it(
    open_console: Callable[[str], Console], mechanism: Mechanism, shots: Path
) -> None:
    """Alpha draws a polygon (band in feet) and files it, then types the same corners in four
    spellings of degrees-minutes-seconds (band in flight levels): the typed outline is drawn on
    the map with its vertices numbered before filing, and the two stored volumes agree — the
    corners within one screen pixel of the drawing (``PIXEL_DEG``), the typed ones exactly;
    each band as filed, 10,000–29,000 ft AMSL and FL100–FL290 (R-HEIGHT-1)."""
    alpha = _open_file_tab(open_console)
    page = alpha.page
    set_view(page, 34.175, 35.325, DRAW_ZOOM)

    draw_polygon(page, CORNERS)
    # the drawing writes its corners into the text area, as the form would read them
    expect(page.locator(COORDINATES)).to_have_value(re.compile(r"^34\.1\d*N 35\.2\d*E\n", re.M))
    page.fill("#file-form [name=title]", "Drawn box")
    page.select_option("#file-form [name=unit]", "ft")
    page.fill("#file-form [name=lower]", "10000")
    page.fill("#file-form [name=upper]", "29000")
    drawn = _notice(mechanism, "alpha", _file(page))

    page.fill(COORDINATES, TYPED_DMS)
    expect(page.locator("#file-shape")).to_have_attribute("data-drawn", "Polygon")
    expect(page.locator("#file-shape")).to_contain_text("polygon of 4 corners")
    expect(page.locator("path.typed-preview")).to_have_count(1)
    labels = page.locator(".typed-vertex-label")
    expect(labels).to_have_count(4)
    assert labels.all_inner_texts() == ["1", "2", "3", "4"]
    page.fill("#file-form [name=title]", "Typed box")
    page.select_option("#file-form [name=unit]", "fl")
    expect(page.locator("#file-unit-note")).to_contain_text(
        "pressure altitude in the standard atmosphere"
    )
    page.fill("#file-form [name=lower]", "100")
    page.fill("#file-form [name=upper]", "290")
    expect(page.locator("#file-check")).to_have_attribute("data-state", "done")
    set_view(page, 34.175, 35.325, DRAW_ZOOM - 1)
    page.locator("#file-check").scroll_into_view_if_needed()
    alpha.screenshot(shots, "typed-dms-preview")
    typed = _notice(mechanism, "alpha", _file(page))

    (d,), (t,) = drawn["volumes"], typed["volumes"]
    typed_ring = t["outline"]["coordinates"][0]
    assert typed_ring == [[lon, lat] for lon, lat in [*CORNERS, CORNERS[0]]]
    drawn_ring = d["outline"]["coordinates"][0]
    assert d["outline"]["type"] == "Polygon" and len(drawn_ring) == len(typed_ring)
    for (lon_d, lat_d), (lon_t, lat_t) in zip(drawn_ring, typed_ring, strict=True):
        assert abs(lon_d - lon_t) <= PIXEL_DEG and abs(lat_d - lat_t) <= PIXEL_DEG
    feet, levels = {"unit": "ft", "reference": "AMSL"}, {"unit": "FL", "reference": "STD"}
    assert (d["altitude"]["lower"], d["altitude"]["upper"]) == (
        {"value": 10000} | feet,
        {"value": 29000} | feet,
    )
    assert (t["altitude"]["lower"], t["altitude"]["upper"]) == (
        {"value": 100} | levels,
        {"value": 290} | levels,
    )
    assert d["time"] == t["time"]
    layout_holds(page)
    alpha.assert_clean()


def test_decimal_degrees_with_hemisphere_letters_in_either_order_file_exactly(
    open_console: Callable[[str], Console], mechanism: Mechanism
) -> None:
    """A polygon in decimal degrees, latitude first or longitude first, letters before or
    after, lower case, a comma, a blank line, the first vertex repeated to close; then a
    corridor with its half width in km: stored exactly as typed, in the API's (lon, lat)."""
    alpha = _open_file_tab(open_console)
    page = alpha.page
    page.fill(COORDINATES, "34.5N 36.1E\n36.3E 34.5N\n\nN34.7 E36.3\n34.7n, 36.1e\n34.5N 36.1E\n")
    expect(page.locator("#file-shape")).to_contain_text("polygon of 4 corners")
    # the blank line counts: the vertices are labelled with the lines they came from
    expect(page.locator(".typed-vertex-label")).to_have_text(["1", "2", "4", "5"])
    page.fill("#file-form [name=title]", "Decimal box")
    polygon = _notice(mechanism, "alpha", _file(page))
    assert polygon["volumes"][0]["outline"] == {
        "type": "Polygon",
        "coordinates": [[[36.1, 34.5], [36.3, 34.5], [36.3, 34.7], [36.1, 34.7], [36.1, 34.5]]],
    }

    page.select_option("#file-form [name=shape]", "Corridor")
    expect(page.locator("#file-coordinates-label")).to_have_text("Points of the path, one per line")
    page.fill(COORDINATES, "33.9N 35.0E\n34.1N 35.25E\n34.2N 35.5E")
    page.fill("#file-form [name=half_width]", "2.5")
    page.select_option("#file-form [name=half_width_unit]", "km")
    expect(page.locator("#file-shape")).to_contain_text("corridor of 3 points")
    page.fill("#file-form [name=title]", "Decimal corridor")
    corridor = _notice(mechanism, "alpha", _file(page))
    assert corridor["volumes"][0]["outline"] == {
        "type": "Corridor",
        "path": [[35.0, 33.9], [35.25, 34.1], [35.5, 34.2]],
        "half_width_m": 2500.0,
    }
    alpha.assert_clean()


def test_mgrs_references_file_the_centres_of_their_squares(
    open_console: Callable[[str], Console], mechanism: Mechanism
) -> None:
    """Four MGRS references of 1 m squares in zone 37S (spaced, packed, lower case) file as
    the centres of those squares: the same positions pyproj gives for the UTM coordinates the
    references stand for (square BU = 200 km east, 3800 km north), within 1e-7° (1 cm)."""
    alpha = _open_file_tab(open_console)
    page = alpha.page
    references = [
        "37S BU 33729 21415",
        "37SBU4372921415",
        "37s bu 43729 31415",
        "37S BU 3372931415",
    ]
    utm = [
        (233729.5, 3821415.5),
        (243729.5, 3821415.5),
        (243729.5, 3831415.5),
        (233729.5, 3831415.5),
    ]
    to_wgs84 = Transformer.from_crs("EPSG:32637", "EPSG:4326", always_xy=True)
    expected = [to_wgs84.transform(e, n) for e, n in utm]
    page.fill(COORDINATES, "\n".join(references))
    expect(page.locator("path.typed-preview")).to_have_count(1)
    page.fill("#file-form [name=title]", "MGRS box")
    ring = _notice(mechanism, "alpha", _file(page))["volumes"][0]["outline"]["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    for (lon, lat), (lon_x, lat_x) in zip(ring[:4], expected, strict=True):
        assert math.isclose(lon, lon_x, abs_tol=1e-7) and math.isclose(lat, lat_x, abs_tol=1e-7)
    alpha.assert_clean()


def test_a_circle_with_its_radius_in_nautical_miles_is_checked_and_filed(
    open_console: Callable[[str], Console], mechanism: Mechanism
) -> None:
    """A circle typed as its centre in DMS and 10 NM: drawn before filing, checked by the
    server (it overlaps bravo's orbit at the same centre) and stored as 18,520 m."""
    alpha = _open_file_tab(open_console)
    page = alpha.page
    page.select_option("#file-form [name=shape]", "Circle")
    expect(page.locator("#file-form [name=radius]")).to_be_visible()
    page.fill(COORDINATES, "34°48'00\"N 036°06'00\"E")
    page.fill("#file-form [name=radius]", "10")
    page.select_option("#file-form [name=radius_unit]", "NM")
    expect(page.locator("#file-shape")).to_contain_text("circle of 18.5 km at 34.8N 36.1E")
    expect(page.locator("path.typed-preview")).to_have_count(1)
    expect(page.locator("#file-check")).to_have_attribute("data-count", "1")
    page.fill("#file-form [name=title]", "Typed orbit")
    outline = _notice(mechanism, "alpha", _file(page))["volumes"][0]["outline"]
    expect(page.locator("#file-conflict-count")).to_have_attribute("data-count", "1")
    assert outline == {"type": "Circle", "center": [36.1, 34.8], "radius_m": 18520.0}
    alpha.assert_clean()


def test_errors_name_the_line_or_the_field_in_words_and_mark_its_input(
    open_console: Callable[[str], Console], mechanism: Mechanism, shots: Path
) -> None:
    """A latitude beyond 90° and a pair of bare numbers are reported by their line numbers,
    the text area is marked invalid, nothing is drawn and nothing is sent; fixed, the outline
    is drawn. The server's refusal of a band whose lower altitude is above its upper one reads
    "Volume 1: lower altitude — …" (never the path volumes.0.altitude.lower_m) and marks the
    lower altitude's input, visibly; changing that input lifts the mark."""
    alpha = _open_file_tab(open_console)
    page = alpha.page
    textarea = page.locator(COORDINATES)
    page.click(CHECK)
    expect(page.locator("#file-error")).to_have_text(
        "Outline: type the coordinates or draw the shape on the map."
    )
    expect(textarea).to_have_attribute("aria-invalid", "true")

    page.fill(COORDINATES, "34.5N 36.1E\n34.5 36.3\n134.5N 36.3E\n34.7N 36.1E")
    errors = page.locator("#file-coordinates-errors li")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("line 2:")
    expect(errors.nth(0)).to_contain_text("no hemisphere letters")
    expect(errors.nth(1)).to_have_text("line 3: latitude 134.5 is beyond 90°")
    expect(textarea).to_have_attribute("aria-invalid", "true")
    expect(page.locator("path.typed-preview")).to_have_count(0)
    alpha.screenshot(shots, "lines-that-cannot-be-read")
    page.fill("#file-form [name=title]", "Box with a typo")
    page.click(SUBMIT)
    expect(page.locator("#file-error")).to_contain_text("Outline: line 2:")
    assert _posted_notices(alpha) == []

    page.fill(COORDINATES, "34.5N 36.1E\n34.5N 36.3E\n34.7N 36.3E\n34.7N 36.1E")
    expect(errors).to_have_count(0)
    expect(textarea).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("path.typed-preview")).to_have_count(1)

    page.fill("#file-form [name=lower]", "9000")
    page.fill("#file-form [name=upper]", "3000")
    lower = page.locator("#file-form [name=lower]")
    # the server's check refuses the draft already, in the same words
    expect(page.locator("#file-check")).to_have_text(f"Server check: {REFUSED_BAND}")
    expect(lower).to_have_attribute("aria-invalid", "true")
    page.click(SUBMIT)
    expect(page.locator("#file-error")).to_have_text(f"Not filed: {REFUSED_BAND}")
    expect(lower).to_have_attribute("aria-invalid", "true")
    assert lower.evaluate("e => getComputedStyle(e).borderTopColor") == "rgb(198, 40, 40)"
    assert "volumes.0" not in page.locator("#panel-file").inner_text()
    page.locator("#file-error").scroll_into_view_if_needed()
    alpha.screenshot(shots, "error-named-in-words")
    assert len(_posted_notices(alpha)) == 1  # the refused one; nothing was stored

    page.fill("#file-form [name=lower]", "1000")
    expect(lower).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#file-error")).to_have_text("")
    refused = [m for m in alpha.errors if "422" in m]
    assert len(refused) == len(alpha.errors) and refused, alpha.errors
    assert alpha.outside == []


def test_a_check_result_is_cleared_as_soon_as_an_input_changes(
    open_console: Callable[[str], Console], mechanism: Mechanism
) -> None:
    """Once the server's check has answered, changing the band, the text of the outline or
    its radius removes the answer and its conflict preview in the same event, before any new
    check is asked; the next answer then shows for the new draft. The Check button asks at once."""
    alpha = _open_file_tab(open_console)
    page = alpha.page
    check = page.locator("#file-check")
    page.select_option("#file-form [name=shape]", "Circle")
    page.fill(COORDINATES, "34.8N 36.1E")
    expect(check).to_have_attribute("data-count", "1")
    expect(page.locator("path.conflict-preview").first).to_be_attached()

    for selector, value in [
        ("#file-form [name=lower]", "500"),
        ("#file-form [name=upper]", "2500"),
        (COORDINATES, "34.8N 36.2E"),
        ("#file-form [name=radius]", "3"),
    ]:
        expect(check).to_have_attribute("data-state", "done")
        shown = page.evaluate(
            """([selector, value]) => {
                const input = document.querySelector(selector);
                input.value = value;
                input.dispatchEvent(new Event("input", {bubbles: true}));
                const check = document.getElementById("file-check");
                return [check.textContent, check.dataset.count ?? null,
                        document.querySelectorAll("path.conflict-preview").length];
            }""",
            [selector, value],
        )
        assert shown == ["", None, 0], (selector, shown)
    expect(check).to_have_attribute("data-count", "0")  # 500–2500 m: below the orbit

    page.fill("#file-form [name=upper]", "9000")
    page.click(CHECK)
    expect(check).to_have_attribute("data-count", "1")
    alpha.assert_clean()


def test_the_hotline_priority_goes_back_to_routine_after_a_message_is_sent(
    open_console: Callable[[str], Console], mechanism: Mechanism
) -> None:
    """A flash message goes out as flash; the compose form is then at routine again, so the
    next message is not a flash by accident."""
    alpha = open_console("alpha")
    page = alpha.page
    page.click("[data-tab=hotline]")
    page.select_option("#compose [name=to]", "bravo")
    page.select_option("#compose [name=priority]", "flash")
    page.fill("#compose [name=text]", "check your orbit height")
    page.click("#compose-send")
    sent = page.locator("#thread article.message.mine")
    expect(sent).to_have_count(1)
    expect(sent).to_have_class(re.compile(r"\bprio-flash\b"))
    expect(page.locator("#compose [name=priority]")).to_have_value("routine")
    alpha.assert_clean()


ACCEPTED = {
    "34.5N 36.1E": [36.1, 34.5],
    "36.1E 34.5N": [36.1, 34.5],
    "N34.5 E36.1": [36.1, 34.5],
    "34.5n,36.1e": [36.1, 34.5],
    "34°30'00\"N 036°06'00\"E": [36.1, 34.5],
    "34°30′00″N 036°06′00″E": [36.1, 34.5],
    "34°30'00''N 036°06'00''E": [36.1, 34.5],
    "34 30 00 N 036 06 00 E": [36.1, 34.5],
    "34°30.5'N 36°06.25'E": [36.104166667, 34.508333333],
    "343000N 0360600E": [36.1, 34.5],
    "3430N 03606E": [36.1, 34.5],
    "33°52'10.5\"S 151°12'30\"E": [151.208333333, -33.869583333],
    "51.5N 0.12W": [-0.12, 51.5],
}
"""Typed position → [lon, lat] in degrees, as the parser must give it."""

REFUSED = {
    "34.5 36.1": "no hemisphere letters",
    "134.5N 36.1E": "latitude 134.5 is beyond 90°",
    "34.5N 190E": "longitude 190 is beyond 180°",
    "34.5N 36.1N": "has two latitudes (N/S)",
    "36.1E 34.5W": "has two longitudes (E/W)",
    "-34.5N 36.1E": "not a sign",
    "34,5N 36,1E": 'cannot read the latitude "34,5"',
    "34°75'N 36E": "minutes 75 must be below 60",
    "34°30'61\"N 36E": "seconds 61 must be below 60",
    "N34.5 36.1E": "all before or all after",
    "34.5N": "needs one latitude (N or S) and one longitude (E or W)",
    "37T BU 33729 21415": "lies in latitude band U, not T",
    "37S BU": "give 1 to 5 digits each",
    "37S BU 337 21415": "as many digits each",
}
"""Typed position → part of the error it must raise (each names line 7)."""


def test_the_parser_reads_each_spelling_and_names_the_line_of_each_error(
    open_console: Callable[[str], Console],
) -> None:
    """coordinates.js, driven in the page: every accepted spelling gives [lon, lat]; every
    refused one raises an error that starts with its line number and says what is wrong; the
    distance conversions are the exact ones (NM, km); a band is sent as filed, metres AMSL as
    the plain band, and read back into the form as filed where the form can say it."""
    page = open_console("alpha").page
    results = page.evaluate(
        """([accepted, refused]) => {
            const c = window.sharedsky.filing.coordinates;
            const read = (text) => { try { return c.parsePosition(text, 7); }
                                     catch (e) { return e.message; } };
            return {
                accepted: Object.fromEntries(accepted.map((t) => [t, read(t)])),
                refused: Object.fromEntries(refused.map((t) => [t, read(t)])),
                units: [c.distanceM(10, "NM"), c.distanceM(2.5, "km")],
                bands: [c.altitudeBand(100, 350, "fl"), c.altitudeBand(500, 1500, "ft_agl"),
                        c.altitudeBand(1234.5, 2000, "m"),
                        c.altitudeBand(NaN, 2000, "m", {sfc: true}),
                        c.altitudeBand(300, NaN, "ft_w84", {unl: true})],
                forms: [c.formBand(c.altitudeBand(100, 350, "fl")),
                        c.formBand({lower_m: 300, upper_m: 900}),
                        c.formBand({lower: {special: "SFC"}, upper: {value: 90, unit: "FL"}}),
                        c.formBand({lower: {value: 300, unit: "ft", reference: "W84"},
                                    upper: {special: "UNL"}}),
                        c.formBand({lower: {value: 3, unit: "FL"},
                                    upper: {value: 900, unit: "m", reference: "AMSL"}})],
            };
        }""",
        [list(ACCEPTED), list(REFUSED)],
    )
    assert results["accepted"] == ACCEPTED
    for text, part in REFUSED.items():
        message = results["refused"][text]
        assert message.startswith("line 7: ") and part in message, (text, message)
    assert results["units"] == [18520, 2500]
    assert results["bands"] == [
        {"lower": {"value": 100, "unit": "FL"}, "upper": {"value": 350, "unit": "FL"}},
        {
            "lower": {"value": 500, "unit": "ft", "reference": "AGL"},
            "upper": {"value": 1500, "unit": "ft", "reference": "AGL"},
        },
        {"lower_m": 1234.5, "upper_m": 2000},
        {"lower": {"special": "SFC"}, "upper": {"value": 2000, "unit": "m", "reference": "AMSL"}},
        {"lower": {"value": 300, "unit": "ft", "reference": "W84"}, "upper": {"special": "UNL"}},
    ]
    assert results["forms"] == [
        {"unit": "fl", "lower": 100, "upper": 350, "sfc": False, "unl": False},
        {"unit": "m", "lower": 300, "upper": 900, "sfc": False, "unl": False},
        {"unit": "fl", "lower": None, "upper": 90, "sfc": True, "unl": False},
        {"unit": "ft_w84", "lower": 300, "upper": None, "sfc": False, "unl": True},
        None,  # two units: the form loads the AMSL interval instead
    ]


def test_a_band_in_flight_levels_is_filed_and_shown_back_as_flight_levels(
    open_console: Callable[[str], Console], mechanism: Mechanism, shots: Path
) -> None:
    """R-HEIGHT-1: alpha files FL120–FL200; the server stores the flight levels, the result,
    the objects list and the notice's details show FL120–FL200 (with the AMSL interval the
    server resolved), and amending it loads FL120 and FL200 back in the form, unit FL. A band
    in feet above ground is offered (the mechanism declares terrain bounds) and shown as
    filed too."""
    alpha = _open_file_tab(open_console)
    page = alpha.page
    units = page.locator("#file-form [name=unit] option")
    assert units.evaluate_all("os => os.map((o) => o.value)") == [
        "m",
        "ft",
        "fl",
        "m_agl",
        "ft_agl",
        "m_w84",
        "ft_w84",
    ]
    page.select_option("#file-form [name=shape]", "Circle")
    page.fill(COORDINATES, "34.2N 35.1E")
    page.fill("#file-form [name=radius]", "5")
    page.fill("#file-form [name=title]", "Levels orbit")
    page.select_option("#file-form [name=unit]", "fl")
    page.fill("#file-form [name=lower]", "120")
    page.fill("#file-form [name=upper]", "200")
    notice_id = _file(page)
    sent = [r for r in alpha.requests if r.method == "POST" and r.url.endswith("/v1/notices")]
    assert sent[-1].post_data_json["volumes"][0]["altitude"] == {
        "lower": {"value": 120, "unit": "FL"},
        "upper": {"value": 200, "unit": "FL"},
    }
    stored = _notice(mechanism, "alpha", notice_id)["volumes"][0]["altitude"]
    assert (stored["lower"]["value"], stored["upper"]["unit"]) == (120, "FL")
    page.click("[data-tab=lists]")
    listed = page.locator("#panel-lists li[data-ref]", has_text="Levels orbit")
    expect(listed).to_contain_text("FL120–FL200 (")
    listed.click()
    expect(page.locator("#details")).to_contain_text("FL120–FL200")
    alpha.screenshot(shots, "flight-levels-shown")
    listed.locator("[data-amend]").click()
    expect(page.locator("#file-submit")).to_have_text("Amend v1")
    expect(page.locator("#file-form [name=unit]")).to_have_value("fl")
    expect(page.locator("#file-form [name=lower]")).to_have_value("120")
    expect(page.locator("#file-form [name=upper]")).to_have_value("200")
    page.click("#file-clear")

    page.fill(COORDINATES, "34.3N 35.1E")
    page.fill("#file-form [name=title]", "Low survey")
    page.select_option("#file-form [name=unit]", "ft_agl")
    expect(page.locator("#file-unit-note")).to_contain_text("above ground level")
    page.fill("#file-form [name=lower]", "0")
    page.fill("#file-form [name=upper]", "500")
    agl_id = _file(page)
    stored = _notice(mechanism, "alpha", agl_id)["volumes"][0]["altitude"]
    assert stored["upper"] == {"value": 500, "unit": "ft", "reference": "AGL"}
    page.click("[data-tab=lists]")
    expect(page.locator("#panel-lists li[data-ref]", has_text="Low survey")).to_contain_text(
        "0 ft AGL–500 ft AGL"
    )

    # from the surface to unlimited is said by two boxes, which turn the numbers off; a GNSS
    # height above the ellipsoid is a unit of its own (W84)
    page.click("[data-tab=file]")
    page.click("#file-clear")
    page.fill(COORDINATES, "34.4N 35.1E")
    page.fill("#file-form [name=title]", "Whole column")
    page.select_option("#file-form [name=unit]", "ft_w84")
    expect(page.locator("#file-unit-note")).to_contain_text("WGS84 ellipsoid")
    page.check("[data-testid=file-sfc]")
    page.check("[data-testid=file-unl]")
    expect(page.locator("#file-form [name=lower]")).to_be_disabled()
    expect(page.locator("#file-form [name=upper]")).to_be_disabled()
    column_id = _file(page)
    stored = _notice(mechanism, "alpha", column_id)["volumes"][0]["altitude"]
    assert (stored["lower"], stored["upper"]) == ({"special": "SFC"}, {"special": "UNL"})
    page.click("#file-clear")
    page.fill(COORDINATES, "34.5N 35.1E")
    page.fill("#file-form [name=title]", "GNSS survey")
    page.uncheck("[data-testid=file-unl]")  # the form keeps its band when cleared
    expect(page.locator("[data-testid=file-sfc]")).to_be_checked()
    page.fill("#file-form [name=upper]", "15000")  # above the area's highest ground
    gnss_id = _file(page)
    stored = _notice(mechanism, "alpha", gnss_id)["volumes"][0]["altitude"]
    assert stored["upper"] == {"value": 15000, "unit": "ft", "reference": "W84"}
    page.click("[data-tab=lists]")
    gnss = page.locator("#panel-lists li[data-ref]", has_text="GNSS survey")
    expect(gnss).to_contain_text("SFC–15000 ft W84")
    expect(page.locator("#panel-lists li[data-ref]", has_text="Whole column")).to_contain_text(
        "SFC–UNL"
    )
    alpha.screenshot(shots, "sfc-unl-w84-shown")
    gnss.locator("[data-amend]").click()
    expect(page.locator("#file-form [name=unit]")).to_have_value("ft_w84")
    expect(page.locator("[data-testid=file-sfc]")).to_be_checked()
    expect(page.locator("#file-form [name=lower]")).to_be_disabled()
    expect(page.locator("#file-form [name=upper]")).to_have_value("15000")
    alpha.assert_clean()


def test_amending_a_notice_of_several_volumes_keeps_the_volumes_the_form_does_not_show(
    open_console: Callable[[str], Console], mechanism: Mechanism, shots: Path
) -> None:
    """The form edits a notice's first volume. An amendment replaces the whole list, so the
    console sends the others back as they are (it once sent the first alone, deleting the
    rest) and says so while the notice is loaded."""
    start = "2026-12-06T12:00:00Z"

    def orbit(lon: float, lower_m: float) -> dict[str, Any]:
        return {
            "outline": {"type": "Circle", "center": [lon, 34.6], "radius_m": 4000},
            "altitude": {"lower_m": lower_m, "upper_m": lower_m + 1000},
            "time": {"start": start, "end": "2026-12-06T14:00:00Z"},
        }

    body = {"kind": "exercise", "title": "Three orbits", "volumes":
            [orbit(35.0, 3000), orbit(35.1, 5000), {**orbit(35.2, 0), "altitude": {
                "lower": {"special": "SFC"}, "upper": {"value": 40, "unit": "FL"}}}]}  # fmt: skip
    filed = httpx.post(
        f"{mechanism.base}/v1/notices",
        json=body,
        headers={"Authorization": f"Bearer {mechanism.tokens['alpha']}"},
        timeout=10,
    )
    assert filed.status_code == 201, filed.text
    notice_id = filed.json()["id"]
    before = _notice(mechanism, "alpha", notice_id)["volumes"]
    alpha = open_console("alpha")
    page = alpha.page
    page.click("[data-tab=lists]")
    listed = page.locator("#panel-lists li[data-ref]", has_text="Three orbits")
    listed.locator("[data-amend]").click()
    expect(page.locator("[data-testid=file-kept]")).to_be_visible()
    expect(page.locator("[data-testid=file-kept]")).to_contain_text("3 volumes")
    page.fill("#file-form [name=title]", "Three orbits, first one higher")
    page.fill("#file-form [name=upper]", "4500")
    alpha.screenshot(shots, "amend-keeps-volumes")
    page.click(SUBMIT)
    expect(page.locator("#file-result h3")).to_contain_text("Amended")
    after = _notice(mechanism, "alpha", notice_id)
    assert after["title"] == "Three orbits, first one higher"
    assert len(after["volumes"]) == 3
    assert after["volumes"][0]["altitude"]["upper_m"] == 4500
    assert after["volumes"][1:] == before[1:]  # the SFC–FL040 one kept as filed too
    expect(page.locator("[data-testid=file-kept]")).to_be_hidden()  # the form cleared
    alpha.assert_clean()
