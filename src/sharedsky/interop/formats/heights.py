"""Heights in and out of the exchange formats: the one place a file's height (a value with its
unit and vertical reference) becomes sharedsky's band, and a band becomes what a format writes.

A file's height is read only when it says AMSL (or MSL) in metres or feet; a flight level
(pressure altitude, STD), a height above ground (AGL) or above the WGS84 ellipsoid (W84) is
refused per feature: never read as metres AMSL. Out, a band filed on its datums (R-HEIGHT-1)
is written as filed beside its conservative AMSL interval, and ellipsoid heights come from the
geoid (``geo/geoid.py``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sharedsky.geo.geoid import UNDULATION_ERROR_M, undulation_range_m
from sharedsky.units import FT_M
from sharedsky.wire import v1

_AMSL = frozenset({"AMSL", "MSL"})
_UNIT_M = {"m": 1.0, "ft": FT_M}


class HeightError(ValueError):
    """A height that cannot become metres AMSL (yet): the message says why."""


@dataclass(frozen=True, slots=True)
class Height:
    """One height as a file gives it."""

    value: float
    unit: str
    """``m``, ``ft`` or ``FL`` (any case)."""
    reference: str
    """``AMSL`` (``MSL``), ``AGL``, ``W84`` (``WGS84``) or ``STD`` (any case)."""


def amsl_m(height: Height) -> float:
    """``height`` in metres above mean sea level; HeightError for a flight level, another
    reference, an unknown unit or a value that is not a finite number."""
    unit = height.unit.strip().lower()
    reference = height.reference.strip().upper()
    if unit == "fl" or reference in ("STD", "FL"):
        raise HeightError("height reference STD (a flight level) is not supported yet")
    if reference == "WGS84":
        reference = "W84"
    if reference not in _AMSL:
        raise HeightError(f"height reference {reference or '(none)'} is not supported yet")
    if unit not in _UNIT_M:
        raise HeightError(f"height unit {height.unit!r} is not one of m, ft, FL")
    if not math.isfinite(height.value):
        raise HeightError(f"height {height.value} is not a finite number")
    return height.value * _UNIT_M[unit]


def band_from(lower: Height, upper: Height) -> dict[str, object]:
    """The wire altitude (``{"lower_m", "upper_m"}``) of a file's lower and upper height;
    HeightError naming the limit when one cannot be converted."""
    # datum: a file's FL, AGL and W84 heights are still refused per feature here; the wire
    # takes them as filed now (R-HEIGHT-1), and reading them as filed limits comes next
    band: dict[str, object] = {}
    for name, height in (("lower", lower), ("upper", upper)):
        try:
            band[f"{name}_m"] = amsl_m(height)
        except HeightError as exc:
            raise HeightError(f"{name} limit: {exc}") from exc
    return band


Band = v1.Altitude | v1.FiledAltitude


def amsl_interval(altitude: Band) -> tuple[float, float]:
    """(lower_m, upper_m) above mean sea level of a band as the wire shows it: what a format
    that writes AMSL metres writes (a band filed on other datums: the conservative interval
    the server answers beside it)."""
    if isinstance(altitude, v1.Altitude):
        return altitude.lower_m, altitude.upper_m
    if altitude.amsl_m is None:
        raise ValueError("a band filed on other datums without its AMSL interval")
    return altitude.amsl_m.lower_m, altitude.amsl_m.upper_m


def _limit_text(limit: v1.HeightLimit | v1.SpecialLimit) -> str:
    if isinstance(limit, v1.SpecialLimit):
        return limit.special
    if limit.unit == "FL":
        return f"FL{limit.value:03.0f}"
    return f"{limit.value:g} {limit.unit} {limit.reference or 'AMSL'}"


def band_text(altitude: Band) -> str:
    """The band as filed, for a person: ``3000–9000 m AMSL``, ``FL100–FL120``, ``SFC–500 ft
    AGL``."""
    if isinstance(altitude, v1.Altitude):
        return f"{altitude.lower_m:g}–{altitude.upper_m:g} m AMSL"
    return f"{_limit_text(altitude.lower)}–{_limit_text(altitude.upper)}"


def band_fields(altitude: Band) -> dict[str, object]:
    """A band for a format's properties: ``altitude`` as filed (the wire form) and ``amsl_m``,
    the interval in metres AMSL that detection compares."""
    lower_m, upper_m = amsl_interval(altitude)
    return {
        "altitude": altitude.model_dump(mode="json"),
        "amsl_m": {"lower_m": lower_m, "upper_m": upper_m},
    }


def w84_interval(altitude: Band, box: tuple[float, float, float, float]) -> tuple[float, float]:
    """(lower_m, upper_m) above the WGS84 ellipsoid that surely holds the band over ``box``
    (min_lon, min_lat, max_lon, max_lat): its AMSL interval widened by the lowest and highest
    geoid undulation in the box and the geoid model's error bound (``geo/geoid.py``), so a
    reader comparing ellipsoid heights never finds the volume smaller than it is."""
    lower_m, upper_m = amsl_interval(altitude)
    low_n, high_n = undulation_range_m(*box)
    return lower_m + low_n - UNDULATION_ERROR_M, upper_m + high_n + UNDULATION_ERROR_M


_OPTION = re.compile(r"^\s*(FL)?\s*([-+]?\d+(?:\.\d+)?)\s*(m|ft)?\s*$", re.IGNORECASE)


def height_option(text: str) -> Height:
    """A height given as an option: ``3000`` or ``3000m`` (metres AMSL), ``9000ft`` (feet
    AMSL) or ``FL120`` (a flight level); HeightError for anything else."""
    found = _OPTION.match(text)
    if found is None:
        raise HeightError(f"{text!r} is no height: give metres (3000), feet (9000ft) or FL120")
    if found.group(1):
        return Height(float(found.group(2)), "FL", "STD")
    return Height(float(found.group(2)), (found.group(3) or "m").lower(), "AMSL")
