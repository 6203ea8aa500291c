"""A server stopped mid-countdown still escalates on time after restart, exactly once (R-ESC-2)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from _servers import INITIALISED, start
from sqlalchemy import create_engine, select

from sharedsky.cli.demo import free_port
from sharedsky.store.tables import escalations

MECHANISM = """\
mechanism: restart
host: {id: host, name: Cell}
parties:
  - {id: alpha, name: Alpha}
  - {id: bravo, name: Bravo}
defaults:
  ack_deadline_s: {routine: 3600, priority: 4, flash: 2}
"""
DEADLINE_S = 4


def _serve(db: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    """``sharedsky serve`` on ``port`` with a deadline duty that looks five times a second;
    returns once it answers (``_servers.start``: it starts without warming the kernels)."""
    return start(db, log, {"SHAREDSKY_DEADLINE_TICK_S": "0.2"}, port=port).process


def _orbit(lon: float, start: datetime) -> dict[str, object]:
    return {
        "kind": "uav",
        "title": "orbit",
        "volumes": [
            {
                "outline": {"type": "Circle", "center": [lon, 34.8], "radius_m": 20000},
                "altitude": {"lower_m": 3000, "upper_m": 9000},
                "time": {
                    "start": start.isoformat(),
                    "end": (start + timedelta(hours=1)).isoformat(),
                },
            }
        ],
    }


@pytest.mark.slow
def test_escalation_happens_on_time_after_a_crash_and_restart(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(MECHANISM)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sharedsky",
            "init",
            str(tmp_path / "m.yaml"),
            "--db",
            db,
            "--tokens-out",
            str(tmp_path / "t.json"),
        ],
        check=True,
        capture_output=True,
    )
    INITIALISED.append(db)  # checked against its ledger after the test
    tokens = json.loads((tmp_path / "t.json").read_text())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    server = _serve(db, port, log)
    start = datetime.now(UTC) + timedelta(hours=2)
    for party, lon in (("alpha", 36.5), ("bravo", 36.6)):
        response = httpx.post(
            f"{base}/v1/notices",
            json=_orbit(lon, start),
            headers={"Authorization": f"Bearer {tokens[party]}"},
        )
        assert response.status_code == 201, response.text
    filed_at = datetime.now(UTC)
    assert len(response.json()["conflicts"]) == 1
    server.send_signal(signal.SIGKILL)  # a crash, mid-countdown
    server.wait()
    time.sleep(DEADLINE_S + 1.0)  # the deadline passes while no server runs
    restarted_at = datetime.now(UTC)
    server = _serve(db, port, log)
    try:
        time.sleep(1.5)
        engine = create_engine(db)
        with engine.connect() as conn:
            rows = conn.execute(select(escalations)).all()
        assert sorted((r.party_id, r.rung, r.rung_name) for r in rows) == [
            ("alpha", 1, "host"),
            ("bravo", 1, "host"),
        ]
        for row in rows:
            at = datetime.fromtimestamp(row.at_us / 1e6, tz=UTC)
            assert at >= filed_at + timedelta(seconds=DEADLINE_S) - timedelta(seconds=1)
            assert at - restarted_at < timedelta(seconds=10)  # at the first tick after start-up
        time.sleep(1.0)
        with engine.connect() as conn:
            assert len(conn.execute(select(escalations)).all()) == 2  # exactly once
        engine.dispose()
        pending = httpx.get(
            f"{base}/v1/acks/pending", headers={"Authorization": f"Bearer {tokens['alpha']}"}
        ).json()["acknowledgements"]
        conflict = [a for a in pending if a["subject"] == "conflict"]
        assert len(conflict) == 1  # still awaiting alpha's acknowledgement, now at the host
        assert conflict[0]["rung"] == 1 and conflict[0]["due_at"] is None
    finally:
        server.terminate()
        server.wait(timeout=10)
