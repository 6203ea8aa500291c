"""Detection across datums (R-HEIGHT-3), against an independent brute force.

Two co-located volumes (one circle, one window) differ only in their bands. The brute force
places the world's datums everywhere in their bounds (QNH every 0.5 hPa of the mechanism's
range, each flight level held on an altimeter or geometrically; terrain every 1/20 of its
bounds) and asks whether the bands come within the vertical separation; limits on one
reference compare exactly, as they are flown. The standard atmosphere is written here from
its formula (ICAO Doc 7488), not taken from domain/heights.py.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.detect.separation import Separation, clash
from sharedsky.detect.strategic import Candidate, find_clashes
from sharedsky.domain.channels import SeparationMinima
from sharedsky.domain.heights import (
    Datums,
    FiledBand,
    Height,
    HeightUnit,
    Limit,
    Reference,
    Special,
)
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D, resolve_volume
from sharedsky.geo import geoid
from sharedsky.geo.outlines import CircleOutline
from sharedsky.service._packing import datum_margin_m, volume_geom
from tests._hypothesis import examples

OUTLINE = CircleOutline((36.0, 34.0), 5_000.0)
START = datetime(2026, 12, 6, 12, tzinfo=UTC)
WINDOW = TimeWindow(START, START + timedelta(hours=1))
DATUMS = Datums(qnh_min_hpa=950.0, qnh_max_hpa=1050.0, terrain_min_m=-200.0, terrain_max_m=1800.0)
FOOT = 0.3048

# ── the standard atmosphere, from its formula ───────────────────────────────────────────────

P0, T0, LAPSE, G0, R_AIR = 1013.25, 288.15, 0.0065, 9.80665, 287.05287
EXPONENT = G0 / (R_AIR * LAPSE)
T11 = T0 - LAPSE * 11_000.0


def pressure_at(h_m: float, sea_hpa: float) -> float:
    """Pressure (hPa) at height h_m of a standard-temperature atmosphere with sea-level
    pressure sea_hpa (troposphere, then the isothermal layer to 20 km)."""
    if h_m <= 11_000.0:
        return sea_hpa * (1.0 - LAPSE * h_m / T0) ** EXPONENT
    p11 = sea_hpa * (T11 / T0) ** EXPONENT
    return p11 * math.exp(-G0 * (h_m - 11_000.0) / (R_AIR * T11))


def height_at(p_hpa: float, sea_hpa: float) -> float:
    """The inverse of pressure_at."""
    p11 = sea_hpa * (T11 / T0) ** EXPONENT
    if p_hpa >= p11:
        return T0 / LAPSE * (1.0 - (p_hpa / sea_hpa) ** (1.0 / EXPONENT))
    return 11_000.0 + R_AIR * T11 / G0 * math.log(p11 / p_hpa)


def flight_level_amsl_m(pa_m: float, qnh: float, held: str) -> float:
    """Where a pressure altitude lies above sea level at QNH ``qnh``: on an altimeter set to
    QNH, or geometrically in the standard-temperature atmosphere with that sea-level pressure."""
    if held == "altimeter":
        return pa_m - height_at(qnh, P0)
    return height_at(pressure_at(pa_m, P0), qnh)


# ── limits and the world's states ───────────────────────────────────────────────────────────


def reference_of(limit: Limit) -> str:
    if limit is Special.UNL:
        return "UNL"
    if limit is Special.SFC:
        return "AGL"
    assert isinstance(limit, Height)
    return str(limit.reference)


def raw_m(limit: Limit) -> float:
    """The limit in metres on its own reference."""
    if isinstance(limit, Special):
        return 0.0 if limit is Special.SFC else 100_000.0
    factor = {"m": 1.0, "ft": FOOT, "FL": 100 * FOOT}[str(limit.unit)]
    return limit.value * factor


def amsl_m(limit: Limit, qnh: float, held: str, terrain_m: float) -> float:
    """The limit's height AMSL in one state of the world."""
    ref = reference_of(limit)
    if ref == "UNL":
        return 100_000.0
    if ref == "STD":
        return flight_level_amsl_m(raw_m(limit), qnh, held)
    if ref == "AGL":
        return raw_m(limit) + terrain_m
    return raw_m(limit)


def gap_in_state(a: FiledBand, b: FiledBand, qnh: float, held: str, terrain_m: float) -> float:
    """The vertical gap of two co-located bands in one state; one reference exactly."""

    def above(lower: Limit, upper: Limit) -> float:
        if reference_of(lower) == reference_of(upper):
            return raw_m(lower) - raw_m(upper)
        low = amsl_m(lower, qnh, held, terrain_m)
        return low - amsl_m(upper, qnh, held, terrain_m)

    return max(0.0, above(b.lower, a.upper), above(a.lower, b.upper))


QNHS = np.arange(950.0, 1050.0 + 1e-9, 0.5)
TERRAINS = np.linspace(-200.0, 1800.0, 21)


def closest_gap(a: FiledBand, b: FiledBand) -> float:
    """The least vertical gap over every state of the world (the brute force); a datum that
    no limit of the pair depends on is left at one value."""
    refs = {reference_of(x) for x in (a.lower, a.upper, b.lower, b.upper)}
    qnhs = QNHS if "STD" in refs else [1013.25]
    helds = ("altimeter", "geometric") if "STD" in refs else ("altimeter",)
    terrains = TERRAINS if "AGL" in refs else [800.0]
    return min(
        gap_in_state(a, b, float(qnh), held, float(terrain))
        for qnh in qnhs
        for held in helds
        for terrain in terrains
    )


def nominal_gap(a: FiledBand, b: FiledBand) -> float:
    """The gap at standard QNH and mid terrain."""
    return gap_in_state(a, b, 1013.25, "altimeter", 800.0)


# ── bands ───────────────────────────────────────────────────────────────────────────────────

flight_levels = st.integers(0, 600).map(lambda v: Height(float(v), HeightUnit.FL, Reference.STD))
metres_amsl = st.integers(-400, 15_000).map(
    lambda v: Height(float(v), HeightUnit.M, Reference.AMSL)
)
feet_amsl = st.integers(-1_300, 50_000).map(
    lambda v: Height(float(v), HeightUnit.FT, Reference.AMSL)
)
agl = st.integers(0, 5_000).map(lambda v: Height(float(v), HeightUnit.M, Reference.AGL))
lowers = st.one_of(flight_levels, metres_amsl, feet_amsl, agl, st.just(Special.SFC))
uppers = st.one_of(flight_levels, metres_amsl, feet_amsl, agl, st.just(Special.UNL))


def resolved(band: FiledBand) -> Volume4D | None:
    """The volume of a band, or None when filing would refuse it."""
    from sharedsky.domain.errors import InvalidVolume

    volume = Volume4D(OUTLINE, AltitudeBand.as_filed(band), WINDOW)
    try:
        return resolve_volume(volume, DATUMS, ("v",))
    except InvalidVolume:
        return None


def verdict(a: Volume4D, b: Volume4D, vertical_m: float) -> tuple[bool, float | None]:
    """(conflict?, datum_margin_m) as detection gives them, exact and indexed engines alike."""
    sep = Separation(lateral_m=1_000.0, vertical_m=vertical_m, time_s=60.0)
    geom_a, geom_b = volume_geom(a, DATUMS), volume_geom(b, DATUMS)
    exact = clash(geom_a, geom_b, sep, sides=False)
    hits = find_clashes([geom_a], [Candidate("b", geom_b, sep, sides=False)])
    assert (exact is not None) == bool(hits)
    if exact is None:
        return False, None
    minima = SeparationMinima(1_000.0, vertical_m, 60.0)
    return True, datum_margin_m(exact.nominal_gap_m, minima)


separations = st.sampled_from([150.0, 300.0, 304.8, 600.0])


@settings(max_examples=examples(150))
@given(lowers, uppers, lowers, uppers, separations)
def test_no_pair_that_may_come_within_separation_is_missed(
    a_lower: Limit, a_upper: Limit, b_lower: Limit, b_upper: Limit, vertical_m: float
) -> None:
    """R-HEIGHT-3: any state of the datums in bounds that brings the bands within the vertical
    separation makes a conflict; the datum margin is there exactly when the nominal state keeps
    them apart, and it is that state's gap."""
    a_band, b_band = FiledBand(a_lower, a_upper), FiledBand(b_lower, b_upper)
    a, b = resolved(a_band), resolved(b_band)
    if a is None or b is None:
        return
    found, margin = verdict(a, b, vertical_m)
    if closest_gap(a_band, b_band) < vertical_m:
        assert found, "a pair that comes within separation for some datums was missed"
    if found:
        nominal = nominal_gap(a_band, b_band)
        if nominal >= vertical_m + 1e-6:
            assert margin is not None and abs(margin - nominal) < 1e-6
        elif nominal < vertical_m - 1e-6:
            assert margin is None


def same_reference(ref: st.SearchStrategy[Height]) -> st.SearchStrategy[tuple[Height, ...]]:
    return st.tuples(ref, ref, ref, ref)


@settings(max_examples=examples(150))
@given(
    st.one_of(
        same_reference(flight_levels),
        same_reference(metres_amsl),
        same_reference(feet_amsl),
        same_reference(agl),
        same_reference(st.integers(-400, 15_000).map(
            lambda v: Height(float(v), HeightUnit.M, Reference.W84))),
    ),
    separations,
)  # fmt: skip
def test_two_bands_on_one_reference_compare_exactly_as_metres_did(
    limits: tuple[Height, ...], vertical_m: float
) -> None:
    """R-HEIGHT-3, R-DETECT-1: the verdict is the raw values' own, with no datum margin."""
    a_band, b_band = FiledBand(limits[0], limits[1]), FiledBand(limits[2], limits[3])
    a, b = resolved(a_band), resolved(b_band)
    if a is None or b is None:
        return
    raw_gap = max(
        0.0,
        raw_m(b_band.lower) - raw_m(a_band.upper),
        raw_m(a_band.lower) - raw_m(b_band.upper),
    )
    assert verdict(a, b, vertical_m) == (raw_gap < vertical_m, None)


@settings(max_examples=examples(60))
@given(
    st.integers(-400, 15_000), st.integers(1, 2_000), st.integers(-400, 15_000),
    st.integers(1, 2_000), st.sampled_from(["W84-AMSL", "AMSL-W84"]), separations,
    st.lists(st.tuples(st.floats(-1, 1), st.floats(-1, 1), st.floats(-1, 1)), min_size=8,
             max_size=8),
)  # fmt: skip
def test_an_ellipsoid_band_is_never_missed_for_any_geoid_within_its_bound(
    lo_a: int,
    depth_a: int,
    lo_b: int,
    depth_b: int,
    order: str,
    vertical_m: float,
    spots: list[tuple[float, float, float]],
) -> None:
    """R-HEIGHT-3: a W84 band against an AMSL one, the undulation taken anywhere under the
    outline (sampled) and anywhere within its error bound."""
    w84 = "W84" if order.startswith("W84") else "AMSL"
    other = "AMSL" if w84 == "W84" else "W84"
    a_band = FiledBand(
        Height(float(lo_a), HeightUnit.M, Reference(w84)),
        Height(float(lo_a + depth_a), HeightUnit.M, Reference(w84)),
    )
    b_band = FiledBand(
        Height(float(lo_b), HeightUnit.M, Reference(other)),
        Height(float(lo_b + depth_b), HeightUnit.M, Reference(other)),
    )
    a, b = resolved(a_band), resolved(b_band)
    if a is None or b is None:
        return
    found, _ = verdict(a, b, vertical_m)
    (lon0, lat0), radius_deg = OUTLINE.center, 5_000.0 / 111_000.0 * 0.7
    for u, v, e in spots:
        n = float(geoid.undulation_m(lat0 + v * radius_deg, lon0 + u * radius_deg))
        n += e * geoid.UNDULATION_ERROR_M

        def amsl(band: FiledBand, side: str, n: float = n) -> float:
            limit = getattr(band, side)
            return limit.value - n if limit.reference is Reference.W84 else limit.value

        gap = max(0.0, amsl(b_band, "lower") - amsl(a_band, "upper"),
                  amsl(a_band, "lower") - amsl(b_band, "upper"))  # fmt: skip
        if gap < vertical_m:
            assert found


def test_a_flight_level_band_above_an_amsl_one_conflicts_only_through_the_qnh_range() -> None:
    """R-HEIGHT-3: FL100–FL120 and 4000–4500 m AMSL are 342 m apart at standard QNH (more than
    the 304.8 m separation) but 41 m apart at QNH 1050: a conflict with its datum margin.
    Two flight-level bands 335 m apart are no conflict, though their spans overlap."""
    fl = resolved(FiledBand(Height(100, HeightUnit.FL, Reference.STD),
                            Height(120, HeightUnit.FL, Reference.STD)))  # fmt: skip
    metres = resolved(FiledBand(Height(4000, HeightUnit.M, Reference.AMSL),
                                Height(4500, HeightUnit.M, Reference.AMSL)))  # fmt: skip
    higher_fl = resolved(FiledBand(Height(131, HeightUnit.FL, Reference.STD),
                                   Height(140, HeightUnit.FL, Reference.STD)))  # fmt: skip
    assert fl is not None and metres is not None and higher_fl is not None
    found, margin = verdict(fl, metres, 304.8)
    assert found and margin is not None and abs(margin - (4000 - 120 * 30.48)) < 1e-6
    assert verdict(fl, higher_fl, 304.8) == (False, None)
    assert fl.altitude.upper_m > higher_fl.altitude.lower_m  # the spans overlap
