"""The in-memory unit of work (``testing/memory``) beside the SQL store: the same use cases
leave the same ledger and answer alike, its tables are the SQL schema's, and what it does
where SQL has nothing to say (a transaction inside a transaction, a unit of work kept after its
run). What every backend must do is ``tests/service/test_uow_contract.py``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from _support import THREE_PARTY_YAML, make_env

from sharedsky.domain.acknowledgements import AckSubject
from sharedsky.domain.channels import NoticeKind, Priority
from sharedsky.domain.errors import InvalidVolume
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.incidents import IncidentDraft
from sharedsky.domain.messages import MessageDraft
from sharedsky.domain.notices import NoticeDraft, NoticeFilter
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.domain.zones import ZoneDraft, ZoneKind
from sharedsky.geo.outlines import CircleOutline
from sharedsky.ledger.signing import Signer, public_key_to_b64
from sharedsky.service.acknowledgements import acknowledge
from sharedsky.service.context import Actor
from sharedsky.service.deadlines import tick
from sharedsky.service.hotline import acknowledge_message, list_messages, send_message
from sharedsky.service.incidents import acknowledge_incident, file_incident, list_incidents
from sharedsky.service.ledger import operator_keys, register_operator_key, verify_database
from sharedsky.service.notices import amend_notice, cancel_notice, file_notice
from sharedsky.service.queries import (
    escalations,
    list_conflicts,
    list_notices,
    list_zones,
    pending_acks,
)
from sharedsky.service.stream import open_cursor, read_stream, record_deliveries
from sharedsky.service.uow import Database, UnitOfWork
from sharedsky.service.webhooks import (
    deliver_due,
    list_deliveries,
    list_webhooks,
    register_webhook,
)
from sharedsky.service.zones import declare_zone, withdraw_zone
from sharedsky.store import tables as sql_tables
from sharedsky.store.uow import Database as SqlDatabase
from sharedsky.testing.fakes import FakeClock, RecordingSender
from sharedsky.testing.memory import SCHEMA, MemoryDatabase

T = TypeVar("T")
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def read(db: Database, work: Callable[[UnitOfWork], T]) -> T:
    return db.run(work, readonly=True)


def test_the_fakes_tables_are_the_sql_schemas() -> None:
    """Every table the fake keeps has the SQL table's columns, in order, of the same Python
    types, nullable alike, the same primary key and foreign keys (the cell index and the live
    tables are kept otherwise)."""
    for name, spec in SCHEMA.items():
        table = sql_tables.metadata.tables[name]
        assert list(spec.columns) == [c.name for c in table.columns], name
        assert spec.key == tuple(c.name for c in table.primary_key.columns), name
        for column in table.columns:
            assert spec.columns[column.name] is column.type.python_type, (name, column.name)
        optional = tuple(c.name for c in table.columns if c.nullable and not c.primary_key)
        assert spec.optional == optional, name
        refs = {c.name: fk.column.table.name for c in table.columns for fk in c.foreign_keys}
        assert spec.refs == refs, name
    kept_otherwise = {"volume_cells", "live_tracks", "tactical_live"}
    assert set(sql_tables.metadata.tables) == set(SCHEMA) | kept_otherwise


LADDER_YAML = THREE_PARTY_YAML.replace(
    "  - {id: alpha, name: Alpha, language: en}\n",
    "  - id: alpha\n    name: Alpha\n    language: en\n"
    "    escalation:\n      - {rung: commander, operators: [alpha-cmdr], wait_s: 600}\n",
)


def _orbit(lon: float, start_h: float = 2, upper_m: float = 9000) -> NoticeDraft:
    window = TimeWindow(T0 + timedelta(hours=start_h), T0 + timedelta(hours=start_h + 1))
    shape = CircleOutline((lon, 34.8), 20_000)
    return NoticeDraft(
        NoticeKind.UAV, "orbit", (Volume4D(shape, AltitudeBand(3000, upper_m), window),)
    )


def _scenario(db: Database, operator_key: str) -> dict[str, object]:
    """Every use case a service test drives, once, over ``db``; what each party then reads."""
    clock = FakeClock(T0)
    env = make_env(db, clock, LADDER_YAML)
    deps = env.deps
    who = {p: Actor(OperatorId(f"{p}-duty"), PartyId(p), p == "host") for p in PARTIES}
    viewers = {p: who[p].viewer for p in PARTIES}
    hooks = {p: register_webhook(deps, who[p], f"https://{p}.example/hook") for p in PARTIES}
    a = file_notice(deps, who["alpha"], _orbit(36.5)).notice
    b = file_notice(deps, who["bravo"], _orbit(36.6)).notice
    c = file_notice(deps, who["charlie"], _orbit(36.55)).notice
    with pytest.raises(InvalidVolume):
        file_notice(deps, who["alpha"], _orbit(36.5, upper_m=1000))
    clock.advance(60)
    zone = declare_zone(
        deps,
        who["charlie"],
        ZoneDraft(ZoneKind.PROTECTED, "field hospital", _orbit(36.6).volumes[0]),
    ).zone
    amend_notice(deps, who["bravo"], b.id, 1, _orbit(36.9, start_h=2.5))
    acknowledge(deps, who["charlie"], AckSubject.NOTICE, b.id)
    sent = send_message(
        deps, who["alpha"], MessageDraft(PartyId("bravo"), Priority.FLASH, "standby")
    )
    clock.advance(30)
    acknowledge_message(deps, who["bravo"], sent.message.id)
    send_message(deps, who["charlie"], MessageDraft(PartyId("host"), text="all clear"))
    near = IncidentDraft(clock.now(), (36.6, 34.8), "near miss", notices=(b.id,))
    acknowledge_incident(deps, who["bravo"], file_incident(deps, who["host"], near).id)
    file_incident(deps, who["charlie"], replace(near, notices=(c.id,)))
    register_operator_key(deps, who["alpha"], operator_key)
    sender = RecordingSender({"https://bravo.example/hook": [500]})
    deliver_due(deps, sender, 0.0)
    clock.advance(900)
    ticked = tick(deps)
    deliver_due(deps, sender, 0.0)
    withdraw_zone(deps, who["charlie"], zone.id)
    cancel_notice(deps, who["alpha"], a.id)
    for p in ("bravo", "charlie"):
        cursor = open_cursor(deps, 0)
        record_deliveries(deps, viewers[p], read_stream(deps, viewers[p], cursor, now_s=0.0).events)
    clock.advance(7200)
    ticked_late = tick(deps)

    events = read(db, lambda uow: uow.events.after(0, 100_000))
    return {
        "ticks": (ticked, ticked_late),
        "events": [(e.seq, e.time, e.actor, e.type, e.payload) for e in events],
        "notices": {p: list_notices(deps, viewers[p], NoticeFilter()) for p in PARTIES},
        "conflicts": {p: list_conflicts(deps, viewers[p], None) for p in PARTIES},
        "zones": {p: list_zones(deps, viewers[p], withdrawn=True) for p in PARTIES},
        "pending": {p: pending_acks(deps, viewers[p]) for p in PARTIES},
        "messages": {p: list_messages(deps, viewers[p]) for p in PARTIES},
        "incidents": {p: list_incidents(deps, viewers[p]) for p in PARTIES},
        "escalations": {p: escalations(deps, viewers[p]) for p in PARTIES},
        "hooks": {  # but their secrets, drawn at random
            p: [replace(h, secret="") for h in list_webhooks(deps, viewers[p])] for p in PARTIES
        },
        "attempts": [
            [
                (x.event_seq, x.attempt, x.status_code, x.ok)
                for x in list_deliveries(deps, viewers[p], hooks[p].hook.id)
            ]
            for p in PARTIES
        ],
        "sent": [(r.url, r.body) for r in sender.sent],
        "deliveries": read(
            db, lambda uow: sorted(uow.deliveries.of("notice", [a.id, b.id, c.id]), key=repr)
        ),
        "keys": [(k.entry, k.created_at, k.revoked_at) for k in operator_keys(deps, who["alpha"])],
        "verified": verify_database(db).ok,
    }


PARTIES = ("host", "alpha", "bravo", "charlie")


def test_a_whole_run_of_the_use_cases_reads_alike_in_memory_and_on_sql(
    database: SqlDatabase,
) -> None:
    """The fake cannot drift: the same use cases, with the same clock and ids, leave the same
    ledger (every entry's time, actor, type and payload: the typed events with their full
    data) and answer every listing alike; both ledgers verify."""
    key = public_key_to_b64(Signer.generate().public_key)
    on_sql = _scenario(database, key)
    in_memory = _scenario(MemoryDatabase(), key)
    assert on_sql["verified"] is True
    for name, value in on_sql.items():
        assert in_memory[name] == value, name
    assert len(on_sql["events"]) > 30  # type: ignore[arg-type]


def test_a_transaction_inside_a_transaction_of_the_same_thread_is_refused() -> None:
    db = MemoryDatabase()
    with pytest.raises(RuntimeError, match="inside a transaction"):
        db.run(lambda uow: db.run(lambda inner: inner.events.head(), readonly=True))
    assert db.run(lambda uow: uow.events.head(), readonly=True) is None  # not left locked


def test_a_unit_of_work_kept_after_its_run_writes_nothing() -> None:
    db = MemoryDatabase()
    kept = db.run(lambda uow: uow)
    with pytest.raises(RuntimeError, match="outside a transaction"):
        kept.events.append(T0, "system", "late", {})
    assert db.run(lambda uow: uow.events.after(0), readonly=True) == []


def test_it_answers_as_one_serialised_database_at_the_revisions_it_was_given() -> None:
    db = MemoryDatabase(revisions=frozenset({"0042"}))
    assert db.schema_revisions() == frozenset({"0042"})
    assert MemoryDatabase().schema_revisions() == frozenset()
    assert (db.dialect, db.skips_locked_rows, db.connections_in_use()) == ("sqlite", False, 0)
