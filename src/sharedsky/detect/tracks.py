"""The states of a set of tracks as aligned columns: the one input of the tactical and conformance
engines, checked once, when it is made."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_FLOAT_COLUMNS = ("lat_deg", "lon_deg", "alt_m", "gs_mps", "trk_deg", "vs_mps")


@dataclass(frozen=True, slots=True)
class TrackColumns:
    """The states of N tracks as aligned columns (degrees, metres, metres per second), each
    track flying the geodesic of its track angle at constant ground speed and climbing at its
    constant vertical rate from its state at t = 0.

    Any array-likes are accepted and kept as copies: one-dimensional float64 (party: int64)
    arrays that refuse writes, so that what was checked is what the engines read.
    ValueError, naming the column, for columns of unequal length, a NaN, infinite or missing
    value, a latitude outside [−90, 90], a longitude outside [−180, 180] or a negative ground
    speed; nothing else (the track angle may be any finite number of degrees).
    """

    party: IntArray
    """An integer code per track: pairs with equal codes are never compared."""
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    gs_mps: FloatArray
    trk_deg: FloatArray
    """Track angle, degrees clockwise from true north."""
    vs_mps: FloatArray
    """Vertical rate, metres per second, positive up."""

    def __post_init__(self) -> None:
        party = np.asarray(self.party)
        if party.ndim != 1:
            raise ValueError(f"party has shape {party.shape}, expected one dimension")
        n = party.size
        _keep(self, "party", party.astype(np.int64))
        for name in _FLOAT_COLUMNS:
            column = np.array(getattr(self, name), dtype=np.float64)
            if column.shape != (n,):
                raise ValueError(f"{name} has shape {column.shape}, expected ({n},)")
            if not np.all(np.isfinite(column)):
                raise ValueError(f"{name} holds a NaN or infinite value")
            _keep(self, name, column)
        if np.any(np.abs(self.lat_deg) > 90.0):
            raise ValueError("lat_deg outside [-90, 90]")
        if np.any(np.abs(self.lon_deg) > 180.0):
            raise ValueError("lon_deg outside [-180, 180]")
        if np.any(self.gs_mps < 0.0):
            raise ValueError("gs_mps is negative")

    def __len__(self) -> int:
        return len(self.party)


def _keep(tracks: TrackColumns, name: str, column: npt.NDArray[np.generic]) -> None:
    column.flags.writeable = False
    object.__setattr__(tracks, name, column)


def check_positive(value: float, name: str) -> None:
    """ValueError unless value (an engine's minimum, look-ahead or horizon) is a positive finite
    number."""
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(f"{name} must be a positive finite number, not {value!r}")
