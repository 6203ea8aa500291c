"""Tracks: the live states of one party's aircraft, as a batch of aligned columns.

A state says where an aircraft was at ``time``: position (degrees), altitude (metres above mean
sea level), ground speed (m/s), track angle (degrees clockwise from true north, in [0, 360)) and
vertical rate (m/s, positive up); optionally the notice it flies under. A batch belongs to one
party. ``check_batch`` is the rule every batch passes before anything of it is kept: one bad
value refuses the whole batch, naming the first offending field.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sharedsky.domain.errors import FieldPath, InvalidInput
from sharedsky.domain.ids import PartyId

FloatArray = npt.NDArray[np.float64]

TrackRow = tuple[str, str, float, float, float, float, float, float, float, str | None]
"""One state as stored: party, track id, time_s, lat_deg, lon_deg, alt_m, gs_mps, trk_deg,
vs_mps, notice id."""


MAX_ID_CHARS = 32
MAX_ALT_M = 30_000.0
MIN_ALT_M = -500.0
MAX_GS_MPS = 1_000.0
MAX_VS_MPS = 200.0


@dataclass(frozen=True, slots=True)
class TrackBatch:
    """States of one party's tracks; all columns have one entry per state."""

    party: PartyId
    ids: tuple[str, ...]
    time_s: FloatArray
    """Seconds since the Unix epoch (UTC)."""
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    gs_mps: FloatArray
    trk_deg: FloatArray
    vs_mps: FloatArray
    notice_ids: tuple[str | None, ...]

    def __len__(self) -> int:
        return len(self.ids)

    def rows(
        self,
    ) -> Iterator[tuple[str, float, float, float, float, float, float, float, str | None]]:
        """The states, one tuple each: track id, time (s), lat, lon, alt (m), ground speed
        (m/s), track (deg), vertical rate (m/s), notice id."""
        return zip(
            self.ids,
            self.time_s.tolist(),
            self.lat_deg.tolist(),
            self.lon_deg.tolist(),
            self.alt_m.tolist(),
            self.gs_mps.tolist(),
            self.trk_deg.tolist(),
            self.vs_mps.tolist(),
            self.notice_ids,
            strict=True,
        )


def batch_of(
    party: PartyId,
    ids: Sequence[str],
    time_s: Sequence[float],
    columns: Mapping[str, Sequence[float]],
    notice_ids: Sequence[str | None] | None = None,
) -> TrackBatch:
    """A batch from plain sequences (``columns``: lat, lon, alt_m, gs_mps, trk_deg, vs_mps);
    InvalidInput when the columns differ in length."""
    n = len(ids)
    names = ("lat", "lon", "alt_m", "gs_mps", "trk_deg", "vs_mps")
    for name in names:
        if len(columns[name]) != n:
            raise InvalidInput(f"column {name!r} has {len(columns[name])} values, not {n}", (name,))
    if len(time_s) != n:
        raise InvalidInput(f"column 'time' has {len(time_s)} values, not {n}", ("time",))
    notices = tuple(notice_ids) if notice_ids is not None else (None,) * n
    if len(notices) != n:
        raise InvalidInput(f"column 'notice_id' has {len(notices)} values, not {n}", ("notice_id",))
    lat, lon, alt, gs, trk, vs = (np.asarray(columns[name], dtype=np.float64) for name in names)
    time = np.asarray(time_s, dtype=np.float64)
    return TrackBatch(party, tuple(ids), time, lat, lon, alt, gs, trk, vs, notices)


_RANGES: tuple[tuple[str, str, float, float, bool], ...] = (
    # attribute, wire name, lowest, highest, highest included
    ("lat_deg", "lat", -90.0, 90.0, True),
    ("lon_deg", "lon", -180.0, 180.0, True),
    ("alt_m", "alt_m", MIN_ALT_M, MAX_ALT_M, True),
    ("gs_mps", "gs_mps", 0.0, MAX_GS_MPS, True),
    ("trk_deg", "trk_deg", 0.0, 360.0, False),
    ("vs_mps", "vs_mps", -MAX_VS_MPS, MAX_VS_MPS, True),
)


def check_batch(
    batch: TrackBatch,
    now_s: float,
    *,
    max_future_s: float,
    max_states: int,
    prefix: FieldPath = ("tracks",),
    columnar: bool = False,
) -> None:
    """Refuse the batch (InvalidInput with the path of the first bad field) when it is over
    ``max_states``, holds NaN or infinity, a value out of range, a bad id, or a state more than
    ``max_future_s`` ahead of ``now_s``. Paths are ``prefix + (index, field)``, or
    ``prefix + (field, index)`` for a ``columnar`` batch."""

    def path(index: int, name: str) -> FieldPath:
        return (*prefix, name, index) if columnar else (*prefix, index, name)

    if len(batch) > max_states:
        raise InvalidInput(f"a batch holds at most {max_states} states, not {len(batch)}", prefix)
    for index, track_id in enumerate(batch.ids):
        if not 1 <= len(track_id) <= MAX_ID_CHARS or not track_id.isprintable():
            raise InvalidInput(
                f"a track id has 1 to {MAX_ID_CHARS} printable characters", path(index, "id")
            )
    for attr, name, lowest, highest, closed in _RANGES:
        values: FloatArray = getattr(batch, attr)
        bad = ~np.isfinite(values) | (values < lowest)
        bad |= (values > highest) if closed else (values >= highest)
        if bad.any():
            index = int(np.argmax(bad))
            value = float(values[index])
            upper = "]" if closed else ")"
            reason = "is not a number" if not math.isfinite(value) else "is out of range"
            raise InvalidInput(
                f"{name} {value} {reason} [{lowest}, {highest}{upper}", path(index, name)
            )
    times = batch.time_s
    late = ~np.isfinite(times) | (times > now_s + max_future_s)
    if late.any():
        index = int(np.argmax(late))
        raise InvalidInput(
            f"time is more than {max_future_s:g} s in the future", path(index, "time")
        )
    for index, notice in enumerate(batch.notice_ids):
        if notice is not None and not 1 <= len(notice) <= 40:
            raise InvalidInput("a notice id has 1 to 40 characters", path(index, "notice_id"))
