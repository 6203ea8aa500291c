"""Aircraft states read from the field's feeds (ASTERIX, readsb, OpenSky), each altitude kept
with its vertical reference until the state is posted.

A feed reports heights on different datums, and they are not interchangeable:

* a **flight level** is a pressure altitude: the height at which the International Standard
  Atmosphere has the pressure the aircraft measures (FL 250 = 25,000 ft of ISA, standard
  setting 1013.25 hPa). It equals the altitude above mean sea level only when the sea-level
  pressure is standard; at a QNH of 950 hPa an aircraft at FL 100 is about 530 m lower.
* a **barometric altitude corrected to QNH** is close to the altitude above mean sea level.
* a **geometric altitude** (GNSS) is a height above the WGS84 ellipsoid, which differs from
  mean sea level by the geoid undulation (tens of metres, by place).

`FeedState` keeps each one it was given; `FeedState.height` picks the one to post, and
`FeedState.to_wire` posts it with its datum (``alt_ref`` of ``POST /v1/tracks``: STD, AMSL or
W84), which the server keeps into the tactical engine: two altitudes on one datum are compared
exactly, a pressure altitude against a geometric one over the mechanism's QNH range, and a W84
height is brought to mean sea level through the geoid. `DatumCounts` counts the datums posted.

When a feed gives several, the **pressure altitude** is posted (then the barometric altitude on
QNH, then the geometric one): every transponder reports it (Mode C/S, ADS-B ``alt_baro``,
ASTERIX I062/136, I021/145), aircraft hold their flight levels and are separated by it (the
vertical minima are minima between pressure altitudes), and tracks on one datum compare
exactly, so preferring the datum that most of any picture is on leaves the fewest pairs to the
QNH widening. A geometric altitude is posted only for an aircraft that reports no pressure
altitude (a GNSS-only drone, a tracker giving I062/130 alone).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sharedsky.domain.tracks import is_callsign
from sharedsky.units import FL_M

MIN_ALT_M = -500.0
"""The lowest ``alt_m`` that ``POST /v1/tracks`` accepts (wire/v1/tracks.py)."""
MAX_ALT_M = 30_000.0
MAX_GS_MPS = 1_000.0
MAX_VS_MPS = 200.0
MAX_ID_CHARS = 32


class AltitudeDatum(enum.StrEnum):
    """The vertical reference of a height, in the words of ED-269/ED-318 and ICAO."""

    W84 = "W84"
    """Geometric: above the WGS84 ellipsoid (GNSS)."""
    AMSL = "AMSL"
    """Barometric, corrected to the local QNH: above mean sea level."""
    STD = "STD"
    """Pressure altitude on the standard setting (1013.25 hPa): a flight level."""


def flight_level_m(flight_level: float) -> float:
    """The pressure altitude of a flight level, metres of the standard atmosphere
    (FL 1 = 100 ft = 30.48 m).

    >>> flight_level_m(250)
    7620.0
    """
    return flight_level * FL_M


@dataclass(frozen=True, slots=True)
class Height:
    """One height and its vertical reference."""

    alt_m: float
    datum: AltitudeDatum


class FeedStateError(ValueError):
    """A state that ``POST /v1/tracks`` would refuse (a value out of its range)."""


@dataclass(frozen=True, slots=True)
class FeedState:
    """The state of one aircraft at one moment, as a feed reported it, in SI units.

    Construction checks every value against the ranges of ``POST /v1/tracks`` and raises
    `FeedStateError` otherwise, so that one bad record never makes a whole batch refused.
    """

    id: str
    """The ICAO 24-bit address in upper-case hex when the feed gives one, else an id the reader
    makes from the feed's own track number (at most 32 characters)."""
    time: datetime
    """When the position was valid, aware (UTC)."""
    lat_deg: float
    lon_deg: float
    gs_mps: float
    trk_deg: float
    """Track angle over the ground, degrees clockwise from true north, in [0, 360)."""
    vs_mps: float = 0.0
    """Vertical rate, m/s, positive up (0 when the feed gave none)."""
    geometric_alt_m: float | None = None
    """Height above the WGS84 ellipsoid, metres (`AltitudeDatum.W84`)."""
    qnh_alt_m: float | None = None
    """Barometric altitude corrected to QNH, metres above mean sea level
    (`AltitudeDatum.AMSL`)."""
    pressure_alt_m: float | None = None
    """Pressure altitude, metres of the standard atmosphere (`AltitudeDatum.STD`): a flight
    level × 30.48."""
    callsign: str | None = None
    """What the aircraft identifies itself as (ADS-B identification, a tracker's target
    identification), trimmed; None when the feed gave none (`callsign_of`)."""

    def __post_init__(self) -> None:
        if not 1 <= len(self.id) <= MAX_ID_CHARS:
            raise FeedStateError(f"id {self.id[:40]!r} is not 1 to {MAX_ID_CHARS} characters")
        if self.time.tzinfo is None:
            raise FeedStateError("time has no zone")
        _check("latitude", self.lat_deg, -90.0, 90.0)
        _check("longitude", self.lon_deg, -180.0, 180.0)
        _check("ground speed", self.gs_mps, 0.0, MAX_GS_MPS)
        _check("track angle", self.trk_deg, 0.0, math.nextafter(360.0, 0.0))
        _check("vertical rate", self.vs_mps, -MAX_VS_MPS, MAX_VS_MPS)
        heights = (self.geometric_alt_m, self.qnh_alt_m, self.pressure_alt_m)
        if all(h is None for h in heights):
            raise FeedStateError("no altitude")
        for name, value in zip(("geometric", "QNH", "pressure"), heights, strict=True):
            if value is not None:
                _check(f"{name} altitude", value, MIN_ALT_M, MAX_ALT_M)

    @property
    def height(self) -> Height:
        """The altitude to post: the pressure altitude when known, else barometric on QNH,
        else geometric (the module docstring says why)."""
        if self.pressure_alt_m is not None:
            return Height(self.pressure_alt_m, AltitudeDatum.STD)
        if self.qnh_alt_m is not None:
            return Height(self.qnh_alt_m, AltitudeDatum.AMSL)
        assert self.geometric_alt_m is not None  # __post_init__ requires one of the three
        return Height(self.geometric_alt_m, AltitudeDatum.W84)

    def to_wire(self, notice_id: str | None = None) -> dict[str, object]:
        """The state as one element of the ``tracks`` list of ``POST /v1/tracks``: `height`
        as ``alt_m`` with its datum as ``alt_ref``, and the ``callsign`` when the wire takes
        it (`callsign_of`)."""
        height = self.height
        return {
            "id": self.id,
            "time": iso_time(self.time),
            "lat": self.lat_deg,
            "lon": self.lon_deg,
            "alt_m": height.alt_m,
            "alt_ref": str(height.datum),
            "gs_mps": self.gs_mps,
            "trk_deg": self.trk_deg,
            "vs_mps": self.vs_mps,
            "notice_id": notice_id,
            "callsign": callsign_of(self.callsign),
        }


def callsign_of(field_value: object) -> str | None:
    """A feed's callsign field as ``POST /v1/tracks`` takes it: trimmed (readsb pads
    ``flight`` to eight characters, ASTERIX and SBS-1 too), None when it is not text, blank,
    or not a callsign the wire accepts (``domain.tracks.is_callsign``: an ADS-B receiver
    writes ``@`` for characters it lost), so one bad field never costs a state.

    >>> callsign_of("ALP123  "), callsign_of("        "), callsign_of("AL@@@@@@"), callsign_of(7)
    ('ALP123', None, None, None)
    """
    if not isinstance(field_value, str):
        return None
    text = field_value.strip()
    return text if text and is_callsign(text) else None


@dataclass(slots=True)
class DatumCounts:
    """How many states had their `FeedState.height` on each datum."""

    counts: dict[AltitudeDatum, int] = field(default_factory=dict)

    def add(self, state: FeedState) -> None:
        """Count ``state``'s posted datum."""
        datum = state.height.datum
        self.counts[datum] = self.counts.get(datum, 0) + 1

    def text(self, what: str = "altitudes posted") -> str:
        """``what: 12 flight levels (STD), 3 geometric (W84 ellipsoid)``, or an empty string
        when nothing was counted."""
        words = {
            AltitudeDatum.W84: "geometric (W84 ellipsoid)",
            AltitudeDatum.AMSL: "barometric on QNH (AMSL)",
            AltitudeDatum.STD: "flight levels (STD)",
        }
        parts = [f"{self.counts[d]:,} {words[d]}" for d in AltitudeDatum if self.counts.get(d)]
        return f"{what}: {', '.join(parts)}" if parts else ""


def track_angle_deg(angle_deg: float) -> float:
    """An angle in degrees folded into [0, 360) (``-1e-17 % 360`` is 360.0 in floating point:
    that gives 0).

    >>> track_angle_deg(-90.0), track_angle_deg(360.0)
    (270.0, 0.0)
    """
    folded = angle_deg % 360.0
    return 0.0 if folded >= 360.0 else folded


def iso_time(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS[.fff]Z`` of an aware datetime, rounded to the millisecond."""
    utc = moment.astimezone(UTC)
    utc = utc.replace(microsecond=0) + timedelta(milliseconds=round(utc.microsecond / 1000))
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{utc.microsecond // 1000:03d}Z" if utc.microsecond else f"{text}Z"


def _check(name: str, value: float, lo: float, hi: float) -> None:
    if not (math.isfinite(value) and lo <= value <= hi):
        raise FeedStateError(f"{name} {value:g} outside [{lo:g}, {hi:g}]")
