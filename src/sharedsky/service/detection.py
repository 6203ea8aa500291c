"""Strategic detection inside a use case: index search, exact check, conflict records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sharedsky.detect.separation import Clash
from sharedsky.detect.strategic import Candidate, find_clashes
from sharedsky.domain.acknowledgements import AckRequest, AckSubject, conflict_priority, due_at
from sharedsky.domain.channels import Sharing
from sharedsky.domain.conflicts import Conflict, ObjectRef, ObjectType, ResolvedReason
from sharedsky.domain.events import ConflictDetected, ConflictResolved, Event, Side
from sharedsky.domain.heights import Height, Reference
from sharedsky.domain.ids import AckId, ConflictId, PartyId
from sharedsky.domain.priority import PriorityStatus
from sharedsky.domain.schedules import Occurrence
from sharedsky.domain.volumes import (
    StoredVolume,
    TimeWindow,
    Volume4D,
    occurrence_windows,
    window_us,
)
from sharedsky.geo.cells import query_cells, storage_cells
from sharedsky.geo.geoid import GLOBAL_RANGE_M, UNDULATION_ERROR_M
from sharedsky.service._common import SYSTEM, record_events
from sharedsky.service._packing import conflict_from_hit, separation, volume_geom
from sharedsky.service.ports import Deps
from sharedsky.service.uow import UnitOfWork
from sharedsky.units import to_us


@dataclass(frozen=True, slots=True)
class Coverings:
    """The H3 cells of a set of volumes: to store them, and to search around them."""

    storage: list[list[int]]
    """Cells of each volume's outline (what the index stores)."""
    query: list[list[int]]
    """Cells of each outline buffered by the party's largest lateral separation."""


def coverings(deps: Deps, party: PartyId, volumes: Sequence[Volume4D]) -> Coverings:
    """The cells of ``volumes`` (CPU work, done before the transaction opens)."""
    lateral_m, _, _ = _reach(deps, party)
    return Coverings(
        storage=[storage_cells(v.outline) for v in volumes],
        query=[query_cells(v.outline, lateral_m) for v in volumes],
    )


def _reach(deps: Deps, party: PartyId) -> tuple[float, float, float]:
    """The largest lateral (m), vertical (m) and time (s) separation of the party's channels."""
    mech = deps.mechanism
    rules = [mech.channel(party, other) for other in mech.counterparties(party)] or [mech.defaults]
    return (
        max(r.separation.lateral_m for r in rules),
        max(r.separation.vertical_m for r in rules),
        max(r.separation.time_s for r in rules),
    )


def search_cells(deps: Deps, party: PartyId, volumes: Sequence[Volume4D]) -> Coverings:
    """The coverings to search around ``volumes`` with (`find_candidates`), without the
    cells they would be stored under (``storage`` left empty: nothing is stored with them)."""
    lateral_m, _, _ = _reach(deps, party)
    return Coverings(storage=[], query=[query_cells(v.outline, lateral_m) for v in volumes])


def find_candidates(
    uow: UnitOfWork,
    deps: Deps,
    party: PartyId,
    volumes: Sequence[Volume4D],
    cells: Coverings,
) -> list[StoredVolume]:
    """Other parties' indexed volumes that could clash with ``volumes`` (a superset): a cell
    in common with the query covering, the time window widened by the largest time buffer and
    the (AMSL) band widened by the largest vertical separation. Two W84 limits compare exactly
    on the ellipsoid, where their AMSL spans (through the geoid under each outline) may lie
    apart by up to the geoid's whole range: a band with a W84 limit widens its search by it."""
    _, vertical_m, time_s = _reach(deps, party)
    margin_us = int(time_s * 1_000_000)
    found: dict[tuple[str, str, int], StoredVolume] = {}
    for volume, query in zip(volumes, cells.query, strict=True):
        start_us, end_us = window_us(volume)
        reach_m = vertical_m + _ellipsoid_slack_m(volume)
        for stored in uow.volumes.candidates(
            query,
            start_us - margin_us,
            end_us + margin_us,
            volume.altitude.lower_m - reach_m,
            volume.altitude.upper_m + reach_m,
            party,
        ):
            found[(stored.object_type, stored.object_id, stored.volume_index)] = stored
    return [found[key] for key in sorted(found)]


def _ellipsoid_slack_m(volume: Volume4D) -> float:
    """The geoid's whole range plus twice its error bound, metres, for a band with a W84 limit
    (0 otherwise): what an exact comparison on the ellipsoid may differ by from the AMSL spans
    the index holds."""
    filed = volume.altitude.filed
    if filed is None:
        return 0.0
    limits = (filed.lower, filed.upper)
    if not any(isinstance(x, Height) and x.reference is Reference.W84 for x in limits):
        return 0.0
    low, high = GLOBAL_RANGE_M
    return high - low + 2.0 * UNDULATION_ERROR_M


@dataclass(frozen=True, slots=True)
class VolumeHit:
    """Volume number subject_index of the subject clashes with candidate number key, in the
    occurrences named (R-SCHED-1): each side's window that clashes, None for a volume with one
    window."""

    subject_index: int
    key: int
    clash: Clash
    occurrence_a: Occurrence | None
    """The subject volume's occurrence, when it is scheduled."""
    occurrence_b: Occurrence | None
    """The candidate volume's occurrence, when it is scheduled."""


@dataclass(frozen=True, slots=True)
class _Window:
    """One window a volume takes part in detection with: its own number and occurrence."""

    index: int
    occurrence: Occurrence | None


def _windows(volume: Volume4D) -> list[tuple[Occurrence | None, Volume4D]]:
    """(occurrence, the volume over that window) of every window of ``volume``: each
    occurrence of a scheduled one, else (None, the volume)."""
    if volume.schedule is None:
        return [(None, volume)]
    return [
        (Occurrence(w.start, w.start if w.end is None else w.end), replace(volume, time=w))
        for w in occurrence_windows(volume)
    ]


def clashes(
    deps: Deps,
    party: PartyId,
    volumes: Sequence[Volume4D],
    candidates: Sequence[StoredVolume],
    *,
    regions: bool = True,
) -> list[VolumeHit]:
    """The engine's hits of ``party``'s ``volumes`` with ``candidates`` under each channel's
    minima (a hit's key is the candidate's index). A scheduled volume on either side takes
    part as each of its occurrences (`occurrence_windows`): one hit per clashing pair of
    windows, naming the occurrences. ``regions`` False: the verdicts only, the regions the
    engine would draw for display mostly left empty (what a caller that keeps no conflict
    record needs)."""
    mech = deps.mechanism
    packed = []
    for index, stored in enumerate(candidates):
        rules = mech.channel(party, stored.party)
        for occurrence, window in _windows(stored.volume):
            packed.append(
                Candidate(
                    key=_Window(index, occurrence),
                    volume=volume_geom(window, mech.datums),
                    separation=separation(rules.separation),
                    # each party of a host_only channel is shown only its own part of a region
                    sides=regions and rules.sharing is Sharing.HOST_ONLY,
                )
            )
    subjects = [
        (_Window(index, occurrence), window)
        for index, volume in enumerate(volumes)
        for occurrence, window in _windows(volume)
    ]
    geoms = [volume_geom(window, mech.datums) for _, window in subjects]
    hits = []
    for hit in find_clashes(geoms, packed, regions=regions):
        mine = subjects[hit.subject_index][0]
        theirs = hit.key
        if not isinstance(theirs, _Window):
            raise TypeError("a candidate's key is its window")
        hits.append(
            VolumeHit(mine.index, theirs.index, hit.clash, mine.occurrence, theirs.occurrence)
        )
    return hits


def detect(
    uow: UnitOfWork,
    deps: Deps,
    subject: ObjectRef,
    volumes: Sequence[Volume4D],
    candidates: Sequence[StoredVolume],
    now: datetime,
) -> list[Conflict]:
    """Conflicts of the subject's ``volumes`` with ``candidates`` (``subject.volume_index``
    is ignored; each conflict names the clashing volume). Each side carries its notice's
    priority status: the subject's as given, a stored notice's as stored."""
    mech = deps.mechanism
    conflicts = []
    hits = clashes(deps, subject.party, volumes, candidates)
    statuses = _priority_statuses(uow, [candidates[hit.key] for hit in hits])
    for hit in hits:
        stored = candidates[hit.key]
        side_a = ObjectRef(
            subject.type,
            subject.id,
            subject.party,
            subject.version,
            hit.subject_index,
            subject.priority_status,
            hit.occurrence_a,
        )
        side_b = ObjectRef(
            stored.object_type,
            stored.object_id,
            stored.party,
            stored.version,
            stored.volume_index,
            statuses.get(stored.object_id),
            hit.occurrence_b,
        )
        minima = mech.channel(subject.party, stored.party).separation
        conflicts.append(
            conflict_from_hit(
                ConflictId(deps.ids.new("cfl")),
                hit.clash,
                side_a,
                side_b,
                _window_of(volumes[hit.subject_index], hit.occurrence_a),
                _window_of(stored.volume, hit.occurrence_b),
                minima,
                now,
            )
        )
    return conflicts


def _window_of(volume: Volume4D, occurrence: Occurrence | None) -> TimeWindow:
    """The window of a side that clashes: its occurrence, else the volume's window."""
    return volume.time if occurrence is None else TimeWindow(occurrence.start, occurrence.end)


def _priority_statuses(
    uow: UnitOfWork, stored: Sequence[StoredVolume]
) -> dict[str, PriorityStatus]:
    """The priority status of each stored notice among ``stored`` that has one, by id (read
    only for the volumes that clash: a filing that clashes with nothing reads nothing)."""
    ids = sorted({s.object_id for s in stored if s.object_type is ObjectType.NOTICE})
    return {
        notice_id: notice.priority_status
        for notice_id, notice in uow.notices.get_many(ids).items()
        if notice.priority_status is not None
    }


def conflict_acks(deps: Deps, conflict: Conflict, now: datetime) -> list[AckRequest]:
    """The requests that both sides acknowledge a new conflict: within the priority
    deadline, or the flash deadline when a side has a priority status (R-PRIO-1)."""
    rules = deps.mechanism.channel(conflict.a.party, conflict.b.party)
    priority = conflict_priority(conflict.priority_status is not None)
    return [
        AckRequest(
            id=AckId(deps.ids.new("ack")),
            party=party,
            subject=AckSubject.CONFLICT,
            subject_id=conflict.id,
            subject_version=1,
            priority=priority,
            requested_at=now,
            due_at=due_at(rules, priority, now),
        )
        for party in (conflict.a.party, conflict.b.party)
    ]


def sync_conflicts(
    uow: UnitOfWork,
    deps: Deps,
    subject: ObjectRef,
    fresh: Sequence[Conflict],
    reason: ResolvedReason,
    now: datetime,
    *,
    new: bool = False,
) -> list[Conflict]:
    """Replace the subject's open conflicts by ``fresh``: unchanged clashes are kept (with
    their acknowledgements), vanished ones resolved for ``reason``, new ones stored and their
    acknowledgement requested. Returns the conflicts open after the change. ``new``: the
    subject was just created, so it has no conflicts yet."""
    old = [] if new else uow.conflicts.open_involving(subject.type, subject.id)
    kept: list[Conflict] = []
    unmatched = list(fresh)
    events: list[Event] = []
    for conflict in old:
        match = next((f for f in unmatched if _same(conflict, f, subject)), None)
        if match is None:
            events.append(ConflictResolved(conflict.id, str(reason), now))
        else:
            unmatched.remove(match)
            kept.append(conflict)
    acks = [tuple(conflict_acks(deps, c, now)) for c in unmatched]
    events.extend(
        ConflictDetected(
            c.id,
            Side(str(c.a.type), c.a.id, c.a.party),
            Side(str(c.b.type), c.b.id, c.b.party),
            to_us(c.window_start),
            c,
            requests,
        )
        for c, requests in zip(unmatched, acks, strict=True)
    )
    record_events(uow, now, SYSTEM, events)
    return kept + unmatched


def _oriented(conflict: Conflict, subject: ObjectRef) -> tuple[ObjectRef, ObjectRef, bool]:
    """(subject side, other side, swapped) of a conflict that involves ``subject``."""
    if conflict.a.type == subject.type and conflict.a.id == subject.id:
        return conflict.a, conflict.b, False
    return conflict.b, conflict.a, True


def _same(old: Conflict, new: Conflict, subject: ObjectRef) -> bool:
    """True when ``old`` and ``new`` describe the same clash (same volumes, window, band,
    and priority statuses: a clash whose side gained or lost one is a new conflict, asked
    again within its deadline)."""
    old_mine, old_other, _ = _oriented(old, subject)
    new_mine, new_other, _ = _oriented(new, subject)
    return (
        old_mine.volume_index == new_mine.volume_index
        and old_mine.occurrence == new_mine.occurrence
        and old_other.occurrence == new_other.occurrence
        and old_mine.priority_status == new_mine.priority_status
        and old_other.priority_status == new_other.priority_status
        and (old_other.type, old_other.id, old_other.volume_index)
        == (new_other.type, new_other.id, new_other.volume_index)
        and old.window_start == new.window_start
        and old.window_end == new.window_end
        and abs(old.alt_lo_m - new.alt_lo_m) < 1e-6
        and abs(old.alt_hi_m - new.alt_hi_m) < 1e-6
        and abs(old.distance_m - new.distance_m) < 0.01
    )
