"""Volume bands on their datums: resolved to a conservative AMSL interval, or refused."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from sharedsky.domain.errors import InvalidVolume
from sharedsky.domain.heights import (
    Datums,
    FiledBand,
    Height,
    HeightUnit,
    Limit,
    Reference,
    Special,
)
from sharedsky.domain.volumes import (
    AltitudeBand,
    TimeWindow,
    Volume4D,
    resolve_band,
    resolve_volume,
    validate_volume,
)
from sharedsky.geo.outlines import CircleOutline

HERE = CircleOutline((35.0, 33.0), 10_000.0)
NOW = datetime(2026, 12, 6, 8, tzinfo=UTC)
TERRAIN = Datums(terrain_min_m=-400.0, terrain_max_m=2_800.0)


def h(value: float, unit: str, ref: str) -> Height:
    return Height(value, HeightUnit(unit), Reference(ref))


def band(lower: Limit, upper: Limit, datums: Datums = TERRAIN) -> AltitudeBand:
    return resolve_band(AltitudeBand.as_filed(FiledBand(lower, upper)), datums, HERE, ("v",))


def test_a_band_in_metres_amsl_is_left_as_it_is() -> None:
    plain = AltitudeBand(0.0, 3_000.0)
    assert resolve_band(plain, Datums(), HERE, ()) is plain


def test_a_filed_band_keeps_its_limits_and_gets_its_widest_amsl_interval() -> None:
    got = band(Special.SFC, h(100, "FL", "STD"))
    assert got.filed == FiledBand(Special.SFC, h(100, "FL", "STD"))
    assert got.lower_m == -400.0
    assert got.upper_m == pytest.approx(3048.0 + 301.5, abs=1.0)


def test_an_unresolved_band_is_refused_by_validation() -> None:
    raw = AltitudeBand.as_filed(FiledBand(Special.SFC, Special.UNL))
    assert math.isnan(raw.lower_m)
    volume = Volume4D(HERE, raw, TimeWindow(NOW, NOW + timedelta(hours=1)))
    with pytest.raises(InvalidVolume, match="not resolved"):
        validate_volume(volume, NOW, ("volume",))
    resolved = resolve_volume(volume, Datums(), ("volume",))
    validate_volume(resolved, NOW, ("volume",))


@pytest.mark.parametrize(
    ("lower", "upper", "reason", "where"),
    [
        (Special.UNL, Special.UNL, "UNL", "lower"),
        (Special.SFC, Special.SFC, "SFC", "upper"),
        (h(100, "FL", "AMSL"), Special.UNL, "pressure altitude", "lower"),
        (h(3000, "ft", "STD"), Special.UNL, "unit FL", "lower"),
        (Special.SFC, h(1000, "FL", "STD"), "within", "upper"),
        (h(120, "FL", "STD"), h(100, "FL", "STD"), "below the upper", "lower"),
        (h(500, "m", "AMSL"), h(1000, "ft", "AMSL"), "below the upper", "lower"),
        (h(-1000, "m", "AMSL"), Special.UNL, "outside", "lower"),
        (h(math.inf, "m", "AMSL"), Special.UNL, "finite", "lower"),
    ],
)
def test_a_band_that_breaks_a_rule_is_refused_with_its_path(
    lower: Limit, upper: Limit, reason: str, where: str
) -> None:
    """R-HEIGHT-1"""
    with pytest.raises(InvalidVolume, match=reason) as caught:
        band(lower, upper)
    assert caught.value.path[:3] == ("v", "altitude", where)


def test_an_agl_band_is_refused_without_terrain_bounds() -> None:
    with pytest.raises(InvalidVolume, match="terrain_m") as caught:
        band(Special.SFC, h(150, "m", "AGL"), Datums())
    assert caught.value.path == ("v", "altitude", "upper")


def test_limits_on_two_references_are_ordered_at_their_nominal_heights() -> None:
    """FL 100 (3048 m at standard QNH) over 2500 m AMSL is a band, though at QNH 950 the flight
    level lies below 2,508 m."""
    got = band(h(2500, "m", "AMSL"), h(100, "FL", "STD"))
    assert got.lower_m == 2500.0
    with pytest.raises(InvalidVolume, match="below the upper"):
        band(h(3100, "m", "AMSL"), h(100, "FL", "STD"))
