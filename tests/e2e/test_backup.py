"""``sharedsky backup`` of a real server's database while clients write to it, and
``sharedsky restore`` into a new database: every write answered before the backup began is
there, the ledger verifies (in the database, and offline from an export of the restored
server), and the restored database serves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from _servers import UNLIMITED, init, orbit, post, serve, start
from _writers import Writers, counts, missing

MECHANISM_YAML = """\
mechanism: backup
host: {id: host, name: Coordination Cell}
parties:
  - {id: alpha, name: Alpha}
  - {id: bravo, name: Bravo}
"""
WRITERS = 10
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _sharedsky(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sharedsky", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ | {"COLUMNS": "500"},
    )


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_backup_taken_while_clients_write_holds_every_write_answered_before_it(
    tmp_path: Path, fresh_database: Callable[[str], str], backend: str
) -> None:
    db = fresh_database(backend)
    tokens = init(tmp_path, MECHANISM_YAML, db)
    out = tmp_path / "backup.gz"
    server = start(db, tmp_path / "server.log", UNLIMITED)
    writers = Writers(server.base, tokens, WRITERS)
    try:
        writers.start()
        time.sleep(2.0)
        began_s = time.monotonic()
        made = _sharedsky("backup", "--db", db, "--out", str(out))
        ended_s = time.monotonic()
        time.sleep(0.5)
    finally:
        writers.stop()
        server.stop()
    assert made.returncode == 0, made.stdout + made.stderr
    before = writers.answered_before(began_s)
    during = [w for w in writers.writes if began_s <= w.answered_s < ended_s]
    assert writers.refused == []
    assert counts(before)["ack"] > 0 and len(during) > 0  # clients wrote all along
    print(f"\n{backend}: before the backup {counts(before)}; while it ran {counts(during)}")

    target = fresh_database(backend)
    restored = _sharedsky("restore", str(out), "--db", target)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert missing(target, before) == []
    verified = _sharedsky("ledger", "verify", "--db", target)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    with serve(target, tmp_path / "restored.log") as base:
        filed = post(base, tokens["alpha"], "/v1/notices", orbit(20.0))
        shown = httpx.get(
            f"{base}/v1/notices/{filed['id']}",
            headers={"Authorization": f"Bearer {tokens['bravo']}"},
            timeout=10.0,
        )
        assert shown.status_code == 200, shown.text
        (tmp_path / "tokens.json").write_text(json.dumps(tokens))
        keys = tmp_path / "keys.json"
        export = tmp_path / "ledger.jsonl"
        common = ["--url", base, "--tokens", str(tmp_path / "tokens.json"), "--as", "host"]
        assert _sharedsky("ledger", "keys", "--out", str(keys), *common).returncode == 0
        assert _sharedsky("ledger", "export", "--out", str(export), *common).returncode == 0
    offline = _sharedsky("ledger", "verify", str(export), "--keys", str(keys), "--all-signatures")
    assert offline.returncode == 0 and "verified" in offline.stdout, offline.stdout
