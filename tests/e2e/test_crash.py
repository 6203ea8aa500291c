"""A server killed with SIGKILL while twenty clients write loses nothing it answered: after a
restart on the same database every write answered 2xx is there, the ledger verifies, new writes
are taken, and an acknowledgement deadline that passes after the restart escalates (R-ESC-2).

On SQLite the engine runs in WAL mode with ``synchronous=NORMAL``: a commit is in the WAL file
(in the operating system's cache) before the server answers, so killing the process loses no
answered write; only a power cut or kernel crash could lose the last commits (``FULL`` waits
for the disk; docs/settings.md, Durability and backups). PostgreSQL answers after its WAL is
flushed (``synchronous_commit`` on, its default).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from _servers import UNLIMITED, init, orbit, post, start
from _writers import Writers, counts, missing
from sqlalchemy import select

from sharedsky.store.engine import make_engine
from sharedsky.store.tables import ack_requests, escalations

DEADLINE_S = 15
"""The conflict's acknowledgement deadline: it passes after the killed server is back (the
kill, the check of every answered write and the restart take about 5 s on two cores running
the suite; they once took more than 10 s on two cores loaded by another run too)."""
MECHANISM_YAML = f"""\
mechanism: crash
host: {{id: host, name: Coordination Cell}}
parties:
  - {{id: alpha, name: Alpha}}
  - {{id: bravo, name: Bravo}}
defaults:
  ack_deadline_s: {{routine: 3600, priority: {DEADLINE_S}, flash: {DEADLINE_S}}}
"""
WRITERS = 20
LOAD_S = 4.0
TICK = {"SHAREDSKY_DEADLINE_TICK_S": "0.2", **UNLIMITED}


def _escalations(db: str, conflict: str) -> tuple[dict[str, int], dict[str, int]]:
    """The conflict's acknowledgement requests (id → when it fell due, µs: requested +
    DEADLINE_S; once escalated to the last rung a request is due no more) and their escalations
    (request id → time, µs)."""
    engine = make_engine(db, pool_size=1)
    try:
        with engine.connect() as connection:
            due = dict(
                connection.execute(
                    select(
                        ack_requests.c.id, ack_requests.c.requested_us + DEADLINE_S * 1_000_000
                    ).where(
                        ack_requests.c.subject == "conflict", ack_requests.c.subject_id == conflict
                    )
                ).all()
            )
            done = dict(
                connection.execute(
                    select(escalations.c.ack_id, escalations.c.at_us).where(
                        escalations.c.ack_id.in_(list(due))
                    )
                ).all()
            )
    finally:
        engine.dispose()
    return due, done


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_killed_server_loses_no_answered_write_and_its_deadlines_carry_on(
    tmp_path: Path, fresh_database: Callable[[str], str], backend: str
) -> None:
    db = fresh_database(backend)
    tokens = init(tmp_path, MECHANISM_YAML, db)
    log = tmp_path / "server.log"
    server = start(db, log, TICK)
    writers = Writers(server.base, tokens, WRITERS)
    try:
        writers.start()
        time.sleep(LOAD_S - 1.0)
        post(server.base, tokens["alpha"], "/v1/notices", _clash())
        filing = post(server.base, tokens["bravo"], "/v1/notices", _clash())
        (conflict,) = filing["conflicts"]
        time.sleep(1.0)
        server.kill()
    finally:
        writers.stop()
        server.stop()
    answered = list(writers.writes)
    assert writers.refused == []
    assert counts(answered)["ack"] > 0 and len(answered) > 4 * WRITERS

    server = start(db, log, TICK)
    try:
        back_at = datetime.now(UTC)
        lost = missing(db, answered)
        print(f"\n{backend}: answered before the kill {counts(answered)}; lost {len(lost)}")
        assert lost == []
        post(server.base, tokens["alpha"], "/v1/messages", {"to": "bravo", "template": "standby"})

        deadline = time.monotonic() + DEADLINE_S + 15
        due, done = _escalations(db, conflict["id"])
        while len(done) < len(due) and time.monotonic() < deadline:
            time.sleep(0.2)
            due, done = _escalations(db, conflict["id"])
        assert len(due) == 2 and sorted(done) == sorted(due)  # alpha's and bravo's, once each
        for ack_id, at_us in done.items():
            assert at_us >= due[ack_id]
        late = [d for d in due.values() if d > back_at.timestamp() * 1e6]
        assert len(late) == 2, "the restart took longer than DEADLINE_S: a slow machine?"

        verified = subprocess.run(
            [sys.executable, "-m", "sharedsky", "ledger", "verify", "--db", db],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert verified.returncode == 0, verified.stdout + verified.stderr
    finally:
        server.stop()


def _clash() -> dict[str, object]:
    """The same orbit for alpha and bravo: one conflict, acknowledgements due in DEADLINE_S."""
    return orbit(36.5, lat=34.8)
