"""The Alembic migrations build exactly the schema the tables declare, on both backends, and seal
the events of a database from before the ledger; every use case leaves its event in the log."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from _support import T0
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, text

from sharedsky.domain.idempotency import KeptResult
from sharedsky.ledger.signing import SERVER, Signer, public_key_to_b64
from sharedsky.store import tables as t
from sharedsky.store.engine import make_engine
from sharedsky.store.schema import alembic_config, upgrade
from sharedsky.store.tables import metadata
from sharedsky.store.uow import Database


def test_migrations_match_the_table_metadata(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_the_event_log_appends_in_order(database: Database) -> None:
    from _support import T0

    seqs = database.run(
        lambda uow: [
            uow.events.append(T0, "alpha-duty", "notice.filed", {"n": i}) for i in range(3)
        ]
    )
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    events = database.run(lambda uow: uow.events.after(seqs[0]), readonly=True)
    assert [e.payload["n"] for e in events] == [1, 2]
    assert all(e.type == "notice.filed" and e.time == T0 for e in events)


def test_the_background_checkpointer_copies_the_wal_into_the_file(tmp_path: Path) -> None:
    from sharedsky.bootstrap import open_database

    path = tmp_path / "c.db"
    db = open_database(f"sqlite:///{path}")
    from _support import T0

    for chunk in range(20):
        db.run(
            lambda uow, chunk=chunk: [
                uow.events.append(T0, "x", "notice.filed", {"pad": "x" * 2000, "n": i})
                for i in range(chunk * 50, chunk * 50 + 50)
            ]
        )
    time.sleep(1.2)  # two checkpoint intervals
    # 2 MB of events stay in the WAL unless checkpointed (the backstop is at 40 MB): the
    # database file has grown only if the background thread copied them there
    assert path.stat().st_size > 1_000 * 2_000
    db.close()


LEGACY_EVENTS = [
    (3, '{"b": 1, "a": [1.5, "x"]}'),
    (5, '{"n": "\\u00e9t\\u00e9", "z": null}'),
    (9, "{}"),
    (10, '{"big": 12345678901234}'),
]
"""Events as a database from before the ledger holds them: (seq, payload), with gaps."""
SEALED_HEAD = (
    "fe4a1903445c1e1c2a045727dfa0f6b7e1f4c8d2348fd0a70a9acde68c2c852c",
    "eS8iPv3yug8WhLDMkjsM6TYdMNlzwoBaox3MtRWEQg3H16eBJfKU1mqLe3VL9VNz5IkJ0XEsgd4cDOLQiphaBA",
)
"""The hash and signature of the last of ``LEGACY_EVENTS`` as the first append sealed them
before the seal became migration 0008 (run with that code, the server key ``_fixed_signer``)."""


def _fixed_signer() -> Signer:
    return Signer(Ed25519PrivateKey.from_private_bytes(bytes(range(32))))


def _legacy_database(url: str, *, with_key: bool) -> Database:
    """A database at revision 0007 holding ``LEGACY_EVENTS`` stored at revision 0003 (before
    the ledger: 0004 gave them empty hashes), and the server key ``_fixed_signer``."""
    engine = make_engine(url)
    upgrade(engine, "0003")
    with engine.begin() as connection:
        for seq, payload in LEGACY_EVENTS:
            connection.execute(
                text(
                    "INSERT INTO events (seq, time_us, actor, type, payload)"
                    " VALUES (:seq, :time_us, 'system', 'legacy.event', :payload)"
                ),
                {
                    "seq": seq,
                    "time_us": 1_700_000_000_000_000 + seq * 1_234_567,
                    "payload": payload,
                },
            )
    upgrade(engine, "0007")
    if with_key:
        signer = _fixed_signer()
        with engine.begin() as connection:
            connection.execute(
                insert(t.ledger_keys).values(
                    key_id=signer.key_id,
                    public_key=public_key_to_b64(signer.public_key),
                    owner=SERVER,
                    private_pem=signer.to_pem().decode(),
                    created_us=5,
                )
            )
    return Database(engine)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
@pytest.mark.parametrize("with_key", [True, False])
def test_the_upgrade_seals_events_from_before_the_ledger_as_the_first_append_did(
    fresh_database: Callable[[str], str], backend: str, with_key: bool
) -> None:
    """R-LEDGER-1: migration 0008 renumbers the events stored before the ledger 1, 2, …,
    chains and signs them in seq order with the server's key (made when there is none), with
    the very hashes and signatures the first append after the upgrade gave them before; the
    ledger verifies, and the next append chains after them."""
    from sharedsky.service.ledger import verify_database

    db = _legacy_database(fresh_database(backend), with_key=with_key)
    try:
        upgrade(db.engine)
        entries = db.run(lambda uow: uow.events.entries(0), readonly=True)
        assert [e.seq for e in entries] == [1, 2, 3, 4]
        assert [json.dumps(e.content.payload) if e.content else None for e in entries] == [
            json.dumps(json.loads(payload)) for _, payload in LEGACY_EVENTS
        ]
        for before, after in itertools.pairwise(entries):
            assert after.prev_hash == before.hash
        if with_key:
            assert (entries[-1].hash, entries[-1].sig) == SEALED_HEAD
        servers = db.run(lambda uow: uow.ledger_keys.all(), readonly=True)
        assert [k.entry.owner for k in servers] == [SERVER]
        assert db.run(lambda uow: uow.events.append(T0, "x", "after.seal", {})) == 5
        assert verify_database(db, all_signatures=True).ok
    finally:
        db.close()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_the_upgrade_leaves_a_sealed_ledger_as_it_is(
    fresh_database: Callable[[str], str], backend: str
) -> None:
    engine = make_engine(fresh_database(backend))
    upgrade(engine, "0007")
    db = Database(engine)
    try:
        db.run(lambda uow: [uow.events.append(T0, "x", "notice.filed", {"n": n}) for n in range(3)])
        before = db.run(lambda uow: uow.events.entries(0), readonly=True)
        upgrade(engine)
        assert db.run(lambda uow: uow.events.entries(0), readonly=True) == before
    finally:
        db.close()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_an_answer_kept_before_the_service_forgot_http_still_replays(
    fresh_database: Callable[[str], str], backend: str
) -> None:
    """R-IDEM-1: migration 0009 keeps each stored answer's body as the key's result (the route
    gives the status again); a downgrade gives it back as a body, with status 200."""
    engine = make_engine(fresh_database(backend))
    upgrade(engine, "0008")
    body = '{"id":"ntc-1","version":1}'
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO idempotency_keys"
                " (operator_id, key, request_sha256, status_code, body, created_us)"
                " VALUES ('alpha-duty', 'k-1', :sha, 201, :body, 7)"
            ),
            {"sha": "a" * 64, "body": body},
        )
    upgrade(engine)
    db = Database(engine)
    try:
        kept = db.run(lambda uow: uow.idempotency.get("alpha-duty", "k-1"), readonly=True)
        assert kept == KeptResult("a" * 64, body)
        config = alembic_config()
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0008")
            connection.commit()
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT status_code, body FROM idempotency_keys WHERE key = 'k-1'")
            ).one()
        assert tuple(row) == (200, body)
    finally:
        db.close()
