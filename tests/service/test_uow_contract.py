"""The unit of work's contract (``service/uow.py``), held by every implementation: the SQL store
on SQLite and PostgreSQL and the in-memory one the service tests use (``testing/memory``).

One assertion per behaviour a use case relies on, run against each backend (``any_database``):
what each repository method stores and reads back, its order, ties and limit, what "found
nothing" answers, what a taken key does, how the ledger chains and signs, that a failed work
leaves nothing and a write appends only the events it appends (R-LEDGER-8). Rows are
hand-made with distinct values, so that every condition of a query matters. The fake is also
run beside the SQL store through the use cases (``tests/testing/test_memory.py``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from _support import LEVANT_YAML, THREE_PARTY_YAML
from sqlalchemy.exc import IntegrityError

from sharedsky.domain.acknowledgements import AckBacklog, AckRequest, AckStatus, AckSubject
from sharedsky.domain.agreement import AgreementReply, Answer, Position
from sharedsky.domain.channels import NoticeKind, Priority
from sharedsky.domain.conflicts import (
    Conflict,
    ConflictFilter,
    ConflictState,
    ObjectRef,
    ObjectType,
    ResolvedReason,
)
from sharedsky.domain.deliveries import Delivery
from sharedsky.domain.errors import KeyTaken
from sharedsky.domain.escalation import EscalationRecord
from sharedsky.domain.idempotency import KeptResult
from sharedsky.domain.ids import AckId, ConflictId, NoticeId, OperatorId, PartyId, ZoneId
from sharedsky.domain.messages import About, Message, MessageId, MessageReply
from sharedsky.domain.notices import Notice, NoticeFilter, NoticeStatus
from sharedsky.domain.operators import OperatorRecord, Role
from sharedsky.domain.tactical import (
    CLEARED,
    OPEN,
    AlertKey,
    AlertKind,
    LiveFigures,
    Severity,
    StoredAlert,
)
from sharedsky.domain.templates import AboutType, Reply
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.domain.webhooks import Webhook, WebhookAttempt
from sharedsky.domain.zones import Zone, ZoneKind
from sharedsky.geo.outlines import PolygonOutline
from sharedsky.interop.mechanism_yaml import parse_mechanism
from sharedsky.ledger.chain import PartySig, entry_message, to_json
from sharedsky.ledger.signing import SERVER, KeyEntry, Signer
from sharedsky.ledger.signing import verify as verify_signature
from sharedsky.ledger.verify import verify
from sharedsky.service.ports import LiveTables
from sharedsky.service.uow import Database, UnitOfWork
from sharedsky.store.engine import make_engine
from sharedsky.store.live import LiveStore
from sharedsky.store.mapping import LedgerAppendError
from sharedsky.testing.memory import ConstraintViolation, MemoryLiveTables
from sharedsky.units import OPEN_END_US, to_us

T = TypeVar("T")
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
A, B, C, HOST = PartyId("alpha"), PartyId("bravo"), PartyId("charlie"), PartyId("host")
TAKEN = (IntegrityError, ConstraintViolation)
"""What a row that breaks a key raises: the SQL driver's error, or the fake's."""


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


HALF_HOUR = at(30)


def write(db: Database, work: Callable[[UnitOfWork], T]) -> T:
    return db.run(work)


def read(db: Database, work: Callable[[UnitOfWork], T]) -> T:
    return db.run(work, readonly=True)


@pytest.fixture
def db(any_database: Database) -> Database:
    """``any_database`` with the three-party mechanism's parties (alpha, bravo, charlie, host),
    which notices, zones, operators and webhooks must name."""
    mechanism, text = parse_mechanism(THREE_PARTY_YAML)
    write(any_database, lambda uow: uow.parties.save_mechanism(mechanism, text))
    return any_database


def types(db: Database) -> list[str]:
    return [e.type for e in read(db, lambda uow: uow.events.after(0, 100_000))]


# ---------------------------------------------------------------------------------------------
# The mechanism and its operators
# ---------------------------------------------------------------------------------------------


def operator(oid: str, party: PartyId, created_us: int = 10) -> OperatorRecord:
    return OperatorRecord(OperatorId(oid), party, f"{oid} name", Role.DUTY, created_us)


def test_the_mechanism_is_stored_once(any_database: Database) -> None:
    mechanism, text = parse_mechanism(LEVANT_YAML)
    assert read(any_database, lambda uow: uow.parties.mechanism_json()) is None
    write(any_database, lambda uow: uow.parties.save_mechanism(mechanism, text))
    assert read(any_database, lambda uow: uow.parties.mechanism_json()) == text
    with pytest.raises(TAKEN):
        write(any_database, lambda uow: uow.parties.save_mechanism(mechanism, "{}"))
    assert read(any_database, lambda uow: uow.parties.mechanism_json()) == text


def test_operators_are_read_by_id_by_token_and_in_order(db: Database) -> None:
    def load(uow: UnitOfWork) -> None:
        uow.parties.add_operator(operator("b-2", B), "tb2", 10)
        uow.parties.add_operator(operator("a-9", A, 20), "ta9", 20)
        uow.parties.add_operator(operator("b-1", B, 30), "tb1", 30)

    write(db, load)
    listed = read(db, lambda uow: uow.parties.operators())
    assert [o.id for o in listed] == ["a-9", "b-1", "b-2"]  # by party, then id
    assert listed[0] == operator("a-9", A, 20)
    assert read(db, lambda uow: uow.parties.operator("b-1")) == operator("b-1", B, 30)
    assert read(db, lambda uow: uow.parties.operator("nobody")) is None
    by_token = read(db, lambda uow: uow.parties.operator_by_token("tb2"))
    assert by_token is not None and by_token.id == "b-2"
    assert read(db, lambda uow: uow.parties.operator_by_token("nope")) is None
    tokens = read(db, lambda uow: uow.parties.operators_by_token())
    assert {t: o.id for t, o in tokens.items()} == {"tb2": "b-2", "ta9": "a-9", "tb1": "b-1"}
    assert read(db, lambda uow: uow.parties.version()) == (30, 3)
    with pytest.raises(TAKEN):  # its id is taken
        write(db, lambda uow: uow.parties.add_operator(operator("b-1", B), "t", 40))
    with pytest.raises(TAKEN):  # its token is taken
        write(db, lambda uow: uow.parties.add_operator(operator("c-1", C), "tb1", 40))
    with pytest.raises(TAKEN):  # its party is unknown
        write(db, lambda uow: uow.parties.add_operator(operator("d-1", PartyId("d")), "t", 40))
    assert read(db, lambda uow: uow.parties.version()) == (30, 3)


def test_revoking_and_replacing_tokens_change_the_version(db: Database) -> None:
    write(db, lambda uow: uow.parties.add_operator(operator("a-1", A), "old", 10))
    assert read(db, lambda uow: uow.parties.version()) == (10, 1)
    write(db, lambda uow: uow.parties.replace_token("a-1", "new", 50))
    assert read(db, lambda uow: uow.parties.operator_by_token("old")) is None
    assert read(db, lambda uow: uow.parties.version()) == (50, 1)
    write(db, lambda uow: uow.parties.revoke_operator("a-1", 60))
    write(db, lambda uow: uow.parties.revoke_operator("a-1", 70))  # revoked already
    write(db, lambda uow: uow.parties.revoke_operator("nobody", 80))
    write(db, lambda uow: uow.parties.replace_token("nobody", "x", 90))
    revoked = read(db, lambda uow: uow.parties.operator_by_token("new"))
    assert revoked is not None and revoked.revoked_us == 60
    assert read(db, lambda uow: uow.parties.version()) == (60, 1)
    assert read(db, lambda uow: uow.parties.version()) == (60, 1)


# ---------------------------------------------------------------------------------------------
# Notices, zones and the volume index
# ---------------------------------------------------------------------------------------------

SQUARE = PolygonOutline((((36.0, 34.0), (36.2, 34.0), (36.2, 34.2), (36.0, 34.2), (36.0, 34.0)),))


def volume(start_min: float, end_min: float, lo: float = 1000, hi: float = 2000) -> Volume4D:
    return Volume4D(SQUARE, AltitudeBand(lo, hi), TimeWindow(at(start_min), at(end_min)))


def notice(
    nid: str, party: PartyId, *volumes: Volume4D, kind: NoticeKind = NoticeKind.UAV
) -> Notice:
    return Notice(
        id=NoticeId(nid),
        party=party,
        kind=kind,
        title=f"{nid} title",
        volumes=volumes,
        remarks="",
        contact="ops",
        version=1,
        filed_at=T0,
        updated_at=T0,
        lead_time_s=900,  # an int: it reads back as the float column holds it
        late_for=(B,),
    )


def add_notice(uow: UnitOfWork, n: Notice, cells: Sequence[Sequence[int]] | None = None) -> None:
    uow.notices.add(n)
    covering = cells if cells is not None else [[1, 2]] * len(n.volumes)
    uow.volumes.put(ObjectType.NOTICE, n.id, n.party, n.version, n.volumes, covering, new=True)


def test_a_notice_reads_back_with_its_volumes_and_nothing_for_an_unknown_id(
    db: Database,
) -> None:
    n = notice("n-1", A, volume(60, 120), volume(90, 180, 0, 500))
    write(db, lambda uow: add_notice(uow, n))
    got = read(db, lambda uow: uow.notices.get("n-1"))
    assert got == n
    assert got is not None and type(got.lead_time_s) is float and got.late_for == (B,)
    assert read(db, lambda uow: uow.notices.get("n-0")) is None
    many = read(db, lambda uow: uow.notices.get_many(["n-0", "n-1", "n-1"]))
    assert many == {"n-1": n}
    assert read(db, lambda uow: uow.notices.get_many([])) == {}
    with pytest.raises(TAKEN):
        write(db, lambda uow: uow.notices.add(n))
    with pytest.raises(TAKEN):  # a party the database does not know
        write(db, lambda uow: uow.notices.add(notice("n-2", PartyId("delta"), volume(0, 1))))


def test_replacing_a_notice_stores_the_new_version_and_an_absent_one_nothing(
    db: Database,
) -> None:
    n = notice("n-1", A, volume(60, 120))
    write(db, lambda uow: add_notice(uow, n))
    amended = replace(n, version=2, title="amended", updated_at=at(5), volumes=(volume(0, 30),))

    def amend(uow: UnitOfWork) -> None:
        uow.notices.replace(amended)
        uow.volumes.put(ObjectType.NOTICE, n.id, A, 2, amended.volumes, [[7]])
        uow.notices.replace(notice("n-2", B, volume(0, 1)))  # absent: nothing

    write(db, amend)
    assert read(db, lambda uow: uow.notices.get("n-1")) == amended
    assert read(db, lambda uow: uow.notices.get("n-2")) is None


def test_the_notice_listing_filters_orders_and_limits(db: Database) -> None:
    #   n-a 0..60 alpha uav; n-b 30..90 bravo exercise; n-c 30..40 alpha cancelled;
    #   n-d 120..180 bravo uav far east
    far = Volume4D(
        PolygonOutline((((50.0, 10.0), (50.1, 10.0), (50.1, 10.1), (50.0, 10.0)),)),
        AltitudeBand(0, 100),
        TimeWindow(at(120), at(180)),
    )
    rows = [
        notice("n-b", B, volume(30, 90), kind=NoticeKind.EXERCISE),
        notice("n-a", A, volume(0, 60)),
        replace(notice("n-c", A, volume(30, 40)), cancelled_at=at(1)),
        notice("n-d", B, far),
    ]

    def load(uow: UnitOfWork) -> None:
        for n in rows:
            add_notice(uow, n)

    write(db, load)

    def ids(flt: NoticeFilter, now: datetime = HALF_HOUR) -> list[str]:
        return [n.id for n in read(db, lambda uow: uow.notices.find(flt, now))]

    assert ids(NoticeFilter()) == ["n-a", "n-b", "n-c", "n-d"]  # by start, then id
    assert ids(NoticeFilter(limit=2)) == ["n-a", "n-b"]
    assert ids(NoticeFilter(party=B)) == ["n-b", "n-d"]
    assert ids(NoticeFilter(kind=NoticeKind.EXERCISE)) == ["n-b"]
    assert ids(NoticeFilter(time_from=at(60))) == ["n-b", "n-d"]  # ends after it
    assert ids(NoticeFilter(time_to=at(30))) == ["n-a"]  # starts before it
    assert ids(NoticeFilter(bbox=(36.2, 34.2, 40.0, 40.0))) == ["n-a", "n-b", "n-c"]  # touching
    assert ids(NoticeFilter(bbox=(36.21, 34.0, 40.0, 40.0))) == []
    assert ids(NoticeFilter(status=NoticeStatus.CANCELLED)) == ["n-c"]
    assert ids(NoticeFilter(status=NoticeStatus.ACTIVE)) == ["n-a", "n-b"]  # starts at now
    assert ids(NoticeFilter(status=NoticeStatus.ACTIVE), at(60)) == ["n-b"]  # n-a ends at now
    assert ids(NoticeFilter(status=NoticeStatus.ENDED), at(60)) == ["n-a"]
    assert ids(NoticeFilter(status=NoticeStatus.PLANNED)) == ["n-d"]
    assert ids(NoticeFilter(party=C)) == []


def test_candidates_share_a_cell_and_meet_both_open_intervals(db: Database) -> None:
    #   bravo's v0 cells {10, 11}, 60..120 min, 1000..2000 m; v1 cells {12}, open-ended from
    #   180 min, 5000..6000 m; charlie's zone cells {11}, 0..30 min; alpha's own notice {10}
    zone = Zone(ZoneId("z-c"), C, ZoneKind.PROTECTED, "z", volume(0, 30), "", 1, T0, T0)
    open_ended = Volume4D(SQUARE, AltitudeBand(5000, 6000), TimeWindow(at(180), None))
    theirs = notice("n-b", B, volume(60, 120), volume(180, 240, 5000, 6000))

    def load(uow: UnitOfWork) -> None:
        add_notice(uow, theirs, [[10, 11], [12]])
        uow.volumes.put(
            ObjectType.NOTICE, "n-b", B, 1, (volume(60, 120), open_ended), [[10, 11], [12]]
        )
        add_notice(uow, notice("n-a", A, volume(60, 120)), [[10]])
        uow.zones.add(zone)
        uow.volumes.put(ObjectType.ZONE, "z-c", C, 1, [zone.volume], [[11]], new=True)

    write(db, load)

    def found(
        cells: Sequence[int], t: tuple[float, float], alt: tuple[float, float], party: PartyId = A
    ) -> list[tuple[str, str, int]]:
        lo, hi = to_us(at(t[0])), to_us(at(t[1]))
        got = read(
            db,
            lambda uow: uow.volumes.candidates(cells, lo, hi, alt[0], alt[1], party),
        )
        return [(v.object_type, v.object_id, v.volume_index) for v in got]

    assert found([10, 11, 12], (-60, 10_000), (-1e9, 1e9)) == [
        ("notice", "n-b", 0),
        ("notice", "n-b", 1),
        ("zone", "z-c", 0),
    ]  # by type, id, index; never alpha's own
    assert found([10], (-60, 10_000), (-1e9, 1e9), party=B) == [("notice", "n-a", 0)]
    assert found([99], (-60, 10_000), (-1e9, 1e9)) == []
    assert found([], (-60, 10_000), (-1e9, 1e9)) == []
    # time: open intervals, exactly at an end is no meeting
    assert found([10], (120, 200), (-1e9, 1e9)) == []
    assert found([10], (119.99, 200), (-1e9, 1e9)) == [("notice", "n-b", 0)]
    assert found([10], (0, 60), (-1e9, 1e9)) == []
    assert found([12], (10**5, 10**6), (-1e9, 1e9)) == [("notice", "n-b", 1)]  # open-ended
    # altitude: open intervals too
    assert found([10], (0, 200), (2000, 3000)) == []
    assert found([10], (0, 200), (0, 1000)) == []
    assert found([10], (0, 200), (1999, 3000)) == [("notice", "n-b", 0)]
    stored = read(db, lambda uow: uow.volumes.candidates([12], 0, 2**62, 0, 1e9, A))
    assert [(v.party, v.version, v.volume) for v in stored] == [(B, 1, open_ended)]


def test_an_unindexed_or_replaced_volume_is_no_candidate_but_stays_readable(
    db: Database,
) -> None:
    n = notice("n-b", B, volume(60, 120))
    write(db, lambda uow: add_notice(uow, n, [[10]]))
    write(db, lambda uow: uow.volumes.unindex(ObjectType.NOTICE, "n-b"))
    write(db, lambda uow: uow.volumes.unindex(ObjectType.NOTICE, "n-none"))
    every = (0, 2**62, -1e9, 1e9, A)
    assert read(db, lambda uow: uow.volumes.candidates([10], *every)) == []
    assert read(db, lambda uow: uow.notices.get("n-b")) == n
    moved = (volume(0, 10),)
    write(db, lambda uow: uow.volumes.put(ObjectType.NOTICE, "n-b", B, 2, moved, [[20]]))
    assert read(db, lambda uow: uow.volumes.candidates([10], *every)) == []
    [again] = read(db, lambda uow: uow.volumes.candidates([20], *every))
    assert (again.version, again.volume) == (2, moved[0])
    with pytest.raises(TAKEN):  # "new", but it has volumes
        write(
            db,
            lambda uow: uow.volumes.put(ObjectType.NOTICE, "n-b", B, 3, moved, [[1]], new=True),
        )


def test_zones_read_back_by_party_kind_and_withdrawal_in_id_order(db: Database) -> None:
    def zone(zid: str, party: PartyId, kind: ZoneKind, withdrawn: bool = False) -> Zone:
        return Zone(
            ZoneId(zid),
            party,
            kind,
            zid,
            volume(0, 60),
            "",
            1,
            T0,
            T0,
            at(5) if withdrawn else None,
        )

    zones = [
        zone("z-3", A, ZoneKind.RED_LINE),
        zone("z-1", B, ZoneKind.PROTECTED),
        zone("z-2", A, ZoneKind.PROTECTED, withdrawn=True),
    ]

    def load(uow: UnitOfWork) -> None:
        for z in zones:
            uow.zones.add(z)
            uow.volumes.put(ObjectType.ZONE, z.id, z.party, 1, [z.volume], [[1]], new=True)

    write(db, load)

    def ids(**kw: Any) -> list[str]:
        return [z.id for z in read(db, lambda uow: uow.zones.find(**kw))]

    assert ids() == ["z-1", "z-3"]
    assert ids(withdrawn=True) == ["z-1", "z-2", "z-3"]
    assert ids(party=A, withdrawn=True) == ["z-2", "z-3"]
    assert ids(kind=ZoneKind.PROTECTED) == ["z-1"]
    assert read(db, lambda uow: uow.zones.get("z-2")) == zones[2]
    assert read(db, lambda uow: uow.zones.get("z-0")) is None
    assert read(db, lambda uow: uow.zones.get_many(["z-1", "z-0"])) == {"z-1": zones[1]}
    renamed = replace(zones[0], title="renamed", version=2)
    write(db, lambda uow: uow.zones.replace(renamed))
    write(db, lambda uow: uow.zones.replace(replace(renamed, id=ZoneId("z-9"))))
    assert read(db, lambda uow: uow.zones.get("z-3")) == renamed
    assert read(db, lambda uow: uow.zones.get("z-9")) is None
    with pytest.raises(TAKEN):
        write(db, lambda uow: uow.zones.add(zones[0]))


# ---------------------------------------------------------------------------------------------
# Conflicts and tactical alerts
# ---------------------------------------------------------------------------------------------

REGION = {"type": "Polygon", "coordinates": [[[36.0, 34.0], [36.1, 34.0], [36.0, 34.0]]]}


def side(kind: ObjectType, oid: str, party: PartyId, index: int) -> ObjectRef:
    return ObjectRef(kind, oid, party, 2, index)


def conflict(cid: str, a: ObjectRef, b: ObjectRef, detected: int, expires: int | None) -> Conflict:
    return Conflict(
        id=ConflictId(cid),
        a=a,
        b=b,
        window_start=at(60),
        window_end=at(120),
        alt_lo_m=1000,
        alt_hi_m=2000.5,
        distance_m=12,
        region=REGION,
        region_a=REGION if cid == "cfl-3" else None,
        region_b=None,
        detected_at=at(detected),
        expires_at=None if expires is None else at(expires),
    )


K1 = conflict(
    "cfl-1",
    side(ObjectType.NOTICE, "n-b", B, 1),
    side(ObjectType.NOTICE, "n-a", A, 0),
    1,
    120,
)
K2 = conflict(
    "cfl-2",
    side(ObjectType.NOTICE, "n-a", A, 1),
    side(ObjectType.ZONE, "z-b", B, 0),
    2,
    None,
)
K3 = conflict(
    "cfl-3",
    side(ObjectType.NOTICE, "n-c", C, 0),
    side(ObjectType.NOTICE, "n-b", B, 2),
    3,
    60,
)
K4 = conflict(
    "cfl-4",
    side(ObjectType.NOTICE, "n-b", B, 0),
    side(ObjectType.NOTICE, "n-a", A, 1),
    2,
    30,
)


@pytest.fixture
def conflicts(db: Database) -> Database:
    write(db, lambda uow: uow.conflicts.add_many((K4, K3, K2, K1)))
    write(db, lambda uow: uow.conflicts.add_many(()))
    return db


def test_conflicts_read_back_and_resolve(conflicts: Database) -> None:
    assert read(conflicts, lambda uow: uow.conflicts.get("cfl-3")) == K3
    assert read(conflicts, lambda uow: uow.conflicts.get("cfl-0")) is None
    write(conflicts, lambda uow: uow.conflicts.resolve("cfl-2", ResolvedReason.AMENDED, at(9)))
    write(conflicts, lambda uow: uow.conflicts.resolve("cfl-0", ResolvedReason.AMENDED, at(9)))
    resolved = read(conflicts, lambda uow: uow.conflicts.get("cfl-2"))
    assert resolved == replace(
        K2,
        state=ConflictState.RESOLVED,
        resolved_at=at(9),
        resolved_reason=ResolvedReason.AMENDED,
    )
    involving = read(conflicts, lambda uow: uow.conflicts.open_involving(ObjectType.NOTICE, "n-a"))
    assert sorted(c.id for c in involving) == ["cfl-1", "cfl-4"]  # expiry not applied
    assert read(conflicts, lambda uow: uow.conflicts.open_involving(ObjectType.ZONE, "n-a")) == []
    with pytest.raises(TAKEN):
        write(conflicts, lambda uow: uow.conflicts.add_many([K1]))


def test_the_conflict_listing_judges_state_at_a_time_newest_first(conflicts: Database) -> None:
    def ids(flt: ConflictFilter, now: datetime = HALF_HOUR) -> list[str]:
        return [c.id for c in read(conflicts, lambda uow: uow.conflicts.find(flt, now))]

    assert ids(ConflictFilter()) == ["cfl-3", "cfl-2", "cfl-4", "cfl-1"]  # ties by id
    assert ids(ConflictFilter(limit=3)) == ["cfl-3", "cfl-2", "cfl-4"]
    assert ids(ConflictFilter(party=C)) == ["cfl-3"]
    assert ids(ConflictFilter(object_id="z-b")) == ["cfl-2"]
    # cfl-4 expires at 30 min: at 30 min it is no longer open
    assert ids(ConflictFilter(state=ConflictState.OPEN)) == ["cfl-3", "cfl-2", "cfl-1"]
    assert ids(ConflictFilter(state=ConflictState.OPEN), at(29)) == [
        "cfl-3",
        "cfl-2",
        "cfl-4",
        "cfl-1",
    ]
    assert ids(ConflictFilter(state=ConflictState.RESOLVED)) == ["cfl-4"]
    write(conflicts, lambda uow: uow.conflicts.resolve("cfl-2", ResolvedReason.WITHDRAWN, at(9)))
    assert ids(ConflictFilter(state=ConflictState.RESOLVED)) == ["cfl-2", "cfl-4"]
    assert ids(ConflictFilter(party=PartyId("nobody"))) == []


def test_clashing_volumes_are_those_in_an_open_clash_with_the_viewers_own(
    conflicts: Database,
) -> None:
    def clashing(viewer: PartyId, ids: list[str], now: datetime = T0) -> dict[str, Any]:
        return read(conflicts, lambda uow: uow.conflicts.clashing_volumes(viewer, ids, now))

    assert clashing(A, ["n-b", "z-b", "n-c"]) == {
        "n-b": frozenset({0, 1}),
        "z-b": frozenset({0}),
    }
    assert clashing(A, ["n-b"], at(30)) == {"n-b": frozenset({1})}  # cfl-4 expired
    assert clashing(B, ["n-a", "n-c"]) == {"n-a": frozenset({0, 1}), "n-c": frozenset({0})}
    assert clashing(C, ["n-a"]) == {}
    assert clashing(A, []) == {}


def alert(aid: str, opened: int, state: str = OPEN) -> StoredAlert:
    key = AlertKey(AlertKind.SEPARATION, A, f"trk-{aid}", "track", "trk-b", B)
    return StoredAlert(
        id=aid,
        key=key,
        audience=(A, B),
        severity=Severity.CAUTION,
        figures={"t_cpa_s": 30, "d_cpa_m": 12.5, "names": ("x", "y")},
        opened_at=at(opened),
        updated_at=at(opened),
        state=state,
        cleared_at=None,
    )


def test_alerts_open_change_severity_and_clear(db: Database) -> None:
    write(db, lambda uow: uow.tactical.add_many([alert("t-2", 2), alert("t-1", 2)]))
    write(db, lambda uow: uow.tactical.add_many([alert("t-0", 5)]))
    write(db, lambda uow: uow.tactical.add_many([]))
    got = read(db, lambda uow: uow.tactical.get("t-1"))
    assert got == replace(
        alert("t-1", 2), figures={"d_cpa_m": 12.5, "names": ["x", "y"], "t_cpa_s": 30}
    )
    assert read(db, lambda uow: uow.tactical.get("t-9")) is None
    assert [a.id for a in read(db, lambda uow: uow.tactical.open_alerts())] == [
        "t-1",
        "t-2",
        "t-0",
    ]
    figures = {"t_cpa_s": 9.0}
    write(
        db,
        lambda uow: uow.tactical.update_severity("t-2", Severity.WARNING, figures, at(7)),
    )
    write(db, lambda uow: uow.tactical.clear("t-1", at(8)))
    write(db, lambda uow: uow.tactical.clear("t-9", at(8)))
    changed = read(db, lambda uow: uow.tactical.get("t-2"))
    assert changed is not None
    assert (changed.severity, changed.figures, changed.updated_at) == (
        Severity.WARNING,
        figures,
        at(7),
    )
    cleared = read(db, lambda uow: uow.tactical.get("t-1"))
    assert cleared is not None
    assert (cleared.state, cleared.cleared_at, cleared.updated_at) == (CLEARED, at(8), at(8))
    assert [a.id for a in read(db, lambda uow: uow.tactical.open_alerts())] == [
        "t-2",
        "t-0",
    ]
    listed = read(db, lambda uow: uow.tactical.find(None))
    assert [a.id for a in listed] == ["t-0", "t-1", "t-2"]  # newest first, ties by id
    assert [a.id for a in read(db, lambda uow: uow.tactical.find(OPEN, 1))] == ["t-0"]
    assert [a.id for a in read(db, lambda uow: uow.tactical.find(CLEARED))] == ["t-1"]
    with pytest.raises(TAKEN):
        write(db, lambda uow: uow.tactical.add_many([alert("t-0", 9)]))


# ---------------------------------------------------------------------------------------------
# Acknowledgement requests, escalations, messages, deliveries
# ---------------------------------------------------------------------------------------------


def ack(
    aid: str, party: PartyId, subject_id: str, requested: int, due: int | None, rung: int = 0
) -> AckRequest:
    return AckRequest(
        id=AckId(aid),
        party=party,
        subject=AckSubject.NOTICE,
        subject_id=subject_id,
        subject_version=1,
        priority=Priority.ROUTINE,
        requested_at=at(requested),
        due_at=None if due is None else at(due),
        rung=rung,
    )


ACKS = (
    ack("ack-4", A, "n-1", 1, 20),
    ack("ack-2", B, "n-1", 1, 10),
    ack("ack-3", A, "n-2", 0, 10, rung=1),
    ack("ack-1", A, "n-1", 0, None, rung=2),
)


@pytest.fixture
def acks(db: Database) -> Database:
    write(db, lambda uow: uow.acks.add_many(ACKS[:3]))
    write(db, lambda uow: uow.acks.add(ACKS[3]))
    write(db, lambda uow: uow.acks.add_many([]))
    return db


def test_requests_read_back_per_subject_and_pending_in_due_order(acks: Database) -> None:
    about = read(acks, lambda uow: uow.acks.for_subject("n-1"))
    assert about == [ACKS[3], ACKS[1], ACKS[0]]  # requested, then id
    assert read(acks, lambda uow: uow.acks.for_subject("n-1", A)) == [ACKS[3], ACKS[0]]
    assert read(acks, lambda uow: uow.acks.for_subject("n-9")) == []
    pending = read(acks, lambda uow: uow.acks.pending(A))
    assert [r.id for r in pending] == ["ack-3", "ack-4", "ack-1"]  # due (none: last), then id
    assert pending[2].due_at is None
    assert read(acks, lambda uow: uow.acks.pending(C)) == []
    assert read(acks, lambda uow: uow.acks.backlog(to_us(at(10)))) == [
        AckBacklog(A, 3, 1, 2),
        AckBacklog(B, 1, 1, 0),
    ]
    with pytest.raises(TAKEN):
        write(acks, lambda uow: uow.acks.add(ACKS[0]))


def test_only_pending_requests_are_acknowledged_superseded_climbed_or_lapsed(
    acks: Database,
) -> None:
    op = OperatorId("alpha-duty")
    write(acks, lambda uow: uow.acks.acknowledge("ack-4", op, at(3)))
    write(acks, lambda uow: uow.acks.acknowledge("ack-4", OperatorId("late"), at(4)))
    write(acks, lambda uow: uow.acks.acknowledge("ack-9", op, at(4)))
    write(acks, lambda uow: uow.acks.supersede("n-1"))  # ack-4 is acknowledged already
    write(acks, lambda uow: uow.acks.climb("ack-4", 5, 0))
    write(acks, lambda uow: uow.acks.lapse("ack-4"))
    by_id = {r.id: r for r in read(acks, lambda uow: uow.acks.for_subject("n-1"))}
    assert by_id["ack-4"] == replace(
        ACKS[0], status=AckStatus.ACKNOWLEDGED, acked_at=at(3), acked_by=op
    )
    assert by_id["ack-2"].status is AckStatus.SUPERSEDED
    assert by_id["ack-1"].status is AckStatus.SUPERSEDED
    write(acks, lambda uow: uow.acks.supersede_for("n-2", ["bravo"]))
    assert read(acks, lambda uow: uow.acks.pending(A)) == [ACKS[2]]
    write(acks, lambda uow: uow.acks.climb("ack-3", 2, to_us(at(50))))
    assert read(acks, lambda uow: uow.acks.pending(A)) == [replace(ACKS[2], rung=2, due_at=at(50))]
    write(acks, lambda uow: uow.acks.climb("ack-3", 3, OPEN_END_US))
    assert read(acks, lambda uow: uow.acks.pending(A))[0].due_at is None
    write(acks, lambda uow: uow.acks.supersede_for("n-2", ["alpha"]))
    assert read(acks, lambda uow: uow.acks.pending(A)) == []
    assert read(acks, lambda uow: uow.acks.backlog(0)) == []


def test_answers_settle_only_pending_requests_for_agreement_and_read_back_with_them(
    acks: Database,
) -> None:
    """R-AGREE-2: an answer settles a pending request once; ``positions`` lists the requests
    of subject agreement of one notice (not its acknowledgements), oldest first."""
    asked = [
        replace(ack("agr-2", B, "n-1", 5, 20), subject=AckSubject.AGREEMENT),
        replace(ack("agr-1", A, "n-1", 5, 20), subject=AckSubject.AGREEMENT, subject_version=2),
    ]
    write(acks, lambda uow: uow.acks.add_many(asked))
    op = OperatorId("bravo-duty")
    counter = AgreementReply(Answer.COUNTER, note="later", volumes=(volume(30, 90),))
    write(acks, lambda uow: uow.acks.answer("agr-2", counter, op, at(6)))
    write(acks, lambda uow: uow.acks.answer("agr-2", AgreementReply(Answer.AGREE), op, at(7)))
    write(acks, lambda uow: uow.acks.answer("ack-4", AgreementReply(Answer.AGREE), op, at(7)))
    write(acks, lambda uow: uow.acks.answer("agr-9", AgreementReply(Answer.AGREE), op, at(7)))
    positions = read(acks, lambda uow: uow.acks.positions("n-1"))
    assert [p.request.id for p in positions] == ["agr-1", "agr-2"]
    done = replace(asked[0], status=AckStatus.ACKNOWLEDGED, acked_at=at(6), acked_by=op)
    assert positions[1] == Position(done, counter)
    assert positions[0] == Position(asked[1])
    assert read(acks, lambda uow: uow.acks.for_subject("n-1", A))[0] == ACKS[3]  # untouched
    assert read(acks, lambda uow: uow.acks.positions("n-9")) == []


def test_due_requests_come_earliest_first_up_to_the_limit(acks: Database) -> None:
    for lock in (False, True):
        due = read(acks, lambda uow, lock=lock: uow.acks.due(to_us(at(10)), 10, lock=lock))
        assert [r.id for r in due] == ["ack-2", "ack-3"]  # due at now counts; ties by id
        one = read(acks, lambda uow, lock=lock: uow.acks.due(to_us(at(20)), 1, lock=lock))
        assert [r.id for r in one] == ["ack-2"]
    assert read(acks, lambda uow: uow.acks.due(to_us(at(9)), 10, lock=False)) == []
    write(acks, lambda uow: uow.acks.lapse("ack-2"))
    assert [r.id for r in read(acks, lambda uow: uow.acks.due(to_us(at(10)), 10, lock=False))] == [
        "ack-3"
    ]


def test_escalation_steps_are_once_per_rung_and_listed_newest_first(acks: Database) -> None:
    def step(ack_id: str, party: PartyId, rung: int, minute: int) -> EscalationRecord:
        nxt = None if rung == 2 else at(minute + 10)
        return EscalationRecord(ack_id, party, rung, f"rung-{rung}", at(minute), nxt)

    records = [step("ack-3", A, 1, 10), step("ack-2", B, 1, 11), step("ack-3", A, 2, 12)]
    for record in records:
        write(acks, lambda uow, record=record: uow.escalations.add(record))
    with pytest.raises(TAKEN):
        write(acks, lambda uow: uow.escalations.add(step("ack-3", A, 2, 13)))
    steps = read(acks, lambda uow: uow.escalations.steps(None))
    assert [s.record for s in steps] == records[::-1]
    assert [(s.subject, s.subject_id, s.requested_at) for s in steps] == [
        ("notice", "n-2", at(0)),
        ("notice", "n-1", at(1)),
        ("notice", "n-2", at(0)),
    ]
    assert [s.record for s in read(acks, lambda uow: uow.escalations.steps(A, 1))] == [records[2]]
    assert read(acks, lambda uow: uow.escalations.steps(C)) == []


def message(mid: str, sender: PartyId, recipient: PartyId, sent: int, thread: str) -> Message:
    return Message(
        id=MessageId(mid),
        thread=thread,
        sender=sender,
        sender_operator=OperatorId(f"{sender}-duty"),
        recipient=recipient,
        priority=Priority.FLASH,
        template="request_delay" if mid != "m-4" else None,
        params={"minutes": 20, "list": (1, 2)} if mid != "m-4" else {},
        text="" if mid != "m-4" else "free text",
        about=About(AboutType.NOTICE, "n-1") if thread == "notice:n-1" else None,
        sent_at=at(sent),
    )


def test_messages_read_back_by_thread_oldest_first_and_newest_first_by_party(
    db: Database,
) -> None:
    ab, na = "parties:alpha|bravo", "notice:n-1"
    messages = [
        message("m-2", A, B, 1, ab),
        message("m-1", B, A, 1, ab),
        message("m-3", C, B, 2, na),
        message("m-4", HOST, C, 3, na),
    ]
    for m in messages:
        write(db, lambda uow, m=m: uow.messages.add(m))
    got = read(db, lambda uow: uow.messages.get("m-2"))
    assert got == replace(messages[0], params={"list": [1, 2], "minutes": 20})
    assert read(db, lambda uow: uow.messages.get("m-9")) is None

    def ids(found: list[Message]) -> list[str]:
        return [m.id for m in found]

    assert ids(read(db, lambda uow: uow.messages.thread(ab, None, 10))) == ["m-1", "m-2"]
    assert ids(read(db, lambda uow: uow.messages.thread(ab, None, 1))) == ["m-1"]
    assert ids(read(db, lambda uow: uow.messages.thread(na, B, 10))) == ["m-3"]
    assert ids(read(db, lambda uow: uow.messages.thread(na, A, 10))) == []
    assert ids(read(db, lambda uow: uow.messages.latest(None, 10))) == [
        "m-4",
        "m-3",
        "m-2",
        "m-1",
    ]  # ties by id, descending
    assert ids(read(db, lambda uow: uow.messages.latest(B, 2))) == ["m-3", "m-2"]
    assert ids(read(db, lambda uow: uow.messages.latest(PartyId("x"), 2))) == []
    with pytest.raises(TAKEN):
        write(db, lambda uow: uow.messages.add(messages[0]))


def test_a_reply_is_recorded_on_its_message_and_nothing_else_changes(db: Database) -> None:
    """R-MSG-5: ``set_reply`` keeps which reply, by whom and when; an absent message: no-op."""
    sent = message("m-1", A, B, 1, "parties:alpha|bravo")
    write(db, lambda uow: uow.messages.add(sent))
    first = read(db, lambda uow: uow.messages.get("m-1"))
    assert first is not None and first.reply is None
    given = MessageReply(Reply.WILCO, OperatorId("bravo-duty"), at(5))
    write(db, lambda uow: uow.messages.set_reply("m-1", given))
    write(db, lambda uow: uow.messages.set_reply("m-9", given))
    got = read(db, lambda uow: uow.messages.get("m-1"))
    assert got == replace(sent, params={"list": [1, 2], "minutes": 20}, reply=given)
    assert read(db, lambda uow: uow.messages.get("m-9")) is None


def test_only_first_deliveries_are_recorded(db: Database) -> None:
    def d(sid: str, party: PartyId, minute: int, via: str = "stream") -> Delivery:
        return Delivery("notice", sid, party, at(minute), via)

    first = write(db, lambda uow: uow.deliveries.record([d("n-1", B, 1), d("n-1", B, 2)]))
    assert first == [d("n-1", B, 1)]  # the same delivery twice in one call counts once
    again = [d("n-1", B, 3, "webhook"), d("n-1", C, 4), d("n-2", C, 5)]
    assert write(db, lambda uow: uow.deliveries.record(again)) == again[1:]
    assert write(db, lambda uow: uow.deliveries.record([])) == []
    found = read(db, lambda uow: uow.deliveries.of("notice", ["n-1", "n-9"]))
    assert sorted(found, key=lambda x: x.party) == [d("n-1", B, 1), d("n-1", C, 4)]
    assert read(db, lambda uow: uow.deliveries.of("message", ["n-1"])) == []
    assert read(db, lambda uow: uow.deliveries.of("notice", [])) == []


def test_an_idempotency_key_keeps_one_result_per_operator(db: Database) -> None:
    kept = KeptResult("a" * 64, '{"id": 1}')
    assert read(db, lambda uow: uow.idempotency.get("op-1", "k")) is None
    write(db, lambda uow: uow.idempotency.put("op-1", "k", kept, 5))
    write(db, lambda uow: uow.idempotency.put("op-2", "k", KeptResult("b" * 64, "2"), 5))
    assert read(db, lambda uow: uow.idempotency.get("op-1", "k")) == kept
    with pytest.raises(KeyTaken) as taken:
        write(db, lambda uow: uow.idempotency.put("op-1", "k", kept, 6))
    assert taken.value.path == ("Idempotency-Key",)
    assert read(db, lambda uow: uow.idempotency.get("op-1", "other")) is None


# ---------------------------------------------------------------------------------------------
# Webhooks
# ---------------------------------------------------------------------------------------------


def hook(hid: str, party: PartyId, created: int, cursor: int = 0) -> Webhook:
    return Webhook(
        hid, party, f"https://{hid}.example", "s" * 32, at(created), None, cursor, 0, at(created)
    )


def test_hooks_are_listed_and_deleted_while_their_party_stays_known(db: Database) -> None:
    hooks = [hook("h-2", A, 1), hook("h-1", B, 1), hook("h-3", A, 0)]
    for h in hooks:
        write(db, lambda uow, h=h: uow.webhooks.add(h))
    assert read(db, lambda uow: uow.webhooks.get("h-2")) == hooks[0]
    assert read(db, lambda uow: uow.webhooks.get("h-9")) is None
    assert [h.id for h in read(db, lambda uow: uow.webhooks.active(None))] == [
        "h-3",
        "h-1",
        "h-2",
    ]  # created, then id
    assert [h.id for h in read(db, lambda uow: uow.webhooks.active(A))] == ["h-3", "h-2"]
    assert write(db, lambda uow: uow.webhooks.disable("h-2", 99)) is True
    assert write(db, lambda uow: uow.webhooks.disable("h-2", 99)) is False
    assert write(db, lambda uow: uow.webhooks.disable("h-9", 99)) is False
    assert read(db, lambda uow: uow.webhooks.get("h-2")) is None
    assert [h.id for h in read(db, lambda uow: uow.webhooks.active(A))] == ["h-3"]
    assert read(db, lambda uow: uow.webhooks.owner_of("h-2")) == A
    assert read(db, lambda uow: uow.webhooks.owner_of("h-9")) is None
    with pytest.raises(TAKEN):
        write(db, lambda uow: uow.webhooks.add(hooks[1]))
    with pytest.raises(TAKEN):  # a party the database does not know
        write(db, lambda uow: uow.webhooks.add(hook("h-4", PartyId("delta"), 0)))
    unknown = WebhookAttempt("h-9", 1, "x", 1, None, "e", T0, False, False)
    with pytest.raises(TAKEN):  # a hook the database does not know
        write(db, lambda uow: uow.webhooks.record(unknown))


def test_a_hook_is_due_when_its_time_came_and_events_await_it(db: Database) -> None:
    write(db, lambda uow: uow.webhooks.add(hook("h-1", A, 0)))
    now_us = to_us(at(0))
    assert read(db, lambda uow: uow.webhooks.due(now_us)) == []  # no event yet
    write(db, lambda uow: uow.events.append(T0, "system", "test.one", {}))
    assert [h.id for h in read(db, lambda uow: uow.webhooks.due(now_us))] == ["h-1"]
    assert read(db, lambda uow: uow.webhooks.due(now_us - 1)) == []  # not yet
    assert write(db, lambda uow: uow.webhooks.claim("h-1", "w", now_us, now_us + 9))
    assert write(db, lambda uow: uow.webhooks.advance("h-1", "w", 1, 0, now_us, now_us))
    assert read(db, lambda uow: uow.webhooks.due(now_us)) == []  # caught up


def test_a_lease_is_held_by_one_owner_until_it_passes_or_is_released(
    db: Database,
) -> None:
    write(db, lambda uow: uow.webhooks.add(hook("h-1", A, 0, cursor=5)))

    def claim(owner: str, now: int, until: int) -> bool:
        return write(db, lambda uow: uow.webhooks.claim("h-1", owner, now, until))

    def advance(owner: str, cursor: int) -> bool:
        return write(db, lambda uow: uow.webhooks.advance("h-1", owner, cursor, 2, 300, 400))

    assert claim("w1", 100, 200)
    assert not claim("w2", 150, 250)
    assert claim("w1", 150, 250)  # its own lease: extended
    assert not claim("w2", 250, 350)  # until 250: still held at 250
    assert not advance("w2", 6)
    assert advance("w1", 6) and not advance("w1", 4)  # the cursor never goes back
    got = read(db, lambda uow: uow.webhooks.get("h-1"))
    assert got is not None
    assert (got.cursor_seq, got.attempts, to_us(got.next_attempt_at)) == (6, 2, 300)
    assert claim("w2", 401, 500)  # the lease passed (until 400)
    write(db, lambda uow: uow.webhooks.release("h-1", "w1"))  # not w1's any more
    assert not claim("w1", 402, 500)
    write(db, lambda uow: uow.webhooks.release("h-1", "w2"))
    assert claim("w1", 403, 500)
    write(db, lambda uow: uow.webhooks.disable("h-1", 404))
    assert not claim("w1", 405, 500) and not advance("w1", 7)
    assert write(db, lambda uow: uow.webhooks.claim("h-9", "w1", 1, 2)) is False


def test_attempts_are_listed_newest_first_dead_letters_apart(db: Database) -> None:
    write(db, lambda uow: uow.webhooks.add(hook("h-1", A, 0)))
    write(db, lambda uow: uow.webhooks.add(hook("h-2", A, 0)))

    def attempt(hid: str, n: int, dead: bool = False) -> WebhookAttempt:
        error = None if n == 3 else "HTTP 500"
        status = 200 if n == 3 else 500
        return WebhookAttempt(hid, 7, "notice.filed", n, status, error, at(n), n == 3, dead)

    for a in (
        attempt("h-1", 1),
        attempt("h-2", 1),
        attempt("h-1", 2, dead=True),
        attempt("h-1", 3),
    ):
        write(db, lambda uow, a=a: uow.webhooks.record(a))
    listed = read(db, lambda uow: uow.webhooks.attempts_of("h-1", 10))
    assert [(a.attempt, a.ok, a.dead) for a in listed] == [
        (3, True, False),
        (2, False, True),
        (1, False, False),
    ]
    assert listed[0] == replace(attempt("h-1", 3), id=listed[0].id)
    assert listed[0].id > listed[1].id > listed[2].id > 0
    assert [a.attempt for a in read(db, lambda uow: uow.webhooks.attempts_of("h-1", 1))] == [3]
    dead = read(db, lambda uow: uow.webhooks.attempts_of("h-1", 10, dead_only=True))
    assert [a.attempt for a in dead] == [2]
    assert read(db, lambda uow: uow.webhooks.attempts_of("h-9", 10)) == []


# ---------------------------------------------------------------------------------------------
# The ledger and its keys
# ---------------------------------------------------------------------------------------------


def test_the_ledger_chains_signs_and_reads_back_in_order(db: Database) -> None:
    assert read(db, lambda uow: uow.events.head()) is None
    assert read(db, lambda uow: uow.events.after(0)) == []
    first = write(db, lambda uow: uow.events.append(at(1), "alpha-duty", "a.one", {"n": 1}))
    sig = PartySig("k-1", "sig")

    def more(uow: UnitOfWork) -> int:
        uow.events.append_many(at(2), "system", [("b.two", {"x": "ntc-7"}), ("b.three", {})])
        uow.events.append_many(at(2), "system", [])
        return uow.events.append(at(3), "bravo-duty", "c.four", {"t": "NTC-7", "f": 1.5}, sig)

    last = write(db, more)
    assert (first, last) == (1, 4)
    events = read(db, lambda uow: uow.events.after(0))
    assert [(e.seq, e.time, e.actor, e.type, e.payload) for e in events] == [
        (1, at(1), "alpha-duty", "a.one", {"n": 1}),
        (2, at(2), "system", "b.two", {"x": "ntc-7"}),
        (3, at(2), "system", "b.three", {}),
        (4, at(3), "bravo-duty", "c.four", {"f": 1.5, "t": "NTC-7"}),
    ]
    assert [e.seq for e in read(db, lambda uow: uow.events.after(1, 2))] == [2, 3]
    bare = read(db, lambda uow: uow.events.after(0, bare=frozenset({"a.one"})))
    assert bare[0].payload == {} and bare[1].payload == {"x": "ntc-7"}
    entries = read(db, lambda uow: uow.events.entries(0))
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[3].content is not None and entries[3].content.party_sig == sig
    assert [e.seq for e in read(db, lambda uow: uow.events.entries(2, 1))] == [3]
    head = read(db, lambda uow: uow.events.head())
    assert head == entries[3].link
    naming = read(db, lambda uow: uow.events.entries_naming("ntc-7", 0, 4))
    assert [e.seq for e in naming] == [2]  # exactly that string, case and all
    assert read(db, lambda uow: uow.events.entries_naming("ntc-7", 2, 4)) == []
    keys = read(db, lambda uow: uow.ledger_keys.keyring())
    report = verify(
        [to_json(e) for e in entries], None, keys, all_signatures=True, trailer_required=False
    )
    assert report.ok, report


def test_a_payload_without_canonical_json_is_refused_and_nothing_appended(
    db: Database,
) -> None:
    with pytest.raises(LedgerAppendError):
        write(db, lambda uow: uow.events.append(T0, "system", "x", {"v": math.nan}))
    assert read(db, lambda uow: uow.events.after(0)) == []
    seq = write(db, lambda uow: uow.events.append(T0, "system", "x", {"v": at(1)}))
    assert read(db, lambda uow: uow.events.after(0))[0].payload == {"v": str(at(1))}
    assert seq == 1


def test_the_server_key_is_made_once_and_listed_with_the_operators_keys(
    db: Database,
) -> None:
    signer = write(db, lambda uow: uow.server_signer(at(1)))
    assert write(db, lambda uow: uow.server_signer(at(2))).key_id == signer.key_id
    write(db, lambda uow: uow.events.append(at(3), "system", "x", {}))
    [entry] = read(db, lambda uow: uow.events.entries(0))
    assert verify_signature(signer.public_key, entry_message(entry.hash), entry.sig)
    k1 = KeyEntry.of(Signer.generate().public_key, "alpha", "alpha-duty")
    k2 = KeyEntry.of(Signer.generate().public_key, "alpha", "alpha-cmdr")
    k3 = KeyEntry.of(Signer.generate().public_key, "bravo", None)
    assert write(db, lambda uow: uow.ledger_keys.add_operator_key(k1, at(4)))
    assert write(db, lambda uow: uow.ledger_keys.add_operator_key(k2, at(4)))
    assert write(db, lambda uow: uow.ledger_keys.add_operator_key(k3, at(5)))
    assert not write(db, lambda uow: uow.ledger_keys.add_operator_key(k1, at(6)))
    assert write(db, lambda uow: uow.ledger_keys.revoke(k2.key_id, at(7)))
    assert not write(db, lambda uow: uow.ledger_keys.revoke(k2.key_id, at(8)))
    assert not write(db, lambda uow: uow.ledger_keys.revoke("nope", at(8)))
    stored = read(db, lambda uow: uow.ledger_keys.all())
    server = KeyEntry(signer.key_id, signer.public_key, SERVER)
    first_two = sorted([(k1, None), (k2, at(7))], key=lambda k: k[0].key_id)
    assert [(k.entry, k.created_at, k.revoked_at) for k in stored] == [
        (server, at(1), None),
        *((e, at(4), r) for e, r in first_two),
        (k3, at(5), None),
    ]  # oldest first, ties by key id
    ring = read(db, lambda uow: uow.ledger_keys.keyring())
    assert ring.get(k2.key_id) == k2 and ring.server_keys == (server,)
    assert read(db, lambda uow: uow.ledger_keys.active_for("alpha-duty")) == [k1]
    assert read(db, lambda uow: uow.ledger_keys.active_for("alpha-cmdr")) == []
    assert read(db, lambda uow: uow.ledger_keys.all_active()) == {"alpha-duty": [k1]}


# ---------------------------------------------------------------------------------------------
# Transactions
# ---------------------------------------------------------------------------------------------


class Refused(Exception):
    pass


def test_a_work_that_raises_leaves_nothing_behind(db: Database) -> None:
    write(db, lambda uow: add_notice(uow, notice("n-1", A, volume(60, 120)), [[10]]))
    before = types(db)

    def fails(uow: UnitOfWork) -> None:
        uow.notices.replace(replace(notice("n-1", A, volume(0, 5)), title="changed"))
        uow.volumes.put(ObjectType.NOTICE, "n-1", A, 2, (volume(0, 5),), [[20]])
        add_notice(uow, notice("n-2", B, volume(60, 120)), [[10]])
        uow.conflicts.add_many([K1])
        uow.acks.add_many(ACKS)
        uow.messages.add(message("m-1", A, B, 1, "t"))
        uow.idempotency.put("op", "k", KeptResult("a" * 64, "r"), 1)
        uow.webhooks.add(hook("h-1", A, 0))
        uow.events.append(T0, "system", "x", {})
        raise Refused

    with pytest.raises(Refused):
        write(db, fails)
    assert types(db) == before
    assert read(db, lambda uow: uow.notices.get("n-1")) == notice("n-1", A, volume(60, 120))
    assert read(db, lambda uow: uow.notices.get("n-2")) is None
    every = (0, 2**62, -1e9, 1e9, B)
    assert [v.volume_index for v in read(db, lambda uow: uow.volumes.candidates([10], *every))] == [
        0
    ]
    assert read(db, lambda uow: uow.volumes.candidates([20], *every)) == []
    assert read(db, lambda uow: uow.conflicts.get("cfl-1")) is None
    assert read(db, lambda uow: uow.acks.backlog(0)) == []
    assert read(db, lambda uow: uow.messages.latest(None, 9)) == []
    assert read(db, lambda uow: uow.idempotency.get("op", "k")) is None
    assert read(db, lambda uow: uow.webhooks.active(None)) == []
    seq = write(db, lambda uow: uow.events.append(T0, "system", "y", {}))
    assert seq == len(before) + 1  # the chain goes on where it stood


def test_a_write_appends_its_own_events_and_nothing_else(db: Database) -> None:
    """R-LEDGER-8: the ledger holds a write's events alone (the typed events are the state's
    record): no entry of after-images after them, none for a write that appends no event."""
    ack_row = ack("ack-1", B, "n-1", 0, 10)

    def work(uow: UnitOfWork) -> None:
        uow.events.append(at(2), "alpha-duty", "notice.filed", {"notice": "n-1"})
        add_notice(uow, notice("n-1", A, volume(60, 120)), [[10]])
        uow.acks.add(ack_row)
        uow.events.append(at(3), "system", "conflict.detected", {})

    write(db, work)
    events = read(db, lambda uow: uow.events.after(0))
    assert [(e.type, e.time, e.actor) for e in events] == [
        ("notice.filed", at(2), "alpha-duty"),
        ("conflict.detected", at(3), "system"),
    ]
    write(
        db,
        lambda uow: uow.deliveries.record([Delivery("notice", "n-1", B, at(5), "stream")]),
    )
    assert len(types(db)) == 2


def test_listeners_are_told_of_commits_that_appended_events(db: Database) -> None:
    told: list[int] = []
    db.on_commit(lambda: told.append(db.events_appended))
    write(db, lambda uow: uow.webhooks.add(hook("h-1", A, 0)))
    assert told == []
    write(db, lambda uow: uow.events.append(T0, "system", "x", {}))
    with pytest.raises(Refused):
        write(db, lambda uow: (uow.events.append(T0, "system", "y", {}), _raise()))
    read(db, lambda uow: uow.events.append(T0, "system", "z", {}))
    assert told == [1, 2]
    assert db.events_appended == 2
    assert db.skips_locked_rows in (True, False)
    assert db.dialect in ("sqlite", "postgresql")
    assert db.connections_in_use() >= 0


def _raise() -> None:
    raise Refused


async def _async_write(db: Database) -> int:
    return await db.run_async(lambda uow: uow.events.append(T0, "system", "x", {}))


def test_a_write_from_a_coroutine_commits_whole(db: Database) -> None:
    import asyncio

    assert asyncio.run(_async_write(db)) == 1
    assert types(db) == ["x"]


# ---------------------------------------------------------------------------------------------
# The live tables
# ---------------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres), "memory"])
def live(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[LiveTables]:
    if request.param == "memory":
        yield MemoryLiveTables()
        return
    from conftest import _fresh_url

    engine = make_engine(_fresh_url(request.param, request, tmp_path), pool_size=2)
    yield LiveStore(engine)
    engine.dispose()


def test_the_live_tables_keep_the_newest_state_of_each_track(live: LiveTables) -> None:
    def state(party: str, track: str, time_s: float, notice: str | None = None) -> tuple[Any, ...]:
        ref = "STD" if notice else "AMSL"
        return (party, track, time_s, 34, 36, 7600, 230, 90, 0, notice, notice and "CS1", ref)

    assert live.upsert_tracks([]) == 0
    assert live.upsert_tracks([state("b", "t1", 10), state("a", "t2", 12, "n-1")]) == 2
    assert live.upsert_tracks([state("b", "t1", 9), state("a", "t2", 12)]) == 1  # not older
    fresh = live.fresh_tracks(10)
    assert fresh == [
        ("a", "t2", 12.0, 34.0, 36.0, 7600.0, 230.0, 90.0, 0.0, None, None, "AMSL"),
        ("b", "t1", 10.0, 34.0, 36.0, 7600.0, 230.0, 90.0, 0.0, None, None, "AMSL"),
    ]
    assert all(type(v) is float for v in fresh[0][2:9])
    assert live.fresh_tracks(11) == fresh[:1] and live.count_fresh(11) == 1
    assert live.prune_tracks(11) == 1 and live.count_fresh(0) == 1
    live.clear_tracks()
    assert live.fresh_tracks(0) == [] and live.count_fresh(0) == 0
    assert live.all_figures() == {}
    live.replace_figures({"t-2": LiveFigures("warning", {"b": 1, "a": (1, 2)}, 5)})
    live.replace_figures({"t-1": LiveFigures("caution", {"d": 2.5}, 6)})
    assert live.all_figures() == {"t-1": LiveFigures("caution", {"d": 2.5}, 6)}
    live.replace_figures({})
    assert live.all_figures() == {}
