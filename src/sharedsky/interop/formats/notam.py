"""Draft ICAO NOTAMs: one per notice, for the party's aeronautical information service to check,
number and file (ICAO Annex 15 and Doc 8126 format).

A draft reads::

    (A____/26 NOTAMN
    Q) LCCC/QWULW/IV/BO/W/098/295/3442N03618E016
    A) LCCC B) 2611241500 C) 2611241700
    E) UAV ACTIVITY: ISR ORBIT. NOTICE N-12 V1 OF ALPHA AIR COMMAND.
    AREA 1: POLYGON 343000N0360600E-343000N0363000E-345400N0363000E-345400N0360600E-343000N…
    F) FL098 G) FL295)

(the AREA line goes on: ``…0360600E, 3000 M AMSL TO 9000 M AMSL, NOV 24 1500-1700.``)

* The series and number (``A____/26``) are left for the NOTAM office to allocate; the year is
  that of item B.
* ``Q)``: the FIR and NOTAM code of the mechanism file (``notam:``; codes by notice kind,
  defaults in ``domain.mechanism.DEFAULT_QCODES``), traffic, purpose and scope, the lower and
  upper limits as flight levels on three digits, the centre to the whole minute and a radius in
  whole nautical miles on three digits, rounded up so that the circle covers every volume of
  the notice from that rounded centre.
* B and C: the earliest start and the latest end of the notice's volumes still to come
  (``YYMMDDHHMM``, UTC; the start rounded down and the end up to the minute). D: the windows
  one by one when the notice has more than one.
* E: the kind and title, the notice and its party, then each volume: the outline (a polygon's
  vertices to the second, a circle's centre and radius, a corridor's path and half-width), the
  band as filed with its unit and reference, and its window.
* F and G: the lowest and highest limit as flight levels (`flight_level`), ``SFC`` for a lower
  limit at or below mean sea level; ``FL999`` caps an upper limit beyond it.

Heights. A band is filed in metres above mean sea level; a flight level is a pressure
altitude. The two meet only through the ICAO standard atmosphere (Doc 7488), at standard
pressure (QNH 1013.25 hPa), where the pressure altitude is the geopotential height; on any
other day a flight level lies higher or lower by some 8 m per hPa. `flight_level` converts
that way and rounds outward (a lower limit down, an upper limit up), so that the levels hold
the band at standard pressure; 3,000 m AMSL becomes FL098 as a lower limit. A real AIS
chooses: it may give low limits as ``SFC`` or in feet AMSL (``F) 9843FT AMSL``), and widen
levels by the QNH of the season; the band as filed is in E for that.

A notice cancelled or ended, or whose volumes have all ended by ``generated_at``, has no
draft. Without a FIR in the mechanism file (``export.mechanism.notam.fir``), `write` raises
``NoFir`` (a 422 through the export route).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import numpy as np
import shapely

from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.errors import NoFir
from sharedsky.domain.mechanism import DEFAULT_QCODES
from sharedsky.geo.distance import geodesic_distance_m
from sharedsky.geo.outlines import (
    CircleOutline,
    CorridorOutline,
    Outline,
    PolygonOutline,
    outline_from_geojson,
)
from sharedsky.geo.projection import frame_at
from sharedsky.geo.shapes import densify
from sharedsky.interop.formats.heights import amsl_interval, band_text
from sharedsky.interop.formats.model import ExportSet
from sharedsky.units import FL_M, NM_M
from sharedsky.wire import v1

ICAO_EARTH_RADIUS_M = 6_356_766.0
"""The earth's radius of the ICAO standard atmosphere's geopotential height (Doc 7488)."""
MAX_LEVEL = 999
"""The highest flight level a ``Q)`` line holds."""
MAX_RADIUS_NM = 999
"""The largest radius a ``Q)`` line holds."""
_EDGE_M = 1_000.0
"""Polygon edges and corridor paths are measured at points this far apart at most (metres)."""
_SAFETY_M = 1.0
"""Added to the farthest point's distance: the farthest point of a densified edge is within
a few centimetres of its nearest measured point at this spacing."""
_STS = {"emergency": "EMER", "medevac": "MEDEVAC", "sar": "SAR", "humanitarian": "HUM"}
"""A notice's priority status as ICAO flight-plan item 18 names it (``STS/``)."""
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def write(export: ExportSet) -> bytes:
    """The draft NOTAMs of the export's notices, separated by blank lines (UTF-8 text)."""
    rules = export.mechanism.notam if export.mechanism is not None else None
    if rules is None or rules.fir is None:
        raise NoFir(
            "a draft NOTAM names its flight information region: give the mechanism file "
            "notam: {fir: XXXX} (its ICAO location indicator, e.g. LCCC)",
            ("format",),
        )
    parties = {p.id: p.name for p in export.parties}
    drafts = [
        draft(notice, rules, parties.get(notice.party, notice.party), export.generated_at)
        for notice in export.notices
        if notice.status not in ("cancelled", "ended")
    ]
    return "\n".join(d + "\n" for d in drafts if d).encode("utf-8")


def _level(altitude: v1.Altitude | v1.FiledAltitude, *, upward: bool) -> int:
    """The band's upper (``upward``) or lower limit as a flight level: a limit filed as a
    flight level as it was filed, any other through its AMSL interval (rounded outward)."""
    if isinstance(altitude, v1.FiledAltitude):
        limit = altitude.upper if upward else altitude.lower
        if isinstance(limit, v1.HeightLimit) and limit.unit == "FL":
            return math.ceil(limit.value) if upward else math.floor(limit.value)
    lower_m, upper_m = amsl_interval(altitude)
    return flight_level(upper_m if upward else lower_m, upward=upward)


def draft(notice: v1.NoticeOut, rules: v1.NotamOut, party: str, now: datetime) -> str:
    """The draft NOTAM of one notice (its volumes still to come at ``now``); empty when none
    is left."""
    volumes = [v for v in notice.volumes if v.time.end is None or v.time.end > now]
    if not volumes or rules.fir is None:
        return ""
    qcode = rules.qcodes.get(notice.kind) or DEFAULT_QCODES[NoticeKind(notice.kind)]
    lower = min(_level(v.altitude, upward=False) for v in volumes)
    upper = max(_level(v.altitude, upward=True) for v in volumes)
    lower, upper = min(lower, MAX_LEVEL - 1), max(upper, lower + 1)  # ICAO: lower < upper
    outlines = [outline_from_geojson(v.outline.model_dump()) for v in volumes]
    (lon, lat), radius_nm = coverage(outlines)
    start = _minute_down(min(v.time.start for v in volumes))
    end = _minute_up(max(v.time.end or v.time.start for v in volumes))
    lines = [
        f"(A____/{start:%y} NOTAMN",
        f"Q) {rules.fir}/{qcode}/{rules.traffic}/{rules.purpose}/{rules.scope}/"
        f"{lower:03d}/{upper:03d}/{position_minutes(lon, lat)}{radius_nm:03d}",
        f"A) {rules.fir} B) {start:%y%m%d%H%M} C) {end:%y%m%d%H%M}",
    ]
    windows = sorted(
        {(v.time.start, v.time.end) for v in volumes if v.schedule is None}, key=lambda w: w[0]
    )
    plans = [v.schedule for v in volumes if v.schedule is not None]
    if len(windows) + len(plans) > 1 or plans:
        # B) and C) hold the envelope of every occurrence; D) says when within it
        texts = [_window_text(s, e) for s, e in windows] + [_schedule_text(p) for p in plans]
        lines.append("D) " + ", ".join(dict.fromkeys(texts)))
    lines.append("E) " + _text(notice, party, volumes, outlines))
    low = "SFC" if lower == 0 else f"FL{lower:03d}"
    lines.append(f"F) {low} G) FL{upper:03d})")
    return "\n".join(lines)


def flight_level(alt_amsl_m: float, *, upward: bool) -> int:
    """The flight level of a height above mean sea level through the ICAO standard atmosphere
    at standard pressure, rounded outward: up for an upper limit (``upward``), down for a lower
    one; within 0 … `MAX_LEVEL`.

    At standard pressure a level's pressure altitude is the geopotential height
    H = r·z / (r + z) of the geometric height z (r = `ICAO_EARTH_RADIUS_M`); a level is
    100 ft of it.

    >>> flight_level(3000.0, upward=False), flight_level(3000.0, upward=True)
    (98, 99)
    >>> flight_level(9000.0, upward=True), flight_level(-400.0, upward=False)
    (295, 0)
    """
    geopotential_m = ICAO_EARTH_RADIUS_M * alt_amsl_m / (ICAO_EARTH_RADIUS_M + alt_amsl_m)
    level = geopotential_m / FL_M
    rounded = math.ceil(level) if upward else math.floor(level)
    return min(MAX_LEVEL, max(0, rounded))


def coverage(outlines: Iterable[Outline]) -> tuple[tuple[float, float], int]:
    """A centre on whole minutes (lon, lat) and the radius in whole nautical miles (at least
    1) of a circle that covers every outline, measured geodesically from that centre."""
    cores = [_core(o) for o in outlines]
    points = np.vstack([c for c, _ in cores])
    frame = frame_at(float(points[:, 0].mean()), float(points[:, 1].mean()))
    boundary = []
    for core, pad_m in cores:
        x, y = frame.forward(core[:, 0], core[:, 1])
        shape = shapely.multipoints(np.column_stack([x, y]))
        boundary.append(shapely.buffer(shape, pad_m) if pad_m > 0 else shape)
    circle = shapely.minimum_bounding_circle(shapely.union_all(boundary))
    centre_x, centre_y = shapely.get_coordinates(shapely.centroid(circle))[0]
    lon, lat = frame.inverse(np.array([centre_x]), np.array([centre_y]))
    centre = (_to_minute(float(lon[0])), _to_minute(float(lat[0])))
    farthest_m = 0.0
    for core, pad_m in cores:
        count = len(core)
        distance_m = geodesic_distance_m(
            np.full(count, centre[0]), np.full(count, centre[1]), core[:, 0], core[:, 1]
        )
        farthest_m = max(farthest_m, float(np.max(distance_m)) + pad_m)
    radius_nm = max(1, math.ceil((farthest_m + _SAFETY_M) / NM_M))
    return centre, min(MAX_RADIUS_NM, radius_nm)


def position_minutes(lon: float, lat: float) -> str:
    """``DDMMNDDDMME``: a position to the whole minute, as a ``Q)`` line writes it.

    >>> position_minutes(36.3, 34.7)
    '3442N03618E'
    """
    return _angle(lat, 2, "NS", seconds=False) + _angle(lon, 3, "EW", seconds=False)


def position_seconds(lon: float, lat: float) -> str:
    """``DDMMSSNDDDMMSSE``: a position to the whole second, as item E writes a vertex.

    >>> position_seconds(-3.70379, 40.4168)
    '402500N0034214W'
    """
    return _angle(lat, 2, "NS", seconds=True) + _angle(lon, 3, "EW", seconds=True)


# -- pieces ----------------------------------------------------------------------------------


def _core(outline: Outline) -> tuple[np.ndarray, float]:
    """Points (n, 2) lon/lat and a distance (metres): the outline is within that distance of
    them, and every point of the outline is within that distance of a point of its
    boundary sampled every `_EDGE_M` at most."""
    if isinstance(outline, CircleOutline):
        return np.array([outline.center], dtype=np.float64), outline.radius_m
    if isinstance(outline, CorridorOutline):
        return densify(outline, _EDGE_M)[0], outline.half_width_m
    return densify(PolygonOutline(outline.rings[:1]), _EDGE_M)[0], 0.0


def _to_minute(degrees: float) -> float:
    return round(degrees * 60.0) / 60.0


def _angle(value: float, width: int, hemispheres: str, *, seconds: bool) -> str:
    hemisphere = hemispheres[0] if value >= 0 else hemispheres[1]
    if seconds:
        total = round(abs(value) * 3600.0)
        whole, rest = divmod(total, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{whole:0{width}d}{minutes:02d}{secs:02d}{hemisphere}"
    total = round(abs(value) * 60.0)
    whole, minutes = divmod(total, 60)
    return f"{whole:0{width}d}{minutes:02d}{hemisphere}"


def _minute_down(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def _minute_up(moment: datetime) -> datetime:
    down = _minute_down(moment)
    return down if down == moment else down + timedelta(minutes=1)


def _day(moment: datetime) -> str:
    return f"{_MONTHS[moment.month - 1]} {moment.day:02d}"


_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_ICAO_DAYS = dict(zip(_WEEKDAYS, ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"), strict=True))


def _schedule_text(plan: v1.Schedule) -> str:
    """``NOV 30-DEC 11 MON-FRI 0700-1130`` (R-SCHED-1): the dates, the days (a run of three
    or more as ``MON-FRI``, else each: ``SAT SUN``) and the daily window, UTC (an end before
    the start is the next day's)."""
    numbers = sorted(_WEEKDAYS.index(d) for d in set(plan.weekdays))
    names = [_ICAO_DAYS[_WEEKDAYS[n]] for n in numbers]
    if len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        days = f"{names[0]}-{names[-1]}"
    else:
        days = " ".join(names)
    first, last = (
        datetime(d.year, d.month, d.day, tzinfo=UTC) for d in (plan.first_date, plan.last_date)
    )
    hours = f"{plan.from_.replace(':', '')}-{plan.to.replace(':', '')}"
    return f"{_day(first)}-{_day(last)} {days} {hours}"


def _window_text(start: datetime, end: datetime | None) -> str:
    """``NOV 24 1500-1700``; ``NOV 24 2200-NOV 25 0200`` across midnight (UTC)."""
    first = _minute_down(start)
    if end is None:
        return f"{_day(first)} {first:%H%M}-PERM"
    last = _minute_up(end)
    if last.date() == first.date():
        return f"{_day(first)} {first:%H%M}-{last:%H%M}"
    return f"{_day(first)} {first:%H%M}-{_day(last)} {last:%H%M}"


def _outline_text(outline: Outline) -> str:
    if isinstance(outline, CircleOutline):
        radius_nm = outline.radius_m / NM_M
        return (
            f"CIRCLE RADIUS {outline.radius_m / 1000:.1f} KM ({radius_nm:.1f} NM) CENTRED "
            f"{position_seconds(*outline.center)}"
        )
    if isinstance(outline, CorridorOutline):
        path = "-".join(position_seconds(lon, lat) for lon, lat in outline.path)
        return f"CORRIDOR {outline.half_width_m / 1000:.1f} KM EITHER SIDE OF {path}"
    ring = "-".join(position_seconds(lon, lat) for lon, lat in outline.rings[0])
    holes = f" EXCLUDING {len(outline.rings) - 1} INNER AREA(S)" if len(outline.rings) > 1 else ""
    return f"POLYGON {ring}{holes}"


def _text(
    notice: v1.NoticeOut, party: str, volumes: list[v1.VolumeOut], outlines: list[Outline]
) -> str:
    kind = notice.kind.replace("_", " ").upper()
    title = notice.title.upper() if notice.title else "(TITLE NOT SHARED)"
    parts = [f"{kind} ACTIVITY: {title}. NOTICE {notice.id} V{notice.version} OF {party.upper()}."]
    if notice.priority_status:  # ICAO flight-plan item 18 STS/ words: EMER, MEDEVAC, SAR, HUM
        parts.append(f"PRIORITY: {_STS[notice.priority_status]}.")
    for volume, outline in zip(volumes, outlines, strict=True):
        window = _window_text(volume.time.start, volume.time.end)
        band = band_text(volume.altitude).upper()
        parts.append(f"AREA {volume.index + 1}: {_outline_text(outline)}, {band}, {window}.")
    if notice.contact:
        parts.append(f"CONTACT: {notice.contact.upper()}.")
    return "\n".join(parts)
