"""Live-picture benchmark: what sharing the tracks of ``POST /v1/tracks`` between the server
processes over one PostgreSQL costs per batch, for the two ways of doing it.

* ``table``: the batch is upserted into ``live_tracks`` (``SharedPicture.put``, one transaction
  at READ COMMITTED); every reader (the tick, ``GET /v1/tracks``) selects the fresh rows.
* ``notify``: the batch is sent to every process as ``pg_notify`` payloads (JSON, cut under
  PostgreSQL's 8,000-byte limit) in one transaction; each process decodes every batch into its
  own in-memory ``LivePicture``. Measured: the sender's transaction, and one receiver's time from
  the commit to the batch decoded into its picture (every process pays it, for every batch).

``memory`` is today's single-process ``LivePicture.put`` for reference. Prints an environment
header, one line per batch size and method (median of the repeats, milliseconds), and last one
JSON object ``{"batch_N": {"memory_ms", "table_ms", "notify_send_ms", "notify_receive_ms"},
"snapshot_1000_ms": {"memory", "table"}}``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

import numpy as np
import orjson
import psycopg
from _harness import emit_json, environment, pg_schema, pg_url, print_header

from sharedsky.domain.ids import PartyId
from sharedsky.domain.tracks import TrackBatch
from sharedsky.geo.states import States
from sharedsky.service.tracks import LivePicture, SharedPicture
from sharedsky.store.engine import conninfo, make_engine
from sharedsky.store.live import LiveStore
from sharedsky.store.schema import upgrade

SEED = 20261205
SIZES = (1, 10, 100, 1000)
REPEATS = {1: 300, 10: 200, 100: 100, 1000: 30}
PAYLOAD_BYTES = 7900
"""Largest notification payload sent (PostgreSQL refuses 8,000 bytes or more)."""
CHANNEL = "bench_live_tracks"


def batch_of(size: int, now_s: float, rng: np.random.Generator) -> TrackBatch:
    """``size`` states of one party, near the eastern Mediterranean, stamped ``now_s``."""
    return TrackBatch(
        party=PartyId("alpha"),
        ids=tuple(f"T{i:05d}" for i in range(size)),
        time_s=np.full(size, now_s),
        states=States(
            lat_deg=rng.uniform(33.0, 36.0, size),
            lon_deg=rng.uniform(33.0, 37.0, size),
            alt_m=rng.uniform(1000.0, 12000.0, size),
            gs_mps=rng.uniform(50.0, 300.0, size),
            trk_deg=rng.uniform(0.0, 360.0, size),
            vs_mps=np.zeros(size),
        ),
        notice_ids=(None,) * size,
    )


def payloads(batch: TrackBatch) -> list[bytes]:
    """The batch as JSON arrays of rows, each payload under ``PAYLOAD_BYTES``."""
    rows = [[batch.party, *row] for row in batch.rows()]
    out: list[bytes] = []
    chunk: list[bytes] = []
    size = 2
    for row in rows:
        encoded = orjson.dumps(row)
        if chunk and size + len(encoded) + 1 > PAYLOAD_BYTES:
            out.append(b"[" + b",".join(chunk) + b"]")
            chunk, size = [], 2
        chunk.append(encoded)
        size += len(encoded) + 1
    out.append(b"[" + b",".join(chunk) + b"]")
    return out


def median_ms(samples: Sequence[float]) -> float:
    """The median of ``samples`` (seconds), in milliseconds, rounded to 0.001."""
    return round(statistics.median(samples) * 1000, 3)


def measure(url: str) -> dict[str, object]:
    """Every method at every batch size over the schema of ``url``."""
    engine = make_engine(url)
    upgrade(engine)
    shared = SharedPicture(LiveStore(engine))
    rng = np.random.default_rng(SEED)
    info = conninfo(engine.url)
    sender = psycopg.connect(info)
    receiver = psycopg.connect(info, autocommit=True)
    receiver.execute(f"LISTEN {CHANNEL}")
    picture = LivePicture()
    figures: dict[str, object] = {}
    for size in SIZES:
        memory, table, send, arrive = [], [], [], []
        for _ in range(REPEATS[size]):
            now_s = time.time()
            batch = batch_of(size, now_s, rng)
            fresh = LivePicture()
            t0 = time.perf_counter()
            fresh.put(batch, now_s)
            memory.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            shared.put(batch, now_s)
            table.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            parts = payloads(batch)
            with sender.transaction():
                for part in parts:
                    sender.execute("SELECT pg_notify(%s, %s)", (CHANNEL, part.decode()))
            committed = time.perf_counter()
            send.append(committed - t0)
            for note in receiver.notifies(timeout=10, stop_after=len(parts)):
                for row in orjson.loads(note.payload):  # as put() would keep it
                    picture._rows[(row[0], row[1])] = tuple(row[2:])
            arrive.append(time.perf_counter() - committed)
        line = {
            "memory_ms": median_ms(memory),
            "table_ms": median_ms(table),
            "notify_send_ms": median_ms(send),
            "notify_receive_ms": median_ms(arrive),
        }
        figures[f"batch_{size}"] = line
        print(f"  batch {size:>5}  " + "   ".join(f"{k} {v:8.3f}" for k, v in line.items()))
    now_s = time.time()
    memory_picture = LivePicture()
    memory_picture.put(batch_of(1000, now_s, rng), now_s)
    shared.put(batch_of(1000, now_s, rng), now_s)
    reads_memory, reads_table = [], []
    for _ in range(30):
        t0 = time.perf_counter()
        memory_picture.snapshot(now_s)
        reads_memory.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        shared.snapshot(now_s)
        reads_table.append(time.perf_counter() - t0)
    figures["snapshot_1000_ms"] = {
        "memory": median_ms(reads_memory),
        "table": median_ms(reads_table),
    }
    print(f"  snapshot of 1000 tracks  {figures['snapshot_1000_ms']}")
    sender.close()
    receiver.close()
    engine.dispose()
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)
    pg = pg_url()
    print_header("sharedsky live-picture benchmark", environment(pg), {"seed": SEED})
    with pg_schema(pg) as url:
        figures = measure(url)
    print()
    emit_json(figures)


if __name__ == "__main__":
    main()
