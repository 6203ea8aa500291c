"""The state tables are a projection of the ledger: emptied and rebuilt from the verified
ledger alone, by applying its typed events in order (``service/projection.py``), they are what
they were, every column of every row, the cell index too (R-LEDGER-8)."""

from __future__ import annotations

from typing import Any

from _busy_day import busy_day
from _support import Api
from sqlalchemy import delete, select

from sharedsky.domain.events import STATE_RECORDED, Audience, types_for
from sharedsky.ledger.chain import to_json
from sharedsky.ledger.verify import verify
from sharedsky.service.ledger import checkpoint, keyring
from sharedsky.service.projection import apply_entry
from sharedsky.store import tables as t
from sharedsky.store.legacy_state import PROJECTED
from sharedsky.store.uow import Database, SqlUnitOfWork

DERIVED = {"volume_cells": t.volume_cells}
"""The candidate index: no projection of its own, derived from the volumes' outlines."""


def snapshot(api: Api) -> dict[str, list[dict[str, Any]]]:
    """Every row of every projected table (and of the cell index), in key order."""
    with api.env.deps.db.engine.connect() as connection:
        return {
            name: [
                dict(row._mapping)
                for row in connection.execute(
                    select(table).order_by(
                        *(table.primary_key.columns or table.columns)  # no key: every column
                    )
                )
            ]
            for name, table in {**PROJECTED, **DERIVED}.items()
        }


def replay_typed(db: Database, entries: list[Any]) -> None:
    """Empty the projected tables and the cell index, and apply the ledger's typed events."""
    with db.engine.begin() as connection:
        for table in [*PROJECTED.values(), *DERIVED.values()]:
            connection.execute(delete(table))
        writer = SqlUnitOfWork(connection, db.server_keys)
        for entry in entries:
            assert entry.content is not None
            apply_entry(entry.content.type, entry.content.payload, writer)


def test_the_typed_events_of_the_ledger_rebuild_the_tables_exactly(api: Api) -> None:
    """Emptied, then rebuilt by applying each typed event of the verified ledger in order: the
    tables are byte-identical, the volumes' and escalations' numbers and the cell index too."""
    busy_day(api)
    before = snapshot(api)
    assert all(before.values()), [name for name, rows in before.items() if not rows]
    db = api.env.deps.db
    entries = db.run(lambda uow: uow.events.entries(0, 100_000), readonly=True)
    report = verify(
        [to_json(e) for e in entries], checkpoint(api.env.deps), keyring(db), all_signatures=True
    )
    assert report.ok, report.problems
    replay_typed(db, entries)
    after = snapshot(api)
    for name, rows in before.items():  # table by table, row by row: a failure names the cell
        assert len(after[name]) == len(rows), name
        for old, new in zip(rows, after[name], strict=True):
            assert {k: v for k, v in new.items() if old[k] != v} == {}, (name, old)
    assert after == before


def test_no_write_records_state_entries_any_more(api: Api) -> None:
    """The typed events are the ledger's only record of the state: no ``state.recorded``
    entry, and every stream and export carries no ledger-only type."""
    busy_day(api)
    db = api.env.deps.db
    entries = db.run(lambda uow: uow.events.entries(0, 100_000), readonly=True)
    assert STATE_RECORDED not in {e.content.type for e in entries if e.content is not None}
    streamed = sum(
        1
        for e in entries
        if e.content is not None and e.content.type not in types_for(Audience.LEDGER)
    )
    stream = api.client.get(f"/v1/events?after=0&limit={streamed}", headers=api.as_("host"))
    assert stream.text.count("\nid: ") + stream.text.startswith("id: ") == streamed
    assert not any(f"event: {name}" in stream.text for name in types_for(Audience.LEDGER))


def test_writes_sharing_a_transaction_are_rebuilt_from_their_events(api: Api) -> None:
    """Writes that commit together (group commit) append their events and nothing else; the
    rebuild from the ledger still gives the tables (R-LEDGER-8)."""
    import threading
    import time

    db = api.env.deps.db
    gate, holding = threading.Event(), threading.Event()

    def hold(_uow: object) -> None:  # a write that keeps the lead until the others queue
        holding.set()
        assert gate.wait(10)

    def send(to: str) -> None:
        body = {"to": to, "priority": "routine", "text": f"hello {to}"}
        answer = api.client.post("/v1/messages", json=body, headers=api.as_("alpha"))
        assert answer.status_code == 201, answer.text

    holder = threading.Thread(target=db.run, args=(hold,))
    holder.start()
    assert holding.wait(10)
    head = db.run(lambda uow: uow.events.head(), readonly=True)
    assert head is not None
    senders = [threading.Thread(target=send, args=(to,)) for to in ("bravo", "host") * 2]
    for thread in senders:
        thread.start()
    deadline = time.monotonic() + 10
    while len(db._group._queue) < len(senders):  # every send waits behind the holder
        assert time.monotonic() < deadline
        time.sleep(0.005)
    gate.set()
    for thread in [holder, *senders]:
        thread.join(10)
    after = db.run(lambda uow: uow.events.after(head.seq, 100), readonly=True)
    assert [e.type for e in after] == ["message.sent"] * 4

    before = snapshot(api)
    entries = db.run(lambda uow: uow.events.entries(0, 100_000), readonly=True)
    replay_typed(db, entries)
    assert snapshot(api) == before
