"""The tracks as the tactical and conformance engines take them: a party code per track and the
tracks' states (`geo.states.States`, checked when they were made)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sharedsky.geo.states import States

IntArray = npt.NDArray[np.int64]


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

    def __post_init__(self) -> None:
        party = np.array(self.party, dtype=np.int64)
        if party.ndim != 1:
            raise ValueError(f"party has shape {party.shape}, expected one dimension")
        if party.shape != (len(self.states),):
            raise ValueError(f"party has shape {party.shape}, expected ({len(self.states)},)")
        party.flags.writeable = False
        object.__setattr__(self, "party", party)

    def __len__(self) -> int:
        return len(self.party)


def check_positive(value: float, name: str) -> None:
    """ValueError unless value (an engine's minimum, look-ahead or horizon) is a positive finite
    number."""
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(f"{name} must be a positive finite number, not {value!r}")
