"""``sharedsky demo``: a real server process with the Levant scenario, interactive or checked."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from sharedsky.client import Client, ClientError
from sharedsky.interop.mechanism_yaml import parse_mechanism
from sharedsky.sim.replay import replay_feeds
from sharedsky.sim.scenarios import MECHANISM_YAML, Scenario, levant
from sharedsky.sim.traffic import DEMO_DURATION_S, TrafficSamplesMissing, demo_feeds
from sharedsky.wire import v1

_out = Console(soft_wrap=True)
STARTUP_TIMEOUT_S = 30.0
TACTICAL_CHECK_S = 20.0


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _init(workdir: Path) -> tuple[str, dict[str, str]]:
    """A fresh SQLite database in ``workdir`` with the demo mechanism; returns (url, tokens)."""
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    (workdir / "levant.yaml").write_text(MECHANISM_YAML, encoding="utf-8")
    url = f"sqlite:///{(workdir / 'demo.db').resolve()}"
    tokens_file = workdir / "tokens.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sharedsky",
            "init",
            str(workdir / "levant.yaml"),
            "--db",
            url,
            "--tokens-out",
            str(tokens_file),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    tokens: dict[str, str] = json.loads(tokens_file.read_text())
    return url, tokens


def _start_server(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    """``sharedsky serve`` in a child process, once it answers /healthz."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "sharedsky", "serve", "--db", url, "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=os.environ | {"SHAREDSKY_LOG_LEVEL": "warning"},
        )
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited early; see {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"the server did not answer within {STARTUP_TIMEOUT_S:.0f} s; see {log}")


def _seed(base: str, tokens: dict[str, str], scenario: Scenario) -> dict[str, str]:
    """Submit every item; returns object id → title."""
    clients = {item.party: Client(base, tokens[item.party]) for item in scenario.items}
    titles: dict[str, str] = {}
    for item in scenario.items:
        client = clients[item.party]
        if item.kind == "zone":
            declared = client.declare_zone(v1.ZoneIn.model_validate(item.body))
            titles[declared.id] = declared.title
        else:
            filed = client.file_notice(v1.NoticeIn.model_validate(item.body))
            titles[filed.id] = filed.title
    return titles


def _feed_tracks(
    base: str,
    tokens: dict[str, str],
    start: datetime,
    titles: dict[str, str],
    *,
    speed: float = 1.0,
    duration_s: float | None = None,
) -> threading.Thread:
    """Replay the demo traffic (recorded ADS-B flights moved into the region, synthetic military
    traffic, flights under the scenario's notices) into the server, one POST per party per
    second, in a background thread."""
    parties = [str(p.id) for p in parse_mechanism(MECHANISM_YAML)[0].parties]
    notice_ids = {title: object_id for object_id, title in titles.items()}
    span_s = DEMO_DURATION_S if duration_s is None else duration_s
    try:
        feeds = demo_feeds(parties, start, notice_ids=notice_ids, duration_s=span_s)
    except TrafficSamplesMissing as exc:
        _out.print(f"[yellow]{exc}; the demo flies synthetic traffic only[/yellow]")
        feeds = demo_feeds(parties, start, notice_ids=notice_ids, civil=[], duration_s=span_s)
    clients = {party: Client(base, tokens[party]) for party in parties}
    failures: list[str] = []

    def sink(party: str, batch: list[dict[str, object]]) -> None:
        try:
            clients[party].post_tracks(batch)
        except ClientError as exc:  # the server went away or refused: say it once, go on
            if not failures:
                _out.print(f"[yellow]track feed of {party}: {exc}[/yellow]")
            failures.append(str(exc))

    thread = threading.Thread(
        target=replay_feeds,
        args=(feeds, sink),
        kwargs={"speed": speed, "batch_s": speed, "latest_only": True},
        name="demo-traffic",
        daemon=True,
    )
    thread.start()
    return thread


def _clash_pairs(conflicts: list[v1.ConflictOut], titles: dict[str, str]) -> set[frozenset[str]]:
    return {
        frozenset({titles.get(c.own.id or "", "?"), titles.get(c.with_.id or "", "?")})
        for c in conflicts
    }


def run_check(workdir: Path | None = None) -> int:
    """Run the scenario against a real server process; 0 when every expected conflict appears
    and is acknowledged by both sides, 1 otherwise.

    The server listens on a free port and keeps its files in ``workdir``, by default a
    temporary directory (removed when the check passes, kept and named when it fails), so that
    a check never touches a demo running beside it (``.demo/`` and port 8000).
    """
    if workdir is not None:
        return _check(workdir)
    scratch = Path(tempfile.mkdtemp(prefix="sharedsky-demo-check-"))
    code = 1
    try:
        code = _check(scratch)
    finally:
        if code == 0:
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            _out.print(f"the check's database and server.log are kept in {scratch}")
    return code


def _check(workdir: Path) -> int:
    url, tokens = _init(workdir)
    port = free_port()
    server = _start_server(url, port, workdir / "server.log")
    base = f"http://127.0.0.1:{port}"
    try:
        scenario = levant(datetime.now(UTC).replace(microsecond=0))
        titles = _seed(base, tokens, scenario)
        host = Client(base, tokens["host"])
        conflicts = host.list_conflicts(state="open")
        found = _clash_pairs(conflicts, titles)
        missing = [pair for pair in scenario.expected_clashes if frozenset(pair) not in found]
        for party in ("alpha", "bravo"):
            client = Client(base, tokens[party])
            for request in client.pending_acks():
                if request.subject == "conflict":
                    client.ack_conflict(request.subject_id)
        unacked = [
            r.subject_id
            for party in ("alpha", "bravo")
            for r in Client(base, tokens[party]).pending_acks()
            if r.subject == "conflict"
        ]
        _out.print(
            f"{len(scenario.items)} items filed, {len(conflicts)} conflicts open, "
            f"{len(scenario.expected_clashes) - len(missing)}/{len(scenario.expected_clashes)} "
            f"expected clashes found, {len(unacked)} conflict acknowledgements outstanding"
        )
        for pair in missing:
            _out.print(f"[red]missing clash: {pair[0]} × {pair[1]}[/red]")
        tactical = _tactical_check(base, tokens, titles)
        ok = (
            not missing
            and not unacked
            and len(conflicts) >= len(scenario.expected_clashes)
            and tactical
        )
        _out.print("[green]demo check passed[/green]" if ok else "[red]demo check FAILED[/red]")
        return 0 if ok else 1
    finally:
        server.terminate()
        server.wait(timeout=10)


def _tactical_check(base: str, tokens: dict[str, str], titles: dict[str, str]) -> bool:
    """Replay the first five minutes of the demo traffic at 100× and wait for the server's
    tick to raise a tactical conflict between the parties."""
    start = datetime.now(UTC).replace(microsecond=0)
    feeding = _feed_tracks(base, tokens, start, titles, speed=100.0, duration_s=300.0)
    host = Client(base, tokens["host"])
    deadline = time.monotonic() + TACTICAL_CHECK_S
    found: list[v1.TacticalConflictOut] = []
    while time.monotonic() < deadline and not found:
        time.sleep(0.5)
        found = [c for c in host.tactical_conflicts() if c.category == "separation"]
    feeding.join(timeout=TACTICAL_CHECK_S)
    live = len(host.live_tracks().tracks)
    if found:
        alert = found[0]
        _out.print(
            f"{live} live tracks; tactical conflict {alert.a.id} × {alert.b.id} "
            f"({alert.severity}, CPA in {alert.figures.get('tcpa_s')} s)"
        )
    else:
        _out.print(f"[red]{live} live tracks and no tactical conflict[/red]")
    return bool(found)


def run_demo(workdir: Path, port: int) -> int:
    """Start the demo server, load the scenario, print URL and tokens, and stay up."""
    url, tokens = _init(workdir)
    server = _start_server(url, port, workdir / "server.log")
    base = f"http://127.0.0.1:{port}"
    # a TERM (e.g. from a supervisor) unwinds like Ctrl-C, so the server child stops with us
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        start = datetime.now(UTC).replace(microsecond=0)
        scenario = levant(start)
        titles = _seed(base, tokens, scenario)
        conflicts = Client(base, tokens["host"]).list_conflicts(state="open")
        _feed_tracks(base, tokens, start, titles)
        table = Table(
            title=f"sharedsky demo at {base}  ({len(titles)} objects, {len(conflicts)} conflicts)"
        )
        table.add_column("party or operator")
        table.add_column("token")
        for party, token in tokens.items():
            table.add_row(party, token)
        _out.print(table)
        _out.print(f"console: {base}/  (sign in with an operator's token)")
        _out.print(f"tokens are also in {workdir / 'tokens.json'}; database {url}")
        _out.print("live traffic: recorded ADS-B flights and synthetic military tracks, 1 Hz")
        _out.print("try:  sharedsky conflicts list --tokens .demo/tokens.json --as alpha")
        _out.print("press Ctrl-C to stop")
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)
    return 0
