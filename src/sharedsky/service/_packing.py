"""Domain values → detect inputs and detect results → domain conflicts (one conversion point)."""

from __future__ import annotations

import functools
import math
from datetime import UTC, datetime, timedelta

import numpy as np

from sharedsky.detect.separation import Clash, LimitGeom, Separation, VolumeGeom
from sharedsky.detect.tracks import PressureOffsets
from sharedsky.domain.channels import SeparationMinima
from sharedsky.domain.conflicts import Conflict, ObjectRef
from sharedsky.domain.heights import (
    Datums,
    LimitSpan,
    altimeter_height_m,
    nominal_qnh_hpa,
    pressure_altitude_span_m,
)
from sharedsky.domain.ids import ConflictId
from sharedsky.domain.tracks import MAX_ALT_M, MIN_ALT_M
from sharedsky.domain.volumes import TimeWindow, Volume4D, band_spans


def limit_geom(span: LimitSpan) -> LimitGeom:
    """The detect engine's view of a limit's span."""
    return LimitGeom(str(span.reference), span.exact_m, span.low_m, span.high_m, span.nominal_m)


def volume_geom(volume: Volume4D, datums: Datums) -> VolumeGeom:
    """The detect engine's view of a Volume4D (POSIX seconds, open end = inf); a band filed on
    other datums brings its limits' spans under the mechanism's ``datums``. A scheduled
    volume's window is its envelope: detection packs each occurrence as a volume of its own
    (``service/detection.py``)."""
    end = volume.time.end
    band = volume.altitude
    lower = upper = None
    if band.filed is not None:
        lower_span, upper_span = band_spans(band, datums, volume.outline)
        lower, upper = limit_geom(lower_span), limit_geom(upper_span)
    return VolumeGeom(
        outline=volume.outline,
        alt_lo_m=band.lower_m,
        alt_hi_m=band.upper_m,
        t_start_s=volume.time.start.timestamp(),
        t_end_s=math.inf if end is None else end.timestamp(),
        lower=lower,
        upper=upper,
    )


PRESSURE_STEP_M = 100.0
"""Spacing of the nodes of `pressure_offsets`, metres of pressure altitude (the offsets change
by at most 1.4 m between two nodes at the default QNH range: the table's slack)."""


@functools.cache
def pressure_offsets(datums: Datums) -> PressureOffsets:
    """Where a pressure altitude lies above mean sea level under the mechanism's QNH range
    (``domain.heights.pressure_altitude_span_m``, on an altimeter or geometrically), tabulated
    every `PRESSURE_STEP_M` over the altitudes a track may report, for the tactical engine; and
    its nominal offset (an altimeter at the nominal QNH: the same at every height). Computed
    once per ``datums`` (a few milliseconds) and kept for the life of the process."""
    nodes_m = np.arange(MIN_ALT_M, MAX_ALT_M + PRESSURE_STEP_M, PRESSURE_STEP_M)
    spans = np.array([pressure_altitude_span_m(float(h), datums) for h in nodes_m])
    return PressureOffsets(
        floor_m=float(nodes_m[0]),
        step_m=PRESSURE_STEP_M,
        low_m=spans[:, 0] - nodes_m,
        high_m=spans[:, 1] - nodes_m,
        nominal_m=altimeter_height_m(0.0, nominal_qnh_hpa(datums)),
    )


def separation(minima: SeparationMinima) -> Separation:
    """The detect engine's separation from the channel's minima."""
    return Separation(minima.lateral_m, minima.vertical_m, minima.time_s)


def _moment(posix_s: float) -> datetime | None:
    if math.isinf(posix_s):
        return None
    return datetime.fromtimestamp(round(posix_s, 6), tz=UTC)


def conflict_from_hit(
    conflict_id: ConflictId,
    clash: Clash,
    a: ObjectRef,
    b: ObjectRef,
    window_a: TimeWindow,
    window_b: TimeWindow,
    minima: SeparationMinima,
    detected_at: datetime,
) -> Conflict:
    """A new open conflict between sides ``a`` and ``b`` from the engine's clash of their
    windows (a scheduled side's occurrence): it expires when the earlier window ends, plus
    the time buffer."""
    start = _moment(clash.t_start_s)
    if start is None:
        raise ValueError("a clash window cannot start at infinity")
    ends = [w.end for w in (window_a, window_b) if w.end is not None]
    expires = min(ends) + timedelta(seconds=minima.time_s) if ends else None
    return Conflict(
        id=conflict_id,
        a=a,
        b=b,
        window_start=start,
        window_end=_moment(clash.t_end_s),
        alt_lo_m=clash.alt_lo_m,
        alt_hi_m=clash.alt_hi_m,
        distance_m=clash.distance_m,
        region=clash.region,
        region_a=clash.region_a,
        region_b=clash.region_b,
        detected_at=detected_at,
        expires_at=expires,
        datum_margin_m=datum_margin_m(clash.nominal_gap_m, minima),
    )


def datum_margin_m(nominal_gap_m: float, minima: SeparationMinima) -> float | None:
    """The conflict's ``datum_margin_m``: the nominal vertical gap when it is at least the
    vertical separation (the clash exists only through the datums' widening), else None."""
    return nominal_gap_m if nominal_gap_m >= minima.vertical_m else None
