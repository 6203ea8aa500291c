"""Hotline benchmark: 50 parties each holding an SSE stream, messages on an open-loop schedule
through the API of a real ``sharedsky serve`` process; end-to-end latency from the time each
message was due to its receipt on the recipient's stream, and the counts lost, failed and
delivered twice.

The schedule is fixed in advance: message k is due at ``start + k / rate``, whatever happened to
the messages before it. Its latency is its delivery time minus its due time, so a message that
waited for the in-flight limit (or for a busy event loop) is charged the wait: there is no
coordinated omission (the output prints, beside, the same deliveries timed from when each POST
left, as the benchmark timed them before issue 14). A POST that fails (a non-2xx status, an
exception, a timeout) is counted in ``errors``, as is a message still unsent when the run gives
up; a message delivered twice to its recipient is counted in ``duplicates``.

Prints an environment header, one line per backend, a verdict per backend, and last one JSON
object: ``p50_ms``, ``p99_ms``, ``lost``, ``rate``, ``errors``, ``duplicates``, and the server's
CPU per message in all its threads and in its event loop's, ``cpu_ms_per_msg`` and
``loop_cpu_ms_per_msg`` (the SQLite run: the embedded default), then the same for PostgreSQL
under ``postgres``. Target: ``p99_ms`` ≤ 50 at 500 messages/s, ``lost`` = 0; the verdict counts
only when ``errors`` and ``duplicates`` are both 0 (otherwise none is given).

With ``--tls`` the server speaks HTTPS (a throwaway CA and server certificate, made for the
run) and every client connection is TLS; the JSON object then also holds ``"tls": true``.

With ``--workers N`` the PostgreSQL server runs N processes on its port (``serve --workers``;
SQLite admits one, and is measured with one); ``postgres`` then also holds ``"workers": N``.
``--no-sqlite`` measures PostgreSQL only.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import ssl
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import httpx
import uvloop
from _harness import (
    cpu_times,
    emit_json,
    environment,
    load_tokens,
    pg_schema,
    pg_url,
    print_header,
    start_server,
    summarise,
)

from sharedsky.cli.demo import free_port

SEED = 20261125
MAX_IN_FLIGHT = 256
"""Most POSTs outstanding at once: beyond it a message waits to leave, and the wait counts in its
latency (it is timed from when it was due)."""
TARGET_RATE = 500.0
TARGET_P99_MS = 50.0
GIVE_UP_S = 30.0
"""Stop sending this long after the planned end when the server cannot keep up."""
DRAIN_S = 5.0
"""How long to wait after the last POST for stragglers before counting the lost."""


def mechanism_yaml(parties: int) -> str:
    """A mechanism of ``parties`` parties with ``full`` sharing and a host."""
    lines = ["mechanism: hotline-bench", "host: {id: host, name: Host}", "parties:"]
    lines += [f"  - {{id: p{i:02d}, name: Party {i}, language: en}}" for i in range(parties)]
    return "\n".join(lines) + "\n"


@dataclass
class Ledger:
    """Due and receipt times (perf_counter seconds) by message id, and what went wrong."""

    due: dict[str, float] = field(default_factory=dict)
    """When each message accepted by the server was scheduled to be sent (not when it left)."""
    left: dict[str, float] = field(default_factory=dict)
    """When each accepted message's POST left, past the in-flight limit (for the closed-loop
    view printed beside, which is how latency was timed before issue 14)."""
    received: dict[str, float] = field(default_factory=dict)
    """When each message first arrived on its recipient's stream."""
    recipients: dict[str, str] = field(default_factory=dict)
    errors: int = 0
    """POSTs that failed (non-2xx, exception, timeout) and messages never sent (gave up)."""
    duplicates: int = 0
    """Deliveries of a message id that its recipient had already received."""
    sent_rate: float = 0.0


async def follow(
    session: aiohttp.ClientSession, base: str, party: str, token: str, ledger: Ledger
) -> None:
    """Hold ``party``'s stream and note when each message addressed to it arrives."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    async with session.get(f"{base}/v1/events", headers=headers) as response:
        response.raise_for_status()
        kind = b""
        async for line in response.content:
            if line.startswith(b"event:"):
                kind = line[6:].strip()
            elif line.startswith(b"data:") and kind == b"message.sent":
                payload = json.loads(line[5:])["payload"]
                if payload.get("to") == party:
                    message_id = str(payload["message"])
                    if message_id in ledger.received:
                        ledger.duplicates += 1
                    else:
                        ledger.received[message_id] = time.perf_counter()


async def send_all(
    session: aiohttp.ClientSession,
    base: str,
    tokens: dict[str, str],
    parties: Sequence[str],
    rate: float,
    seconds: float,
    ledger: Ledger,
) -> None:
    """POST messages on the open-loop schedule of ``rate`` per second for ``seconds``, each from
    a random party to another; each message is noted with the time it was due."""
    rng = random.Random(SEED)
    total = int(rate * seconds)
    start = time.perf_counter()
    pending: set[asyncio.Task[None]] = set()
    in_flight = asyncio.Semaphore(MAX_IN_FLIGHT)
    url = f"{base}/v1/messages"

    async def post(sender: str, recipient: str, due: float) -> None:
        body = {
            "to": recipient,
            "priority": "flash",
            "template": "request_delay",
            "params": {"minutes": rng.randrange(1, 60)},
        }
        async with in_flight:
            left = time.perf_counter()
            try:
                async with session.post(
                    url, json=body, headers={"Authorization": f"Bearer {tokens[sender]}"}
                ) as response:
                    if not 200 <= response.status < 300:
                        ledger.errors += 1
                        return
                    message_id = str((await response.json())["id"])
            except Exception:  # aiohttp's errors, timeouts, a body without an id: all counted
                ledger.errors += 1
                return
        ledger.due[message_id] = due
        ledger.left[message_id] = left
        ledger.recipients[message_id] = recipient

    for k in range(total):
        if time.perf_counter() - start > seconds + GIVE_UP_S:
            ledger.errors += total - k  # the server fell too far behind: the rest never left
            break
        due = start + k / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sender, recipient = rng.sample(list(parties), 2)
        task = asyncio.create_task(post(sender, recipient, due))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.gather(*pending)


async def run_load(
    base: str,
    tokens: dict[str, str],
    rate: float,
    seconds: float,
    tls: ssl.SSLContext | None = None,
) -> Ledger:
    """Open every party's stream, send the load, wait for stragglers; ``tls``: the context
    that trusts an HTTPS server's certificate."""
    parties = sorted(p for p in tokens if p != "host")
    ledger = Ledger()
    no_timeout = aiohttp.ClientTimeout(total=None)
    verify: ssl.SSLContext | bool = True if tls is None else tls
    async with (
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=MAX_IN_FLIGHT, ssl=verify),
            timeout=aiohttp.ClientTimeout(total=30),
        ) as posts,
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, ssl=verify), timeout=no_timeout
        ) as streams_session,
    ):
        streams = [
            asyncio.create_task(follow(streams_session, base, p, tokens[p], ledger))
            for p in parties
        ]
        await asyncio.sleep(2.0)  # every stream connected and past its start
        sent_at = time.perf_counter()
        await send_all(posts, base, tokens, parties, rate, seconds, ledger)
        ledger.sent_rate = len(ledger.due) / max(1e-9, time.perf_counter() - sent_at)
        deadline = time.perf_counter() + DRAIN_S
        while time.perf_counter() < deadline and len(ledger.received) < len(ledger.due):
            await asyncio.sleep(0.1)
        for task in streams:
            task.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
    return ledger


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection in this process while it measures: a full collection of
    the client's heap (its ledgers of sent and received messages, aiohttp's objects) stops it
    for 50–60 ms, and every message in flight meanwhile was counted as that much slower."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def _throwaway_tls(workdir: Path) -> tuple[list[str], ssl.SSLContext]:
    """``serve``'s options for HTTPS with a CA and server certificate made now, and the client
    context that trusts that CA."""
    from sharedsky.client.tls import client_context
    from sharedsky.testing.pki import Authority

    authority = Authority(workdir / "pki")
    server = authority.server()
    context = client_context(authority.cert)
    assert context is not None
    return ["--tls-cert", str(server.cert), "--tls-key", str(server.key)], context


WORKERS_READY_S = 60.0
"""Longest wait for every worker of a ``--workers`` server to answer."""


def wait_for_workers(base: str, context: ssl.SSLContext | None) -> None:
    """Wait until both a worker holding the duties and one in standby have answered
    ``/readyz`` (each new connection may reach another worker): the load must not start
    while a worker is still warming up."""
    seen: set[str] = set()
    deadline = time.monotonic() + WORKERS_READY_S
    while seen != {"held", "standby"}:
        if time.monotonic() > deadline:
            raise SystemExit(f"STOP: the workers did not all answer (saw {sorted(seen)})")
        answer = httpx.get(f"{base}/readyz", timeout=5, verify=context or True)
        seen.add(str(answer.json().get("duties")))
        time.sleep(0.05)


def measure(
    db: str,
    parties: int,
    rate: float,
    seconds: float,
    workdir: Path,
    tls: bool = False,
    workers: int = 1,
) -> dict[str, object]:
    """One backend: init, serve (over HTTPS when ``tls``; in ``workers`` processes), load,
    and the figures."""
    tokens = load_tokens(db, mechanism_yaml(parties))
    port = free_port()
    argv, context = _throwaway_tls(workdir) if tls else ([], None)
    if workers > 1:
        argv = [*argv, "--workers", str(workers)]
    server = start_server(db, port, workdir / "server.log", argv, context)
    base = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    try:
        if workers > 1:
            wait_for_workers(base, context)
        cpu_before = cpu_times(server.pid) if workers == 1 else None
        with collector_paused():
            ledger = uvloop.run(run_load(base, tokens, rate, seconds, context))
        cpu_after = cpu_times(server.pid) if workers == 1 else None
    finally:
        server.terminate()
        server.wait(timeout=15)
    latencies = [ledger.received[m] - due for m, due in ledger.due.items() if m in ledger.received]
    lost = sum(1 for m in ledger.due if m not in ledger.received)
    summary = summarise(latencies) if latencies else None
    closed = [ledger.received[m] - t for m, t in ledger.left.items() if m in ledger.received]
    closed_loop = summarise(closed) if closed else None
    cpu_ms: dict[str, float | None] = {"cpu_ms_per_msg": None, "loop_cpu_ms_per_msg": None}
    if cpu_before is not None and cpu_after is not None and ledger.due:
        per_msg_ms = 1000.0 / len(ledger.due)
        cpu_ms = {
            "cpu_ms_per_msg": round((cpu_after.process_s - cpu_before.process_s) * per_msg_ms, 3),
            "loop_cpu_ms_per_msg": round(
                (cpu_after.main_thread_s - cpu_before.main_thread_s) * per_msg_ms, 3
            ),
        }
    return {
        "p50_ms": None if summary is None else summary.p50_ms,
        "p99_ms": None if summary is None else summary.p99_ms,
        "lost": lost,
        "rate": round(ledger.sent_rate, 1),
        "errors": ledger.errors,
        "duplicates": ledger.duplicates,
        **cpu_ms,
        "sent": len(ledger.due),
        "line": "no message arrived" if summary is None else summary.line(),
        "closed_loop": ""
        if closed_loop is None
        else f"timed from when each POST left instead (closed loop, as before issue 14): "
        f"p50 {closed_loop.p50_ms:.2f} ms, p99 {closed_loop.p99_ms:.2f} ms",
    }


KEYS = (
    "p50_ms",
    "p99_ms",
    "lost",
    "rate",
    "errors",
    "duplicates",
    "cpu_ms_per_msg",
    "loop_cpu_ms_per_msg",
)
"""The figures of one backend in the JSON line."""


def cpu_line(figures: dict[str, object]) -> str:
    """The server's CPU per message sent, in all its threads and in its event loop's."""
    cpu, loop = figures["cpu_ms_per_msg"], figures["loop_cpu_ms_per_msg"]
    if cpu is None:
        return "server CPU per message: not measured (one process on Linux only)"
    return f"server CPU per message: {cpu} ms, of which the event loop's thread {loop} ms"


def verdict(figures: dict[str, object], offered_rate: float) -> str:
    """The target's verdict for one backend's figures, or why none is given: a run with a failed
    POST or a duplicate delivery gives none (its latencies leave out what went wrong)."""
    errors, duplicates = figures["errors"], figures["duplicates"]
    if errors or duplicates:
        return (
            f"no verdict: {errors} errors, {duplicates} duplicates "
            "(the target counts only when both are 0)"
        )
    if offered_rate != TARGET_RATE:
        return f"no verdict: offered {offered_rate:g}/s, the target is at {TARGET_RATE:g}/s"
    p99, lost = figures["p99_ms"], figures["lost"]
    met = isinstance(p99, float) and p99 <= TARGET_P99_MS and lost == 0
    return (
        f"target (p99 ≤ {TARGET_P99_MS:g} ms at {TARGET_RATE:g}/s, nothing lost; "
        f"0 errors, 0 duplicates): {'met' if met else 'MISSED'}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parties", type=int, default=50)
    parser.add_argument("--rate", type=float, default=500.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes on PostgreSQL (serve --workers)"
    )
    parser.add_argument(
        "--tls", action="store_true", help="serve HTTPS (throwaway CA); clients use TLS"
    )
    opts = parser.parse_args(argv)
    pg = None if opts.no_postgres else pg_url()
    settings = {
        "parties": opts.parties,
        "rate": f"{opts.rate:g}/s",
        "seconds": opts.seconds,
        "seed": SEED,
        "tls": opts.tls,
        "workers": opts.workers,
    }
    print_header("sharedsky hotline benchmark", environment(pg), settings)
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="sharedsky-hotline-") as tmp:
        workdir = Path(tmp)
        if not opts.no_sqlite:
            sqlite = measure(
                f"sqlite:///{workdir / 'h.db'}",
                opts.parties,
                opts.rate,
                opts.seconds,
                workdir,
                opts.tls,
            )
            print(
                f"  sqlite    {sqlite.pop('line')}   sent {sqlite['sent']} at "
                f"{sqlite['rate']}/s, lost {sqlite['lost']}, errors {sqlite['errors']}, "
                f"duplicates {sqlite['duplicates']}",
                flush=True,
            )
            print(f"  sqlite    {sqlite.pop('closed_loop')}", flush=True)
            print(f"  sqlite    {cpu_line(sqlite)}", flush=True)
            print(f"  sqlite    {verdict(sqlite, opts.rate)}", flush=True)
            figures.update({k: sqlite[k] for k in KEYS})
        if pg is not None:
            with pg_schema(pg) as url:
                postgres = measure(
                    url, opts.parties, opts.rate, opts.seconds, workdir, opts.tls, opts.workers
                )
            print(
                f"  postgres  {postgres.pop('line')}   sent {postgres['sent']} at "
                f"{postgres['rate']}/s, lost {postgres['lost']}, errors {postgres['errors']}, "
                f"duplicates {postgres['duplicates']}",
                flush=True,
            )
            print(f"  postgres  {postgres.pop('closed_loop')}", flush=True)
            print(f"  postgres  {cpu_line(postgres)}", flush=True)
            print(f"  postgres  {verdict(postgres, opts.rate)}", flush=True)
            figures["postgres"] = {
                **{
                    k: round(v, 3) if isinstance(v, float) else v
                    for k, v in postgres.items()
                    if k in KEYS
                },
                "workers": opts.workers,
            }
    if opts.tls:
        figures["tls"] = True
    print()
    emit_json(figures)


if __name__ == "__main__":
    main()
