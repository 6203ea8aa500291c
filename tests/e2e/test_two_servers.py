"""Two real ``sharedsky serve`` processes over one PostgreSQL schema form one mechanism: what alpha
commits through server A reaches bravo's stream held on server B at once (R-STREAM-2).

Both servers run with ``stream_poll_s`` = 30 s and ``stream_keepalive_s`` = 60 s, and B commits
none of these events itself, so nothing but PostgreSQL's NOTIFY can wake bravo's stream on B
within the second the test allows: polling alone would take up to 30 s.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from _servers import init, open_stream, orbit, post, serve

MECHANISM_YAML = """\
mechanism: two-servers
host: {id: host, name: Coordination Cell, language: en}
parties:
  - {id: alpha, name: Alpha, language: en}
  - {id: bravo, name: Bravo, language: tr}
defaults:
  sharing: full
channels:
  - between: [alpha, bravo]
    sharing: conflicts_only
"""
SLOW_POLL = {"SHAREDSKY_STREAM_POLL_S": "30", "SHAREDSKY_STREAM_KEEPALIVE_S": "60"}
WITHIN_S = 1.0
MESSAGES = 10


@pytest.fixture
def own_schema(fresh_database: Callable[[str], str]) -> str:
    """A URL of a new, empty PostgreSQL schema for this test (``sharedsky init`` migrates it),
    checked against its ledger and dropped afterwards (``fresh_database``)."""
    return fresh_database("postgres")


@pytest.mark.slow
@pytest.mark.postgres
def test_an_event_committed_through_one_server_reaches_a_stream_held_on_another(
    tmp_path: Path, own_schema: str
) -> None:
    """R-STREAM-2: bravo holds its stream on server B; alpha files a clashing notice and sends
    flash messages through server A; each event reaches bravo on B within a second (measured
    from the end of the POST that committed it), with polling 150 times slower than that."""
    tokens = init(tmp_path, MECHANISM_YAML, own_schema)
    alpha, bravo = tokens["alpha"], tokens["bravo"]
    with (
        serve(own_schema, tmp_path / "a.log", SLOW_POLL) as server_a,
        serve(own_schema, tmp_path / "b.log", SLOW_POLL) as server_b,
    ):
        post(server_b, bravo, "/v1/notices", orbit(36.0))
        stream = open_stream(server_b, bravo)
        try:
            committed_s: dict[str, float] = {}

            filing = post(server_a, alpha, "/v1/notices", orbit(36.1))
            committed_s["filing"] = time.monotonic()
            (conflict,) = filing["conflicts"]
            stream.wait_for(2, timeout_s=WITHIN_S)
            assert stream.types() == ["conflict.detected", "notice.filed"]
            assert stream.events[0].payload["conflict"] == conflict["id"]
            assert stream.events[1].payload["notice"] == filing["id"]

            message_ids = []
            for i in range(MESSAGES):
                sent = post(
                    server_a,
                    alpha,
                    "/v1/messages",
                    {
                        "to": "bravo",
                        "priority": "flash",
                        "template": "request_delay",
                        "params": {"minutes": 10 + i},
                        "about": {"type": "conflict", "id": conflict["id"]},
                    },
                )
                committed_s[sent["id"]] = time.monotonic()
                message_ids.append(sent["id"])
                stream.wait_for(3 + i, timeout_s=WITHIN_S)
        finally:
            stream.close()

    assert stream.types() == ["conflict.detected", "notice.filed"] + ["message.sent"] * MESSAGES
    assert [e.payload["message"] for e in stream.events[2:]] == message_ids
    latencies_ms = [
        (stream.arrived_s[e.seq] - committed_s[str(e.payload.get("message", "filing"))]) * 1000
        for e in stream.events[1:]
    ]
    print(f"arrival after the POST answered, ms: {sorted(round(x, 1) for x in latencies_ms)}")
    assert max(latencies_ms) < WITHIN_S * 1000
    assert statistics.median(latencies_ms) < 100  # a 30 s poll would give ~15 s
