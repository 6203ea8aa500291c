"""Live tracks and tactical conflicts on the wire."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints, model_validator

from sharedsky.wire.v1.common import WireModel

Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Lon = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
AltM = Annotated[float, Field(ge=-500, le=30_000, allow_inf_nan=False)]
GsMps = Annotated[float, Field(ge=0, le=1_000, allow_inf_nan=False)]
TrkDeg = Annotated[float, Field(ge=0, lt=360, allow_inf_nan=False)]
VsMps = Annotated[float, Field(ge=-200, le=200, allow_inf_nan=False)]
AltRef = Literal["AMSL", "STD", "W84"]
"""The reference of a track's ``alt_m``: ``AMSL`` metres above mean sea level (barometric on
QNH, or GNSS through the geoid), ``STD`` a pressure altitude in metres of the standard
atmosphere (a flight level × 30.48: FL 350 is 10,668 m), ``W84`` GNSS metres above the WGS84
ellipsoid."""
TrackId = Annotated[str, Field(min_length=1, max_length=32)]
NoticeRef = Annotated[str, Field(min_length=1, max_length=40)]
Callsign = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=16,
        pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9 -]*[A-Za-z0-9])?$",
    ),
]
"""What a person reads the aircraft by (``ALP123``, ``VIPER 11``): trimmed, then 1 to 16
letters A-Z, digits, inner spaces and hyphens."""


class TrackStateIn(WireModel):
    """One state of one of the caller's own aircraft."""

    id: TrackId
    party: str | None = None
    """Optional; when given it must be the caller's own party (another party's is refused)."""
    time: AwareDatetime
    lat: Lat
    lon: Lon
    alt_m: AltM
    """Altitude, metres above ``alt_ref``."""
    alt_ref: AltRef = "AMSL"
    """The reference of ``alt_m``: AMSL (the default), STD (a pressure altitude: flight level
    × 30.48 m) or W84 (above the WGS84 ellipsoid). Tactical detection compares two altitudes
    on one datum exactly and a pressure altitude with a geometric one over the mechanism's QNH
    range."""
    gs_mps: GsMps
    """Ground speed, m/s."""
    trk_deg: TrkDeg
    """Track angle, degrees clockwise from true north, in [0, 360)."""
    vs_mps: VsMps = 0.0
    """Vertical rate, m/s, positive up."""
    notice_id: NoticeRef | None = None
    """The caller's notice the aircraft flies under, if any."""
    callsign: Callsign | None = None
    """The aircraft's callsign, if known (ADS-B identification, flight plan): the console and
    the CLI name the track by it."""


class TrackColumnsIn(WireModel):
    """The same states as aligned arrays (one entry per state): for high rates."""

    id: list[TrackId]
    party: list[str] | None = None
    time: list[AwareDatetime]
    lat: list[Lat]
    lon: list[Lon]
    alt_m: list[AltM]
    gs_mps: list[GsMps]
    trk_deg: list[TrkDeg]
    vs_mps: list[VsMps] | None = None
    notice_id: list[NoticeRef | None] | None = None
    callsign: list[Callsign | None] | None = None
    alt_ref: list[AltRef] | None = None
    """The reference of each ``alt_m``; absent: every altitude AMSL."""


class TracksIn(WireModel):
    """A batch of the caller's track states: ``tracks`` (objects) or ``columns`` (arrays)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "tracks": [
                        {
                            "id": "A1",
                            "time": "2026-11-24T12:00:00Z",
                            "lat": 34.0,
                            "lon": 33.0,
                            "alt_m": 6000,
                            "gs_mps": 200,
                            "trk_deg": 90,
                            "callsign": "ALP123",
                        }
                    ]
                }
            ]
        }
    )

    tracks: list[TrackStateIn] | None = None
    columns: TrackColumnsIn | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if (self.tracks is None) == (self.columns is None):
            raise ValueError("give either tracks or columns")
        return self


class TracksAccepted(WireModel):
    """What became of a batch."""

    accepted: int
    stale: int
    """States older than the maximum age, or than a newer state already held: dropped."""


class TrackOut(WireModel):
    """A live track as last reported."""

    id: str
    party: str
    time: AwareDatetime
    lat: float
    lon: float
    alt_m: float
    alt_ref: AltRef = "AMSL"
    """The reference of ``alt_m`` as reported (AMSL, STD or W84)."""
    gs_mps: float
    trk_deg: float
    vs_mps: float
    notice_id: str | None
    callsign: str | None = None
    """The aircraft's callsign as last reported; null when its feed gave none."""
    age_s: float
    """Seconds since the state's time."""


class TrackList(WireModel):
    """The live picture a viewer may see."""

    time: AwareDatetime
    tracks: list[TrackOut]


class TacticalSide(WireModel):
    """One side of a tactical conflict; ``id`` (and ``callsign``) null when withheld
    (``host_only``)."""

    type: Literal["track", "zone", "notice"]
    id: str | None
    party: str
    callsign: str | None = None
    """A track's callsign when its feed gave one (what a person reads it by)."""


class TacticalConflictOut(WireModel):
    """A tactical conflict (alert): a predicted loss of separation between two tracks, a track
    leaving its notice's volumes, or a track entering another party's zone."""

    id: str
    kind: Literal["tactical"] = "tactical"
    category: Literal["separation", "conformance", "intrusion"]
    severity: Literal["advisory", "caution", "warning"]
    state: Literal["open", "cleared"]
    a: TacticalSide
    b: TacticalSide
    figures: dict[str, object]
    """For separation: tcpa_s, dcpa_m, dv_m, t_in_s, t_out_s, a_position, b_position
    ([lon, lat, alt_m], the altitude as reported); for conformance: status, t_exit_s; for
    intrusion: t_entry_s, t_exit_s, distance_m. A track's callsign is in its side, not here."""
    datum_margin_m: float | None = None
    """Separation of two tracks on different datums (a flight level and a geometric altitude)
    found only because their vertical gap was widened over the mechanism's QNH range: the
    least vertical gap at the nominal QNH during the predicted loss (metres, at least the
    vertical minimum), which only that widening closed; null for every other alert."""
    opened_at: AwareDatetime
    updated_at: AwareDatetime
    cleared_at: AwareDatetime | None


class TacticalConflictList(WireModel):
    """A list of tactical conflicts."""

    conflicts: list[TacticalConflictOut]
