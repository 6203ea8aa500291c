"""Heights in and out of the exchange formats: the one place a file's height (a value with its
unit and vertical reference) becomes sharedsky's band, and a band becomes what a format writes.

Today a band is metres above mean sea level; a file's height is accepted only when it says
AMSL (or MSL) in metres or feet. A flight level (pressure altitude, STD), a height above ground
(AGL) or above the WGS84 ellipsoid (W84) is refused per feature: never read as metres AMSL.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sharedsky.units import FT_M
from sharedsky.wire import v1

EGM96_MIN_M = -107.0
"""The lowest EGM96 geoid undulation anywhere (about -106.99 m, south of India), metres."""
EGM96_MAX_M = 86.0
"""The highest EGM96 geoid undulation anywhere (about +85.83 m, New Guinea), metres."""

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


def band_from(lower: Height, upper: Height) -> dict[str, float]:
    """The wire altitude (``{"lower_m", "upper_m"}``) of a file's lower and upper height;
    HeightError naming the limit when one cannot be converted."""
    band = {}
    for name, height in (("lower", lower), ("upper", upper)):
        try:
            band[f"{name}_m"] = amsl_m(height)
        except HeightError as exc:
            raise HeightError(f"{name} limit: {exc}") from exc
    return band


def amsl_interval(altitude: v1.Altitude) -> tuple[float, float]:
    """(lower_m, upper_m) above mean sea level of a band as the wire shows it: what a format
    that writes AMSL metres writes."""
    return altitude.lower_m, altitude.upper_m


def band_fields(altitude: v1.Altitude) -> dict[str, object]:
    """A band for a format's properties: ``altitude`` as filed (the wire form) and ``amsl_m``,
    the interval in metres AMSL that detection compares."""
    lower_m, upper_m = amsl_interval(altitude)
    return {
        "altitude": altitude.model_dump(mode="json"),
        "amsl_m": {"lower_m": lower_m, "upper_m": upper_m},
    }


def w84_interval(altitude: v1.Altitude, lon_deg: float, lat_deg: float) -> tuple[float, float]:
    """(lower_m, upper_m) above the WGS84 ellipsoid that surely holds the band at (lon_deg,
    lat_deg): its AMSL interval widened by the whole range of the geoid's undulation, so a
    reader comparing ellipsoid heights never finds the volume smaller than it is."""
    # datum: use geo/geoid.undulation_m when it lands (then lon_deg, lat_deg give the exact
    # undulation and the widening shrinks to the geoid model's own error)
    lower_m, upper_m = amsl_interval(altitude)
    return lower_m + EGM96_MIN_M, upper_m + EGM96_MAX_M


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
