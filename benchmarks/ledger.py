"""The ledger's costs: append with signing, offline verification, and the filing p99 it adds.

1. **Append** — ``EventLog.append`` (canonical JSON, two SHA-256, one Ed25519 signature, one
   INSERT) of a typical event payload, in transactions of ``--batch`` entries, on SQLite and
   PostgreSQL; beside it, the same appends with the hashing and signing stubbed out
   (``chain.append`` replaced by a function that returns fixed fields), which is what the same
   log cost before it was a ledger.
2. **Verify** — an export of ``--entries`` entries (the host's: every entry whole) read and
   checked from its bytes with ``verify_jsonl`` (what ``sharedsky ledger verify FILE`` does: read,
   parse, canonicalise, chain, server signature; in two processes for an export this long)
   with no server and no database: the default mode (chain of every entry, signature of the
   head) and every signature; beside it, for comparison, the same export read with
   ``read_jsonl`` and checked with ``verify`` in one process.
3. **Filing p99** — the strategic benchmark's filings (``benchmarks/strategic.py``: 10,000
   stored notices, alpha files ``--filings`` more, each timed) without the ledger's hashing and
   signing (A: stubbed out) and with them (B), interleaved A B A B … for ``--rounds`` rounds
   after one untimed warm-up run of each. Each round gives a paired overhead, (p99 of B / p99 of
   A − 1) × 100; the figure is the median over the rounds with a 95 % percentile-bootstrap
   interval of that median (10,000 resamples of the rounds, fixed seed). An interval that
   contains 0 is reported as "not distinguishable from zero". The same is printed for p50.

Run ``python benchmarks/ledger.py``; the last line is JSON with ``append_per_s_sqlite``,
``verify_per_s``, ``overhead_pct``, ``overhead_pct_ci95`` and ``rounds``.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from unittest import mock

import numpy as np
import strategic
from _harness import emit_json, environment, pg_schema, pg_url, print_header, summarise

import sharedsky.store.events as events_module
from sharedsky.bootstrap import open_database
from sharedsky.interop.mechanism_yaml import parse_mechanism
from sharedsky.ledger.chain import Content, Entry, Link, PartySig
from sharedsky.ledger.export import read_jsonl, write_jsonl
from sharedsky.ledger.offline import verify_jsonl
from sharedsky.ledger.signing import KeyRing, Signer
from sharedsky.ledger.verify import verify
from sharedsky.service.ledger import checkpoint, keyring
from sharedsky.service.mechanism import load_mechanism
from sharedsky.service.ports import Deps
from sharedsky.store.uow import Database, SqlUnitOfWork
from sharedsky.testing.fakes import FakeClock, SequentialIds

T0 = strategic.T0

PAYLOAD = {
    "notice": "ntc-0123456789abcdef",
    "party": "alpha",
    "version": 1,
    "lead_time_s": 7200.0,
    "late_for": [],
    "conflicts": ["cfl-0123456789abcdef", "cfl-fedcba9876543210"],
}
"""A typical payload (a filing with two conflicts)."""


def _unsigned(
    prev: Link | None,
    seq: int,
    time_: str,
    actor: str,
    type_: str,
    payload: dict[str, object],
    party_sig: PartySig | None,
    signer: Signer,
) -> Entry:
    """``chain.append`` without hashing or signing: what the log cost before the ledger."""
    prev_hash = "0" * 64 if prev is None else prev.hash
    return Entry(
        seq, prev_hash, "0" * 64, "0" * 64, "", Content(time_, actor, type_, payload, None)
    )


@contextmanager
def without_ledger() -> Iterator[None]:
    """Stub out the hashing and signing of every append (the INSERT stays)."""
    with mock.patch.object(events_module, "append", _unsigned):
        yield


def fresh_database(url: str) -> Database:
    db = open_database(url)
    load_mechanism(db, FakeClock(T0), *parse_mechanism(strategic.MECHANISM_YAML))
    return db


def append_rate(db: Database, entries: int, batch: int) -> float:
    """Entries appended per second, ``batch`` per transaction."""

    def work(uow: SqlUnitOfWork) -> None:
        now = T0
        for _ in range(batch):
            uow.events.append(now, "alpha-duty", "notice.filed", PAYLOAD)

    start = time.perf_counter()
    for _ in range(entries // batch):
        db.run(work)
    return (entries // batch) * batch / (time.perf_counter() - start)


def bench_append(url: str, entries: int, batch: int, repeats: int) -> tuple[float, float]:
    """Median append rate with and without the ledger's hashing and signing."""
    with_ledger, without = [], []
    for _ in range(repeats):
        for target, stub in ((with_ledger, False), (without, True)):
            db = fresh_database(url)
            try:
                if stub:
                    with without_ledger():
                        target.append(append_rate(db, entries, batch))
                else:
                    target.append(append_rate(db, entries, batch))
            finally:
                db.close()
            if not url.startswith("sqlite"):
                truncate(url)
    return statistics.median(with_ledger), statistics.median(without)


def truncate(url: str) -> None:
    from sqlalchemy import create_engine, text

    from sharedsky.store.tables import metadata

    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def bench_verify(entries: int, repeats: int) -> tuple[float, float, float, int]:
    """Entries/s over an export: verify_jsonl in the default mode and with every signature,
    read_jsonl + verify in the default mode; and the export's size in bytes."""
    with tempfile.TemporaryDirectory(prefix="sharedsky-bench-") as tmp:
        db = fresh_database(f"sqlite:///{Path(tmp) / 'ledger.db'}")
        try:
            append_rate(db, entries - 1, 500)
            deps = Deps(db=db, clock=FakeClock(T0 + timedelta(days=1)), ids=SequentialIds(),
                        mechanism=parse_mechanism(strategic.MECHANISM_YAML)[0])  # fmt: skip
            ring: KeyRing = keyring(db)
            stored = db.run(lambda uow: uow.events.entries(0, entries + 10), readonly=True)
            trailer = checkpoint(deps)
        finally:
            db.close()
    buffer = io.BytesIO()
    write_jsonl(stored, trailer, buffer)
    data = buffer.getvalue()
    rates: dict[str, list[float]] = {"default": [], "all": [], "read+verify": []}
    for _ in range(repeats):
        for kind, rate in rates.items():
            start = time.perf_counter()
            if kind == "read+verify":
                objs, tail = read_jsonl(io.BytesIO(data))
                report = verify(objs, tail, ring)
                del objs
            else:
                report = verify_jsonl(io.BytesIO(data), ring, all_signatures=kind == "all")
            took = time.perf_counter() - start
            if not report.ok or report.entries != len(stored):
                sys.exit(f"STOP: the export does not verify: {report.problems[:3]}")
            rate.append(len(stored) / took)
    medians = {kind: statistics.median(rate) for kind, rate in rates.items()}
    return medians["default"], medians["all"], medians["read+verify"], len(data)


BOOTSTRAP_RESAMPLES = 10_000
BOOTSTRAP_SEED = 20261205


@dataclass(frozen=True, slots=True)
class Overhead:
    """A paired overhead over interleaved rounds, percent."""

    per_round_pct: list[float]
    median_pct: float
    ci95_pct: tuple[float, float]
    """95 % percentile-bootstrap interval of the median."""

    @property
    def distinguishable(self) -> bool:
        """False when the interval contains 0."""
        return not self.ci95_pct[0] <= 0.0 <= self.ci95_pct[1]

    def line(self) -> str:
        lo, hi = self.ci95_pct
        verdict = "" if self.distinguishable else ": not distinguishable from zero"
        return f"{self.median_pct:+.1f} % (95 % CI {lo:+.1f} … {hi:+.1f} %){verdict}"


def paired_overhead(without: Sequence[float], with_: Sequence[float]) -> Overhead:
    """(with / without − 1) × 100 round by round; their median and its bootstrap interval."""
    pct = (np.asarray(with_) / np.asarray(without) - 1.0) * 100.0
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    picks = rng.integers(0, len(pct), size=(BOOTSTRAP_RESAMPLES, len(pct)))
    lo, hi = np.percentile(np.median(pct[picks], axis=1), [2.5, 97.5])
    return Overhead([float(v) for v in pct], float(np.median(pct)), (float(lo), float(hi)))


@dataclass(frozen=True, slots=True)
class FilingAB:
    """Per round: p99 and p50 (ms) without the ledger's hashing and signing (A) and with (B)."""

    p99_without_ms: list[float]
    p99_with_ms: list[float]
    p50_without_ms: list[float]
    p50_with_ms: list[float]


def bench_filing(filings: int, rounds: int, seed: int) -> FilingAB:
    """Strategic filings into 10,000 notices, A (ledger stubbed) and B (ledger) alternately."""
    n = 10_000
    cells = strategic.coverings(seed, n, 2)
    template = strategic.sqlite_template(seed, n, cells)
    with without_ledger():
        strategic.sqlite_run(template, seed, filings)  # warm-up, not counted
    strategic.sqlite_run(template, seed, filings)
    ab = FilingAB([], [], [], [])
    for r in range(rounds):
        with without_ledger():
            a = summarise(strategic.sqlite_run(template, seed, filings).seconds)
        b = summarise(strategic.sqlite_run(template, seed, filings).seconds)
        ab.p99_without_ms.append(a.p99_ms)
        ab.p99_with_ms.append(b.p99_ms)
        ab.p50_without_ms.append(a.p50_ms)
        ab.p50_with_ms.append(b.p50_ms)
        print(f"  round {r + 1:>2}: A (no ledger) p99 {a.p99_ms:6.2f} ms, p50 {a.p50_ms:5.2f} ms"
              f"   B (ledger) p99 {b.p99_ms:6.2f} ms, p50 {b.p50_ms:5.2f} ms"
              f"   p99 {(b.p99_ms / a.p99_ms - 1) * 100:+6.1f} %", flush=True)  # fmt: skip
    return ab


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--entries", type=int, default=50_000, help="entries to verify")
    parser.add_argument("--appends", type=int, default=5_000, help="entries appended per run")
    parser.add_argument("--batch", type=int, default=100, help="appends per transaction")
    parser.add_argument("--filings", type=int, default=500, help="timed filings per run")
    parser.add_argument("--repeats", type=int, default=3, help="runs of append and verify")
    parser.add_argument("--rounds", type=int, default=10, help="A/B rounds of the filing p99")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    env = environment(None if args.no_postgres else pg_url())
    print_header(
        "sharedsky ledger benchmark",
        env,
        {
            "appends": f"{args.appends} per run, {args.batch} per transaction",
            "verify": f"{args.entries:,} entries",
            "filings": args.filings,
            "repeats": args.repeats,
            "rounds": args.rounds,
        },
    )
    figures: dict[str, object] = {}
    print("\n## append with signing")
    with tempfile.TemporaryDirectory(prefix="sharedsky-bench-") as tmp:
        counter = iter(range(1000))
        url = f"sqlite:///{Path(tmp)}/append-{{}}.db"
        rates = []
        base = []
        for _ in range(args.repeats):
            db = fresh_database(url.format(next(counter)))
            rates.append(append_rate(db, args.appends, args.batch))
            db.close()
            db = fresh_database(url.format(next(counter)))
            with without_ledger():
                base.append(append_rate(db, args.appends, args.batch))
            db.close()
        sqlite_rate, sqlite_base = statistics.median(rates), statistics.median(base)
    print(f"  sqlite    {sqlite_rate:9,.0f} entries/s  (without hashing and signing: "
          f"{sqlite_base:,.0f}/s)")  # fmt: skip
    figures["append_per_s_sqlite"] = sqlite_rate
    figures["append_per_s_sqlite_unsigned"] = sqlite_base
    if not args.no_postgres:
        with pg_schema(pg_url()) as url_pg:
            pg_rate, pg_base = bench_append(url_pg, args.appends, args.batch, args.repeats)
        print(f"  postgres  {pg_rate:9,.0f} entries/s  (without hashing and signing: "
              f"{pg_base:,.0f}/s)")  # fmt: skip
        figures["append_per_s_postgres"] = pg_rate
        figures["append_per_s_postgres_unsigned"] = pg_base

    print("\n## offline verification")
    default_rate, all_rate, separate_rate, size = bench_verify(args.entries, args.repeats)
    print(f"  {args.entries:,} entries ({size / 1e6:.1f} MB): default {default_rate:,.0f} "
          f"entries/s, every signature {all_rate:,.0f} entries/s (read_jsonl + verify in one "
          f"process: {separate_rate:,.0f} entries/s)")  # fmt: skip
    figures["verify_per_s"] = default_rate
    figures["verify_all_signatures_per_s"] = all_rate

    print("\n## strategic filing p99 (10,000 stored notices, SQLite), interleaved A/B rounds")
    ab = bench_filing(args.filings, args.rounds, args.seed)
    p99 = paired_overhead(ab.p99_without_ms, ab.p99_with_ms)
    p50 = paired_overhead(ab.p50_without_ms, ab.p50_with_ms)
    print(f"  median p99: with ledger {statistics.median(ab.p99_with_ms):.2f} ms, without "
          f"{statistics.median(ab.p99_without_ms):.2f} ms")  # fmt: skip
    print(f"  overhead on p99, median of {args.rounds} paired rounds: {p99.line()}")
    print(f"  overhead on p50, median of {args.rounds} paired rounds: {p50.line()}")
    figures["filing_p99_ms_with_ledger"] = statistics.median(ab.p99_with_ms)
    figures["filing_p99_ms_without_ledger"] = statistics.median(ab.p99_without_ms)
    figures["overhead_pct"] = p99.median_pct
    figures["overhead_pct_ci95"] = [round(v, 3) for v in p99.ci95_pct]
    figures["overhead_p50_pct"] = p50.median_pct
    figures["overhead_p50_pct_ci95"] = [round(v, 3) for v in p50.ci95_pct]
    figures["rounds"] = args.rounds
    emit_json(figures)


if __name__ == "__main__":
    main()
