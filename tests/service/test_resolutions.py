"""Resolution advice through the use cases (R-RESOLVE-1): the options of a clash, who gets them,
and, against the independent strategic reference, that every option clears every clash of its
notice and that one step less does not.

The figures of the first tests, for bravo's notice B (16:00–18:00, 3000–9000 m) over alpha's A
(15:00–17:00, 3000–9000 m, the same square), under the Levant minima (300 s, 304.8 m)::

    time   15:00 ──── A ──── 17:00|+5 min
                 16:00 ──── B ──── 18:00
    later:  B from 17:05           (+65 min: its start 300 s after A's end)
    earlier: B until 14:55         (−185 min: its end 300 s before A's start; starts 12:55)
    climb:  B from ≥ 9304.8 m      (207 × 30.48 = 6309.36 m; 206 steps leave 6278.88 m)
    descend: B under ≤ 2695.2 m    (−207 steps: its floor at −3309 m, below what a filing
                                    accepts: no option)
    shrink: keep 17:05–18:00       (the part of B more than 300 s after A)
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from _hypothesis import examples
from _support import LEVANT_YAML, T0, THREE_PARTY_YAML, Env, make_env
from detect import strategic_reference as ref
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.conflicts import ConflictState
from sharedsky.domain.errors import NotFound, StaleVersion
from sharedsky.domain.heights import FiledBand, Height, HeightUnit, Reference, Special
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.operators import Role
from sharedsky.domain.priority import PriorityStatus
from sharedsky.domain.resolutions import STEP_S, Option, OptionKind, clipped, moved_band, shifted
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.domain.zones import ZoneDraft, ZoneKind
from sharedsky.geo.outlines import CircleOutline, Outline, PolygonOutline
from sharedsky.service.context import Actor
from sharedsky.service.notices import Filing, amend_notice, check_notice, file_notice
from sharedsky.service.queries import list_conflicts
from sharedsky.service.resolutions import (
    conflict_resolution,
    conflict_resolutions,
    notice_resolutions,
)
from sharedsky.service.zones import declare_zone
from sharedsky.store.schema import head_revisions
from sharedsky.testing.fakes import FakeClock
from sharedsky.testing.memory import MemoryDatabase

ALPHA = Actor(OperatorId("alpha-duty"), PartyId("alpha"), is_host=False)
BRAVO = Actor(OperatorId("bravo-duty"), PartyId("bravo"), is_host=False)
HOST = Actor(OperatorId("host-duty"), PartyId("host"), is_host=True)


def square(lon: float = 36.1, lat: float = 34.5, size: float = 0.4) -> PolygonOutline:
    ring = ((lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size), (lon, lat))
    return PolygonOutline((ring,))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def vol(
    start_min: float,
    end_min: float,
    band: AltitudeBand | None = None,
    outline: Outline | None = None,
) -> Volume4D:
    return Volume4D(
        outline or square(),
        band or AltitudeBand(3000.0, 9000.0),
        TimeWindow(at(start_min), at(end_min)),
    )


def draft(*volumes: Volume4D) -> NoticeDraft:
    return NoticeDraft(NoticeKind.AIR_SORTIE, "sortie", volumes)


def file(env: Env, actor: Actor, *volumes: Volume4D) -> Filing:
    return file_notice(env.deps, actor, draft(*volumes))


def by_kind(options: tuple[Option, ...]) -> dict[OptionKind, Option]:
    kinds = [o.kind for o in options]
    assert len(set(kinds)) == len(kinds)
    return {o.kind: o for o in options}


def clashes_if_amended(
    env: Env, actor: Actor, notice_id: str, volumes: tuple[Volume4D, ...]
) -> int:
    """How many conflicts amending the notice to ``volumes`` would give now (a dry run)."""
    return len(check_notice(env.deps, actor, draft(*volumes), amending=notice_id).conflicts)


def test_the_options_of_a_clash_are_the_smallest_that_clear_it(env: Env) -> None:
    """R-RESOLVE-1"""
    file(env, ALPHA, vol(180, 300))
    b = file(env, BRAVO, vol(240, 360))
    (conflict,) = b.conflicts
    options = by_kind(conflict_resolutions(env.deps, BRAVO, conflict.id))
    assert set(options) == {
        OptionKind.SHIFT_LATER,
        OptionKind.SHIFT_EARLIER,
        OptionKind.CLIMB,
        OptionKind.SHRINK_WINDOW,
    }
    assert options[OptionKind.SHIFT_LATER].shift_s == 65 * 60
    assert options[OptionKind.SHIFT_EARLIER].shift_s == -185 * 60
    assert options[OptionKind.CLIMB].delta_m == 6309.36
    climbed = options[OptionKind.CLIMB].volumes[0].altitude
    assert (climbed.lower_m, climbed.upper_m) == (9309.36, 15309.36)
    assert options[OptionKind.SHRINK_WINDOW].window == TimeWindow(at(305), at(360))
    for option in options.values():
        assert option.notice_id == b.notice.id and option.version == 1 and not option.late
        assert option.id.startswith("v1-")
        assert clashes_if_amended(env, BRAVO, b.notice.id, option.volumes) == 0
    # one step less clashes
    assert clashes_if_amended(env, BRAVO, b.notice.id, shifted(b.notice.volumes, 64 * 60)) == 1
    assert clashes_if_amended(env, BRAVO, b.notice.id, shifted(b.notice.volumes, -184 * 60)) == 1
    lower = tuple(replace(v, altitude=moved_band(v.altitude, 206)) for v in b.notice.volumes)
    assert clashes_if_amended(env, BRAVO, b.notice.id, lower) == 1
    wider = clipped(b.notice.volumes, TimeWindow(at(304), at(360)))
    assert clashes_if_amended(env, BRAVO, b.notice.id, wider) == 1
    # the same advice asked again has the same ids
    again = conflict_resolutions(env.deps, BRAVO, conflict.id)
    assert [o.id for o in again] == [o.id for o in options.values()]


def test_options_clear_every_clash_of_the_notice_and_avoid_zones(env: Env) -> None:
    """R-RESOLVE-1: bravo's B clashes with two of alpha's notices; climbing above the first
    would enter alpha's protected zone (9000–12000 m, in force all day), so the climb clears
    all three: above the zone."""
    file(env, ALPHA, vol(180, 300))
    file(env, ALPHA, vol(300, 420, AltitudeBand(5000.0, 6000.0)))
    zone = ZoneDraft(ZoneKind.PROTECTED, "hospital", vol(0, 24 * 60, AltitudeBand(9000.0, 12000.0)))
    declare_zone(env.deps, ALPHA, zone)
    b = file(env, BRAVO, vol(240, 360, AltitudeBand(3000.0, 8000.0)))
    assert len(b.conflicts) == 2
    options = by_kind(conflict_resolutions(env.deps, BRAVO, b.conflicts[0].id))
    assert options == by_kind(conflict_resolutions(env.deps, BRAVO, b.conflicts[1].id))
    assert options[OptionKind.SHIFT_LATER].shift_s == (420 + 5 - 240) * 60
    # above the zone's 12000 m by 304.8 m at least: 3000 + 30.48 k ≥ 12304.8
    assert options[OptionKind.CLIMB].delta_m == round(306 * 30.48, 2)
    for option in options.values():
        assert clashes_if_amended(env, BRAVO, b.notice.id, option.volumes) == 0
    # applying an option resolves both conflicts
    amend_notice(env.deps, BRAVO, b.notice.id, 1, draft(*options[OptionKind.CLIMB].volumes))
    assert list_conflicts(env.deps, BRAVO.viewer, ConflictState.OPEN) == []
    assert conflict_resolutions(env.deps, BRAVO, b.conflicts[0].id) == ()


def test_an_option_that_leaves_too_little_notice_says_it_is_late(env: Env) -> None:
    """R-RESOLVE-1, R-LEAD-1: moved to start 12:14, bravo's notice gives 14 minutes of the
    15 its channel asks for."""
    file(env, ALPHA, vol(29, 120))
    b = file(env, BRAVO, vol(60, 70))
    options = by_kind(conflict_resolutions(env.deps, BRAVO, b.conflicts[0].id))
    assert options[OptionKind.SHIFT_EARLIER].shift_s == -46 * 60
    assert options[OptionKind.SHIFT_EARLIER].late
    assert not options[OptionKind.SHIFT_LATER].late


def test_a_shift_never_starts_before_now(env: Env) -> None:
    """B (10 min) would have to end by 12:05, 5 minutes before alpha's 12:10: it would start
    at 11:55, before the clock's 12:00."""
    file(env, ALPHA, vol(10, 120))
    b = file(env, BRAVO, vol(60, 70))
    options = by_kind(conflict_resolutions(env.deps, BRAVO, b.conflicts[0].id))
    assert OptionKind.SHIFT_EARLIER not in options


def test_the_first_clear_gap_is_found_even_when_a_later_shift_clashes_again(env: Env) -> None:
    """Clearing is not monotone in the shift: B (10 min) is clear 10 to 15 minutes later,
    then clashes with A2 again; the smallest shift is +10 min, not one past A2."""
    file(env, ALPHA, vol(170, 200))
    file(env, ALPHA, vol(230, 300))
    b = file(env, BRAVO, vol(195, 205))
    options = by_kind(conflict_resolutions(env.deps, BRAVO, b.conflicts[0].id))
    # B must start ≥ 200 + 5 = 205 and end ≤ 230 − 5 = 225: a shift of 10 to 20 minutes
    assert options[OptionKind.SHIFT_LATER].shift_s == 10 * 60


def test_flight_levels_climb_one_level_a_step_and_keep_their_datum(env: Env) -> None:
    """A band filed FL120–FL200 climbs as FL(120+k)–FL(200+k); its clash with a band in
    metres AMSL goes through the QNH range (R-HEIGHT-3)."""
    fl = AltitudeBand.as_filed(
        FiledBand(
            Height(120, HeightUnit.FL, Reference.STD), Height(200, HeightUnit.FL, Reference.STD)
        )
    )
    file(env, ALPHA, vol(180, 300, AltitudeBand(5000.0, 6500.0)))
    b = file(env, BRAVO, vol(180, 300, fl))
    options = by_kind(conflict_resolutions(env.deps, BRAVO, b.conflicts[0].id))
    climb = options[OptionKind.CLIMB]
    filed = climb.volumes[0].altitude.filed
    assert filed is not None and isinstance(filed.lower, Height) and isinstance(filed.upper, Height)
    steps = round(filed.lower.value - 120)
    assert filed.upper.value == 200 + steps and filed.lower.reference is Reference.STD
    assert climb.delta_m == round(steps * 30.48, 2)
    assert clashes_if_amended(env, BRAVO, b.notice.id, climb.volumes) == 0
    one_less = tuple(
        replace(v, altitude=moved_band(v.altitude, steps - 1)) for v in b.notice.volumes
    )
    assert clashes_if_amended(env, BRAVO, b.notice.id, one_less) == 1


def test_a_band_from_the_surface_gets_no_climb_or_descent(env: Env) -> None:
    sfc = AltitudeBand.as_filed(
        FiledBand(Special.SFC, Height(20000, HeightUnit.FT, Reference.AMSL))
    )
    file(env, ALPHA, vol(180, 300))
    b = file(env, BRAVO, vol(180, 300, sfc))
    kinds = {o.kind for o in conflict_resolutions(env.deps, BRAVO, b.conflicts[0].id)}
    assert kinds == {OptionKind.SHIFT_LATER, OptionKind.SHIFT_EARLIER}  # no part clear either


def test_a_band_above_ground_never_descends_below_it(
    memory: MemoryDatabase, clock: FakeClock
) -> None:
    """A band 100–1100 ft AGL over terrain of 0–500 m spans 30–835 m AMSL and clashes with
    600–3000 m: clearing it from below would take its floor some 1,700 ft under the ground
    (a nominal height a filing would still accept): no descent; it climbs instead."""
    env = make_env(memory, clock, LEVANT_YAML + "terrain_m: {min: 0, max: 500}\n")
    agl = AltitudeBand.as_filed(
        FiledBand(
            Height(100, HeightUnit.FT, Reference.AGL), Height(1100, HeightUnit.FT, Reference.AGL)
        )
    )
    file(env, ALPHA, vol(180, 300, AltitudeBand(600.0, 3000.0)))
    b = file(env, BRAVO, vol(180, 300, agl))
    kinds = {o.kind for o in conflict_resolutions(env.deps, BRAVO, b.conflicts[0].id)}
    assert OptionKind.CLIMB in kinds and OptionKind.DESCEND not in kinds


def test_only_the_party_that_may_amend_gets_options(env: Env) -> None:
    """The host amends nothing, nor does a viewer; a zone's owner gets none for its zone."""
    a = file(env, ALPHA, vol(180, 300))
    b = file(env, BRAVO, vol(240, 360))
    conflict = b.conflicts[0].id
    assert {o.notice_id for o in conflict_resolutions(env.deps, ALPHA, conflict)} == {a.notice.id}
    assert conflict_resolutions(env.deps, HOST, conflict) == ()
    viewer = replace(BRAVO, role=Role.VIEWER)
    assert conflict_resolutions(env.deps, viewer, conflict) == ()
    zone = ZoneDraft(
        ZoneKind.PROTECTED, "hospital", vol(0, 600, AltitudeBand(0.0, 3500.0), square(37.5))
    )
    declared = declare_zone(env.deps, ALPHA, zone)
    c = file(env, BRAVO, vol(60, 90, AltitudeBand(1000.0, 2000.0), square(37.5)))
    (zone_conflict,) = c.conflicts
    assert conflict_resolutions(env.deps, ALPHA, zone_conflict.id) == ()
    assert {o.notice_id for o in conflict_resolutions(env.deps, BRAVO, zone_conflict.id)} == {
        c.notice.id
    }
    assert declared.zone.id
    assert notice_resolutions(env.deps, ALPHA, c.notice.id) == ()  # not alpha's to amend


def test_an_option_of_an_earlier_version_is_stale_and_an_unknown_one_not_found(env: Env) -> None:
    file(env, ALPHA, vol(180, 300))
    b = file(env, BRAVO, vol(240, 360))
    conflict = b.conflicts[0].id
    first = conflict_resolutions(env.deps, BRAVO, conflict)[0]
    assert conflict_resolution(env.deps, BRAVO, conflict, first.id) == first
    with pytest.raises(NotFound):
        conflict_resolution(env.deps, BRAVO, conflict, "v1-0000000000000000")
    with pytest.raises(NotFound):
        conflict_resolution(env.deps, BRAVO, conflict, "no-such-option")
    # an amendment that keeps the clash: the conflict stays open, the notice is at version 2
    amend_notice(env.deps, BRAVO, b.notice.id, 1, replace(draft(*b.notice.volumes), title="x"))
    with pytest.raises(StaleVersion):
        conflict_resolution(env.deps, BRAVO, conflict, first.id)
    assert all(o.id.startswith("v2-") for o in conflict_resolutions(env.deps, BRAVO, conflict))


def test_a_conflict_the_caller_may_not_see_is_not_found(
    memory: MemoryDatabase, clock: FakeClock
) -> None:
    env = make_env(memory, clock, THREE_PARTY_YAML)
    file(env, ALPHA, vol(180, 300))
    b = file(env, BRAVO, vol(240, 360))
    charlie = Actor(OperatorId("charlie-duty"), PartyId("charlie"), is_host=False)
    with pytest.raises(NotFound):
        conflict_resolutions(env.deps, charlie, b.conflicts[0].id)
    with pytest.raises(NotFound):
        conflict_resolutions(env.deps, BRAVO, "cfl-nope")


# ── against the independent reference ───────────────────────────────────────────────────────

SITE = (35.0, 33.0)
"""Where the property test's volumes lie (the Levant mechanism has no area)."""
LEVANT = ref.Minima(9_260.0, 304.8, 300.0)


def ref_volume(volume: Volume4D) -> ref.Volume:
    """The reference's copy of a volume (circles only here)."""
    outline = volume.outline
    assert isinstance(outline, CircleOutline)
    end = volume.time.end
    assert end is not None
    return ref.Volume(
        ref.Circle(outline.center[0], outline.center[1], outline.radius_m),
        volume.altitude.lower_m,
        volume.altitude.upper_m,
        volume.time.start.timestamp(),
        end.timestamp(),
    )


def ref_clashes(volumes: tuple[Volume4D, ...], others: list[Volume4D]) -> int:
    """How many (volume, other) pairs the reference calls conflicts."""
    pairs = [(ref_volume(v), ref_volume(o), LEVANT) for v in volumes for o in others]
    return sum(v.conflict for v in ref.verdicts(pairs))


@st.composite
def circle_volume(draw: st.DrawFn) -> Volume4D:
    """A circle within 0.15° of the site, 2–30 km across, a band of 300–3000 m within
    1000–11000 m, a window of 20–180 min starting 1–4 h after the clock."""
    lon = SITE[0] + draw(st.integers(-15, 15)) / 100
    lat = SITE[1] + draw(st.integers(-15, 15)) / 100
    radius_m = float(draw(st.integers(1_000, 15_000)))
    lower = float(draw(st.integers(1_000, 8_000)))
    thick = float(draw(st.integers(300, 3_000)))
    start = draw(st.integers(60, 240))
    length = draw(st.integers(20, 180))
    return Volume4D(
        CircleOutline((lon, lat), radius_m),
        AltitudeBand(lower, lower + thick),
        TimeWindow(at(start), at(start + length)),
    )


@settings(
    max_examples=examples(12),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    st.lists(circle_volume(), min_size=2, max_size=6),
    st.lists(circle_volume(), min_size=1, max_size=2),
)
def test_every_option_clears_every_clash_and_one_step_less_does_not(
    others: list[Volume4D], own: list[Volume4D]
) -> None:
    """R-RESOLVE-1, against `strategic_reference` (geodesics computed again, nothing of the
    engine): alpha files ``others``, bravo one notice of ``own``; each option's volumes clash
    with none of alpha's, and one step less (a minute closer, 100 ft nearer, the kept window a
    minute wider) clashes with at least one."""
    env = make_env(MemoryDatabase(revisions=head_revisions()), FakeClock(T0))
    assume(ref_clashes(tuple(own), others) > 0)
    for volume in others:
        file(env, ALPHA, volume)
    b = file(env, BRAVO, *own)
    assert b.conflicts
    notice = b.notice
    for option in conflict_resolutions(env.deps, BRAVO, b.conflicts[0].id):
        event(str(option.kind))
        assert ref_clashes(option.volumes, others) == 0, option.kind
        for nearer in _one_step_less(option, notice.volumes):
            assert ref_clashes(nearer, others) > 0, option.kind


def _one_step_less(option: Option, volumes: tuple[Volume4D, ...]) -> list[tuple[Volume4D, ...]]:
    """The notice one step short of ``option``: a minute less of shift, 100 ft less of
    climb or descent; for a kept window, each end a minute wider where it can widen."""
    if option.shift_s is not None:
        toward = option.shift_s - STEP_S * (1 if option.shift_s > 0 else -1)
        return [shifted(volumes, toward)]
    if option.delta_m is not None:
        steps = round(option.delta_m / 30.48)
        nearer = steps - (1 if steps > 0 else -1)
        return [tuple(replace(v, altitude=moved_band(v.altitude, nearer)) for v in volumes)]
    window = option.window
    assert window is not None and window.end is not None
    start = min(v.time.start for v in volumes)
    end = max(v.time.end for v in volumes if v.time.end is not None)
    minute = timedelta(seconds=STEP_S)
    wider = []
    if window.start > start:
        wider.append(clipped(volumes, TimeWindow(max(start, window.start - minute), window.end)))
    if window.end < end:
        wider.append(clipped(volumes, TimeWindow(window.start, min(end, window.end + minute))))
    assert wider  # the whole window never is the answer: it clashes
    return wider


# ── operational priority (R-PRIO-2) ────────────────────────────────────────────────────────


def file_with(env: Env, actor: Actor, status: PriorityStatus | None, *volumes: Volume4D) -> Filing:
    body = NoticeDraft(NoticeKind.AIR_SORTIE, "sortie", volumes, priority_status=status)
    return file_notice(env.deps, actor, body)


def test_advice_never_moves_the_priority_notice(env: Env) -> None:
    """R-PRIO-2: alpha's medevac A and bravo's plain B clash; alpha is offered nothing (for
    the conflict, and in its filing's list), bravo the same options as for a plain clash,
    each an amendment of B that clears it."""
    a = file_with(env, ALPHA, PriorityStatus.MEDEVAC, vol(180, 300))
    b = file(env, BRAVO, vol(240, 360))
    (conflict,) = b.conflicts
    assert conflict_resolutions(env.deps, ALPHA, conflict.id) == ()
    assert notice_resolutions(env.deps, ALPHA, a.notice.id) == ()
    options = conflict_resolutions(env.deps, BRAVO, conflict.id)
    assert {o.kind for o in options} == {
        OptionKind.SHIFT_LATER,
        OptionKind.SHIFT_EARLIER,
        OptionKind.CLIMB,
        OptionKind.SHRINK_WINDOW,
    }
    assert {o.notice_id for o in options} == {b.notice.id}
    assert notice_resolutions(env.deps, BRAVO, b.notice.id) == options
    with pytest.raises(NotFound):
        conflict_resolution(env.deps, ALPHA, conflict.id, options[0].id)


@pytest.mark.parametrize(
    ("alpha", "bravo", "moves"),
    [
        (PriorityStatus.SAR, PriorityStatus.SAR, None),  # the same status: neither
        (PriorityStatus.HUMANITARIAN, PriorityStatus.MEDEVAC, "alpha"),
        (PriorityStatus.EMERGENCY, PriorityStatus.MEDEVAC, "bravo"),
    ],
)
def test_of_two_priority_notices_only_the_lower_rank_is_moved(
    env: Env, alpha: PriorityStatus, bravo: PriorityStatus, moves: str | None
) -> None:
    """R-PRIO-2"""
    file_with(env, ALPHA, alpha, vol(180, 300))
    (conflict,) = file_with(env, BRAVO, bravo, vol(240, 360)).conflicts
    offered = {
        name: bool(conflict_resolutions(env.deps, who, conflict.id))
        for name, who in (("alpha", ALPHA), ("bravo", BRAVO))
    }
    assert offered == {"alpha": moves == "alpha", "bravo": moves == "bravo"}
