"""States of moving aircraft on the earth: where N aircraft are and how they move, as aligned
columns checked once, when they are made (`States`).

Each aircraft flies the geodesic of its track angle at constant ground speed and climbs at its
constant vertical rate. The rule every `States` keeps is `STATE_BOUNDS`: finite numbers,
latitudes in [−90, 90], longitudes in [−180, 180], ground speeds not negative. A caller with a
narrower rule of its own (the domain's operational limits, a file format's) gives it to the
constructor as ``limits`` and hears of the first value that breaks either rule, column by column
in the order of `COLUMNS`, through `StateError` (the column, the row, the value, the bounds).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt

from sharedsky.geo.distance import geodesic_destination

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

COLUMNS: Final = ("lat_deg", "lon_deg", "alt_m", "gs_mps", "trk_deg", "vs_mps")
"""The columns of `States`, in the order they are checked."""


@dataclass(frozen=True, slots=True)
class Bounds:
    """The values a column may hold: finite numbers from ``lowest`` to ``highest`` (``highest``
    itself only when ``closed``)."""

    lowest: float = -math.inf
    highest: float = math.inf
    closed: bool = True
    """Whether ``highest`` itself is allowed."""

    def __and__(self, other: Bounds) -> Bounds:
        """The values that both bounds allow."""
        if self.highest == other.highest:
            top = Bounds(highest=self.highest, closed=self.closed and other.closed)
        else:
            top = self if self.highest < other.highest else other
        return Bounds(max(self.lowest, other.lowest), top.highest, top.closed)

    def __str__(self) -> str:
        """``[lowest, highest]``, or ``[lowest, highest)`` when ``highest`` is not allowed.

        >>> str(Bounds(0.0, 360.0, closed=False))
        '[0, 360)'
        """
        return f"[{self.lowest:g}, {self.highest:g}{']' if self.closed else ')'}"

    def inside(self, values: FloatArray) -> BoolArray:
        """Where ``values`` are finite and within these bounds."""
        # two comparisons, each false for NaN; an infinite bound itself is never allowed
        finite_low, finite_high = self.lowest > -math.inf, self.highest < math.inf
        low = values >= self.lowest if finite_low else values > self.lowest
        high = values <= self.highest if self.closed and finite_high else values < self.highest
        ok: BoolArray = low & high
        return ok


STATE_BOUNDS: Final[Mapping[str, Bounds]] = MappingProxyType(
    {
        "lat_deg": Bounds(-90.0, 90.0),
        "lon_deg": Bounds(-180.0, 180.0),
        "alt_m": Bounds(),
        "gs_mps": Bounds(0.0),
        "trk_deg": Bounds(),
        "vs_mps": Bounds(),
    }
)
"""The rule of every `States`, by column."""


class StateError(ValueError):
    """A column that breaks the rule of `States` (or the caller's ``limits``); the message names
    the column."""

    def __init__(
        self,
        message: str,
        column: str,
        row: int | None = None,
        value: float = math.nan,
        bounds: Bounds | None = None,
    ) -> None:
        super().__init__(message)
        self.column = column
        """The name of the column, one of `COLUMNS`."""
        self.row = row
        """The first row that breaks the rule; None when the column has the wrong shape."""
        self.value = value
        """The value in that row (NaN when ``row`` is None)."""
        self.bounds = bounds or Bounds()
        """The bounds that the column had to keep (`STATE_BOUNDS` and ``limits`` together)."""


@dataclass(frozen=True, slots=True)
class States:
    """The states of N aircraft as aligned columns (degrees, metres, metres per second).

    Any array-likes are accepted: the columns are kept as one-dimensional float64 arrays that
    refuse writes, so that what was checked is what every reader reads. An input that already is
    such an array and owns its memory (a column of another `States`, an array just computed and
    made read-only) is kept as it is; anything else is copied. StateError (a ValueError), naming
    the column, for a column that is not one-dimensional or not as long as ``lat_deg``, a NaN,
    infinite or missing value, or a value outside `STATE_BOUNDS` or the given ``limits``.
    """

    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    """Altitude, metres above mean sea level."""
    gs_mps: FloatArray
    """Ground speed, metres per second."""
    trk_deg: FloatArray
    """Track angle, degrees clockwise from true north (any finite number unless ``limits``
    say otherwise)."""
    vs_mps: FloatArray
    """Vertical rate, metres per second, positive up."""
    limits: InitVar[Mapping[str, Bounds] | None] = field(default=None, kw_only=True)
    """A narrower rule of the caller's, by column (columns it does not name keep
    `STATE_BOUNDS` alone)."""

    def __post_init__(self, limits: Mapping[str, Bounds] | None) -> None:
        n = -1
        for name in COLUMNS:
            column = _read_only(getattr(self, name))
            if n < 0:
                n = column.shape[0] if column.ndim == 1 else -1
                expected = f"({n},)" if n >= 0 else "one dimension"
            if column.shape != (n,):
                raise StateError(f"{name} has shape {column.shape}, expected {expected}", name)
            bounds = STATE_BOUNDS[name]
            if limits is not None and name in limits:
                bounds &= limits[name]
            inside = bounds.inside(column)
            if not inside.all():
                row = int(np.argmin(inside))
                value = float(column[row])
                raise StateError(_complaint(name, value, bounds), name, row, value, bounds)
            object.__setattr__(self, name, column)

    def __len__(self) -> int:
        return len(self.lat_deg)

    def take(self, rows: IntArray | BoolArray) -> States:
        """The states of ``rows`` (indices, or a mask of one entry per aircraft)."""
        return States(*(_sealed(getattr(self, name)[rows]) for name in COLUMNS))

    def moved(self, dt_s: FloatArray) -> States:
        """Every aircraft ``dt_s`` seconds later (one value per aircraft, not negative): along
        the geodesic of its track angle at its ground speed, climbing at its vertical rate."""
        lon, lat = geodesic_destination(
            self.lon_deg, self.lat_deg, self.trk_deg, self.gs_mps * dt_s
        )
        return States(
            lat,
            lon,
            _sealed(self.alt_m + self.vs_mps * dt_s),
            self.gs_mps,
            self.trk_deg,
            self.vs_mps,
        )


def frozen_column(values: npt.ArrayLike) -> FloatArray:
    """A float64 copy of ``values`` that refuses writes: a column that `States` keeps as it is
    (for a caller that builds its columns once and hands them on)."""
    return _sealed(np.array(values, dtype=np.float64))


def _read_only(value: npt.ArrayLike) -> FloatArray:
    """``value`` as a float64 array that refuses writes and that nobody else can write to: as it
    is when it already is one that owns its memory, a copy otherwise."""
    if (
        isinstance(value, np.ndarray)
        and value.dtype == np.float64
        and value.flags.owndata
        and not value.flags.writeable
    ):
        return value
    return frozen_column(value)


def _sealed(column: FloatArray) -> FloatArray:
    """``column`` (an array no one else holds) made read-only."""
    column.flags.writeable = False
    return column


def _complaint(name: str, value: float, bounds: Bounds) -> str:
    if not math.isfinite(value):
        return f"{name} holds a NaN or infinite value"
    if bounds.highest == math.inf:
        return (
            f"{name} is negative" if bounds.lowest == 0.0 else f"{name} is below {bounds.lowest:g}"
        )
    return f"{name} outside {bounds}"
