"""Shared pieces of the v1 wire format: outlines, altitude bands, time windows, volumes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Position = tuple[float, float]
"""[lon, lat] in degrees, WGS84."""


class WireModel(BaseModel):
    """Base of every request and response body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class PolygonOutline(WireModel):
    """A GeoJSON Polygon: the exterior ring then holes, each closed; edges are geodesic."""

    type: Literal["Polygon"]
    coordinates: list[list[Position]]


class CircleOutline(WireModel):
    """A geodesic circle."""

    type: Literal["Circle"]
    center: Position
    radius_m: float


class CorridorOutline(WireModel):
    """Every point within half_width_m of a geodesic path (round ends)."""

    type: Literal["Corridor"]
    path: list[Position]
    half_width_m: float


Outline = Annotated[PolygonOutline | CircleOutline | CorridorOutline, Field(discriminator="type")]


class Altitude(WireModel):
    """Altitude band in metres above mean sea level."""

    lower_m: float
    upper_m: float


class TimeWindow(WireModel):
    """[start, end) in RFC 3339 with a timezone; end may be absent only for zones."""

    start: AwareDatetime
    end: AwareDatetime | None = None


class Volume(WireModel):
    """A Volume4D: outline × altitude band × time window."""

    outline: Outline
    altitude: Altitude
    time: TimeWindow


class VolumeOut(Volume):
    """A volume as returned, with its index in the object's list of volumes."""

    index: int


class ObjectRef(WireModel):
    """The other side of a conflict; ``id`` is null when the channel hides it (host_only)."""

    type: Literal["notice", "zone"]
    id: str | None
    party: str


class SideRef(WireModel):
    """One side of a conflict, with the version and volume that clash."""

    type: Literal["notice", "zone"]
    id: str | None
    party: str
    version: int | None
    volume_index: int | None


class Window(WireModel):
    """A time window in a response; ``end`` null when open-ended."""

    start: AwareDatetime
    end: AwareDatetime | None


class Problem(BaseModel):
    """An RFC 9457 problem detail, with a stable ``code`` and the offending field ``path``."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
    path: list[str | int] = []
    error_id: str | None = None
