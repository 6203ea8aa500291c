"""Heights with their datums: the band as filed, and the conservative AMSL interval it spans.

A limit of an altitude band is a value, a unit (``m``, ``ft``, ``FL``) and a vertical reference:

* ``AMSL``, above mean sea level (the default for ``m`` and ``ft``), exact;
* ``STD``, pressure altitude on the standard setting (what ``FL`` implies, and only ``FL``):
  where it lies above sea level depends on the sea-level pressure (QNH);
* ``AGL``, above ground level: depends on the terrain below;
* ``W84``, above the WGS84 ellipsoid: depends on the geoid undulation (``geo/geoid.py``);

or ``SFC`` (the surface, a lower limit: 0 m AGL) or ``UNL`` (unlimited, an upper limit).

Each limit spans an interval of heights above mean sea level under the mechanism's `Datums`:

* ``STD``: every QNH in ``qnh_hpa``, through the ICAO standard atmosphere, and both ways an
  aircraft can hold a height there: on an altimeter set to QNH (it reads PA − PA(QNH), the
  way QNH-flown AMSL heights are held) or geometrically (GNSS) in a standard-temperature
  atmosphere whose sea-level pressure is QNH; the hull of both. Temperature deviation from the
  standard atmosphere is not modelled (it moves altimeter-flown heights of either kind alike).
* ``AGL``: terrain anywhere in ``terrain_m`` (required: an AGL limit without it is refused).
* ``SFC``: the lowest terrain (``MIN_ALT_M`` when the mechanism declares no terrain bounds).
* ``W84``: h − N, N the undulation anywhere under the volume's outline ± the geoid's error
  bound (``geo.geoid.UNDULATION_ERROR_M``).
* ``UNL``: ``MAX_ALT_M``.

Its *nominal* height is the one at the standard QNH (1013.25 hPa, or the nearest end of the
range), mid terrain, and the undulation at the outline's centre.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sharedsky.domain.errors import FieldPath, InvalidVolume
from sharedsky.geo import geoid
from sharedsky.geo.outlines import Outline, outline_bbox, outline_centre
from sharedsky.units import FL_M, FT_M

MIN_ALT_M = -500.0
"""Lowest altitude accepted, metres AMSL (the Dead Sea shore is at about -430 m)."""
MAX_ALT_M = 100_000.0
"""Highest altitude accepted, metres AMSL."""
MAX_FLIGHT_LEVEL = 999.0
"""Highest flight level accepted (three digits, as NOTAMs write them)."""
STANDARD_QNH_HPA = 1013.25
"""Sea-level pressure of the ICAO standard atmosphere, hPa."""


class HeightUnit(StrEnum):
    """The unit a height was given in."""

    M = "m"
    FT = "ft"
    FL = "FL"
    """Flight level: hundreds of feet of pressure altitude."""


class Reference(StrEnum):
    """The vertical reference of a height."""

    AMSL = "AMSL"
    AGL = "AGL"
    W84 = "W84"
    STD = "STD"


class Special(StrEnum):
    """A limit given by name instead of a value."""

    SFC = "SFC"
    """The surface (a lower limit)."""
    UNL = "UNL"
    """Unlimited (an upper limit)."""


@dataclass(frozen=True, slots=True)
class Height:
    """A value in ``unit`` above ``reference`` (STD exactly when the unit is FL)."""

    value: float
    unit: HeightUnit
    reference: Reference

    @property
    def metres(self) -> float:
        """The value in metres above its own reference (a flight level: metres of pressure
        altitude, FL 100 = 3048 m)."""
        if self.unit is HeightUnit.FL:
            return self.value * FL_M
        if self.unit is HeightUnit.FT:
            return self.value * FT_M
        return self.value

    def __str__(self) -> str:
        if self.unit is HeightUnit.FL:
            return f"FL{self.value:03g}"
        return f"{self.value:g} {self.unit} {self.reference}"


Limit = Height | Special
"""One limit of a band: a height, or SFC / UNL."""


@dataclass(frozen=True, slots=True)
class FiledBand:
    """An altitude band as its filer gave it."""

    lower: Limit
    upper: Limit


@dataclass(frozen=True, slots=True)
class Datums:
    """The mechanism's bounds on what relates the references to mean sea level."""

    qnh_min_hpa: float = 950.0
    qnh_max_hpa: float = 1050.0
    terrain_min_m: float | None = None
    """Lowest terrain of the area, metres AMSL; None: the mechanism declares none (then no AGL
    limit is accepted)."""
    terrain_max_m: float | None = None
    """Highest terrain of the area, metres AMSL (with ``terrain_min_m``)."""

    @property
    def has_terrain(self) -> bool:
        """True when the mechanism declares terrain bounds."""
        return self.terrain_min_m is not None and self.terrain_max_m is not None


# ── the standard atmosphere ─────────────────────────────────────────────────────────────────
# ICAO Doc 7488: T0 = 288.15 K, P0 = 1013.25 hPa, g0 = 9.80665 m/s², R = 287.05287 J/(kg·K);
# layers by geopotential height with their lapse rates (K/m). Heights are geopotential metres,
# which is what an altimeter shows.

_T0_K = 288.15
_G0 = 9.80665
_R = 287.05287
_LAYERS: tuple[tuple[float, float], ...] = ((0.0, -0.0065), (11_000.0, 0.0), (20_000.0, 0.001))
"""(base height m, lapse K/m) of the troposphere, tropopause and lower stratosphere; valid
up to 32 km (FL 1049)."""


def _layer_bases(sea_level_hpa: float) -> list[tuple[float, float, float, float]]:
    """(base height m, base temperature K, base pressure hPa, lapse K/m) of each layer in a
    standard-temperature atmosphere whose sea-level pressure is ``sea_level_hpa``."""
    bases = []
    temp, pressure = _T0_K, sea_level_hpa
    for index, (base, lapse) in enumerate(_LAYERS):
        layer = (base, temp, pressure, lapse)
        bases.append(layer)
        if index + 1 < len(_LAYERS):
            top = _LAYERS[index + 1][0]
            pressure = _pressure_after(layer, top)
            temp += lapse * (top - base)
    return bases


def _pressure_after(layer: tuple[float, float, float, float], height_m: float) -> float:
    base, temp, pressure, lapse = layer
    dh = height_m - base
    if lapse == 0.0:
        return pressure * math.exp(-_G0 * dh / (_R * temp))
    return pressure * float((1.0 + lapse * dh / temp) ** (-_G0 / (_R * lapse)))


def isa_pressure_hpa(height_m: float, sea_level_hpa: float = STANDARD_QNH_HPA) -> float:
    """Pressure in hPa at geopotential ``height_m`` of the standard-temperature atmosphere
    whose sea-level pressure is ``sea_level_hpa``.

    >>> round(isa_pressure_hpa(3048.0), 2)
    696.82
    """
    bases = _layer_bases(sea_level_hpa)
    layer = next(b for b in reversed(bases) if height_m >= b[0]) if height_m >= 0 else bases[0]
    return _pressure_after(layer, height_m)


def isa_height_m(pressure_hpa: float, sea_level_hpa: float = STANDARD_QNH_HPA) -> float:
    """Geopotential height in metres where that atmosphere has ``pressure_hpa``; with the
    standard sea-level pressure, the pressure altitude of ``pressure_hpa``.

    >>> round(isa_height_m(696.82), 1)
    3048.0
    """
    bases = _layer_bases(sea_level_hpa)
    layer = next((b for b in reversed(bases) if pressure_hpa <= b[2]), bases[0])
    base, temp, pressure, lapse = layer
    if lapse == 0.0:
        return base + _R * temp / _G0 * math.log(pressure / pressure_hpa)
    return base + temp / lapse * (float((pressure_hpa / pressure) ** (-_R * lapse / _G0)) - 1.0)


def altimeter_height_m(pressure_altitude_m: float, qnh_hpa: float) -> float:
    """Height in metres AMSL that an altimeter set to ``qnh_hpa`` reads at a pressure altitude.

    >>> altimeter_height_m(3048.0, 1013.25)
    3048.0
    """
    return pressure_altitude_m - isa_height_m(qnh_hpa)


def geometric_height_m(pressure_altitude_m: float, qnh_hpa: float) -> float:
    """True height in metres AMSL of a pressure altitude in a standard-temperature atmosphere
    whose sea-level pressure is ``qnh_hpa``."""
    return isa_height_m(isa_pressure_hpa(pressure_altitude_m), qnh_hpa)


def pressure_altitude_span_m(pressure_altitude_m: float, datums: Datums) -> tuple[float, float]:
    """(lowest, highest) height in metres AMSL of a pressure altitude over the QNH range, on
    an altimeter or geometrically (both rise with QNH, so the range's ends bound them)."""
    heights = [
        model(pressure_altitude_m, qnh)
        for qnh in (datums.qnh_min_hpa, datums.qnh_max_hpa)
        for model in (altimeter_height_m, geometric_height_m)
    ]
    return min(heights), max(heights)


# ── limits as AMSL spans ────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class LimitSpan:
    """A limit's heights: exact on its own reference, and its AMSL interval and nominal value.

    Two limits on the same ``reference`` compare exactly (``exact_m``); others compare through
    their AMSL intervals.
    """

    reference: str
    """``AMSL``, ``STD``, ``AGL`` (SFC too), ``W84`` or ``UNL``."""
    exact_m: float
    """Metres above ``reference`` (pressure altitude for STD, 0 for SFC)."""
    low_m: float
    """Lowest height AMSL it may be, metres."""
    high_m: float
    """Highest height AMSL it may be, metres."""
    nominal_m: float
    """Its height AMSL at the nominal datums, metres."""


def plain_span(alt_m: float) -> LimitSpan:
    """The span of a limit in metres AMSL (exact)."""
    return LimitSpan(Reference.AMSL, alt_m, alt_m, alt_m, alt_m)


def nominal_qnh_hpa(datums: Datums) -> float:
    """The standard QNH, or the nearest end of the mechanism's range."""
    return min(max(STANDARD_QNH_HPA, datums.qnh_min_hpa), datums.qnh_max_hpa)


def _special_span(limit: Special, datums: Datums) -> LimitSpan:
    """UNL at the ceiling; SFC at 0 m AGL, spanning the terrain (the floor without it)."""
    if limit is Special.UNL:
        return LimitSpan("UNL", MAX_ALT_M, MAX_ALT_M, MAX_ALT_M, MAX_ALT_M)
    if datums.terrain_min_m is None or datums.terrain_max_m is None:
        return LimitSpan(Reference.AGL, 0.0, MIN_ALT_M, MIN_ALT_M, MIN_ALT_M)
    mid = (datums.terrain_min_m + datums.terrain_max_m) / 2.0
    return LimitSpan(Reference.AGL, 0.0, datums.terrain_min_m, datums.terrain_max_m, mid)


def limit_span(limit: Limit, datums: Datums, outline: Outline, path: FieldPath) -> LimitSpan:
    """The span of one limit under ``datums`` over ``outline``; InvalidVolume (at ``path``)
    for an AGL limit when the mechanism declares no terrain bounds."""
    if isinstance(limit, Special):
        return _special_span(limit, datums)
    metres = limit.metres
    if limit.reference is Reference.AMSL:
        return plain_span(metres)
    if limit.reference is Reference.STD:
        low, high = pressure_altitude_span_m(metres, datums)
        nominal = altimeter_height_m(metres, nominal_qnh_hpa(datums))
        return LimitSpan(Reference.STD, metres, low, high, nominal)
    if limit.reference is Reference.AGL:
        if datums.terrain_min_m is None or datums.terrain_max_m is None:
            raise InvalidVolume(
                "an AGL height needs the mechanism's terrain bounds (terrain_m: {min, max} in "
                "the mechanism file), and this mechanism declares none: give the height AMSL",
                path,
            )
        mid = (datums.terrain_min_m + datums.terrain_max_m) / 2.0
        return LimitSpan(
            Reference.AGL,
            metres,
            metres + datums.terrain_min_m,
            metres + datums.terrain_max_m,
            metres + mid,
        )
    low_n, high_n = geoid.undulation_range_m(*outline_bbox(outline))
    lon, lat = outline_centre(outline)
    centre_n = float(geoid.undulation_m(lat, lon))
    error = geoid.UNDULATION_ERROR_M
    return LimitSpan(
        Reference.W84, metres, metres - high_n - error, metres + error - low_n, metres - centre_n
    )


# ── the JSON form (ledger payloads, stored rows) ───────────────────────────────────────────


def limit_form(limit: Limit) -> dict[str, object]:
    """A limit's JSON form: ``{"special": ...}`` or ``{"value", "unit", "reference"}``."""
    if isinstance(limit, Special):
        return {"special": str(limit)}
    return {"value": limit.value, "unit": str(limit.unit), "reference": str(limit.reference)}


def limit_of(form: Mapping[str, Any]) -> Limit:
    """The limit of ``limit_form`` (a whole value read back as an integer becomes a float)."""
    if "special" in form:
        return Special(form["special"])
    return Height(float(form["value"]), HeightUnit(form["unit"]), Reference(form["reference"]))


def band_form(band: FiledBand) -> dict[str, object]:
    """A filed band's JSON form."""
    return {"lower": limit_form(band.lower), "upper": limit_form(band.upper)}


def band_of(form: Mapping[str, Any]) -> FiledBand:
    """The filed band of ``band_form``."""
    return FiledBand(limit_of(form["lower"]), limit_of(form["upper"]))
