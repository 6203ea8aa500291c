"""Shared pieces of the v1 wire format: outlines, altitude bands, time windows, volumes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

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


class HeightLimit(WireModel):
    """A limit given as a height: ``value`` in ``unit`` above ``reference``.

    ``reference`` defaults to AMSL for ``m`` and ``ft``; a flight level (``FL``, hundreds of
    feet of pressure altitude) is on the standard setting, ``STD``, and only ``FL`` is. AGL
    heights need the mechanism's terrain bounds.
    """

    value: float
    unit: Literal["m", "ft", "FL"]
    reference: Literal["AMSL", "AGL", "W84", "STD"] | None = None

    def text(self) -> str:
        """The limit as filed, for a person: ``FL120``, ``FL95.5`` (a level as given, never
        rounded), ``3000 ft AMSL``, ``150 m AGL``."""
        if self.unit == "FL":
            return f"FL{self.value:03g}"
        return f"{self.value:g} {self.unit} {self.reference or 'AMSL'}"


class SpecialLimit(WireModel):
    """A limit by name: ``SFC`` (the surface, a lower limit) or ``UNL`` (unlimited, an upper
    limit)."""

    special: Literal["SFC", "UNL"]

    def text(self) -> str:
        """``SFC`` or ``UNL``."""
        return self.special


Limit = HeightLimit | SpecialLimit


class FiledAltitude(WireModel):
    """An altitude band given on its datums (R-HEIGHT-1), shown as filed.

    ``amsl_m`` is the server's: the conservative interval of heights above mean sea level that
    the band spans under the mechanism's QNH range, terrain bounds and geoid; answers carry it,
    and it is ignored when sent.
    """

    lower: Limit
    upper: Limit
    amsl_m: Altitude | None = None


class TimeWindow(WireModel):
    """[start, end) in RFC 3339 with a timezone; end may be absent only for zones."""

    start: AwareDatetime
    end: AwareDatetime | None = None


_HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"

Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
"""A day of the week by its RFC 5545 code."""


class Schedule(WireModel):
    """Recurring windows (R-SCHED-1): on every date from ``first_date`` to ``last_date``
    (both included) whose weekday is listed, the window [``from``, ``to``) in UTC. ``to``
    earlier than ``from`` crosses midnight (the window ends the next day); ``to`` equal to
    ``from`` is refused. At most 366 occurrences, and at least one."""

    weekdays: list[Weekday]
    from_: str = Field(alias="from", pattern=_HHMM)
    """HH:MM, UTC."""
    to: str = Field(pattern=_HHMM)
    """HH:MM, UTC."""
    first_date: date
    last_date: date

    model_config = WireModel.model_config | {"populate_by_name": True, "serialize_by_alias": True}


class NoticeVolume(WireModel):
    """A notice's volume as filed: outline × altitude band × a time window or a schedule of
    recurring windows (R-SCHED-1). With a ``schedule``, a ``time`` sent is ignored (an
    answer's volume, sent back as it is, files the same schedule)."""

    outline: Outline
    altitude: Altitude | FiledAltitude
    """Metres AMSL (``lower_m``/``upper_m``), or limits on their datums (``lower``/``upper``)."""
    time: TimeWindow | None = None
    schedule: Schedule | None = None

    @model_validator(mode="after")
    def _timed(self) -> NoticeVolume:
        if self.time is None and self.schedule is None:
            raise ValueError("a volume needs a time window or a schedule")
        return self


class Volume(NoticeVolume):
    """A Volume4D: outline × altitude band × time window; in an answer, a scheduled volume
    gives its ``schedule`` too, its ``time`` then the schedule's envelope (its first
    occurrence's start to its last one's end, or earlier when the notice was released). A
    Volume is a NoticeVolume whose window is always given (a zone's, an answer's)."""

    time: TimeWindow


class VolumeOut(Volume):
    """A volume as returned, with its index in the object's list of volumes."""

    index: int


PriorityStatus = Literal["medevac", "humanitarian", "sar", "emergency"]
"""A notice's operational priority (absent or null: none). Ranked emergency > medevac > sar >
humanitarian: a conflict with one is acknowledged within the flash deadline, and resolution
advice moves only the side that ranks lower (docs/rules.md R-PRIO)."""


class Occurrence(WireModel):
    """One occurrence [start, end) of a scheduled volume."""

    start: AwareDatetime
    end: AwareDatetime


class ObjectRef(WireModel):
    """The other side of a conflict; ``id`` is null when the channel hides it (host_only)."""

    type: Literal["notice", "zone"]
    id: str | None
    party: str
    priority_status: PriorityStatus | None = None
    """The side's priority status when the clash was found (shown even where its id is
    withheld: it is why the viewer's side gives way); null for none and for a zone."""
    occurrence: Occurrence | None = None
    """The occurrence of the side's scheduled volume that clashes (R-SCHED-1); null for a
    volume with one window, and where its id is withheld."""


class SideRef(WireModel):
    """One side of a conflict, with the version and volume that clash."""

    type: Literal["notice", "zone"]
    id: str | None
    party: str
    version: int | None
    volume_index: int | None
    priority_status: PriorityStatus | None = None
    """The side's priority status when the clash was found; null for none and for a zone."""
    occurrence: Occurrence | None = None
    """The occurrence of the side's scheduled volume that clashes (R-SCHED-1); null for a
    volume with one window."""


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
