"""Heights in and out of the exchange formats: the one place a file's height (a value with its
unit and vertical reference) becomes a limit of sharedsky's band, and a band becomes what a
format writes.

In, a file's height is kept as filed (R-HEIGHT-1): its unit (``m``, ``ft``, ``FL``) and its
reference (``AMSL``/``MSL``, ``AGL``, ``W84``/``WGS84``, ``STD``) become the wire's
``{"value", "unit", "reference"}``, never metres AMSL read blindly; a height in feet or metres
on ``STD`` (pressure altitude) is the flight level it names; ``SFC`` and ``UNL`` stay named. A
band of two limits in metres AMSL is the wire's plain ``{"lower_m", "upper_m"}``. The server
then resolves the band as it resolves any filing (an AGL limit needs the mechanism's terrain
bounds: without them the feature is refused, by index). Out, a band filed on its datums is
written as filed beside its conservative AMSL interval, and ellipsoid heights come from the
geoid (``geo/geoid.py``), except a limit filed on the ellipsoid, which is written as filed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from sharedsky.geo.geoid import UNDULATION_ERROR_M, undulation_range_m
from sharedsky.units import FL_M, FT_M
from sharedsky.wire import v1

_UNIT_M = {"m": 1.0, "ft": FT_M}
_UNITS = {"m": "m", "ft": "ft", "fl": "FL"}
_REFERENCES = {
    "": "",
    "AMSL": "AMSL",
    "MSL": "AMSL",
    "AGL": "AGL",
    "W84": "W84",
    "WGS84": "W84",
    "STD": "STD",
}
"""A file's vertical reference → the wire's (``""``: none given, the unit's default)."""


class HeightError(ValueError):
    """A height that cannot be a limit of a band: the message says why."""


@dataclass(frozen=True, slots=True)
class Height:
    """One height as a file gives it."""

    value: float
    unit: str
    """``m``, ``ft`` or ``FL`` (any case)."""
    reference: str
    """``AMSL`` (``MSL``), ``AGL``, ``W84`` (``WGS84``) or ``STD`` (any case); empty: AMSL
    for metres and feet, STD for a flight level (as the wire defaults them)."""


@dataclass(frozen=True, slots=True)
class Named:
    """A limit a file gives by name: the surface or unlimited."""

    special: Literal["SFC", "UNL"]


SFC = Named("SFC")
"""The surface (a lower limit)."""
UNL = Named("UNL")
"""Unlimited (an upper limit)."""

FileLimit = Height | Named
"""One limit of a band as a file gives it."""


def limit_from(limit: FileLimit) -> dict[str, object]:
    """The wire limit of a file's limit, as filed: ``{"special"}`` for SFC and UNL, else
    ``{"value", "unit", "reference"}`` (feet or metres on STD become their flight level);
    HeightError for an unknown unit or reference, a flight level on another reference, or a
    value that is not a finite number."""
    if isinstance(limit, Named):
        return {"special": limit.special}
    unit = _UNITS.get(limit.unit.strip().lower())
    if unit is None:
        raise HeightError(f"height unit {limit.unit!r} is not one of m, ft, FL")
    reference = _REFERENCES.get(limit.reference.strip().upper())
    if reference is None:
        raise HeightError(
            f"height reference {limit.reference!r} is not one of AMSL, AGL, W84 (WGS84), STD"
        )
    if not math.isfinite(limit.value):
        raise HeightError(f"height {limit.value} is not a finite number")
    if unit == "FL" or reference == "STD":
        if reference not in ("", "STD"):
            raise HeightError(f"a flight level is on the standard setting (STD), not {reference}")
        level = {"FL": limit.value, "ft": limit.value / 100.0, "m": limit.value / FL_M}[unit]
        return {"value": level, "unit": "FL", "reference": "STD"}
    return {"value": limit.value, "unit": unit, "reference": reference or "AMSL"}


def _plain_m(limit: dict[str, object]) -> bool:
    return limit.get("unit") == "m" and limit.get("reference") == "AMSL"


def band_from(lower: FileLimit, upper: FileLimit) -> dict[str, object]:
    """The wire altitude of a file's lower and upper limit, as filed: ``{"lower_m",
    "upper_m"}`` when both are metres AMSL, else ``{"lower", "upper"}``; HeightError naming
    the limit that cannot be read. A lower limit of 0 above ground level is the surface,
    ``SFC`` (as ED-269 and ED-318 write it): it needs no terrain bounds."""
    limits: dict[str, dict[str, object]] = {}
    for name, limit in (("lower", lower), ("upper", upper)):
        try:
            limits[name] = limit_from(limit)
        except HeightError as exc:
            raise HeightError(f"{name} limit: {exc}") from exc
    low, high = limits["lower"], limits["upper"]
    if low.get("reference") == "AGL" and low.get("value") == 0.0:
        low = {"special": "SFC"}
    if _plain_m(low) and _plain_m(high):
        return {"lower_m": low["value"], "upper_m": high["value"]}
    return {"lower": low, "upper": high}


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


def band_text(altitude: Band) -> str:
    """The band as filed, for a person: ``3000–9000 m AMSL``, ``FL100–FL120``, ``SFC–500 ft
    AGL``."""
    if isinstance(altitude, v1.Altitude):
        return f"{altitude.lower_m:g}–{altitude.upper_m:g} m AMSL"
    return f"{altitude.lower.text()}–{altitude.upper.text()}"


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
    (min_lon, min_lat, max_lon, max_lat): a limit filed on the ellipsoid (W84) as filed, in
    metres; any other, its end of the AMSL interval widened by the lowest or highest geoid
    undulation in the box and the geoid model's error bound (``geo/geoid.py``), so a reader
    comparing ellipsoid heights never finds the volume smaller than it is."""
    lower_m, upper_m = amsl_interval(altitude)
    low_n, high_n = undulation_range_m(*box)
    lower_m, upper_m = lower_m + low_n - UNDULATION_ERROR_M, upper_m + high_n + UNDULATION_ERROR_M
    if isinstance(altitude, v1.FiledAltitude):
        lower_m = _w84_m(altitude.lower, lower_m)
        upper_m = _w84_m(altitude.upper, upper_m)
    return lower_m, upper_m


def _w84_m(limit: v1.HeightLimit | v1.SpecialLimit, otherwise_m: float) -> float:
    """A limit filed on the ellipsoid in metres, else ``otherwise_m``."""
    if isinstance(limit, v1.HeightLimit) and limit.reference == "W84":
        return limit.value * _UNIT_M[limit.unit]
    return otherwise_m


_OPTION = re.compile(
    r"^\s*(?:(?P<special>SFC|UNL)|FL\s*(?P<level>\d+(?:\.\d+)?)|(?P<value>[-+]?\d+(?:\.\d+)?)"
    r"\s*(?P<unit>m|ft)?\s*(?P<reference>AMSL|MSL|AGL|W84|WGS84)?)\s*$",
    re.IGNORECASE,
)


def height_option(text: str) -> FileLimit:
    """A limit given as an option: ``3000`` or ``3000m`` (metres AMSL), ``9000ft`` (feet
    AMSL), ``FL120`` (a flight level), a height with its reference (``500ftAGL``,
    ``1200mW84``), ``SFC`` or ``UNL``; HeightError for anything else.

    >>> height_option("500ft AGL")
    Height(value=500.0, unit='ft', reference='AGL')
    """
    found = _OPTION.match(text)
    if found is None:
        raise HeightError(
            f"{text!r} is no height: give metres (3000), feet (9000ft), FL120, a height with"
            " its reference (500ftAGL, 1200mW84), SFC or UNL"
        )
    if found["special"]:
        return SFC if found["special"].upper() == "SFC" else UNL
    if found["level"]:
        return Height(float(found["level"]), "FL", "STD")
    unit = (found["unit"] or "m").lower()
    return Height(float(found["value"]), unit, (found["reference"] or "AMSL").upper())
