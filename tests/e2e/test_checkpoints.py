"""A real server publishes signed checkpoints on every stream; the SDK keeps them, and
``sharedsky ledger audit`` proves the served log extends them (R-LEDGER-6). Every process over
one database publishes them to its own streams, and none of them writes anything for it: the
ledger holds the events of the writes alone, however many processes serve it."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from _servers import init, open_stream, orbit, post, serve
from sqlalchemy import func, select
from typer.testing import CliRunner

from sharedsky.cli import app
from sharedsky.ledger.checkpoints import verify_checkpoint
from sharedsky.ledger.signing import KeyRing
from sharedsky.store.engine import make_engine
from sharedsky.store.tables import events

MECHANISM_YAML = """\
mechanism: receipts
host: {id: host, name: Coordination Cell, language: en}
parties:
  - {id: alpha, name: Alpha, language: en}
  - {id: bravo, name: Bravo, language: ar}
defaults:
  sharing: full
"""


def test_streams_carry_checkpoints_that_verify_and_audit(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'receipts.db'}"
    tokens = init(tmp_path, MECHANISM_YAML, db)
    settings = {
        "SHAREDSKY_LEDGER_CHECKPOINT_EVERY": "3",
        "SHAREDSKY_LEDGER_CHECKPOINT_INTERVAL_S": "0.5",
    }
    receipts = tmp_path / "receipts.jsonl"
    with serve(db, tmp_path / "server.log", settings) as base:
        stream = open_stream(base, tokens["bravo"])
        assert stream.follower is not None
        stream.follower.keep = receipts
        try:
            follower = stream.follower

            def wait_for_head() -> None:
                head = httpx.get(
                    f"{base}/v1/ledger/checkpoint",
                    headers={"Authorization": f"Bearer {tokens['host']}"},
                ).json()["seq"]
                deadline = time.monotonic() + 10.0
                while not follower.checkpoints or follower.checkpoints[-1].seq < head:
                    assert time.monotonic() < deadline, follower.checkpoints
                    time.sleep(0.05)

            wait_for_head()  # a stream gets a receipt of the ledger as it opens
            for round_ in range(2):
                for i in range(3):
                    post(base, tokens["alpha"], "/v1/notices", orbit(35.0 + round_ + i / 10))
                wait_for_head()
        finally:
            stream.close()
        kept = stream.follower.checkpoints
        ring = KeyRing.from_json(
            httpx.get(
                f"{base}/v1/ledger/keys", headers={"Authorization": f"Bearer {tokens['bravo']}"}
            ).json()
        )
        assert len(kept) >= 3 and all(verify_checkpoint(ring, cp) for cp in kept)
        assert [cp.seq for cp in kept] == sorted(cp.seq for cp in kept)
        lines = receipts.read_text().splitlines()
        assert [json.loads(line)["seq"] for line in lines] == [cp.seq for cp in kept]
        audit = CliRunner().invoke(
            app,
            ["ledger", "audit", "--checkpoints", str(receipts), "--url", base,
             "--token", tokens["bravo"], "--json"],
        )  # fmt: skip
        assert audit.exit_code == 0, audit.output
        assert json.loads(audit.stdout)["ok"] is True


def _ledger(db: str) -> tuple[int, int, list[str]]:
    """The ledger's (entries, highest seq, types) as stored."""
    engine = make_engine(db, pool_size=1)
    try:
        with engine.connect() as connection:
            count, top = connection.execute(select(func.count(), func.max(events.c.seq))).one()
            types = connection.execute(select(events.c.type).distinct()).scalars().all()
    finally:
        engine.dispose()
    return int(count), int(top), sorted(types)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_processes_publish_checkpoints_to_their_streams_and_append_nothing(
    tmp_path: Path, fresh_database: Callable[[str], str]
) -> None:
    """R-LEDGER-6, R-STREAM-3: a checkpoint is a signed statement about the head, made by
    reading it, so every process publishes its own to its own streams (of the events any
    process committed) and the ledger does not grow by one entry per process: while both
    publish, it holds exactly the entries of the writes."""
    db = fresh_database("postgres")
    tokens = init(tmp_path, MECHANISM_YAML, db)
    settings = {
        "SHAREDSKY_LEDGER_CHECKPOINT_EVERY": "1",
        "SHAREDSKY_LEDGER_CHECKPOINT_INTERVAL_S": "0.2",
    }
    with (
        serve(db, tmp_path / "a.log", settings) as first,
        serve(db, tmp_path / "b.log", settings) as second,
    ):
        streams = [open_stream(first, tokens["bravo"]), open_stream(second, tokens["alpha"])]
        try:
            for i in range(3):
                post(first, tokens["alpha"], "/v1/notices", orbit(35.0 + i / 10))
            # bravo's stream delivers the three notices (each delivery is written a moment
            # later, as a ledger entry): wait for all three to arrive, then for a ledger that
            # stayed the same over two looks a second apart (a loaded machine may flush the
            # last delivery late), each stream holding a checkpoint of its head
            deadline = time.monotonic() + 20.0
            while sum(e.type == "notice.filed" for e in streams[0].events) < 3:
                assert time.monotonic() < deadline, streams[0].events
                time.sleep(0.1)
            seen = [_ledger(db)]
            while True:
                time.sleep(0.5)
                seen = [*seen[-2:], _ledger(db)]
                heads = [
                    s.follower.checkpoints[-1].seq if s.follower and s.follower.checkpoints else 0
                    for s in streams
                ]
                if len(seen) == 3 and seen[0] == seen[1] == seen[2] and heads == [seen[2][1]] * 2:
                    break
                assert time.monotonic() < deadline, (seen, heads)
            settled = seen[-1]
            entries, head, types = settled
            assert entries == head  # one entry per seq, no gap
            time.sleep(1.0)  # both publishers keep looking, five times a second
            assert _ledger(db) == (entries, head, types)
            assert not any("checkpoint" in t for t in types)
        finally:
            for stream in streams:
                stream.close()
        ring = KeyRing.from_json(
            httpx.get(
                f"{second}/v1/ledger/keys", headers={"Authorization": f"Bearer {tokens['bravo']}"}
            ).json()
        )
        for stream in streams:
            assert stream.follower is not None
            assert all(verify_checkpoint(ring, cp) for cp in stream.follower.checkpoints)
