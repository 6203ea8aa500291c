"""The conflict repository's queries, row by row: resolving, the listing's filters (party,
object, state judged at a time, with expiry exactly at that time), its order and limit, and
which volumes of whose objects are in an open clash with a viewer's (the query visibility rests
on). Written against hand-made rows with distinct values, so that every condition matters."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sharedsky.domain.conflicts import (
    Conflict,
    ConflictFilter,
    ConflictState,
    ObjectRef,
    ObjectType,
    ResolvedReason,
)
from sharedsky.domain.ids import ConflictId, PartyId
from sharedsky.store.conflicts import ConflictRepository
from sharedsky.store.uow import Database, SqlUnitOfWork

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
A, B, C = PartyId("alpha"), PartyId("bravo"), PartyId("charlie")
REGION = {
    "type": "Polygon",
    "coordinates": [[[36.0, 34.0], [36.1, 34.0], [36.1, 34.1], [36.0, 34.0]]],
}


def side(kind: ObjectType, object_id: str, party: PartyId, volume: int) -> ObjectRef:
    return ObjectRef(kind, object_id, party, 2, volume)


def conflict(
    cid: str, a: ObjectRef, b: ObjectRef, detected_min: int, expires_min: int | None
) -> Conflict:
    return Conflict(
        id=ConflictId(cid),
        a=a,
        b=b,
        window_start=T0 + timedelta(hours=1),
        window_end=T0 + timedelta(hours=2),
        alt_lo_m=1000.0,
        alt_hi_m=2000.0,
        distance_m=12.5,
        region=REGION,
        region_a=None,
        region_b=None,
        detected_at=T0 + timedelta(minutes=detected_min),
        expires_at=None if expires_min is None else T0 + timedelta(minutes=expires_min),
    )


#   alpha's notice n-a (volumes 0, 1), bravo's notice n-b (volumes 0, 1, 2) and zone z-b,
#   charlie's notice n-c; each conflict a different pair, detection time and expiry
K1 = conflict(
    "cfl-1", side(ObjectType.NOTICE, "n-b", B, 1), side(ObjectType.NOTICE, "n-a", A, 0), 1, 120
)
K2 = conflict(
    "cfl-2", side(ObjectType.NOTICE, "n-a", A, 1), side(ObjectType.ZONE, "z-b", B, 0), 2, None
)
K3 = conflict(
    "cfl-3", side(ObjectType.NOTICE, "n-c", C, 0), side(ObjectType.NOTICE, "n-b", B, 2), 3, 60
)
K4 = conflict(
    "cfl-4", side(ObjectType.NOTICE, "n-b", B, 0), side(ObjectType.NOTICE, "n-a", A, 1), 2, 30
)
ALL = (K4, K3, K2, K1)  # stored in this order: the listing's order must not be the insertion order


def stored(database: Database) -> Database:
    database.run(lambda uow: uow.conflicts.add_many(ALL))
    return database


def ids(found: list[Conflict]) -> list[str]:
    return [c.id for c in found]


def find(database: Database, flt: ConflictFilter, now: datetime) -> list[str]:
    return ids(database.run(lambda uow: uow.conflicts.find(flt, now), readonly=True))


def test_conflicts_come_back_as_they_were_stored(database: Database) -> None:
    stored(database)
    for k in ALL:
        assert database.run(lambda uow, k=k: uow.conflicts.get(k.id), readonly=True) == k
    assert database.run(lambda uow: uow.conflicts.get("cfl-none"), readonly=True) is None


def test_resolving_marks_that_conflict_only_with_its_time_and_reason(database: Database) -> None:
    stored(database)
    at = T0 + timedelta(minutes=7)
    database.run(lambda uow: uow.conflicts.resolve("cfl-2", ResolvedReason.AMENDED, at))
    got = {k.id: database.run(lambda uow, k=k: uow.conflicts.get(k.id), readonly=True) for k in ALL}
    assert got["cfl-2"] == replace(
        K2, state=ConflictState.RESOLVED, resolved_at=at, resolved_reason=ResolvedReason.AMENDED
    )
    assert [got[k.id] for k in (K1, K3, K4)] == [K1, K3, K4]
    database.run(lambda uow: uow.conflicts.resolve("cfl-none", ResolvedReason.AMENDED, at))


def test_the_listing_filters_by_party_object_and_state_at_a_time(database: Database) -> None:
    stored(database)
    now = T0 + timedelta(minutes=30)  # K4 expires exactly now: no longer open
    everything = ConflictFilter()
    #   newest detection first, ties by id
    assert find(database, everything, now) == ["cfl-3", "cfl-2", "cfl-4", "cfl-1"]
    assert find(database, ConflictFilter(party=A), now) == ["cfl-2", "cfl-4", "cfl-1"]
    assert find(database, ConflictFilter(party=C), now) == ["cfl-3"]
    assert find(database, ConflictFilter(object_id="n-a"), now) == ["cfl-2", "cfl-4", "cfl-1"]
    assert find(database, ConflictFilter(object_id="z-b"), now) == ["cfl-2"]
    assert find(database, ConflictFilter(object_id="n-c"), now) == ["cfl-3"]
    opened = ConflictFilter(state=ConflictState.OPEN)
    closed = ConflictFilter(state=ConflictState.RESOLVED)
    assert find(database, opened, now) == ["cfl-3", "cfl-2", "cfl-1"]
    assert find(database, closed, now) == ["cfl-4"]
    before = now - timedelta(microseconds=1)
    assert find(database, opened, before) == ["cfl-3", "cfl-2", "cfl-4", "cfl-1"]
    assert find(database, closed, before) == []
    database.run(lambda uow: uow.conflicts.resolve("cfl-1", ResolvedReason.CANCELLED, now))
    assert find(database, opened, now) == ["cfl-3", "cfl-2"]
    assert find(database, closed, now) == ["cfl-4", "cfl-1"]
    later = T0 + timedelta(days=30)  # everything with an expiry has expired; K2 never does
    assert find(database, opened, later) == ["cfl-2"]
    assert find(database, ConflictFilter(party=B, state=ConflictState.OPEN), later) == ["cfl-2"]
    assert find(database, ConflictFilter(party=C, state=ConflictState.OPEN), later) == []
    assert find(database, ConflictFilter(limit=2), now) == ["cfl-3", "cfl-2"]
    assert find(database, ConflictFilter(party=A, limit=1), now) == ["cfl-2"]


def test_open_involving_finds_stored_open_conflicts_on_either_side(database: Database) -> None:
    stored(database)

    def involving(kind: ObjectType, object_id: str) -> list[str]:
        return sorted(
            ids(
                database.run(
                    lambda uow: uow.conflicts.open_involving(kind, object_id), readonly=True
                )
            )
        )

    assert involving(ObjectType.NOTICE, "n-b") == ["cfl-1", "cfl-3", "cfl-4"]
    assert involving(ObjectType.ZONE, "z-b") == ["cfl-2"]
    assert involving(ObjectType.NOTICE, "z-b") == []  # the type counts, not only the id
    assert involving(ObjectType.ZONE, "n-a") == []
    database.run(lambda uow: uow.conflicts.resolve("cfl-4", ResolvedReason.AMENDED, T0))
    assert involving(ObjectType.NOTICE, "n-b") == ["cfl-1", "cfl-3"]


def test_clashing_volumes_are_those_in_an_open_clash_with_the_viewers_own(
    database: Database,
) -> None:
    stored(database)

    def clashing(viewer: PartyId, object_ids: list[str], now: datetime) -> dict[str, set[int]]:
        def work(uow: SqlUnitOfWork) -> dict[str, frozenset[int]]:
            return uow.conflicts.clashing_volumes(viewer, object_ids, now)

        return {k: set(v) for k, v in database.run(work, readonly=True).items()}

    every = ["n-a", "n-b", "z-b", "n-c"]
    now = T0 + timedelta(minutes=10)
    #   alpha: bravo's volumes 1 (K1, b's side is alpha's) and 0 (K4, a's side), its zone (K2);
    #   not bravo's volume 2, which clashes only with charlie's (K3)
    assert clashing(A, every, now) == {"n-b": {0, 1}, "z-b": {0}}
    assert clashing(B, every, now) == {"n-a": {0, 1}, "n-c": {0}}
    assert clashing(C, every, now) == {"n-b": {2}}
    assert clashing(A, ["n-b"], now) == {"n-b": {0, 1}}
    assert clashing(A, ["z-b", "n-c"], now) == {"z-b": {0}}
    assert clashing(A, [], now) == {}
    #   K4 expires at T0+30 min (not open at that instant), K3 at +60
    at_expiry = T0 + timedelta(minutes=30)
    assert clashing(A, every, at_expiry) == {"n-b": {1}, "z-b": {0}}
    assert clashing(A, every, at_expiry - timedelta(microseconds=1)) == {
        "n-b": {0, 1},
        "z-b": {0},
    }
    assert clashing(C, every, T0 + timedelta(minutes=60)) == {}
    database.run(lambda uow: uow.conflicts.resolve("cfl-1", ResolvedReason.AMENDED, now))
    assert clashing(A, every, now) == {"n-b": {0}, "z-b": {0}}
    assert clashing(B, every, now) == {"n-a": {1}, "n-c": {0}}


def test_a_repository_on_a_bare_connection_writes_and_reads_back(database: Database) -> None:
    #   outside a unit of work (a script, a migration, a rebuild) every write works
    with database.engine.begin() as connection:
        repo = ConflictRepository(connection)
        repo.add(K1)
        repo.resolve("cfl-1", ResolvedReason.CANCELLED, T0)
        got = repo.get("cfl-1")
    assert got == replace(
        K1,
        state=ConflictState.RESOLVED,
        resolved_at=T0,
        resolved_reason=ResolvedReason.CANCELLED,
    )
