"""``serve --workers N``: N processes on one port over one PostgreSQL schema form one server —
requests reach them all, tracks posted through any are seen by every one, the tactical tick
runs in one and raises each alert once, and a scrape of the metrics adds up every worker's.
Over SQLite ``--workers 2`` is refused. (The duties' move: test_workers_duties.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from _servers import init, start
from _workers import (
    BURST,
    FAST,
    MECHANISM_YAML,
    HeadOn,
    count_events,
    duties_of,
    open_alerts,
    wait_until,
)


def test_sqlite_refuses_more_than_one_worker(tmp_path: Path) -> None:
    """R-STREAM-3: SQLite refuses several workers on one port; the refusal says why, without a
    traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "sharedsky", "serve", "--db", f"sqlite:///{tmp_path / 'x.db'}",
         "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ | {"COLUMNS": "200"},
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--workers 2 needs PostgreSQL" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "x.db").exists()  # refused before anything was made


@pytest.mark.slow
@pytest.mark.postgres
def test_two_workers_share_one_port_one_picture_and_raise_an_alert_once(
    tmp_path: Path, fresh_database: Callable[[str], str]
) -> None:
    """R-STREAM-3, R-TACT-2 with ``--workers 2``: both processes answer on the port (one
    holds the duties, the other stands by); tracks posted through any connection are seen by
    every GET; a head-on pair reported by two parties raises exactly one tactical alert."""
    db = fresh_database("postgres")
    tokens = init(tmp_path, MECHANISM_YAML, db)
    server = start(db, tmp_path / "serve.log", FAST, ["--workers", "2"])
    try:
        seen: set[str] = set()

        def both_answered() -> bool:
            seen.add(duties_of(server.base))  # each call: a new connection, either worker
            return seen == {"held", "standby"}

        wait_until(both_answered, 30.0, "both workers answer /readyz")
        pair = HeadOn("W1", 33.5)
        for _ in range(8):
            pair.feed(server.base, tokens)
            for party in ("alpha", "bravo", "host"):
                tracks = httpx.get(
                    f"{server.base}/v1/tracks",
                    headers={"Authorization": f"Bearer {tokens[party]}"},
                    timeout=5.0,
                ).json()["tracks"]
                assert sorted(t["id"] for t in tracks) == ["W1A", "W1B"], party
            time.sleep(0.5)
        wait_until(lambda: count_events(db, "tactical.detected") >= 1, 10.0, "an alert")
        for _ in range(6):  # more ticks, by the holder only: no second alert
            pair.feed(server.base, tokens)
            alerts = httpx.get(
                f"{server.base}/v1/conflicts",
                params={"kind": "tactical", "state": "open"},
                headers={"Authorization": f"Bearer {tokens['bravo']}"},
                timeout=5.0,
            ).json()["conflicts"]
            assert len(alerts) == 1 and alerts[0]["severity"] == "caution"
            time.sleep(0.5)
        assert count_events(db, "tactical.detected") == 1
        assert open_alerts(db) == [("W1A", "W1B")]
    finally:
        server.stop()


def scraped_value(text: str, series: str) -> float:
    """The value of ``series`` (name and labels, as the exposition writes them) in a scrape."""
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{series} is not in the scrape")


@pytest.mark.slow
@pytest.mark.postgres
def test_the_metrics_of_two_workers_are_the_servers_whichever_answers(
    tmp_path: Path, fresh_database: Callable[[str], str]
) -> None:
    """R-OPS (issue 13, observability) with ``--workers 2``: a scrape reaches one process, but
    its figures are the server's: every scrape counts every scrape before it, both processes'
    requests and the stream one of them holds, and one duty holder. Their rate buckets are
    one too: a token's burst holds for the server, not for each process."""
    db = fresh_database("postgres")
    tokens = init(tmp_path, MECHANISM_YAML, db)
    tight = {**FAST, "SHAREDSKY_RATE_LIMIT_TOKEN_PER_S": "0.001",
             "SHAREDSKY_RATE_LIMIT_TOKEN_BURST": str(BURST)}  # fmt: skip
    server = start(db, tmp_path / "serve.log", tight, ["--workers", "2"])
    host = {"Authorization": f"Bearer {tokens['host']}"}
    try:
        seen: set[str] = set()

        def both_answered() -> bool:
            seen.add(duties_of(server.base))
            return seen == {"held", "standby"}

        wait_until(both_answered, 30.0, "both workers answer /readyz")
        healthz = 'sharedsky_http_requests_total{method="GET",route="/healthz",status="200"}'
        first = httpx.get(f"{server.base}/metrics", headers=host, timeout=5.0).text
        before = scraped_value(first, healthz)  # the start's own readiness checks
        for _ in range(40):  # each on a new connection: either worker answers
            assert httpx.get(f"{server.base}/healthz", timeout=5.0).status_code == 200
        with (
            httpx.Client(timeout=30.0) as watcher,
            watcher.stream(
                "GET",
                f"{server.base}/v1/events",
                headers={"Authorization": f"Bearer {tokens['alpha']}"},
            ) as stream,
        ):
            assert stream.status_code == 200
            time.sleep(2.5)  # both processes set their gauges (every second)
            scrapes = 1
            for _ in range(16):
                text = httpx.get(f"{server.base}/metrics", headers=host, timeout=5.0).text
                route = 'sharedsky_http_requests_total{method="GET",route="/metrics",status="200"}'
                assert scraped_value(text, route) == scrapes, text
                assert scraped_value(text, healthz) == before + 40
                assert scraped_value(text, 'sharedsky_event_streams_open{party="alpha"}') == 1
                assert scraped_value(text, "sharedsky_duty_holder") == 1
                scrapes += 1
        alpha = {"Authorization": f"Bearer {tokens['alpha']}"}
        statuses = [
            httpx.get(f"{server.base}/v1/me", headers=alpha, timeout=5.0).status_code
            for _ in range(BURST + 10)  # each on a new connection: either worker answers
        ]
        # the stream took one of alpha's burst; the rest go to the first requests, whichever
        # process answers them, and no process has a burst of its own to give
        assert statuses.count(200) == BURST - 1 and statuses.count(429) == 11, statuses
    finally:
        server.stop()
