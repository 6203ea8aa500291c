"""Conformance (is a track inside its notice's volumes, and when will it leave them?) and zone
intrusion (will a track be inside another party's zone within the look-ahead?), on arrays.

Motion, as in `detect.tactical`: each track flies the geodesic of its track angle at constant
ground speed and climbs at its constant vertical rate, from its reported state at t = 0 (now).
A `Region` is an outline × altitude band [alt_lo_m, alt_hi_m] × time window [t_start_s, t_end_s)
in seconds from now; a track is inside it at t when its position is in the outline (boundary
included), its altitude in the band and t in the window.

Stages (each vectorised over all pairs), one module each beside `engine` (the entry points):

1. **pairs** — conformance pairs each track with the regions of its notice; for intrusion,
   `candidates` keeps the track × zone pairs of different parties whose zone is active and
   whose band the track can be in within the look-ahead, and whose straight chord through the
   Earth (from the track's position now to where it will be) comes within the zone's reach of
   its centre. A chord is never longer than the geodesic and the flown arc stays within L²/4R
   of its chord, so no pair that can meet is dropped. `regions` checks the regions and gives
   the times each pair's band and window allow; `paths` the tracks' points and chord bounds.
2. **pieces** — each path is cut at common times into K straight pieces of at most `PIECE_M`,
   their ends placed exactly on the geodesic (pyproj `Geod.fwd`). Pieces are matched to the
   parts of the outline (`parts`: discs, slabs, polygons) by the same chord bound.
3. **exact** — each remaining piece is projected into its part's own azimuthal-equidistant frame
   and intersected with the part (`crossings`); the parameter intervals become time intervals,
   are clipped to the band and window (`exact`), and are merged (`runs`) per pair (intrusion)
   or per track over all its notice's regions (conformance). Intervals less than `JOIN_S`
   apart are joined, so that the hand-over between two adjacent volumes measured in different
   frames never shows as an exit.

Error bound. The parts are exact (discs), within 4e-7 of the half-width (corridor slabs), or
within 1 cm (polygon edges, cut along their geodesics until each chord is that close). A path
piece is a chord between exact points of the geodesic; projected, the geodesic bulges from it by
at most ρℓ²/8R² for a piece of length ℓ ≤ 10 km at ρ from the frame centre (measured ρℓ²/12R²):
at most 2 cm within 100 km of the centre and 0.3 m for the largest outlines (2,000 km across),
where one straight line over 300 s at 300 m/s would stray 16 m. Crossings are therefore placed
within 0.35 m of the true ones (measured: 1.5 mm for outlines up to 50 km), their times within
that distance over the ground speed; a path that runs within that distance of an edge, along it,
may be judged on either side there.
"""

from sharedsky.detect.conformance.candidates import IntrusionCandidates
from sharedsky.detect.conformance.engine import (
    DEFAULT_HORIZON_S,
    DEFAULT_LOOKAHEAD_S,
    ConformanceResult,
    ConformanceStatus,
    IntrusionHits,
    conformance,
    intrusion_candidates,
    zone_intrusions,
)
from sharedsky.detect.conformance.exact import PIECE_M
from sharedsky.detect.conformance.regions import Region
from sharedsky.detect.conformance.runs import JOIN_S

__all__ = [
    "DEFAULT_HORIZON_S",
    "DEFAULT_LOOKAHEAD_S",
    "JOIN_S",
    "PIECE_M",
    "ConformanceResult",
    "ConformanceStatus",
    "IntrusionCandidates",
    "IntrusionHits",
    "Region",
    "conformance",
    "intrusion_candidates",
    "zone_intrusions",
]
