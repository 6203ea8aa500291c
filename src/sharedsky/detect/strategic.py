"""Strategic detection: a filing's volumes against candidate volumes found by the cell index.

`find_clashes` gives exactly what `clash` gives for every subject × candidate
(`reference.brute_force_clashes`), faster:

1. time and altitude gaps, vectorised over candidates;
2. a coarse horizontal distance: each outline's core densified at 10 km, all candidates projected
   in one pyproj call into a frame at the subject, one vectorised Shapely `distance`;
3. the exact `clash` only for pairs whose coarse distance is within a conservative band of the
   lateral separation (the frame's stretch, plus the sagitta of 10 km chords), or below it.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from sharedsky.detect.separation import Clash, Separation, VolumeGeom, clash
from sharedsky.geo.distance import EARTH_MIN_RADIUS_M
from sharedsky.geo.outlines import Outline, outline_centre
from sharedsky.geo.projection import frame_at, frame_stretch
from sharedsky.geo.shapes import Core, core_shape_from_xy, outline_core

_COARSE_SEGMENT_M = 10_000.0
_COARSE_SLACK_M = 2.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """A volume to test against, with the separation that applies to it and a caller's key."""

    key: Hashable
    volume: VolumeGeom
    separation: Separation


@dataclass(frozen=True, slots=True)
class StrategicHit:
    """Subject number subject_index (in the subjects given) clashes with candidate key."""

    subject_index: int
    key: Hashable
    clash: Clash


def find_clashes(
    subjects: Sequence[VolumeGeom], candidates: Sequence[Candidate]
) -> list[StrategicHit]:
    """Every clash of a subject with a candidate, ordered by subject then candidate order."""
    hits: list[StrategicHit] = []
    if not candidates:
        return hits
    cores: dict[Outline, Core] = {}
    exact: dict[Outline, Core] = {}
    t_lo = np.array([c.volume.t_start_s for c in candidates])
    t_hi = np.array([c.volume.t_end_s for c in candidates])
    z_lo = np.array([c.volume.alt_lo_m for c in candidates])
    z_hi = np.array([c.volume.alt_hi_m for c in candidates])
    time_s = np.array([c.separation.time_s for c in candidates])
    vertical_m = np.array([c.separation.vertical_m for c in candidates])
    lateral_m = np.array([c.separation.lateral_m for c in candidates])
    for i, subject in enumerate(subjects):
        time_gap = _gaps(subject.t_start_s, subject.t_end_s, t_lo, t_hi)
        vertical_gap = _gaps(subject.alt_lo_m, subject.alt_hi_m, z_lo, z_hi)
        live = np.flatnonzero((time_gap < time_s) & (vertical_gap < vertical_m) & (lateral_m > 0))
        if live.size == 0:
            continue
        near = _coarse_near(
            subject.outline, [candidates[int(k)] for k in live], lateral_m[live], cores
        )
        for k in live[near]:
            candidate = candidates[int(k)]
            pair = (
                _exact_core(subject.outline, exact),
                _exact_core(candidate.volume.outline, exact),
            )
            found = clash(subject, candidate.volume, candidate.separation, pair)
            if found is not None:
                hits.append(StrategicHit(i, candidate.key, found))
    return hits


def _gaps(lo: float, hi: float, los: np.ndarray, his: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.maximum(0.0, np.maximum(los - hi, lo - his))


def _coarse_near(
    subject: Outline,
    candidates: list[Candidate],
    lateral_m: np.ndarray,
    cores: dict[Outline, Core],
) -> np.ndarray:
    """Mask of candidates whose outline may lie within lateral_m of subject."""
    outlines = [subject, *(c.volume.outline for c in candidates)]
    found = [_coarse_core(o, cores) for o in outlines]
    vertices = [core.all_vertices() for core in found]
    counts = np.array([len(v) for v in vertices])
    stacked = np.vstack(vertices)
    frame = frame_at(*outline_centre(subject))
    x, y = frame.forward(stacked[:, 0], stacked[:, 1])
    xy = np.column_stack([x, y])
    parts = np.split(xy, np.cumsum(counts)[:-1])
    shapes = [core_shape_from_xy(core, part) for core, part in zip(found, parts, strict=True)]
    planar_m = shapely.distance(shapes[0], np.array(shapes[1:], dtype=object))
    radii_m = np.array([core.radius_m for core in found])
    reach_m = np.sqrt(np.max(np.sum(xy**2, axis=1)))
    # error bound of the coarse distance: stretch of the frame over the region, and the
    # sagitta of a 10 km chord of a geodesic projected at that range, both generously
    stretch = frame_stretch(float(reach_m))
    sagitta_m = _COARSE_SEGMENT_M**2 * (reach_m + 1.0e6) / (2.0 * EARTH_MIN_RADIUS_M**2)
    band_m = planar_m * stretch + 2.0 * sagitta_m + _COARSE_SLACK_M
    outline_gap_m = planar_m - radii_m[0] - radii_m[1:]
    return np.asarray(outline_gap_m - band_m < lateral_m)


def _coarse_core(outline: Outline, cores: dict[Outline, Core]) -> Core:
    core = cores.get(outline)
    if core is None:
        core = outline_core(outline, _COARSE_SEGMENT_M)
        cores[outline] = core
    return core


def _exact_core(outline: Outline, cores: dict[Outline, Core]) -> Core:
    """The outline's core at full (1 km) densification, computed once per call."""
    core = cores.get(outline)
    if core is None:
        core = outline_core(outline)
        cores[outline] = core
    return core
