"""A real server publishes signed checkpoints on every stream; the SDK keeps them, and
``sharedsky ledger audit`` proves the served log extends them (R-LEDGER-6)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
from _servers import init, open_stream, orbit, post, serve
from typer.testing import CliRunner

from sharedsky.cli import app
from sharedsky.ledger.checkpoints import verify_checkpoint
from sharedsky.ledger.signing import KeyRing

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
