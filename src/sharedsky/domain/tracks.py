"""Tracks: the live states of one party's aircraft, as a batch of aligned columns.

A state says where an aircraft was at ``time``: position (degrees), altitude (metres above its
reference: `ALT_REFS`), ground speed (m/s), track angle (degrees clockwise from true north, in
[0, 360)) and vertical rate (m/s, positive up); optionally the notice it flies under and its
callsign (what a person reads the aircraft by: ``ALP123``, ``VIPER 11``; metadata beside the
columns, never an input of the engines).

An altitude keeps the reference its feed gave it (``alt_ref``): ``AMSL`` (the default, what an
altitude meant before it carried one: barometric on QNH, or GNSS above mean sea level), ``STD``
(a pressure altitude, metres of the standard atmosphere: a flight level × 30.48) or ``W84``
(GNSS above the WGS84 ellipsoid). The tactical engine compares two altitudes on one datum
exactly and a pressure altitude against a geometric one through the mechanism's QNH range
(``detect/tactical.py``); a W84 height is brought to mean sea level through the geoid first
(``service/tracks.py``). A batch belongs to one party. What a party reports (`TrackReport`, made
by `report_of`) becomes a `TrackBatch` only through ``check_batch``, the rule every batch passes
before anything of it is kept: one bad value refuses the whole batch, naming the first offending
field. The kinematic columns of a batch are a `geo.states.States`, which keeps the structural
rule (finite, positions on the earth, ground speed not negative) for every user of them; this
module adds the operational limits (`LIMITS`) and the field names and messages of the refusal.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt

from sharedsky.domain.errors import FieldPath, InvalidInput
from sharedsky.domain.heights import Reference
from sharedsky.domain.ids import PartyId
from sharedsky.geo.states import COLUMNS, Bounds, StateError, States, frozen_column

FloatArray = npt.NDArray[np.float64]

TrackRow = tuple[
    str, str, float, float, float, float, float, float, float, str | None, str | None, str
]
"""One state as stored: party, track id, time_s, lat_deg, lon_deg, alt_m, gs_mps, trk_deg,
vs_mps, notice id, callsign, alt_ref."""

ALT_REFS: Final = (Reference.AMSL, Reference.STD, Reference.W84)
"""The references a track's altitude may have (a height above ground is no altitude to
separate aircraft by)."""


MAX_ID_CHARS = 32
MAX_CALLSIGN_CHARS = 16
CALLSIGN_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9 -]*[A-Za-z0-9])?$"
"""A callsign: letters A–Z, digits, inner spaces and hyphens (``ALP123``, ``VIPER 11``,
``RESCUE-7``), at most `MAX_CALLSIGN_CHARS`; the wire trims it first (``wire/v1/tracks.py``)."""
_CALLSIGN = re.compile(CALLSIGN_PATTERN)


def is_callsign(text: str) -> bool:
    """Whether ``text`` is a callsign as a state may carry it (already trimmed).

    >>> is_callsign("VIPER 11"), is_callsign(" ALP1"), is_callsign("@@@@")
    (True, False, False)
    """
    return len(text) <= MAX_CALLSIGN_CHARS and _CALLSIGN.match(text) is not None


MAX_ALT_M = 30_000.0
MIN_ALT_M = -500.0
MAX_GS_MPS = 1_000.0
MAX_VS_MPS = 200.0


LIMITS: Final[Mapping[str, Bounds]] = MappingProxyType(
    {
        "alt_m": Bounds(MIN_ALT_M, MAX_ALT_M),
        "gs_mps": Bounds(highest=MAX_GS_MPS),
        "trk_deg": Bounds(0.0, 360.0, closed=False),
        "vs_mps": Bounds(-MAX_VS_MPS, MAX_VS_MPS),
    }
)
"""The operational limits of a reported state, by column of `States`, beyond the rule that
every `States` keeps (`geo.states.STATE_BOUNDS`)."""

_FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    dict(zip(COLUMNS, ("lat", "lon", "alt_m", "gs_mps", "trk_deg", "vs_mps"), strict=True))
)
"""The name of each column of `States` in a reported batch (and in the paths of refusals)."""


@dataclass(frozen=True, slots=True)
class TrackReport:
    """A party's batch of states as reported: aligned columns, not yet checked."""

    party: PartyId
    ids: tuple[str, ...]
    time_s: FloatArray
    """Seconds since the Unix epoch (UTC)."""
    values: Mapping[str, FloatArray]
    """The kinematic columns, by their name in `States` (lat_deg … vs_mps)."""
    notice_ids: tuple[str | None, ...]
    callsigns: tuple[str | None, ...] = ()
    """One per state (None where the feed gave none); empty: none at all."""
    alt_refs: tuple[str, ...] = ()
    """The reference of each state's altitude, as reported (checked against `ALT_REFS`);
    empty: every altitude AMSL."""

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class TrackBatch:
    """States of one party's tracks that passed ``check_batch``; all columns have one entry per
    state."""

    party: PartyId
    ids: tuple[str, ...]
    time_s: FloatArray
    """Seconds since the Unix epoch (UTC)."""
    states: States
    notice_ids: tuple[str | None, ...]
    callsigns: tuple[str | None, ...]
    """One per state: the aircraft's callsign, None where none was reported."""
    alt_refs: tuple[Reference, ...]
    """One per state: the reference of its altitude (one of `ALT_REFS`)."""

    def __len__(self) -> int:
        return len(self.ids)

    def rows(
        self,
    ) -> Iterator[
        tuple[str, float, float, float, float, float, float, float, str | None, str | None, str]
    ]:
        """The states, one tuple each: track id, time (s), lat, lon, alt (m), ground speed
        (m/s), track (deg), vertical rate (m/s), notice id, callsign, altitude reference."""
        states = self.states
        return zip(
            self.ids,
            self.time_s.tolist(),
            states.lat_deg.tolist(),
            states.lon_deg.tolist(),
            states.alt_m.tolist(),
            states.gs_mps.tolist(),
            states.trk_deg.tolist(),
            states.vs_mps.tolist(),
            self.notice_ids,
            self.callsigns,
            (str(ref) for ref in self.alt_refs),
            strict=True,
        )


def report_of(
    party: PartyId,
    ids: Sequence[str],
    time_s: Sequence[float],
    columns: Mapping[str, Sequence[float]],
    notice_ids: Sequence[str | None] | None = None,
    callsigns: Sequence[str | None] | None = None,
    alt_refs: Sequence[str] | None = None,
) -> TrackReport:
    """A report from plain sequences (``columns``: lat, lon, alt_m, gs_mps, trk_deg, vs_mps;
    ``notice_ids`` and ``callsigns`` None when no state has one, ``alt_refs`` None when every
    altitude is AMSL); InvalidInput when the columns differ in length."""
    n = len(ids)
    for name in _FIELDS.values():
        if len(columns[name]) != n:
            raise InvalidInput(f"column {name!r} has {len(columns[name])} values, not {n}", (name,))
    if len(time_s) != n:
        raise InvalidInput(f"column 'time' has {len(time_s)} values, not {n}", ("time",))
    notices = tuple(notice_ids) if notice_ids is not None else (None,) * n
    if len(notices) != n:
        raise InvalidInput(f"column 'notice_id' has {len(notices)} values, not {n}", ("notice_id",))
    called = tuple(callsigns) if callsigns is not None else (None,) * n
    if len(called) != n:
        raise InvalidInput(f"column 'callsign' has {len(called)} values, not {n}", ("callsign",))
    refs = tuple(alt_refs) if alt_refs is not None else ()
    if refs and len(refs) != n:
        raise InvalidInput(f"column 'alt_ref' has {len(refs)} values, not {n}", ("alt_ref",))
    values = {attr: frozen_column(columns[name]) for attr, name in _FIELDS.items()}
    return TrackReport(
        party, tuple(ids), frozen_column(time_s), MappingProxyType(values), notices, called, refs
    )


def check_batch(
    report: TrackReport,
    now_s: float,
    *,
    max_future_s: float,
    max_states: int,
    prefix: FieldPath = ("tracks",),
    columnar: bool = False,
) -> TrackBatch:
    """The reported batch, checked: InvalidInput with the path of the first bad field when it is
    over ``max_states``, holds a bad id, NaN or infinity, a value out of range (column by
    column: lat, lon, alt_m, gs_mps, trk_deg, vs_mps), a state more than ``max_future_s``
    ahead of ``now_s``, a bad notice id, a bad callsign (`is_callsign`) or an altitude
    reference not in `ALT_REFS`. Paths are ``prefix + (index, field)``, or
    ``prefix + (field, index)`` for a ``columnar`` batch."""

    def path(index: int, name: str) -> FieldPath:
        return (*prefix, name, index) if columnar else (*prefix, index, name)

    if len(report) > max_states:
        raise InvalidInput(f"a batch holds at most {max_states} states, not {len(report)}", prefix)
    for index, track_id in enumerate(report.ids):
        if not 1 <= len(track_id) <= MAX_ID_CHARS or not track_id.isprintable():
            raise InvalidInput(
                f"a track id has 1 to {MAX_ID_CHARS} printable characters", path(index, "id")
            )
    try:
        states = States(*(report.values[name] for name in COLUMNS), limits=LIMITS)
    except StateError as fault:
        name = _FIELDS[fault.column]
        if fault.row is None:  # a report not made by report_of
            raise InvalidInput(str(fault), (*prefix, name)) from None
        value, bounds = fault.value, fault.bounds
        upper = "]" if bounds.closed else ")"
        reason = "is not a number" if not math.isfinite(value) else "is out of range"
        raise InvalidInput(
            f"{name} {value} {reason} [{bounds.lowest}, {bounds.highest}{upper}",
            path(fault.row, name),
        ) from None
    times = report.time_s
    late = ~np.isfinite(times) | (times > now_s + max_future_s)
    if late.any():
        index = int(np.argmax(late))
        raise InvalidInput(
            f"time is more than {max_future_s:g} s in the future", path(index, "time")
        )
    for index, notice in enumerate(report.notice_ids):
        if notice is not None and not 1 <= len(notice) <= 40:
            raise InvalidInput("a notice id has 1 to 40 characters", path(index, "notice_id"))
    callsigns = report.callsigns or (None,) * len(report)
    if len(callsigns) != len(report):
        raise InvalidInput(f"{len(callsigns)} callsigns for {len(report)} states", prefix)
    for index, callsign in enumerate(callsigns):
        if callsign is not None and not is_callsign(callsign):
            raise InvalidInput(
                f"a callsign has 1 to {MAX_CALLSIGN_CHARS} letters A-Z, digits, inner spaces"
                " or hyphens",
                path(index, "callsign"),
            )
    return TrackBatch(
        report.party,
        report.ids,
        times,
        states,
        report.notice_ids,
        callsigns,
        _alt_refs(report, prefix, path),
    )


def _alt_refs(
    report: TrackReport, prefix: FieldPath, path: Callable[[int, str], FieldPath]
) -> tuple[Reference, ...]:
    """The report's altitude references (AMSL for all when it gave none); InvalidInput at the
    first one not in `ALT_REFS`."""
    if not report.alt_refs:
        return (Reference.AMSL,) * len(report)
    if len(report.alt_refs) != len(report):
        raise InvalidInput(f"{len(report.alt_refs)} alt_refs for {len(report)} states", prefix)
    refs = []
    for index, given in enumerate(report.alt_refs):
        if given not in ALT_REFS:
            raise InvalidInput(
                f"alt_ref {given!r} is not one of {', '.join(ALT_REFS)}", path(index, "alt_ref")
            )
        refs.append(Reference(given))
    return tuple(refs)
