"""What the ``serve --workers`` tests share (tests/e2e/test_workers*.py): the mechanism, the
settings, a head-on pair of aircraft fed through any worker, and the reads of the database and
of ``/readyz`` they wait on."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from _servers import UNLIMITED, post
from sqlalchemy import select

from sharedsky.store.engine import make_engine
from sharedsky.store.tables import events, tactical_alerts

DEADLINE_S = 8
"""Acknowledgement deadline of a strategic conflict (priority): it falls due after the duty
holder was killed."""
MECHANISM_YAML = f"""\
mechanism: workers
host: {{id: host, name: Coordination Cell}}
parties:
  - {{id: alpha, name: Alpha}}
  - {{id: bravo, name: Bravo}}
defaults:
  sharing: full
  ack_deadline_s: {{routine: 3600, priority: {DEADLINE_S}, flash: {DEADLINE_S}}}
"""
FAST = {"SHAREDSKY_DEADLINE_TICK_S": "0.2", **UNLIMITED}
BURST = 30
"""A token's burst in the metrics test (beside its sustained rate of one request in 1,000 s)."""
TAKEOVER_S = 5.0
"""The duties must have moved within this long of the holder's death."""
LAT_DEG = 34.0
GS_MPS = 200.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT_DEG))


class HeadOn:
    """Alpha's aircraft ``name``A flying east and bravo's ``name``B flying west at one
    altitude, 0.6° of longitude apart at the start (loss of separation in about 100 s: one
    caution alert), dead-reckoned from the start."""

    def __init__(self, name: str, mid_lon_deg: float) -> None:
        self.name = name
        self.mid_lon_deg = mid_lon_deg
        self.start_s = time.time()

    def feed(self, base: str, tokens: dict[str, str]) -> None:
        """Report both aircraft now, each through a new connection (any worker may take it)."""
        moved_deg = GS_MPS * (time.time() - self.start_s) / M_PER_DEG_LON
        common = {
            "time": datetime.now(UTC).isoformat(),
            "lat": LAT_DEG,
            "alt_m": 6000.0,
            "gs_mps": GS_MPS,
            "vs_mps": 0.0,
        }
        for party, suffix, lon, trk in (
            ("alpha", "A", self.mid_lon_deg - 0.3 + moved_deg, 90.0),
            ("bravo", "B", self.mid_lon_deg + 0.3 - moved_deg, 270.0),
        ):
            body = {
                "tracks": [{"id": f"{self.name}{suffix}", "lon": lon, "trk_deg": trk, **common}]
            }
            post(base, tokens[party], "/v1/tracks", body)


def duties_of(base: str) -> str:
    """What ``/readyz`` of the process that answers says: ``held`` or ``standby``."""
    answer = httpx.get(f"{base}/readyz", timeout=5.0)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["duties"])


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> float:
    """Seconds until ``condition()`` held; fails after ``timeout_s``."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout_s, f"not within {timeout_s} s: {what}"
        time.sleep(0.05)
    return time.monotonic() - started


def count_events(db: str, kind: str, subject_id: str | None = None) -> int:
    """Ledger entries of type ``kind`` (about ``subject_id`` when given)."""
    engine = make_engine(db, pool_size=1)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(events.c.payload).where(events.c.type == kind))
            payloads = [json.loads(r.payload) for r in rows]
    finally:
        engine.dispose()
    return sum(1 for p in payloads if subject_id is None or p.get("subject_id") == subject_id)


def open_alerts(db: str) -> list[tuple[str, str]]:
    """The open tactical alerts' (a_track, b_id)."""
    engine = make_engine(db, pool_size=1)
    try:
        with engine.connect() as connection:
            c = tactical_alerts.c
            rows = connection.execute(select(c.a_track, c.b_id).where(c.state == "open"))
            return sorted((r.a_track, r.b_id) for r in rows)
    finally:
        engine.dispose()
