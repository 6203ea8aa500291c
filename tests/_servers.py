"""Real ``sharedsky`` processes for end-to-end tests: ``init``, ``serve`` on a free port, and
streaming SDK clients that collect what their ``GET /v1/events`` delivers, with arrival times."""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from sharedsky.cli.demo import free_port
from sharedsky.client import ClientError
from sharedsky.client.events import EventFollower
from sharedsky.wire.v1.events import EventOut

STARTUP_TIMEOUT_S = 30.0

UNLIMITED = {
    "SHAREDSKY_RATE_LIMIT_TOKEN_PER_S": "100000",
    "SHAREDSKY_RATE_LIMIT_TOKEN_BURST": "100000",
}
"""Settings for tests whose clients hammer the server on purpose (far beyond what one duty
officer's token may send a second)."""
QUICK_START = {"SHAREDSKY_WARM_KERNELS": "false"}
"""The tests' servers leave the tactical kernels to their first track batch: about 1 s of CPU
saved per start, for servers most of which take no track (the README's and the demo's servers,
started as a user starts them, still warm up)."""
INITIALISED: list[str] = []
"""The databases ``init`` made during the current test: after it (its servers stopped),
``_projection.check_projection`` rebuilds each one's tables from its ledger and compares
(tests/e2e/conftest.py, and ``fresh_database`` before it drops a PostgreSQL schema)."""


def init(tmp_path: Path, mechanism_yaml: str, db: str) -> dict[str, str]:
    """``sharedsky init`` of ``mechanism_yaml`` into ``db``; returns the operators' tokens."""
    (tmp_path / "mechanism.yaml").write_text(mechanism_yaml, encoding="utf-8")
    tokens = tmp_path / "tokens.json"
    subprocess.run(
        [sys.executable, "-m", "sharedsky", "init", str(tmp_path / "mechanism.yaml"),
         "--db", db, "--tokens-out", str(tokens)],
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=120,
    )  # fmt: skip
    INITIALISED.append(db)
    loaded: dict[str, str] = json.loads(tokens.read_text())
    return loaded


@dataclass
class Server:
    """A running ``sharedsky serve`` process and its base URL."""

    process: subprocess.Popen[bytes]
    base: str

    def kill(self) -> None:
        """SIGKILL: the process ends at once, as in a crash (nothing is flushed or closed)."""
        self.process.kill()
        self.process.wait(timeout=15)

    def stop(self) -> None:
        """SIGTERM, and wait for the process to end."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


def start(
    db: str,
    log: Path,
    env: Mapping[str, str] | None = None,
    argv: Sequence[str] = (),
    verify: ssl.SSLContext | None = None,
    port: int | None = None,
) -> Server:
    """Start ``sharedsky serve`` over ``db`` on a free port (or ``port``); returns once
    ``/healthz`` answers. ``env``: extra ``SHAREDSKY_*`` settings; ``argv``: extra options of
    ``serve``; ``verify``: the SSL context with which to reach it (the URL is then
    ``https://``; a mutual-TLS server needs a context with a client certificate)."""
    port = port or free_port()
    base = f"{'http' if verify is None else 'https'}://127.0.0.1:{port}"
    settings = {"SHAREDSKY_LOG_LEVEL": "warning", **QUICK_START, **(env or {})}
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "sharedsky", "serve", "--db", db, "--port", str(port), *argv],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=os.environ | settings,
        )
    server = Server(process, base)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            assert process.poll() is None, log.read_text()
            try:
                health = httpx.get(f"{base}/healthz", timeout=1.0, verify=verify or True)
                if health.status_code == 200:
                    return server
            except httpx.TransportError:
                assert time.monotonic() < deadline, f"the server did not start: {log.read_text()}"
                time.sleep(0.1)
    except BaseException:
        server.stop()
        raise


@contextmanager
def serve(
    db: str,
    log: Path,
    env: Mapping[str, str] | None = None,
    argv: Sequence[str] = (),
    verify: ssl.SSLContext | None = None,
) -> Iterator[str]:
    """``sharedsky serve`` over ``db`` on a free port until the block ends; yields its base URL
    once ``/healthz`` answers (see ``start``)."""
    server = start(db, log, env, argv, verify)
    try:
        yield server.base
    finally:
        server.stop()


@dataclass
class Stream:
    """One operator's live stream, read by ``EventFollower`` on a thread."""

    events: list[EventOut] = field(default_factory=list)
    arrived_s: dict[int, float] = field(default_factory=dict)
    """Seq → monotonic time of arrival."""
    errors: list[BaseException] = field(default_factory=list)
    opened: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    http: httpx.Client | None = None
    sockets: list[socket.socket] = field(default_factory=list)
    """The connection's socket (httpcore's ``network_stream`` extension)."""
    follower: EventFollower | None = None

    def types(self) -> list[str]:
        """The event types received, in order."""
        return [e.type for e in self.events]

    def wait_for(self, count: int, timeout_s: float = 10.0) -> None:
        """Wait until at least ``count`` events have arrived."""
        deadline = time.monotonic() + timeout_s
        while len(self.events) < count:
            assert not self.errors, self.errors
            assert time.monotonic() < deadline, f"{len(self.events)} of {count}: {self.types()}"
            time.sleep(0.005)

    def close(self) -> None:
        """Hang up: shutting the socket down wakes the reading thread, which then ends (closing
        the client alone would not interrupt a blocked read)."""
        for sock in self.sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self.thread is not None:
            self.thread.join(10.0)
            assert not self.thread.is_alive()
        if self.http is not None:
            self.http.close()


def open_stream(base: str, token: str) -> Stream:
    """Follow ``GET /v1/events`` from now on; returns once the server has opened the stream
    (its cursor is placed before the response starts)."""
    stream = Stream()

    def on_open(answer: httpx.Response) -> None:
        stream.sockets.append(answer.extensions["network_stream"].get_extra_info("socket"))
        stream.opened.set()

    stream.http = httpx.Client(
        base_url=base, timeout=httpx.Timeout(10.0, read=120.0), event_hooks={"response": [on_open]}
    )
    follower = EventFollower(base, token, reconnect=False, http=stream.http)
    stream.follower = follower

    def read() -> None:
        try:
            for event in follower:
                stream.arrived_s[event.seq] = time.monotonic()
                stream.events.append(event)
        except (httpx.HTTPError, ClientError, RuntimeError) as exc:  # closed by test or server
            if not stream.opened.is_set():
                stream.errors.append(exc)

    stream.thread = threading.Thread(target=read, daemon=True)
    stream.thread.start()
    assert stream.opened.wait(10.0), f"the stream did not open: {stream.errors}"
    return stream


def orbit(lon: float, lat: float = 34.8, radius_m: float = 20_000) -> dict[str, Any]:
    """A notice body: a circle of ``radius_m`` metres, 3–9 km AMSL, from now + 2 h for 2 h."""
    start = datetime.now(UTC) + timedelta(hours=2)
    return {
        "kind": "air_sortie",
        "title": f"orbit {lon}",
        "volumes": [
            {
                "outline": {"type": "Circle", "center": [lon, lat], "radius_m": radius_m},
                "altitude": {"lower_m": 3000, "upper_m": 9000},
                "time": {
                    "start": start.isoformat(),
                    "end": (start + timedelta(hours=2)).isoformat(),
                },
            }
        ],
        "remarks": "tanker on station",
    }


def post(base: str, token: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
    """POST ``body`` as the operator of ``token``; asserts a 2xx answer and returns its JSON."""
    answer = httpx.post(
        f"{base}{path}",
        json=body or {},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10.0,
    )
    assert answer.is_success, answer.text
    return answer.json()
