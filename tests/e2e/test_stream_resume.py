"""A real server process and real streaming HTTP clients: events arrive live, and a stream
dropped mid-way and resumed with ``Last-Event-ID`` gets every event exactly once, in order
(R-STREAM-1)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from _bodies import notice, square
from _servers import init, serve

MECHANISM_YAML = """\
mechanism: two-way
host: {id: host, name: Coordination Cell, language: en}
parties:
  - {id: alpha, name: Alpha, language: en}
  - {id: bravo, name: Bravo, language: tr}
defaults:
  sharing: full
"""

LIVE_WITHIN_S = 1.0


@dataclass
class Received:
    """What one streaming client has received so far."""

    frames: list[tuple[int, str, dict[str, object]]] = field(default_factory=list)
    arrived_s: dict[int, float] = field(default_factory=dict)
    """Event id → monotonic time of arrival."""
    checkpoints: list[dict[str, object]] = field(default_factory=list)
    connected: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)


def follow(
    base: str, token: str, into: Received, last_event_id: int | None, drop_after: int
) -> None:
    """Read the stream into ``into`` until ``drop_after`` events or ``into.stop``; then close."""
    headers = {"Authorization": f"Bearer {token}"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = str(last_event_id)
    timeout = httpx.Timeout(5.0, read=1.0)
    fields: dict[str, str] = {}
    taken = 0
    with httpx.stream("GET", f"{base}/v1/events", headers=headers, timeout=timeout) as answer:
        assert answer.status_code == 200
        lines = answer.iter_lines()
        while not into.stop.is_set() and taken < drop_after:
            try:
                line = next(lines)
            except httpx.ReadTimeout:
                break
            if line.startswith("retry:"):
                into.connected.set()
            elif line.startswith(":"):
                continue
            elif line:
                name, _, value = line.partition(": ")
                fields[name] = value
            elif "data" in fields and "id" not in fields:  # a ledger checkpoint: no id
                assert fields["event"] == "checkpoint"
                into.checkpoints.append(json.loads(fields["data"]))
                fields = {}
            elif "data" in fields:
                seq = int(fields["id"])
                into.frames.append((seq, fields["event"], json.loads(fields["data"])))
                into.arrived_s[seq] = time.monotonic()
                taken += 1
                fields = {}


def start(
    base: str, token: str, into: Received, last: int | None = None, drop_after: int = 10**6
) -> threading.Thread:
    thread = threading.Thread(
        target=follow, args=(base, token, into, last, drop_after), daemon=True
    )
    thread.start()
    assert into.connected.wait(10.0), "the stream did not open"
    return thread


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[tuple[str, dict[str, str]]]:
    """``sharedsky init`` then ``sharedsky serve`` in a child process; yields (base URL, tokens)."""
    tokens = init(tmp_path, MECHANISM_YAML, database_url)  # its ledger checked after the test
    with serve(database_url, tmp_path / "server.log") as base:
        yield base, tokens


def file(base: str, token: str, lon: float) -> None:
    # the server runs on the real clock: the window lies ahead of it, whatever the day
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    window = {
        "start": start.isoformat().replace("+00:00", "Z"),
        "end": (start + timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
    }
    answer = httpx.post(
        f"{base}/v1/notices",
        json=notice(square(lon, 34.5), **window),
        headers={"Authorization": f"Bearer {token}"},
        timeout=10.0,
    )
    assert answer.status_code == 201, answer.text


@pytest.mark.slow
def test_a_dropped_stream_resumes_with_every_event_exactly_once_in_order(
    server: tuple[str, dict[str, str]],
) -> None:
    """R-STREAM-1 end to end: live within a second; drop, file more, resume: exactly once."""
    base, tokens = server
    alpha, bravo = Received(), Received()
    alpha_thread = start(base, tokens["alpha"], alpha)
    bravo_thread = start(base, tokens["bravo"], bravo, drop_after=3)

    # live: the first notice reaches both streams within a second of its filing
    filed_s = time.monotonic()
    file(base, tokens["alpha"], 30.0)
    deadline = filed_s + 5.0
    while (len(alpha.frames) < 1 or len(bravo.frames) < 1) and time.monotonic() < deadline:
        time.sleep(0.01)
    first = alpha.frames[0][0]
    assert bravo.frames[0][0] == first
    assert alpha.arrived_s[first] - filed_s < LIVE_WITHIN_S
    assert bravo.arrived_s[first] - filed_s < LIVE_WITHIN_S

    # bravo's stream drops after its third event; the filings go on (33.0 and 33.1 clash)
    file(base, tokens["bravo"], 31.0)
    file(base, tokens["alpha"], 32.0)
    bravo_thread.join(10.0)
    assert not bravo_thread.is_alive()
    dropped_at = bravo.frames[-1][0]
    for party, lon in (("alpha", 33.0), ("bravo", 33.1), ("alpha", 34.0), ("bravo", 35.0)):
        file(base, tokens[party], lon)

    # reconnect with Last-Event-ID
    resumed = Received()
    resumed_thread = start(base, tokens["bravo"], resumed, last=dropped_at)
    deadline = time.monotonic() + 10.0
    while len(bravo.frames) + len(resumed.frames) < len(alpha.frames) or len(alpha.frames) < 8:
        assert time.monotonic() < deadline, (
            [f[:2] for f in alpha.frames],
            [f[:2] for f in bravo.frames],
            [f[:2] for f in resumed.frames],
        )
        time.sleep(0.02)
    time.sleep(0.5)  # anything repeated or extra would show up now
    alpha.stop.set()
    resumed.stop.set()
    alpha_thread.join(5.0)
    resumed_thread.join(5.0)

    got = [seq for seq, _, _ in bravo.frames + resumed.frames]
    assert len(bravo.frames) == 3
    assert got == [seq for seq, _, _ in alpha.frames]
    assert got == sorted(set(got))
    types = [event for _, event, _ in alpha.frames]
    assert types.count("notice.filed") == 7
    assert types.count("conflict.detected") == 1
    assert all(data["seq"] == seq for seq, _, data in alpha.frames + resumed.frames)
