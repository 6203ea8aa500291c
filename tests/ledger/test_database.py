"""The ledger as the database holds it: every event chained and signed in its transaction,
gapless under concurrent writers, and direct edits of the rows found by verification (R-LEDGER-1,
R-LEDGER-2)."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from _support import T0, Env, make_env
from sqlalchemy import text

from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline
from sharedsky.ledger.chain import entry_message
from sharedsky.ledger.checkpoints import make_checkpoint
from sharedsky.ledger.signing import SERVER, verify
from sharedsky.service.context import Actor
from sharedsky.service.ledger import checkpoint, keyring, verify_database
from sharedsky.service.notices import cancel_notice, file_notice
from sharedsky.store.engine import make_engine
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

ALPHA = Actor(OperatorId("alpha-duty"), PartyId("alpha"), False)
BRAVO = Actor(OperatorId("bravo-duty"), PartyId("bravo"), False)


def draft(lon: float = 36.5, minutes: int = 120) -> NoticeDraft:
    volume = Volume4D(
        CircleOutline((lon, 34.8), 20_000),
        AltitudeBand(3000, 9000),
        TimeWindow(T0 + timedelta(minutes=minutes), T0 + timedelta(minutes=minutes + 60)),
    )
    return NoticeDraft(NoticeKind.UAV, "orbit", (volume,))


def activity(env: Env) -> None:
    """Filings that clash, a cancellation: a dozen events of several kinds."""
    first = file_notice(env.deps, ALPHA, draft())
    file_notice(env.deps, BRAVO, draft())
    file_notice(env.deps, BRAVO, draft(lon=35.5))
    cancel_notice(env.deps, ALPHA, first.notice.id)


def test_init_makes_the_server_key_and_signs_the_first_entry_with_it(env: Env) -> None:
    ring = keyring(env.deps.db)
    assert [k.owner for k in ring.keys] == [SERVER]
    entries = env.deps.db.run(lambda uow: uow.events.entries(0), readonly=True)
    assert entries[0].seq == 1 and entries[0].content is not None
    assert entries[0].content.type == "mechanism.loaded"
    assert verify(ring.keys[0].public_key, entry_message(entries[0].hash), entries[0].sig)


def test_every_event_is_chained_signed_and_gapless(env: Env) -> None:
    activity(env)
    entries = env.deps.db.run(lambda uow: uow.events.entries(0), readonly=True)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert len(entries) >= 7
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
    report = verify_database(env.deps.db, all_signatures=True)
    assert report.ok, report.problems
    assert report.head_seq == len(entries)


@pytest.mark.parametrize(
    ("statement", "bad_seq"),
    [
        ("UPDATE events SET payload = replace(payload, 'bravo', 'alpha') WHERE seq = 4", 4),
        ("UPDATE events SET actor = 'someone-else' WHERE seq = 3", 3),
        ("UPDATE events SET time_us = time_us - 60000000 WHERE seq = 5", 5),
        ("DELETE FROM events WHERE seq = 6", 6),
        ("UPDATE events SET sig = (SELECT sig FROM events WHERE seq = 2) WHERE seq = 7", 7),
        ("UPDATE events SET type = 'notice.amended' WHERE seq = 2", 2),
    ],
)
def test_a_direct_edit_of_the_rows_is_found_with_its_seq(
    env: Env, statement: str, bad_seq: int
) -> None:
    activity(env)
    assert verify_database(env.deps.db).ok
    with env.deps.db.engine.begin() as connection:
        connection.execute(text(statement))
    report = verify_database(env.deps.db)
    assert not report.ok
    assert report.first_bad_seq == bad_seq, report.problems


def test_a_cut_tail_is_found_with_a_kept_checkpoint(env: Env) -> None:
    activity(env)
    receipt = checkpoint(env.deps)
    with env.deps.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM events WHERE seq = :seq"), {"seq": receipt.seq})
    assert verify_database(env.deps.db).ok  # nothing in the rows shows a cut end …
    report = verify_database(env.deps.db, checkpoints=[receipt])
    assert report.first_bad_seq == receipt.seq  # … the party's receipt does


def test_a_checkpoint_names_the_head_and_verifies(env: Env) -> None:
    activity(env)
    receipt = checkpoint(env.deps)
    head = env.deps.db.run(lambda uow: uow.events.head(), readonly=True)
    assert head is not None and (receipt.seq, receipt.hash) == (head.seq, head.hash)
    assert verify_database(env.deps.db, checkpoints=[receipt]).ok
    forged = make_checkpoint(
        env.deps.db.server_keys.signer(None, T0),  # type: ignore[arg-type]
        receipt.seq,
        "f" * 64,
        receipt.time,
    )
    assert verify_database(env.deps.db, checkpoints=[forged]).first_bad_seq == receipt.seq


def test_writers_on_two_databases_keep_one_gapless_chain(database_url: str) -> None:
    """Two Database objects over one database stand for two server processes."""
    clock = FakeClock(T0)
    first = Database(make_engine(database_url, pool_size=4))
    second = Database(make_engine(database_url, pool_size=4))
    try:
        env_a = make_env(first, clock)
        from sharedsky.bootstrap import build_deps

        deps_b = build_deps(second, clock=clock)
        errors: list[BaseException] = []

        def file_many(deps: object, actor: Actor, lon: float) -> None:
            try:
                for i in range(15):
                    file_notice(deps, actor, draft(lon=lon + i * 0.01, minutes=120 + i))  # type: ignore[arg-type]
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [
            threading.Thread(target=file_many, args=(env_a.deps, ALPHA, 33.0)),
            threading.Thread(target=file_many, args=(deps_b, BRAVO, 40.0)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
        report = verify_database(first, all_signatures=True)
        assert report.ok, report.problems
        entries = first.run(lambda uow: uow.events.entries(0, 1000), readonly=True)
        assert report.head_seq == len(entries)
        assert sum(1 for e in entries if e.content and e.content.type == "notice.filed") == 30
    finally:
        first.close()
        second.close()
