"""``serve --workers N``: the periodic duties move to another process within seconds when the
one holding them is killed, and only the duty holder binds the metrics port; over SQLite a
second ``serve`` over the same file is refused while the first lives (a file lock).
(One server of several processes: test_workers.py.)"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from _servers import Server, init, orbit, post, start
from _workers import (
    DEADLINE_S,
    FAST,
    MECHANISM_YAML,
    TAKEOVER_S,
    HeadOn,
    count_events,
    duties_of,
    open_alerts,
    wait_until,
)
from sqlalchemy import select

from sharedsky.cli.demo import free_port
from sharedsky.client.tls import client_context
from sharedsky.store.engine import make_engine
from sharedsky.store.tables import ack_requests, escalations
from sharedsky.testing.pki import Authority


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
