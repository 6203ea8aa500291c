"""Resolution advice: the smallest amendments of a notice that clear every clash it has.

For a notice that clashes now, `advise` looks for five options (``domain/resolutions.py``):
the smallest shift later and earlier (whole minutes, up to 24 h), the nearest band above and
below (100 ft steps, up to 656 steps ≈ 20 km, and never past what a filing accepts), and the
largest part of its window that is clear. Each is verified by the filing's own path — the
index search and the engine (`detection.find_candidates`, `detection.clashes`), the same
validation, every other party's notices and zones — to leave the amended notice with no
conflict at all (so it enters no zone a filing would flag), before it is offered. A notice
with a scheduled volume (R-SCHED-1) gets the two height options only: its occurrences do not
move with its window, so a shift or a kept window is not an amendment of it; the height options
are verified against every occurrence as a filing is.

How the smallest step is found. A shift (or a climb) changes one dimension only, so the
engine's lateral verdict — the costly part — is taken once per dimension: one index search and
one engine run with the notice stretched over the whole search range in that dimension (its
windows widened by 24 h each way; its bands opened to the whole altitude range) gives every
stored volume that is near in the two other dimensions (`_near`); a volume not among them
cannot clash at any step. For each such pair the steps at which it clashes form one interval,
since the gap on either side changes monotonically with the step (`clashing_steps`, with the
engine's own gap functions: ``interval_gap``'s rule in time, ``limit_gap`` on the moved limits'
spans in height). The answer is the first step outside the union of those intervals
(`first_free_step`), so it is the smallest clear step in the search range — not only one whose
predecessor clashes, although clearing is not monotone in the step (a notice may be clear 10
minutes later, clash again at 20 and be clear at 90): *one step less always clashes, and so does
every step between 0 and it*. The final answer is verified through the full filing path; if
that disagreed (it should not), its step is blocked and the next free one tried, up to
`_TRIES` times. Cost: two index searches and two engine runs for the search, then one index
search and engine run per option, whatever the number of stored volumes near the notice.

Who gets options: the operator of the party that owns a notice side of the conflict and may
amend it (duty or admin role); the host amends nothing, so its answer is empty, as it is for a
zone side, a notice that ended or was cancelled, and a conflict that is resolved. Advice never
moves a priority notice for one that ranks lower (R-PRIO-2, ``domain/priority.py``): in a
conflict only the side that gives way (`gives_way`: the lower rank, or either when neither has
a priority status) is offered options, so a medevac's owner gets none and the other side is
told how to move; two priority notices of the same rank get none. A filing's answer lists its
notice's options when it gives way in at least one of its open conflicts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sharedsky.detect.separation import LimitGeom, Separation, VolumeGeom, limit_gap
from sharedsky.domain.conflicts import Conflict, ConflictState, ObjectRef, ObjectType
from sharedsky.domain.errors import InvalidInput, InvalidVolume, NotFound, StaleVersion
from sharedsky.domain.heights import MAX_ALT_M, MIN_ALT_M
from sharedsky.domain.ids import NoticeId
from sharedsky.domain.notices import (
    Notice,
    NoticeDraft,
    late_counterparties,
    lead_time_s,
    validate_draft,
)
from sharedsky.domain.operators import Role
from sharedsky.domain.priority import gives_way
from sharedsky.domain.resolutions import (
    MAX_MOVE_STEPS,
    MAX_SHIFT_STEPS,
    STEP_S,
    Option,
    OptionKind,
    below_ground,
    clashing_steps,
    clipped,
    covered_s,
    first_free_step,
    free_stretches,
    movable,
    moved_band,
    option_id,
    option_version,
    shifted,
    step_delta_m,
    whole_minutes,
    window_text,
)
from sharedsky.domain.volumes import (
    AltitudeBand,
    StoredVolume,
    TimeWindow,
    Volume4D,
    band_spans,
    resolve_volumes,
    window_us,
)
from sharedsky.service._packing import limit_geom, separation, volume_geom
from sharedsky.service.context import Actor
from sharedsky.service.detection import Coverings, clashes, find_candidates, search_cells
from sharedsky.service.ports import Deps
from sharedsky.service.queries import visible_conflict
from sharedsky.service.uow import UnitOfWork
from sharedsky.units import from_us, to_us

_TRIES = 3
"""Verifications per option before the search gives it up."""
_MAX_SHIFT = timedelta(seconds=MAX_SHIFT_STEPS * STEP_S)
_US = 1_000_000


@dataclass(frozen=True, slots=True)
class _Pair:
    """A volume of the notice (``index``) and a stored volume near it in two dimensions."""

    index: int
    stored: StoredVolume
    other: VolumeGeom
    minima: Separation


# ── the use cases ───────────────────────────────────────────────────────────────────────────


def conflict_resolutions(deps: Deps, actor: Actor, conflict_id: str) -> tuple[Option, ...]:
    """The options of a strategic conflict for ``actor``: amendments of its own notice in
    it (empty for the host, a viewer, a zone side, a resolved conflict); NotFound when the
    conflict does not exist or the actor may not see it."""
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> tuple[Option, ...]:
        conflict = visible_conflict(uow, deps, actor.viewer, conflict_id, now).conflict
        notice = _amendable(uow, actor, conflict)
        if notice is None or conflict.state_at(now) is not ConflictState.OPEN:
            return ()
        return tuple(advise(uow, deps, notice, now))

    return deps.db.run(work, readonly=True)


def conflict_resolution(deps: Deps, actor: Actor, conflict_id: str, wanted: str) -> Option:
    """The option ``wanted`` of a conflict as `conflict_resolutions` lists it now;
    StaleVersion when it was computed for an earlier version of the actor's notice (the
    notice changed since: list the options again), NotFound when there is no such option."""
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> Option:
        conflict = visible_conflict(uow, deps, actor.viewer, conflict_id, now).conflict
        notice = _amendable(uow, actor, conflict)
        version = option_version(wanted)
        if notice is not None and version is not None and version != notice.version:
            raise StaleVersion(
                f"option {wanted!r} was for version {version} of notice {notice.id}, which is "
                f"at version {notice.version} now: list the options again",
                ("option_id",),
            )
        found: tuple[Option, ...] = ()
        if notice is not None and conflict.state_at(now) is ConflictState.OPEN:
            found = tuple(advise(uow, deps, notice, now))
        for option in found:
            if option.id == wanted:
                return option
        raise NotFound(f"no option {wanted!r} for conflict {conflict_id!r}", ("option_id",))

    return deps.db.run(work, readonly=True)


def notice_resolutions(deps: Deps, actor: Actor, notice_id: str) -> tuple[Option, ...]:
    """The options of the actor's own notice (what a filing's answer lists): empty when it
    clashes with nothing, or the actor may not amend it."""
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> tuple[Option, ...]:
        notice = uow.notices.get(notice_id)
        if notice is None or not _may_amend(actor, notice):
            return ()
        conflicts = uow.conflicts.open_involving(ObjectType.NOTICE, notice.id)
        if not any(_yields(c, notice.id) for c in conflicts):
            return ()
        return tuple(advise(uow, deps, notice, now))

    return deps.db.run(work, readonly=True)


def _may_amend(actor: Actor, notice: Notice) -> bool:
    """True when ``actor`` could amend ``notice`` (``notices.amend_notice``'s rule)."""
    return not actor.is_host and actor.role.allows(Role.DUTY) and notice.party == actor.party


def _amendable(uow: UnitOfWork, actor: Actor, conflict: Conflict) -> Notice | None:
    """The notice side of ``conflict`` that ``actor`` may amend and that gives way in it
    (R-PRIO-2), if any."""
    for side in (conflict.a, conflict.b):
        if side.type is ObjectType.NOTICE and side.party == actor.party:
            if not _yields(conflict, side.id):
                return None
            notice = uow.notices.get(side.id)
            if notice is not None and _may_amend(actor, notice):
                return notice
    return None


def _yields(conflict: Conflict, notice_id: str) -> bool:
    """True when the side ``notice_id`` of ``conflict`` is one advice may move: it gives way
    to the other side's priority status (``domain/priority.py``)."""
    own, other = _sides(conflict, notice_id)
    return gives_way(own.priority_status, other.priority_status)


def _sides(conflict: Conflict, notice_id: str) -> tuple[ObjectRef, ObjectRef]:
    """(the side of ``notice_id``, the other side)."""
    if conflict.a.type is ObjectType.NOTICE and conflict.a.id == notice_id:
        return conflict.a, conflict.b
    return conflict.b, conflict.a


# ── the search ──────────────────────────────────────────────────────────────────────────────


def advise(uow: UnitOfWork, deps: Deps, notice: Notice, now: datetime) -> list[Option]:
    """The options of ``notice`` at ``now`` (see the module's docstring); empty when it is
    no longer current or clashes with nothing."""
    if not notice.status(now).is_current():
        return []
    cells = search_cells(deps, notice.party, notice.volumes)
    options: list[Option] = []
    # a schedule's occurrences do not move with its window: a notice with one gets the
    # height options only (each verified against every occurrence, R-SCHED-1)
    scheduled = any(v.schedule is not None for v in notice.volumes)
    in_time = (
        [] if scheduled else _near(uow, deps, notice, _stretched_in_time(notice.volumes), cells)
    )
    if scheduled:
        if not _near(uow, deps, notice, notice.volumes, cells):
            return []
    else:
        blocked_s = [b for b in (_shift_steps(notice.volumes, p) for p in in_time) if b is not None]
        if not any(first <= 0 <= last for first, last in blocked_s):
            return []
        earliest = int((notice.start - now).total_seconds() // STEP_S)  # never into the past
        for kind, direction, limit in (
            (OptionKind.SHIFT_LATER, 1, MAX_SHIFT_STEPS),
            (OptionKind.SHIFT_EARLIER, -1, min(MAX_SHIFT_STEPS, earliest)),
        ):
            found = _smallest(
                uow, deps, notice, now, kind, blocked_s, direction, limit, _shift_of(notice), cells
            )
            options.extend(found)
    if all(movable(v.altitude) for v in notice.volumes):
        in_height = _near(uow, deps, notice, _stretched_in_height(notice.volumes), cells)
        heights = _MovedLimits(deps, notice.volumes)
        blocked_m = [b for b in (_move_steps(heights, p) for p in in_height) if b is not None]
        for kind, direction in ((OptionKind.CLIMB, 1), (OptionKind.DESCEND, -1)):
            options.extend(
                _smallest(
                    uow,
                    deps,
                    notice,
                    now,
                    kind,
                    blocked_m,
                    direction,
                    MAX_MOVE_STEPS,
                    _move_of(notice),
                    cells,
                )
            )
    if not scheduled:
        options.extend(_largest_window(uow, deps, notice, now, in_time))
    return options


def _near(
    uow: UnitOfWork, deps: Deps, notice: Notice, stretched: Sequence[Volume4D], cells: Coverings
) -> list[_Pair]:
    """Every (volume of the notice, stored volume) that the engine calls a clash once the
    notice is ``stretched`` over a whole search range in one dimension: the pairs near in
    the two others (the engine decides the lateral distance, once)."""
    candidates = find_candidates(uow, deps, notice.party, stretched, cells)
    mech = deps.mechanism
    pairs = []
    for hit in clashes(deps, notice.party, stretched, candidates, regions=False):
        stored = candidates[hit.key]
        minima = separation(mech.channel(notice.party, stored.party).separation)
        pairs.append(
            _Pair(hit.subject_index, stored, volume_geom(stored.volume, mech.datums), minima)
        )
    return pairs


def _stretched_in_time(volumes: Sequence[Volume4D]) -> list[Volume4D]:
    """The volumes with their windows widened by the largest shift each way."""
    return [
        replace(
            v,
            time=TimeWindow(
                v.time.start - _MAX_SHIFT, None if v.time.end is None else v.time.end + _MAX_SHIFT
            ),
        )
        for v in volumes
    ]


def _stretched_in_height(volumes: Sequence[Volume4D]) -> list[Volume4D]:
    """The volumes with their bands opened to every altitude a filing accepts."""
    return [replace(v, altitude=AltitudeBand(MIN_ALT_M, MAX_ALT_M)) for v in volumes]


def _shift_steps(volumes: Sequence[Volume4D], pair: _Pair) -> tuple[int, int] | None:
    """The minutes of shift (signed) at which the pair clashes in time: the time gap as the
    engine measures it (POSIX seconds of the shifted windows)."""
    own = volumes[pair.index].time
    end = own.end
    if end is None:
        raise ValueError("a notice volume has an end")

    def start_s(k: int) -> float:
        return (own.start + timedelta(seconds=k * STEP_S)).timestamp()

    def end_s(k: int) -> float:
        return (end + timedelta(seconds=k * STEP_S)).timestamp()

    other = pair.other
    return clashing_steps(
        lambda k: other.t_start_s - end_s(k),
        lambda k: start_s(k) - other.t_end_s,
        pair.minima.time_s,
        -MAX_SHIFT_STEPS,
        MAX_SHIFT_STEPS,
    )


class _MovedLimits:
    """The engine's limits of each volume's band moved by k steps, computed once per (volume,
    k): a flight level's span comes through the standard atmosphere, a W84 height's through
    the geoid under the outline."""

    def __init__(self, deps: Deps, volumes: Sequence[Volume4D]) -> None:
        self._datums = deps.mechanism.datums
        self._volumes = volumes
        self._known: dict[tuple[int, int], tuple[LimitGeom, LimitGeom]] = {}

    def at(self, index: int, steps: int) -> tuple[LimitGeom, LimitGeom]:
        """(lower, upper) of volume ``index`` moved by ``steps``."""
        key = (index, steps)
        found = self._known.get(key)
        if found is None:
            volume = self._volumes[index]
            band = moved_band(volume.altitude, steps)
            lower, upper = band_spans(band, self._datums, volume.outline)
            found = (limit_geom(lower), limit_geom(upper))
            self._known[key] = found
        return found


def _move_steps(heights: _MovedLimits, pair: _Pair) -> tuple[int, int] | None:
    """The steps (signed) at which the pair clashes in height: the engine's `limit_gap`
    between the moved limits and the stored volume's."""
    other = pair.other
    return clashing_steps(
        lambda k: limit_gap(other.lower_limit(), heights.at(pair.index, k)[1])[0],
        lambda k: limit_gap(heights.at(pair.index, k)[0], other.upper_limit())[0],
        pair.minima.vertical_m,
        -MAX_MOVE_STEPS,
        MAX_MOVE_STEPS,
    )


_Build = Callable[[OptionKind, int, datetime, Deps], Option]
"""The option of a signed step count (InvalidInput when a filing would refuse it)."""


def _shift_of(notice: Notice) -> _Build:
    def build(kind: OptionKind, steps: int, now: datetime, deps: Deps) -> Option:
        seconds = steps * STEP_S
        volumes = shifted(notice.volumes, seconds)
        return _option(deps, notice, now, kind, volumes, str(seconds), shift_s=seconds)

    return build


def _move_of(notice: Notice) -> _Build:
    def build(kind: OptionKind, steps: int, now: datetime, deps: Deps) -> Option:
        volumes = tuple(replace(v, altitude=moved_band(v.altitude, steps)) for v in notice.volumes)
        for index, volume in enumerate(volumes):
            if below_ground(volume.altitude):
                path = ("volumes", index, "altitude", "lower")
                raise InvalidVolume("the band would go below the ground", path)
        metres = step_delta_m(steps)
        return _option(deps, notice, now, kind, volumes, repr(metres), delta_m=metres)

    return build


def _option(
    deps: Deps,
    notice: Notice,
    now: datetime,
    kind: OptionKind,
    volumes: tuple[Volume4D, ...],
    cost: str,
    *,
    shift_s: int | None = None,
    delta_m: float | None = None,
    window: TimeWindow | None = None,
) -> Option:
    """The option of amending ``notice`` to ``volumes`` (resolved on the mechanism's datums;
    InvalidInput when a filing would refuse them)."""
    volumes = resolve_volumes(volumes, deps.mechanism.datums)
    draft = NoticeDraft(
        notice.kind,
        notice.title,
        volumes,
        notice.remarks,
        notice.contact,
        outside_area=True,
        priority_status=notice.priority_status,
    )
    # the outlines are the notice's own, accepted when it was filed: the area check passes
    validate_draft(draft, now, deps.mechanism.area)
    lead_s = lead_time_s(volumes, now)
    late = bool(late_counterparties(deps.mechanism, notice.party, notice.kind, lead_s))
    return Option(
        id=option_id(notice.id, notice.version, kind, cost),
        kind=kind,
        notice_id=NoticeId(notice.id),
        version=notice.version,
        volumes=volumes,
        late=late,
        shift_s=shift_s,
        delta_m=delta_m,
        window=window,
    )


def _smallest(
    uow: UnitOfWork,
    deps: Deps,
    notice: Notice,
    now: datetime,
    kind: OptionKind,
    blocked: Sequence[tuple[int, int]],
    direction: int,
    limit: int,
    build: _Build,
    cells: Coverings,
) -> list[Option]:
    """The option of the first free step in ``direction`` (at most ``limit`` steps), once
    the filing path confirms it; empty when there is none, or the step is one a filing
    refuses (past the flight-level or altitude range: no farther step is accepted either).
    ``cells``: the notice's search cells, which a move in time or height leaves as they are."""
    spans = list(blocked)
    for _ in range(_TRIES):
        steps = first_free_step(spans, direction, limit)
        if steps is None:
            return []
        try:
            option = build(kind, direction * steps, now, deps)
        except InvalidInput:
            return []
        if _clear(uow, deps, notice, option.volumes, cells):
            return [option]
        spans.append((direction * steps, direction * steps))
    return []


def _clear(
    uow: UnitOfWork, deps: Deps, notice: Notice, volumes: Sequence[Volume4D], cells: Coverings
) -> bool:
    """True when the filing path finds no clash for ``volumes`` (searched around with
    ``cells``) as the notice's."""
    candidates = find_candidates(uow, deps, notice.party, volumes, cells)
    return not clashes(deps, notice.party, volumes, candidates, regions=False)


def _largest_window(
    uow: UnitOfWork, deps: Deps, notice: Notice, now: datetime, pairs: Sequence[_Pair]
) -> list[Option]:
    """The ``shrink_window`` option: the kept window, with whole-minute ends, during which
    the notice is active longest and clashes with nothing; empty when none is."""
    start_us, end_us = to_us(notice.start), to_us(notice.end)
    blocked = [b for b in (_blocked_us(notice.volumes, p) for p in pairs) if b is not None]
    windows = []
    for stretch in free_stretches(blocked, start_us, end_us):
        lo, hi = whole_minutes(stretch, (start_us, end_us))
        if lo >= hi or hi <= to_us(now) or (lo, hi) == (start_us, end_us):
            continue
        window = TimeWindow(from_us(lo), from_us(hi))
        windows.append((covered_s(notice.volumes, from_us(lo), from_us(hi)), -lo, window))
    for covered, _, window in sorted(windows, key=lambda w: (w[0], w[1]), reverse=True)[:_TRIES]:
        if covered <= 0.0:
            break
        try:
            option = _option(
                deps,
                notice,
                now,
                OptionKind.SHRINK_WINDOW,
                clipped(notice.volumes, window),
                window_text(window),
                window=window,
            )
        except InvalidInput:
            continue
        cells = search_cells(deps, notice.party, option.volumes)
        if _clear(uow, deps, notice, option.volumes, cells):
            return [option]
    return []


def _blocked_us(volumes: Sequence[Volume4D], pair: _Pair) -> tuple[int, int] | None:
    """The open interval of time (µs) that a kept window must not meet, for one pair: the
    part of the notice's volume within the time buffer of the stored volume."""
    own_lo, own_hi = window_us(volumes[pair.index])
    other_lo, other_hi = window_us(pair.stored.volume)
    buffer_us = round(pair.minima.time_s * _US)
    if buffer_us <= 0:
        return None
    lo, hi = max(own_lo, other_lo - buffer_us), min(own_hi, other_hi + buffer_us)
    return (lo, hi) if lo < hi else None
