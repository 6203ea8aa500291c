"""Use cases of live tracks: ingest a party's states into the live picture, and show it.

The live picture is a party's newest state per track id, dropped once older than ``max_age_s``.
One process over SQLite holds it in memory (``LivePicture``). The processes over one PostgreSQL
share it in the database (``SharedPicture`` over the ``live_tracks`` table), so that the tracks
posted to any process are seen by the tactical tick of the duty holder and by ``GET /v1/tracks``
of every process (why the database and not notifications: docs/architecture.md, with the
figures). Tracks are not ledger entries (thousands a second, and none of them a statement of a
party to another); what the mechanism concludes from them, the tactical alerts, are
(``service/tactical.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
import numpy.typing as npt

from sharedsky.detect.tracks import Datum, TrackColumns
from sharedsky.domain.channels import Sharing
from sharedsky.domain.errors import InvalidInput
from sharedsky.domain.heights import Reference
from sharedsky.domain.ids import PartyId
from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.operators import Role
from sharedsky.domain.tracks import TrackBatch, TrackReport, TrackRow, check_batch
from sharedsky.domain.visibility import Viewer
from sharedsky.geo import geoid
from sharedsky.geo.states import States, frozen_column
from sharedsky.service.context import Actor
from sharedsky.service.ports import Deps, LiveTables

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class TrackConfig:
    """Limits of the live picture and of the tactical tick."""

    max_age_s: float = 20.0
    """States older than this (by their own time, against the server clock) are dropped."""
    max_future_s: float = 5.0
    """A state more than this ahead of the server clock is refused."""
    max_batch: int = 10_000
    """Most states in one POST."""
    lookahead_s: float = 300.0
    """How far ahead the tactical tick predicts, seconds."""
    horizon_s: float = 60.0
    """How far ahead a track's exit from its notice's volumes is predicted, seconds."""


@dataclass(frozen=True, slots=True)
class Ingested:
    """What became of a batch."""

    accepted: int
    stale: int
    """States older than the maximum age (or than the newest state already held): dropped."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The live picture at one moment, as aligned columns (one entry per track)."""

    parties: tuple[PartyId, ...]
    ids: tuple[str, ...]
    time_s: FloatArray
    """The time of each track's state, seconds since the Unix epoch (UTC)."""
    states: States
    notice_ids: tuple[str | None, ...]
    callsigns: tuple[str | None, ...]
    """Each track's callsign (None where its feed gave none): beside the columns, for the
    people reading the picture, never an input of the engines."""
    alt_refs: tuple[Reference, ...]
    """The reference of each track's ``states.alt_m`` as reported (``domain.tracks.ALT_REFS``)."""

    def __len__(self) -> int:
        return len(self.ids)

    def columns(self, code_of: Mapping[PartyId, int]) -> TrackColumns:
        """The tracks as the detection engines take them, each party given its integer code
        (tracks with equal codes are never compared with each other), each altitude with its
        datum: a pressure altitude (STD) as it is, a W84 height brought to mean sea level
        through the geoid at the track's position (datum ELLIPSOID: within the model's
        bound), an AMSL altitude geometric."""
        refs = self.alt_refs
        states = self.states
        ellipsoid = np.fromiter((r is Reference.W84 for r in refs), dtype=bool, count=len(refs))
        if ellipsoid.any():
            alt_m = states.alt_m.copy()
            alt_m[ellipsoid] -= geoid.undulation_m(
                states.lat_deg[ellipsoid], states.lon_deg[ellipsoid]
            )
            states = replace(states, alt_m=alt_m)
        pressure = np.fromiter((r is Reference.STD for r in refs), dtype=bool, count=len(refs))
        datum = np.where(pressure, Datum.PRESSURE, Datum.GEOMETRIC)
        datum[ellipsoid] = Datum.ELLIPSOID  # on AMSL now, within the geoid model's bound
        return TrackColumns(
            np.array([code_of[p] for p in self.parties], dtype=np.int64),
            states,
            datum.astype(np.int8),
        )

    def position(self, index: int) -> list[float]:
        """Where track ``index`` is, as an alert reports it: [lon_deg, lat_deg, alt_m], rounded
        to 1e-6 degree and 0.1 m."""
        states = self.states
        return [
            round(float(states.lon_deg[index]), 6),
            round(float(states.lat_deg[index]), 6),
            round(float(states.alt_m[index]), 1),
        ]

    def callsign_figures(self, a: int, b: int | None = None) -> dict[str, str]:
        """The callsigns of track ``a`` (and ``b``) as an alert's figures report them
        (``a_callsign``, ``b_callsign``), each only when known."""
        found = {"a_callsign": self.callsigns[a]}
        if b is not None:
            found["b_callsign"] = self.callsigns[b]
        return {name: callsign for name, callsign in found.items() if callsign is not None}

    def take(self, mask: npt.NDArray[np.bool_]) -> Snapshot:
        """The tracks where ``mask`` is true."""
        where = np.flatnonzero(mask)
        return Snapshot(
            tuple(self.parties[i] for i in where),
            tuple(self.ids[i] for i in where),
            self.time_s[where],
            self.states.take(where),
            tuple(self.notice_ids[i] for i in where),
            tuple(self.callsigns[i] for i in where),
            tuple(self.alt_refs[i] for i in where),
        )

    def at(self, now_s: float) -> Snapshot:
        """Every track moved from its reported time to ``now_s`` (constant ground speed along
        the geodesic, constant vertical rate), stamped ``now_s``."""
        dt = np.maximum(now_s - self.time_s, 0.0)
        return Snapshot(
            self.parties,
            self.ids,
            np.full(len(self), now_s),
            self.states.moved(dt),
            self.notice_ids,
            self.callsigns,
            self.alt_refs,
        )


_Row = tuple[float, float, float, float, float, float, float, str | None, str | None, str]
"""A held state: time_s, lat, lon, alt_m, gs_mps, trk_deg, vs_mps, notice id, callsign,
altitude reference."""


class Picture(Protocol):
    """The live picture: the newest state of every live track, by (party, track id)."""

    config: TrackConfig

    def put(self, batch: TrackBatch, now_s: float) -> Ingested:
        """Keep the batch's states that are fresh and newer than the ones held."""

    def snapshot(self, now_s: float) -> Snapshot:
        """The tracks whose newest state is fresh at ``now_s``, as reported."""

    def prune(self, now_s: float) -> None:
        """Forget the tracks no longer fresh at ``now_s``."""

    def live(self, now_s: float) -> int:
        """How many tracks have a state fresh at ``now_s`` (seconds since the epoch)."""

    def clear(self) -> None:
        """Forget every track."""


def _newest_of(batch: TrackBatch, oldest_s: float) -> tuple[dict[str, _Row], int, int]:
    """The batch's newest fresh state per track id, with how many states were accepted and
    how many were stale (older than ``oldest_s``, or than an earlier state of its track in the
    batch), counted as ``LivePicture.put`` counts them against an empty picture."""
    rows = batch.rows()
    newest: dict[str, _Row] = {}
    accepted = stale = 0
    for track_id, time_s, lat, lon, alt, gs, trk, vs, notice, callsign, ref in rows:
        before = newest.get(track_id)
        if time_s < oldest_s or (before is not None and before[0] > time_s):
            stale += 1
            continue
        newest[track_id] = (time_s, lat, lon, alt, gs, trk, vs, notice, callsign, ref)
        accepted += 1
    return newest, accepted, stale


def _snapshot_of(keys: Sequence[tuple[PartyId, str]], rows: Sequence[_Row]) -> Snapshot:
    """The columns of ``rows``, one per (party, track id) of ``keys``."""
    if not keys:
        e = np.zeros(0)
        return Snapshot((), (), e, States(e, e, e, e, e, e), (), (), ())
    *numbers, notices, callsigns, refs = zip(*rows, strict=True)
    time, lat, lon, alt, gs, trk, vs = (frozen_column(column) for column in numbers)
    return Snapshot(
        tuple(k[0] for k in keys),
        tuple(k[1] for k in keys),
        time,
        States(lat, lon, alt, gs, trk, vs),
        notices,
        callsigns,
        tuple(Reference(ref) for ref in refs),
    )


class LivePicture:
    """The newest state of every live track, by (party, track id); thread-safe."""

    def __init__(self, config: TrackConfig | None = None) -> None:
        self.config = config or TrackConfig()
        self._lock = threading.Lock()
        self._rows: dict[tuple[PartyId, str], _Row] = {}
        self.received = 0
        """States accepted since the start (a counter for benchmarks and health)."""

    def put(self, batch: TrackBatch, now_s: float) -> Ingested:
        """Keep the batch's states that are fresh and newer than the ones held."""
        oldest = now_s - self.config.max_age_s
        rows = batch.rows()
        accepted = stale = 0
        party = batch.party
        with self._lock:
            held = self._rows
            for track_id, time_s, lat, lon, alt, gs, trk, vs, notice, callsign, ref in rows:
                key = (party, track_id)
                before = held.get(key)
                if time_s < oldest or (before is not None and before[0] > time_s):
                    stale += 1
                    continue
                held[key] = (time_s, lat, lon, alt, gs, trk, vs, notice, callsign, ref)
                accepted += 1
            self.received += accepted
        return Ingested(accepted, stale)

    def snapshot(self, now_s: float) -> Snapshot:
        """The tracks whose newest state is fresh at ``now_s``, as reported; the others are
        dropped from the picture."""
        self.prune(now_s)
        with self._lock:
            items = sorted(self._rows.items())
        return _snapshot_of([k for k, _ in items], [row for _, row in items])

    def prune(self, now_s: float) -> None:
        """Drop the tracks whose newest state is older than ``max_age_s`` at ``now_s``."""
        oldest = now_s - self.config.max_age_s
        with self._lock:
            for key in [k for k, row in self._rows.items() if row[0] < oldest]:
                del self._rows[key]

    def live(self, now_s: float) -> int:
        """How many tracks have a state fresh at ``now_s`` (seconds since the epoch)."""
        oldest = now_s - self.config.max_age_s
        with self._lock:
            return sum(1 for row in self._rows.values() if row[0] >= oldest)

    def clear(self) -> None:
        """Forget every track."""
        with self._lock:
            self._rows.clear()


class SharedPicture:
    """The live picture in the database (``LiveTables``), shared by every process over it:
    the same answers as ``LivePicture``; ``prune`` deletes the old rows (the duty holder's
    tactical tick calls it)."""

    def __init__(self, live: LiveTables, config: TrackConfig | None = None) -> None:
        self.config = config or TrackConfig()
        self._live = live
        self.received = 0
        """States this process accepted since the start."""

    def put(self, batch: TrackBatch, now_s: float) -> Ingested:
        """Keep the batch's states that are fresh and newer than the ones stored (one upsert,
        in a transaction of its own)."""
        newest, accepted, stale = _newest_of(batch, now_s - self.config.max_age_s)
        party = batch.party
        rows: list[TrackRow] = [(party, track_id, *row) for track_id, row in newest.items()]
        kept = self._live.upsert_tracks(rows) if rows else 0
        older = len(rows) - kept  # the table held a newer state of these tracks
        self.received += accepted - older
        return Ingested(accepted - older, stale + older)

    def snapshot(self, now_s: float) -> Snapshot:
        """The tracks whose newest state is fresh at ``now_s``, as reported."""
        oldest = now_s - self.config.max_age_s
        stored = self._live.fresh_tracks(oldest)
        keys = [(PartyId(r[0]), r[1]) for r in stored]
        return _snapshot_of(keys, [r[2:] for r in stored])

    def prune(self, now_s: float) -> None:
        """Delete the states older than ``max_age_s`` at ``now_s``."""
        oldest = now_s - self.config.max_age_s
        self._live.prune_tracks(oldest)

    def live(self, now_s: float) -> int:
        """How many tracks have a state fresh at ``now_s`` (seconds since the epoch)."""
        oldest = now_s - self.config.max_age_s
        return self._live.count_fresh(oldest)

    def clear(self) -> None:
        """Forget every track."""
        self._live.clear_tracks()


def ingest_tracks(
    deps: Deps, picture: Picture, actor: Actor, report: TrackReport, *, columnar: bool = False
) -> Ingested:
    """Check a party's batch of its own tracks and keep it in the live picture; InvalidInput
    (nothing kept) when any value breaks a rule, Forbidden for the host."""
    actor.require_party("report tracks")
    actor.require_role(Role.DUTY, "report tracks")
    if report.party != actor.party:
        raise InvalidInput("tracks are reported by their own party", ("party",))
    now_s = deps.clock.now().timestamp()
    config = picture.config
    batch = check_batch(
        report,
        now_s,
        max_future_s=config.max_future_s,
        max_states=config.max_batch,
        prefix=("columns",) if columnar else ("tracks",),
        columnar=columnar,
    )
    return picture.put(batch, now_s)


def visible_tracks(
    mechanism: Mechanism, viewer: Viewer, snapshot: Snapshot, alerted: Iterable[PartyId | str]
) -> Snapshot:
    """What ``viewer`` may see of the live picture: its own tracks; a counterparty's tracks
    whole under ``full`` sharing; under ``conflicts_only`` only the tracks named in a tactical
    alert told to the viewer (``alerted``: "party/track" strings); under ``host_only`` none.
    The host sees every track."""
    if viewer.is_host or not len(snapshot):
        return snapshot
    named = set(alerted)
    keep = np.zeros(len(snapshot), dtype=bool)
    for index, (party, track_id) in enumerate(zip(snapshot.parties, snapshot.ids, strict=True)):
        if party == viewer.party:
            keep[index] = True
            continue
        sharing = mechanism.channel(viewer.party, party).sharing
        if sharing is Sharing.FULL:
            keep[index] = True
        elif sharing is Sharing.CONFLICTS_ONLY:
            keep[index] = f"{party}/{track_id}" in named
    return snapshot.take(keep)
