"""Detection of scheduled volumes treats each occurrence (R-SCHED-1): the index, the engine and
the stored conflicts find exactly the clashing pairs of occurrences that a brute-force check of
every pair of windows (expanded day by day, without dateutil) finds, and each conflict names
its occurrences."""

from __future__ import annotations

import functools
import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations
from typing import Any

from _support import T0, Env, make_env
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from sharedsky.detect.separation import clash
from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.conflicts import ConflictFilter, ConflictState, ObjectType
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.schedules import Schedule, Weekday, occurrences, schedule
from sharedsky.domain.volumes import (
    AltitudeBand,
    StoredVolume,
    TimeWindow,
    Volume4D,
    scheduled,
)
from sharedsky.geo.outlines import CircleOutline
from sharedsky.service import projection
from sharedsky.service._packing import separation, volume_geom
from sharedsky.service.context import Actor
from sharedsky.service.detection import clashes
from sharedsky.service.notices import amend_notice, file_notice
from sharedsky.store.legacy_state import PROJECTED
from sharedsky.store.schema import head_revisions
from sharedsky.testing.fakes import FakeClock
from sharedsky.testing.memory import MemoryDatabase
from tests._hypothesis import examples

FIRST_DAY = date(2026, 11, 25)


def actor(party: str) -> Actor:
    return Actor(OperatorId(f"{party}-duty"), PartyId(party), is_host=False)


def reference_windows(volume: Volume4D) -> list[TimeWindow]:
    """The windows of a volume, day by day: each listed weekday's window within the dates,
    cut to the volume's window (as a release cuts it); a volume without a schedule has its
    own window."""
    plan = volume.schedule
    if plan is None:
        return [volume.time]
    days = {d.number for d in plan.weekdays}
    found = []
    day = plan.first_date
    while day <= plan.last_date:
        if day.weekday() in days:
            start = datetime.combine(day, plan.from_time, UTC)
            end = datetime.combine(day, plan.to_time, UTC)
            if end <= start:
                end += timedelta(days=1)
            start, end = max(start, volume.time.start), min(end, volume.time.end or end)
            if start < end:
                found.append(TimeWindow(start, end))
        day += timedelta(days=1)
    return found


def _at(window: TimeWindow, volume: Volume4D) -> Volume4D:
    return Volume4D(volume.outline, volume.altitude, window)


def random_schedule(rng: random.Random) -> Schedule:
    """A schedule of one to eight days with at least one occurrence."""
    while True:
        plan = _any_schedule(rng)
        if occurrences(plan):
            return plan


def _any_schedule(rng: random.Random) -> Schedule:
    first = FIRST_DAY + timedelta(days=rng.randrange(0, 6))
    start = rng.randrange(0, 24 * 60, 15)
    end = (start + rng.randrange(30, 8 * 60, 15)) % (24 * 60)  # some cross midnight
    return schedule(
        rng.sample(list(Weekday), rng.randint(1, 7)),
        time(start // 60, start % 60),
        time(end // 60, end % 60),
        first,
        first + timedelta(days=rng.randrange(0, 8)),
    )


def random_volume(rng: random.Random) -> Volume4D:
    outline = CircleOutline(
        (35.0 + rng.uniform(0, 0.6), 33.0 + rng.uniform(0, 0.6)), rng.uniform(2_000, 20_000)
    )
    low = rng.uniform(0, 6_000)
    band = AltitudeBand(low, low + rng.uniform(500, 4_000))
    if rng.random() < 0.6:
        return scheduled(outline, band, random_schedule(rng))
    start = datetime.combine(FIRST_DAY, time(), UTC) + timedelta(
        minutes=rng.randrange(0, 12 * 1440)
    )
    return Volume4D(
        outline, band, TimeWindow(start, start + timedelta(minutes=rng.randrange(30, 600)))
    )


def brute_force(env: Env, a: Volume4D, b: Volume4D, party_a: str, party_b: str) -> set[tuple]:
    """(window of a, window of b) of every clashing pair of windows."""
    sep = separation(env.deps.mechanism.channel(PartyId(party_a), PartyId(party_b)).separation)
    datums = env.deps.mechanism.datums
    return {
        (wa.start, wb.start)
        for wa in reference_windows(a)
        for wb in reference_windows(b)
        if clash(volume_geom(_at(wa, a), datums), volume_geom(_at(wb, b), datums), sep) is not None
    }


def test_stored_conflicts_equal_brute_force_over_every_pair_of_occurrences(env: Env) -> None:
    """R-SCHED-1, R-DETECT-1: 40 notices, three in five of their volumes scheduled, filed by
    alpha and bravo: the stored open conflicts are exactly the clashing pairs of windows, one
    conflict each, each naming the occurrence of every scheduled side."""
    rng = random.Random(18)
    notices = []
    for _ in range(40):
        volumes = tuple(random_volume(rng) for _ in range(rng.choice([1, 1, 2])))
        draft = NoticeDraft(NoticeKind.AIR_SORTIE, "recurring", volumes)
        notices.append(file_notice(env.deps, actor(rng.choice(["alpha", "bravo"])), draft).notice)
    expected = set()
    for n, m in combinations(notices, 2):
        if n.party == m.party:
            continue
        for i, vn in enumerate(n.volumes):
            for j, vm in enumerate(m.volumes):
                for sn, sm in brute_force(env, vn, vm, n.party, m.party):
                    expected.add(frozenset({(n.id, i, sn), (m.id, j, sm)}))
    stored = env.deps.db.run(
        lambda uow: uow.conflicts.find(ConflictFilter(state=ConflictState.OPEN, limit=100_000), T0)
    )
    by_id = {n.id: n for n in notices}

    def side(ref) -> tuple:
        volume = by_id[ref.id].volumes[ref.volume_index]
        if volume.schedule is None:
            assert ref.occurrence is None
            return (ref.id, ref.volume_index, volume.time.start)
        assert ref.occurrence is not None
        assert TimeWindow(ref.occurrence.start, ref.occurrence.end) in reference_windows(volume)
        return (ref.id, ref.volume_index, ref.occurrence.start)

    found = [frozenset({side(c.a), side(c.b)}) for c in stored]
    assert len(expected) > 30  # the scenario is dense enough to mean something
    assert set(found) == expected
    assert len(found) == len(set(found))  # one conflict per pair of windows
    for c in stored:  # it expires when the earlier of its two windows ends
        ends = [
            (r.occurrence.end if r.occurrence else by_id[r.id].volumes[r.volume_index].time.end)
            for r in (c.a, c.b)
        ]
        buffer = env.deps.mechanism.channel(c.a.party, c.b.party).separation.time_s
        assert c.expires_at == min(e for e in ends if e is not None) + timedelta(seconds=buffer)


@functools.cache
def _env() -> Env:
    return make_env(MemoryDatabase(revisions=head_revisions()), FakeClock(T0))


minutes = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))
plans = st.builds(
    lambda days, a, b, first, span: schedule(days, a, b, first, first + timedelta(days=span)),
    st.lists(st.sampled_from(list(Weekday)), min_size=1, max_size=7),
    minutes,
    minutes,
    st.dates(FIRST_DAY, FIRST_DAY + timedelta(days=6)),
    st.integers(0, 9),
).filter(lambda p: p.from_time != p.to_time)


@st.composite
def volumes(draw: st.DrawFn) -> Volume4D:
    """A circle near (35.2, 33.2) over a schedule or one window of up to two days."""
    outline = CircleOutline(
        (35.2 + draw(st.floats(-0.3, 0.3)), 33.2 + draw(st.floats(-0.3, 0.3))),
        draw(st.floats(1_000.0, 20_000.0)),
    )
    low = draw(st.floats(0.0, 3_000.0))
    band = AltitudeBand(low, low + draw(st.floats(100.0, 3_000.0)))
    if draw(st.booleans()):
        return scheduled(outline, band, draw(plans))
    start = datetime.combine(FIRST_DAY, time(), UTC) + timedelta(
        minutes=draw(st.integers(0, 14 * 1440))
    )
    end = start + timedelta(minutes=draw(st.integers(1, 2 * 1440)))
    return Volume4D(outline, band, TimeWindow(start, end))


@hyp_settings(
    max_examples=examples(200),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.lists(volumes(), min_size=1, max_size=2), st.lists(volumes(), min_size=1, max_size=3))
def test_no_clash_of_an_occurrence_is_missed_and_none_is_invented(
    mine: list[Volume4D], theirs: list[Volume4D]
) -> None:
    """R-SCHED-1: the engine's hits of alpha's volumes with bravo's stored ones are exactly the
    brute-force pairs of clashing windows, each hit naming the occurrences of scheduled sides."""
    env = _env()
    stored = [
        StoredVolume(ObjectType.NOTICE, f"ntc-{k}", 0, PartyId("bravo"), 1, v)
        for k, v in enumerate(theirs)
    ]
    hits = clashes(env.deps, PartyId("alpha"), mine, stored, regions=False)
    got = []
    for hit in hits:
        a, b = mine[hit.subject_index], theirs[hit.key]
        assert (hit.occurrence_a is None) == (a.schedule is None)
        assert (hit.occurrence_b is None) == (b.schedule is None)
        start_a = a.time.start if hit.occurrence_a is None else hit.occurrence_a.start
        start_b = b.time.start if hit.occurrence_b is None else hit.occurrence_b.start
        got.append((hit.subject_index, hit.key, start_a, start_b))
    expected = {
        (i, k, sa, sb)
        for i, a in enumerate(mine)
        for k, b in enumerate(theirs)
        for sa, sb in brute_force(env, a, b, "alpha", "bravo")
    }
    event("some clash" if expected else "no clash")
    assert set(got) == expected
    assert len(got) == len(expected)


def test_the_events_of_scheduled_notices_rebuild_their_rows_exactly() -> None:
    """R-SCHED-1, R-LEDGER-8: schedules and the occurrences their conflicts name go through
    the ledger's canonical JSON and back: the projected tables, emptied and replayed from the
    events alone, are what they were (after filing, amending and releasing)."""
    db = MemoryDatabase(revisions=head_revisions())
    env = make_env(db, FakeClock(T0))
    rng = random.Random(5)
    filed = []
    for k in range(12):
        volumes = (scheduled(*_plain(random_volume(rng)), random_schedule(rng)),)
        if k % 3 == 0:
            volumes += (random_volume(rng),)
        draft = NoticeDraft(NoticeKind.AIR_SORTIE, "recurring", volumes)
        filed.append(file_notice(env.deps, actor(["alpha", "bravo"][k % 2]), draft).notice)
    first = filed[0]
    moved = replace(first.volumes[0], altitude=AltitudeBand(100.0, 200.0))
    amend_notice(
        env.deps,
        actor(first.party),
        first.id,
        1,
        NoticeDraft(NoticeKind.AIR_SORTIE, "moved", (moved, *first.volumes[1:])),
    )
    occurrences_named = env.deps.db.run(
        lambda uow: uow.conflicts.find(ConflictFilter(limit=100_000), T0), readonly=True
    )
    assert any(c.a.occurrence and c.b.occurrence for c in occurrences_named)
    tables = db._tables
    before = {name: list(tables.scan(name)) for name in PROJECTED}
    entries = db.run(lambda uow: uow.events.entries(0, 100_000), readonly=True)
    tables.begin()
    for name in PROJECTED:
        tables.rows[name].clear()
    tables.covers.clear()
    tables.cell_vids.clear()
    tables.commit()

    def replay(uow: Any) -> None:
        for entry in entries:
            assert entry.content is not None
            projection.apply_entry(entry.content.type, entry.content.payload, uow)

    db.run(replay)
    assert {name: list(tables.scan(name)) for name in PROJECTED} == before


def _plain(volume: Volume4D) -> tuple[Any, AltitudeBand]:
    return volume.outline, volume.altitude
