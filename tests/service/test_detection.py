"""Strategic detection through the service and the store agrees with brute force (R-DETECT-1),
and two overlapping filings made at the same moment see each other (R-DETECT-2): that one on the
SQL backends, whose concurrent transactions it is about. A conflict with a priority notice is
marked and acknowledged within the flash deadline (R-PRIO-1)."""

from __future__ import annotations

import random
import threading
from datetime import timedelta
from itertools import combinations

from _support import T0, Env

from sharedsky.detect.separation import clash
from sharedsky.domain.acknowledgements import AckRequest
from sharedsky.domain.channels import NoticeKind, Priority
from sharedsky.domain.conflicts import ConflictFilter, ConflictState
from sharedsky.domain.heights import FiledBand, Height, HeightUnit, Reference, Special
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.priority import PriorityStatus
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline, CorridorOutline, Outline, PolygonOutline
from sharedsky.service._packing import separation, volume_geom
from sharedsky.service.context import Actor
from sharedsky.service.notices import amend_notice, file_notice


def actor(party: str) -> Actor:
    return Actor(OperatorId(f"{party}-duty"), PartyId(party), is_host=False)


def random_outline(rng: random.Random) -> Outline:
    lon, lat = 35.0 + rng.uniform(0, 1.5), 33.0 + rng.uniform(0, 1.5)
    size = rng.uniform(0.02, 0.4)
    shape = rng.choice(["polygon", "circle", "corridor"])
    if shape == "circle":
        return CircleOutline((lon, lat), rng.uniform(1_000, 30_000))
    if shape == "corridor":
        path = ((lon, lat), (lon + size, lat + rng.uniform(-size, size)))
        return CorridorOutline(path, rng.uniform(500, 8_000))
    ring = ((lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size), (lon, lat))
    return PolygonOutline((ring,))


def level(metres: float) -> Height:
    return Height(float(round(metres / 30.48)), HeightUnit.FL, Reference.STD)


def random_draft(rng: random.Random) -> NoticeDraft:
    """One or two volumes; three bands in five in metres AMSL, the others in flight levels or
    on the ellipsoid (R-HEIGHT-3: the index must still find every pair the check decides)."""
    volumes = []
    for _ in range(rng.choice([1, 1, 2])):
        start = T0 + timedelta(hours=1) + timedelta(minutes=rng.randrange(0, 4 * 60))
        low = rng.uniform(0, 10_000)
        high = low + rng.uniform(300, 3_000)
        datum = rng.choice(["metres", "metres", "metres", "flight levels", "ellipsoid"])
        if datum == "metres":
            band = AltitudeBand(low, high)
        elif datum == "flight levels":
            band = AltitudeBand.as_filed(FiledBand(level(low), level(high)))
        else:
            band = AltitudeBand.as_filed(
                FiledBand(Height(low, HeightUnit.M, Reference.W84), Special.UNL)
                if rng.random() < 0.2
                else FiledBand(
                    Height(low, HeightUnit.M, Reference.W84),
                    Height(high, HeightUnit.M, Reference.W84),
                )
            )
        volumes.append(
            Volume4D(
                random_outline(rng),
                band,
                TimeWindow(start, start + timedelta(minutes=rng.randrange(30, 300))),
            )
        )
    return NoticeDraft(NoticeKind.AIR_SORTIE, "random", tuple(volumes))


def test_stored_conflicts_equal_brute_force_over_every_pair(env: Env) -> None:
    """R-DETECT-1, R-HEIGHT-3"""
    rng = random.Random(7)
    notices = [
        file_notice(env.deps, actor(rng.choice(["alpha", "bravo"])), random_draft(rng)).notice
        for _ in range(60)
    ]
    expected = set()
    for n, m in combinations(notices, 2):
        if n.party == m.party:
            continue
        sep = separation(env.deps.mechanism.channel(n.party, m.party).separation)
        for i, vn in enumerate(n.volumes):
            for j, vm in enumerate(m.volumes):
                datums = env.deps.mechanism.datums
                if clash(volume_geom(vn, datums), volume_geom(vm, datums), sep) is not None:
                    expected.add(frozenset({(n.id, i), (m.id, j)}))
    stored = env.deps.db.run(
        lambda uow: uow.conflicts.find(ConflictFilter(state=ConflictState.OPEN, limit=100_000), T0)
    )
    found = {frozenset({(c.a.id, c.a.volume_index), (c.b.id, c.b.volume_index)}) for c in stored}
    assert len(expected) > 20  # the scenario is dense enough to mean something
    assert found == expected
    assert len(stored) == len(found)  # no duplicates


def test_two_overlapping_filings_at_once_see_each_other(sql_env: Env) -> None:
    """On SQL: two transactions at once (SQLite's one writer, PostgreSQL's SERIALIZABLE)."""
    env = sql_env
    square = ((36.1, 34.5), (36.5, 34.5), (36.5, 34.9), (36.1, 34.9), (36.1, 34.5))
    draft = NoticeDraft(
        NoticeKind.AIR_SORTIE,
        "CAP",
        (
            Volume4D(
                PolygonOutline((square,)),
                AltitudeBand(3000, 9000),
                TimeWindow(T0 + timedelta(hours=3), T0 + timedelta(hours=5)),
            ),
        ),
    )
    for _round in range(3):
        barrier = threading.Barrier(2)
        results = {}

        def run(party: str, barrier: threading.Barrier = barrier, results: dict = results) -> None:
            barrier.wait()
            results[party] = file_notice(env.deps, actor(party), draft)

        threads = [threading.Thread(target=run, args=(p,)) for p in ("alpha", "bravo")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seen = [len(r.conflicts) for r in results.values()]
        assert sorted(seen) == [0, 1]  # the later of the two always sees the earlier
        env.clock.advance(1)
        for r in results.values():
            from sharedsky.service.notices import cancel_notice

            cancel_notice(env.deps, actor(r.notice.party), r.notice.id)


# ── operational priority ──────────────────────────────────────────────────────────────────


def _square_volume(start_min: int, end_min: int) -> Volume4D:
    ring = ((36.1, 34.5), (36.5, 34.5), (36.5, 34.9), (36.1, 34.9), (36.1, 34.5))
    return Volume4D(
        PolygonOutline((ring,)),
        AltitudeBand(3000.0, 9000.0),
        TimeWindow(T0 + timedelta(minutes=start_min), T0 + timedelta(minutes=end_min)),
    )


def _priority_draft(status: PriorityStatus | None, start_min: int = 180) -> NoticeDraft:
    volume = _square_volume(start_min, start_min + 120)
    return NoticeDraft(NoticeKind.AIR_SORTIE, "sortie", (volume,), priority_status=status)


def _conflict_acks(env: Env, conflict_id: str) -> list[AckRequest]:
    return env.deps.db.run(lambda uow: uow.acks.for_subject(conflict_id), readonly=True)


def test_a_conflict_with_a_priority_notice_is_marked_and_due_within_flash(env: Env) -> None:
    """R-PRIO-1: alpha's medevac notice clashes with bravo's plain one: each side keeps its
    status, the conflict is marked medevac and both sides owe an acknowledgement within the
    flash deadline (60 s in the Levant file), where a plain clash gets the priority one
    (300 s); the stored notice and the ledger's notice.filed carry the status."""
    medevac = file_notice(env.deps, actor("alpha"), _priority_draft(PriorityStatus.MEDEVAC))
    assert medevac.notice.priority_status is PriorityStatus.MEDEVAC
    plain = file_notice(env.deps, actor("bravo"), _priority_draft(None, start_min=200))
    (conflict,) = plain.conflicts
    assert conflict.a.party == "bravo" and conflict.a.priority_status is None
    assert conflict.b.id == medevac.notice.id
    assert conflict.b.priority_status is PriorityStatus.MEDEVAC
    assert conflict.priority_status is PriorityStatus.MEDEVAC
    acks = _conflict_acks(env, conflict.id)
    assert sorted(a.party for a in acks) == ["alpha", "bravo"]
    assert {a.priority for a in acks} == {Priority.FLASH}
    assert {a.due_at for a in acks} == {env.clock.now() + timedelta(seconds=60)}
    stored = env.deps.db.run(lambda uow: uow.notices.get(medevac.notice.id), readonly=True)
    assert stored is not None and stored.priority_status is PriorityStatus.MEDEVAC
    found = env.deps.db.run(lambda uow: uow.conflicts.get(conflict.id), readonly=True)
    assert found == conflict
    entries = env.deps.db.run(lambda uow: uow.events.entries(0, 1000), readonly=True)
    filed = [e.content.payload for e in entries if e.content and e.content.type == "notice.filed"]
    assert [p["content"].get("priority_status") for p in filed] == ["medevac", None]
    # a clash between two plain notices, hours later, is asked within the priority deadline
    file_notice(env.deps, actor("alpha"), _priority_draft(None, start_min=600))
    (later,) = file_notice(env.deps, actor("bravo"), _priority_draft(None, 620)).conflicts
    assert later.priority_status is None
    assert {a.priority for a in _conflict_acks(env, later.id)} == {Priority.PRIORITY}


def test_a_clash_whose_side_loses_its_priority_is_a_new_conflict(env: Env) -> None:
    """R-PRIO-1, R-DETECT-3: amended without its status (the same volumes), the medevac
    notice's clash is resolved as amended and raised again unmarked, asked within the
    priority deadline; amended with the status again, it is marked and flash once more."""
    medevac = file_notice(env.deps, actor("alpha"), _priority_draft(PriorityStatus.MEDEVAC))
    (first,) = file_notice(env.deps, actor("bravo"), _priority_draft(None, 200)).conflicts
    notice_id = medevac.notice.id
    cleared = amend_notice(env.deps, actor("alpha"), notice_id, 1, _priority_draft(None))
    (second,) = cleared.conflicts
    assert second.id != first.id and second.priority_status is None
    assert {a.priority for a in _conflict_acks(env, second.id)} == {Priority.PRIORITY}
    resolved = env.deps.db.run(lambda uow: uow.conflicts.get(first.id), readonly=True)
    assert resolved is not None and resolved.state is ConflictState.RESOLVED
    sar = amend_notice(env.deps, actor("alpha"), notice_id, 2, _priority_draft(PriorityStatus.SAR))
    (third,) = sar.conflicts
    assert third.id != second.id and third.priority_status is PriorityStatus.SAR
    assert {a.priority for a in _conflict_acks(env, third.id)} == {Priority.FLASH}
    # amended again with the same status and volumes: the same conflict, its requests kept
    kept = amend_notice(env.deps, actor("alpha"), notice_id, 3, _priority_draft(PriorityStatus.SAR))
    assert [c.id for c in kept.conflicts] == [third.id]
