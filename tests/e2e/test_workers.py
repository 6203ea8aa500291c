"""``serve --workers N``: N processes on one port over one PostgreSQL schema form one server —
requests reach them all, tracks posted through any are seen by every one, the tactical tick
runs in one and raises each alert once; and the periodic duties move to another process within
seconds when the one holding them is killed. Over SQLite one process serves a file: ``--workers
2`` is refused, and so is a second ``serve`` over the same file while the first lives (a file
lock)."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from _servers import UNLIMITED, Server, init, orbit, post, start
from sqlalchemy import select

from sharedsky.cli.demo import free_port
from sharedsky.client.tls import client_context
from sharedsky.store.engine import make_engine
from sharedsky.store.tables import ack_requests, escalations, events, tactical_alerts
from sharedsky.testing.pki import Authority

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


@pytest.mark.slow
@pytest.mark.postgres
def test_workers_serve_https_log_json_and_the_duty_holder_binds_the_metrics_port(
    tmp_path: Path, fresh_database: Callable[[str], str]
) -> None:
    """R-STREAM-3: every worker speaks TLS and logs JSON; only the duty holder binds
    ``--metrics-port`` (no clash, no worker lost), where ``sharedsky_duty_holder`` is 1."""
    db = fresh_database("postgres")
    init(tmp_path, MECHANISM_YAML, db)
    authority = Authority(tmp_path / "pki")
    issued = authority.server()
    verify = client_context(authority.cert)
    assert verify is not None
    metrics_port = free_port()
    argv = [
        "--workers", "2", "--tls-cert", str(issued.cert), "--tls-key", str(issued.key),
        "--metrics-port", str(metrics_port), "--log-format", "json",
    ]  # fmt: skip
    log = tmp_path / "serve.log"
    server = start(db, log, {**FAST, "SHAREDSKY_LOG_LEVEL": "info"}, argv, verify)
    try:
        seen: set[str] = set()

        def both_answered() -> bool:
            answer = httpx.get(f"{server.base}/readyz", timeout=5.0, verify=verify)
            seen.add(str(answer.json()["duties"]))
            return seen == {"held", "standby"}

        wait_until(both_answered, 30.0, "both workers answer over TLS")
        scraped = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5.0).text
        assert "sharedsky_duty_holder 1.0" in scraped
        time.sleep(1.0)  # the worker in standby keeps serving: it never tried the port
        assert server.process.poll() is None
        lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
        holds = [json.loads(line) for line in lines if "holds the periodic duties" in line]
        assert len(holds) == 1 and holds[0]["logger"] == "sharedsky.duties"
        assert "Traceback" not in log.read_text()
    finally:
        server.stop()


def _serve_two(db: str, tmp_path: Path) -> tuple[Server, Server]:
    first = start(db, tmp_path / "a.log", FAST)
    try:
        second = start(db, tmp_path / "b.log", FAST)
    except BaseException:
        first.stop()
        raise
    return first, second


def _conflict_requests(db: str, conflict: str) -> dict[str, int]:
    """The conflict's acknowledgement requests: id → due time (µs) as first set."""
    engine = make_engine(db, pool_size=1)
    try:
        with engine.connect() as connection:
            c = ack_requests.c
            rows = connection.execute(
                select(c.id, c.requested_us).where(
                    c.subject == "conflict", c.subject_id == conflict
                )
            )
            return {r.id: r.requested_us + DEADLINE_S * 1_000_000 for r in rows}
    finally:
        engine.dispose()


def _escalated(db: str, ack_ids: list[str]) -> list[tuple[str, int, int]]:
    """(ack id, rung, at µs) of every escalation of those requests."""
    engine = make_engine(db, pool_size=1)
    try:
        with engine.connect() as connection:
            c = escalations.c
            rows = connection.execute(
                select(c.ack_id, c.rung, c.at_us).where(c.ack_id.in_(ack_ids))
            )
            return sorted((r.ack_id, r.rung, r.at_us) for r in rows)
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_a_killed_duty_holders_duties_are_taken_over_within_seconds_and_done_once(
    tmp_path: Path, fresh_database: Callable[[str], str]
) -> None:
    """R-STREAM-3, R-ESC-2 and R-TACT-2 across a crash: two ``serve`` processes on one
    schema; the one holding the duties is SIGKILLed while an acknowledgement is pending; the
    other takes the duties within 5 s, escalates the request on time and once, continues the
    open tactical alert without raising it again, and raises the next pair's alert."""
    db = fresh_database("postgres")
    tokens = init(tmp_path, MECHANISM_YAML, db)
    servers = _serve_two(db, tmp_path)
    try:
        wait_until(
            lambda: sorted(duties_of(s.base) for s in servers) == ["held", "standby"],
            10.0,
            "one process holds the duties",
        )
        holder, survivor = sorted(servers, key=lambda s: duties_of(s.base) != "held")
        first = HeadOn("P1", 33.5)

        def first_alert() -> bool:
            first.feed(survivor.base, tokens)  # to the process in standby
            return count_events(db, "tactical.detected") == 1

        wait_until(first_alert, 15.0, "the first pair's alert")
        # a strategic conflict: both parties owe an acknowledgement within DEADLINE_S
        post(survivor.base, tokens["bravo"], "/v1/notices", orbit(36.0))
        filing = post(survivor.base, tokens["alpha"], "/v1/notices", orbit(36.1))
        conflict = filing["conflicts"][0]["id"]
        time.sleep(1.0)
        holder.process.send_signal(signal.SIGKILL)
        killed_s = time.monotonic()
        holder.process.wait(timeout=15)
        second = HeadOn("P2", 32.5)
        takeover_s = wait_until(
            lambda: duties_of(survivor.base) == "held", TAKEOVER_S, "the survivor holds the duties"
        )
        print(f"duties taken over {takeover_s:.2f} s after the kill")
        due = _conflict_requests(db, conflict)
        assert len(due) == 2
        while time.monotonic() - killed_s < DEADLINE_S + 4:
            first.feed(survivor.base, tokens)
            second.feed(survivor.base, tokens)
            time.sleep(0.5)
        steps = _escalated(db, list(due))
        assert [(ack, rung) for ack, rung, _ in steps] == sorted((ack, 1) for ack in due)
        for ack, _rung, at_us in steps:
            late_s = (at_us - due[ack]) / 1e6
            assert 0 <= late_s < 3.0, f"escalated {late_s:.2f} s after its due time"
        assert count_events(db, "ack.escalated", conflict) == 2
        assert count_events(db, "tactical.detected") == 2
        assert open_alerts(db) == [("P1A", "P1B"), ("P2A", "P2B")]
    finally:
        for server in servers:
            server.stop()


@pytest.mark.slow
def test_a_second_serve_over_one_sqlite_file_is_refused_and_one_starts_once_the_first_died(
    tmp_path: Path,
) -> None:
    """R-STREAM-3 over SQLite: the ``serve`` process over a file holds ``PATH.duties`` and the
    duties; a second ``serve`` over the same file is refused before it listens, in one line
    and with exit 1, and the first keeps serving (a tactical alert is raised once, by the one
    process that is sent both tracks); once the first is SIGKILLed, the operating system
    frees the lock and a new ``serve`` over the file starts, holds the duties and serves what
    the first stored."""
    path = tmp_path / "sky.db"
    db = f"sqlite:///{path}"
    tokens = init(tmp_path, MECHANISM_YAML, db)
    first = start(db, tmp_path / "a.log", FAST)
    servers = [first]
    try:
        assert duties_of(first.base) == "held"
        port = free_port()
        refused = subprocess.run(
            [sys.executable, "-m", "sharedsky", "serve", "--db", db, "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert refused.stderr.splitlines() == [
            f"another sharedsky serve process serves {path} (it holds {path}.duties): SQLite "
            "admits one server process per database; stop it, or serve several over PostgreSQL"
        ]
        assert refused.stdout == ""
        with pytest.raises(httpx.ConnectError):  # it never listened
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2.0)
        pair = HeadOn("S1", 33.5)

        def alerted() -> bool:
            pair.feed(first.base, tokens)
            return count_events(db, "tactical.detected") >= 1

        wait_until(alerted, 15.0, "the pair's alert")
        for _ in range(4):  # more ticks: still one alert
            pair.feed(first.base, tokens)
            time.sleep(0.5)
        assert count_events(db, "tactical.detected") == 1
        notice = post(first.base, tokens["bravo"], "/v1/notices", orbit(36.0))
        first.kill()
        second = start(db, tmp_path / "b.log", FAST)
        servers.append(second)
        assert duties_of(second.base) == "held"
        answer = httpx.get(
            f"{second.base}/v1/notices/{notice['id']}",
            headers={"Authorization": f"Bearer {tokens['bravo']}"},
            timeout=5.0,
        )
        assert answer.status_code == 200, answer.text
        assert open_alerts(db) == [("S1A", "S1B")]
        assert "Traceback" not in (tmp_path / "a.log").read_text()
    finally:
        for server in servers:
            server.stop()
