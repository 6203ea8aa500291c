"""The tracks as the tactical and conformance engines take them: a party code per track, the
tracks' states (`geo.states.States`, checked when they were made) and the datum of each
altitude (`Datum`); and how far a pressure altitude may lie from mean sea level
(`PressureOffsets`), which the tactical engine needs to compare altitudes on different datums.

A flight level is a pressure altitude: the height at which the standard atmosphere has the
pressure the aircraft measures. Where that lies above mean sea level depends on the sea-level
pressure (QNH): at 950 hPa an aircraft at FL 100 is about 540 m below 3,048 m AMSL, at 1050 hPa
about 300 m above it. Two pressure altitudes compare exactly with each other (both aircraft see
the same pressure field), as do two geometric ones; a pressure altitude against a geometric one
compares only through the interval the QNH range allows (`PressureOffsets`). The standard
atmosphere itself is `domain.heights`' (the service layer tabulates it into `PressureOffsets`:
the engines never import the domain)."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from sharedsky.geo.geoid import UNDULATION_ERROR_M
from sharedsky.geo.states import States

IntArray = npt.NDArray[np.int64]
Int8Array = npt.NDArray[np.int8]
FloatArray = npt.NDArray[np.float64]


class Datum(enum.IntEnum):
    """The vertical datum of a track's altitude, as the engines compare it (an int8 column)."""

    GEOMETRIC = 0
    """Metres above mean sea level: barometric on QNH, or GNSS through the geoid."""
    PRESSURE = 1
    """Pressure altitude, metres of the standard atmosphere (a flight level × 30.48)."""
    ELLIPSOID = 2
    """A height above the WGS84 ellipsoid (GNSS) brought to mean sea level through the geoid
    model: metres AMSL within `ELLIPSOID_ERROR_M` of the true ones."""


ELLIPSOID_ERROR_M = UNDULATION_ERROR_M
"""How far a `Datum.ELLIPSOID` altitude may lie from the true height above mean sea level:
the geoid model's bound against EGM96 (``geo/geoid.py``), either way."""


def _frozen_int8(values: npt.ArrayLike) -> Int8Array:
    column = np.array(values, dtype=np.int8)
    column.flags.writeable = False
    return column


ALL_GEOMETRIC: Int8Array = _frozen_int8(np.zeros(0))
"""The default `TrackColumns.datum`: no column given, every altitude geometric (as before
altitudes carried a datum)."""


@dataclass(frozen=True, slots=True)
class TrackColumns:
    """N tracks: each flies the geodesic of its track angle at constant ground speed and climbs
    at its constant vertical rate from its state (``states``) at t = 0.

    ``party`` (any array-like of integers) is kept as a copy, a one-dimensional int64 array that
    refuses writes; ValueError, naming it, when it is not one entry per track.
    """

    party: IntArray
    """An integer code per track: pairs with equal codes are never compared."""
    states: States
    datum: Int8Array = field(default_factory=lambda: ALL_GEOMETRIC)
    """The `Datum` of each track's ``states.alt_m``; when not given (`ALL_GEOMETRIC`), every
    altitude is geometric. Kept, like ``party``, as a read-only int8 copy."""

    def __post_init__(self) -> None:
        party = np.array(self.party, dtype=np.int64)
        if party.ndim != 1:
            raise ValueError(f"party has shape {party.shape}, expected one dimension")
        if party.shape != (len(self.states),):
            raise ValueError(f"party has shape {party.shape}, expected ({len(self.states)},)")
        party.flags.writeable = False
        object.__setattr__(self, "party", party)
        if self.datum is ALL_GEOMETRIC:
            object.__setattr__(self, "datum", _frozen_int8(np.zeros(len(party))))
            return
        given = np.asarray(self.datum)
        if given.shape != party.shape:
            raise ValueError(f"datum has shape {given.shape}, expected {party.shape}")
        if not np.isin(given, [int(d) for d in Datum]).all():
            raise ValueError(f"datum holds a code other than {[int(d) for d in Datum]}")
        object.__setattr__(self, "datum", _frozen_int8(given))

    def __len__(self) -> int:
        return len(self.party)

    @property
    def mixed(self) -> bool:
        """True when some tracks are on each datum (only then does any pair need widening)."""
        return bool(len(self.datum)) and bool(self.datum.min() != self.datum.max())


@dataclass(frozen=True, slots=True)
class PressureOffsets:
    """How far above mean sea level a pressure altitude may lie, for every QNH of the
    mechanism's range: at the nodes ``floor_m + k · step_m`` (k = 0 … K − 1) of pressure
    altitude, ``low_m[k]`` and ``high_m[k]`` are the least and greatest (height AMSL − pressure
    altitude), metres (`domain.heights.pressure_altitude_span_m` less the node: about −540 m
    and +300 m for 950 … 1050 hPa).

    `span_m` bounds the offsets over a range of pressure altitudes by the nodes around it,
    widened by the largest change between two neighbouring nodes (`slack_m`): the offsets are
    smooth at the scale of a step, so between two nodes they do not pass the nearer node's by
    more than that. Altitudes beyond the last nodes take the end nodes' offsets.
    """

    floor_m: float
    step_m: float
    low_m: FloatArray
    high_m: FloatArray
    nominal_m: float
    """Height AMSL − pressure altitude at the nominal QNH (the standard 1013.25 hPa, or the
    nearest end of the range): what an alert found only by the widening reports against."""
    slack_m: float = field(init=False)
    _least: FloatArray = field(init=False, repr=False)
    """(K, K): [i, j] the least offset over nodes i … j (j ≥ i), less the slack."""
    _greatest: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        low = np.array(self.low_m, dtype=np.float64)
        high = np.array(self.high_m, dtype=np.float64)
        if low.ndim != 1 or low.shape != high.shape or len(low) < 2:
            raise ValueError("low_m and high_m are one value per node, at least two nodes")
        if not (np.isfinite(low).all() and np.isfinite(high).all() and (low <= high).all()):
            raise ValueError("offsets must be finite, low_m ≤ high_m at every node")
        check_positive(self.step_m, "step_m")
        slack = float(max(np.abs(np.diff(low)).max(), np.abs(np.diff(high)).max()))
        count = len(low)
        least = np.empty((count, count))
        greatest = np.empty((count, count))
        for i in range(count):
            least[i, i:] = np.minimum.accumulate(low[i:]) - slack
            greatest[i, i:] = np.maximum.accumulate(high[i:]) + slack
        for name, value in (
            ("low_m", low),
            ("high_m", high),
            ("_least", least),
            ("_greatest", greatest),
        ):
            value.flags.writeable = False
            object.__setattr__(self, name, value)
        object.__setattr__(self, "slack_m", slack)

    def span_m(
        self, alt_m: FloatArray, vs_mps: FloatArray, lookahead_s: float
    ) -> tuple[FloatArray, FloatArray]:
        """(least, greatest) offset of each track flying from pressure altitude ``alt_m`` at
        ``vs_mps`` for ``lookahead_s`` seconds, metres."""
        end_m = alt_m + vs_mps * lookahead_s
        last = len(self.low_m) - 1
        first_node = np.floor((np.minimum(alt_m, end_m) - self.floor_m) / self.step_m)
        last_node = np.ceil((np.maximum(alt_m, end_m) - self.floor_m) / self.step_m)
        i = np.clip(first_node, 0, last).astype(np.int64)
        j = np.clip(last_node, 0, last).astype(np.int64)
        return self._least[i, j], self._greatest[i, j]


def check_positive(value: float, name: str) -> None:
    """ValueError unless value (an engine's minimum, look-ahead or horizon) is a positive finite
    number."""
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(f"{name} must be a positive finite number, not {value!r}")
