"""Strategic filing latency: file 1,000 notices into 10,000 and 100,000 stored ones.

Scenario (fixed seeds): notices with one volume each — polygons, circles and corridors 5–100 km
across, placed uniformly over a 1,000 × 1,000 km region; altitude bands within 0–13,000 m;
windows of 1–6 h within the 7 days after the clock's time — stored for three parties of a
``full``-sharing mechanism. Party ``alpha`` then files 1,000 more through ``file_notice``
(validate + detect + store, one transaction each); each call is timed with ``perf_counter``.

Pre-load: stored notices go in through the repositories (``uow.notices.add``,
``uow.volumes.put``) in transactions of 5,000, **without** conflict detection between them, so
they hold no conflicts; their cell coverings come from ``storage_cells`` (a pool of 2 processes).
The populated SQLite file and the coverings are cached under ``/tmp/sharedsky-bench`` keyed by
seed, size and the source of the cell and schema code; every run re-files the 1,000 notices
into a fresh copy. Both backends are ``ANALYZE``d after the pre-load.

Baseline: the same filings with the candidate search replaced by a scan of every current
other-party volume (``VolumeIndex.all_current``), then the same ``detect``; a prefix of the
filings is timed and must find exactly the conflicts the indexed search finds.

Run ``python benchmarks/strategic.py`` (``--quick`` for 10,000 only); the last line is JSON.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import inspect
import multiprocessing
import pickle
import pstats
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import numpy as np
from _harness import (
    cache_path,
    emit_json,
    environment,
    median_of,
    pg_schema,
    pg_url,
    print_header,
    summarise,
    timed,
)
from sqlalchemy import text

import sharedsky.geo.cells
import sharedsky.store.tables
from sharedsky.bootstrap import build_deps, open_database
from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.conflicts import ObjectType
from sharedsky.domain.ids import NoticeId, OperatorId, PartyId
from sharedsky.domain.notices import Notice, NoticeDraft
from sharedsky.domain.volumes import AltitudeBand, StoredVolume, TimeWindow, Volume4D
from sharedsky.geo.cells import storage_cells
from sharedsky.geo.outlines import CircleOutline, CorridorOutline, Outline, PolygonOutline
from sharedsky.geo.projection import frame_at
from sharedsky.interop.mechanism_yaml import parse_mechanism
from sharedsky.service import notices as notices_service
from sharedsky.service.context import Actor
from sharedsky.service.mechanism import load_mechanism
from sharedsky.service.notices import Filing, file_notice
from sharedsky.service.ports import Deps
from sharedsky.store.uow import Database, SqlUnitOfWork
from sharedsky.testing.fakes import FakeClock, SequentialIds
from sharedsky.tuning import settle_heap
from sharedsky.units import to_us

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
"""The fake clock's time during every filing."""
REGION_CENTRE = (35.0, 33.0)
"""(lon_deg, lat_deg) of the 1,000 × 1,000 km region's centre."""
REGION_HALF_M = 500_000.0
HORIZON_S = 7 * 86_400
PARTIES = ("alpha", "bravo", "charlie")
FILER = PartyId("alpha")
MECHANISM_YAML = """\
mechanism: bench-three-way
host: {id: host, name: Coordination Cell}
parties:
  - {id: alpha, name: Alpha}
  - {id: bravo, name: Bravo}
  - {id: charlie, name: Charlie}
defaults:
  sharing: full
  separation: {lateral_m: 9260, vertical_m: 304.8, time_s: 300}
"""
GENERATOR_VERSION = 1
"""Bump when the scenario changes, to invalidate the cache."""
PRELOAD_BATCH = 5_000
WARMUP_FILINGS = 20
STREAM_STORED, STREAM_FILED, STREAM_WARMUP = 0, 1, 2
KINDS = (NoticeKind.AIR_SORTIE, NoticeKind.UAV, NoticeKind.EXERCISE, NoticeKind.HAZARD)


# ── scenario ────────────────────────────────────────────────────────────────────────────────


def _outline(rng: np.random.Generator) -> Outline:
    """A polygon (40 %), circle (35 %) or corridor (25 %) 5–100 km across, in the region."""
    frame = frame_at(*REGION_CENTRE)
    extent_m = rng.uniform(5_000.0, 100_000.0)
    cx, cy = rng.uniform(-REGION_HALF_M, REGION_HALF_M, size=2)
    shape = rng.random()
    if shape < 0.35:
        lon, lat = frame.inverse([cx], [cy])
        return CircleOutline((round(float(lon[0]), 6), round(float(lat[0]), 6)), extent_m / 2)
    if shape < 0.75:  # star-shaped: one vertex per sector of 2π/n, radius 60–100 % of the max
        n = int(rng.integers(4, 9))
        angle = (np.arange(n) + rng.uniform(0.2, 0.8, size=n)) * (2.0 * np.pi / n)
        radius = extent_m / 2 * rng.uniform(0.6, 1.0, size=n)
        x, y = cx + radius * np.cos(angle), cy + radius * np.sin(angle)
        lon, lat = frame.inverse(x, y)
        ring = [(round(float(a), 6), round(float(b), 6)) for a, b in zip(lon, lat, strict=True)]
        return PolygonOutline((tuple([*ring, ring[0]]),))
    half_width_m = rng.uniform(1_000.0, min(5_000.0, extent_m / 4))
    length_m = extent_m - 2 * half_width_m
    n = int(rng.integers(2, 5))
    heading = rng.uniform(0.0, 2.0 * np.pi)
    along = np.linspace(-0.5, 0.5, n) * length_m
    across = np.concatenate([[0.0], rng.uniform(-0.15, 0.15, size=n - 2), [0.0]]) * length_m
    x = cx + along * np.cos(heading) - across * np.sin(heading)
    y = cy + along * np.sin(heading) + across * np.cos(heading)
    lon, lat = frame.inverse(x, y)
    path = tuple((round(float(a), 6), round(float(b), 6)) for a, b in zip(lon, lat, strict=True))
    return CorridorOutline(path, half_width_m)


def volume(seed: int, stream: int, index: int) -> Volume4D:
    """The ``index``-th volume of a stream: depends only on (seed, stream, index)."""
    rng = np.random.default_rng([seed, stream, index])
    outline = _outline(rng)
    lower_m = float(np.round(rng.uniform(0.0, 12_000.0), -1))
    upper_m = min(13_000.0, lower_m + float(np.round(rng.uniform(300.0, 3_000.0), -1)))
    duration_s = int(rng.integers(3_600, 6 * 3_600 + 1))
    start_s = int(rng.integers(600, HORIZON_S - duration_s))
    start = T0 + timedelta(seconds=start_s)
    window = TimeWindow(start, start + timedelta(seconds=duration_s))
    return Volume4D(outline, AltitudeBand(lower_m, upper_m), window)


def draft(seed: int, stream: int, index: int) -> NoticeDraft:
    """A one-volume notice draft of a stream."""
    kind = KINDS[index % len(KINDS)]
    return NoticeDraft(kind, f"bench {stream}/{index}", (volume(seed, stream, index),))


def stored_notice(seed: int, index: int) -> Notice:
    """The ``index``-th pre-loaded notice, filed an hour before T0 by one of the parties."""
    d = draft(seed, STREAM_STORED, index)
    filed = T0 - timedelta(hours=1)
    lead_s = (d.volumes[0].time.start - filed).total_seconds()
    party = PartyId(PARTIES[int(np.random.default_rng([seed, 9, index]).integers(3))])
    return Notice(
        id=NoticeId(f"ntc-pre-{index:07d}"),
        party=party,
        kind=d.kind,
        title=d.title,
        volumes=d.volumes,
        remarks="",
        contact="",
        version=1,
        filed_at=filed,
        updated_at=filed,
        lead_time_s=lead_s,
        late_for=(),
    )


# ── pre-load ────────────────────────────────────────────────────────────────────────────────


def _cells_of(args: tuple[int, int]) -> list[int]:
    seed, index = args
    return storage_cells(volume(seed, STREAM_STORED, index).outline)


def _fingerprint() -> str:
    """Hash of what the cached files depend on: scenario, cell covering, tables."""
    parts = [str(GENERATOR_VERSION), inspect.getsource(sharedsky.geo.cells)]
    parts.append(inspect.getsource(sharedsky.store.tables))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def coverings(seed: int, n: int, workers: int) -> list[list[int]]:
    """``storage_cells`` of the first n stored volumes, computed once and cached."""
    path = cache_path(f"strategic-cells-s{seed}-n{n}-{_fingerprint()}.pkl")
    if path.exists():
        with path.open("rb") as f:
            cells: list[list[int]] = pickle.load(f)
        print(f"  coverings of {n:,} outlines: cached ({path})")
        return cells
    jobs = [(seed, i) for i in range(n)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        cells, took_s = timed(lambda: pool.map(_cells_of, jobs, chunksize=500))
    print(f"  coverings of {n:,} outlines: {took_s:.1f} s with {workers} processes")
    with path.open("wb") as f:
        pickle.dump(cells, f, protocol=pickle.HIGHEST_PROTOCOL)
    return cells


def preload(db: Database, seed: int, cells: Sequence[Sequence[int]]) -> float:
    """Store the notices through the repositories (no detection); ANALYZE; return seconds."""

    def batch(start: int) -> Callable[[SqlUnitOfWork], None]:
        def work(uow: SqlUnitOfWork) -> None:
            for i in range(start, min(start + PRELOAD_BATCH, len(cells))):
                notice = stored_notice(seed, i)
                uow.notices.add(notice)
                uow.volumes.put(
                    ObjectType.NOTICE, notice.id, notice.party, 1, notice.volumes, [cells[i]]
                )

        return work

    def load() -> None:
        for start in range(0, len(cells), PRELOAD_BATCH):
            db.run(batch(start))
        with db.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()

    return timed(load)[1]


def new_database(url: str) -> Database:
    """A migrated database holding the benchmark's mechanism."""
    db = open_database(url)
    load_mechanism(db, FakeClock(T0), *parse_mechanism(MECHANISM_YAML))
    return db


def sqlite_template(seed: int, n: int, cells: Sequence[Sequence[int]]) -> Path:
    """The cached SQLite file holding the n pre-loaded notices (built on first use)."""
    path = cache_path(f"strategic-s{seed}-n{n}-{_fingerprint()}.db")
    if path.exists():
        print(f"  SQLite with {n:,} notices: cached ({path})")
        return path
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    db = new_database(f"sqlite:///{partial}")
    took_s = preload(db, seed, cells)
    db.close()  # the last connection checkpoints the WAL into the file
    partial.rename(path)
    print(f"  SQLite with {n:,} notices: stored in {took_s:.1f} s ({path})")
    return path


# ── filing ──────────────────────────────────────────────────────────────────────────────────

ConflictKeys = frozenset[tuple[int, str, str, int]]


@dataclass(frozen=True, slots=True)
class Run:
    """Latencies (s) and found conflicts of a sequence of filings."""

    seconds: list[float]
    conflicts: list[ConflictKeys]


def keys(filing: Filing) -> ConflictKeys:
    """(own volume, other type, other id, other volume) of each conflict of a filing."""
    return frozenset(
        (c.a.volume_index, str(c.b.type), c.b.id, c.b.volume_index) for c in filing.conflicts
    )


def brute_force_search(
    uow: SqlUnitOfWork, deps: Deps, party: PartyId, *_ignored: object
) -> list[StoredVolume]:
    """The baseline candidate search: every current volume of another party (it stands in for
    ``find_candidates``, whatever else that is given: volumes, their cells)."""
    return uow.volumes.all_current(to_us(deps.clock.now()), party)


def file_all(db: Database, seed: int, count: int, *, brute: bool = False, profile: int = 0) -> Run:
    """Warm up, then file ``count`` notices as alpha, timing each ``file_notice`` call; with
    ``profile``, file that many more under cProfile and print where their time went."""
    deps = build_deps(db, clock=FakeClock(T0), ids=SequentialIds())
    actor = Actor(OperatorId("alpha-duty"), FILER, False)
    patch: AbstractContextManager[object] = nullcontext()
    if brute:  # the same use case with only the candidate search swapped
        patch = mock.patch.object(notices_service, "find_candidates", brute_force_search)
    drafts = [draft(seed, STREAM_FILED, i) for i in range(count)]
    run = Run([], [])
    for i in range(WARMUP_FILINGS):  # indexed in both modes, so both reach the same state
        file_notice(deps, actor, draft(seed, STREAM_WARMUP, i))
    settle_heap()  # as `sharedsky serve` does after start-up
    with patch:
        for d in drafts:
            filing, took_s = timed(lambda d=d: file_notice(deps, actor, d))
            run.seconds.append(took_s)
            run.conflicts.append(keys(filing))
    if profile:
        profiler = cProfile.Profile()
        for i in range(count, count + profile):
            profiler.runcall(file_notice, deps, actor, draft(seed, STREAM_FILED, i))
        print(f"  cProfile of {profile} more filings (cumulative, top 30):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)
    return run


def sqlite_run(
    template: Path, seed: int, count: int, *, brute: bool = False, profile: int = 0
) -> Run:
    """File into a fresh copy of the cached SQLite file."""
    with tempfile.TemporaryDirectory(prefix="sharedsky-bench-") as tmp:
        path = Path(tmp) / "work.db"
        shutil.copyfile(template, path)
        db = open_database(f"sqlite:///{path}", migrate=False)
        try:
            return file_all(db, seed, count, brute=brute, profile=profile)
        finally:
            db.close()


def conflict_profile(run: Run) -> str:
    """Conflicts per filing, and latency as a + b × conflicts (least squares), in one line."""
    count = np.array([len(c) for c in run.conflicts], dtype=np.float64)
    ms = np.array(run.seconds) * 1000.0
    fixed_ms, per_conflict_ms = np.polyfit(count, ms, 1)[::-1]
    return (
        f"conflicts per filing: mean {count.mean():.1f}, p50 {np.percentile(count, 50):.0f}, "
        f"p99 {np.percentile(count, 99):.0f}, max {count.max():.0f}; latency ≈ "
        f"{fixed_ms:.1f} ms + {per_conflict_ms:.2f} ms × conflicts"
    )


def first_difference(a: Sequence[ConflictKeys], b: Sequence[ConflictKeys]) -> int | None:
    """Index of the first filing whose conflicts differ, or None."""
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), None)


# ── main ────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Options:
    sizes: tuple[int, ...]
    filings: int
    brute: int
    repeats: int
    seed: int
    workers: int
    postgres: bool
    profile: int


def _label(n: int) -> str:
    return f"{n // 1000}k"


def bench_size(opts: Options, n: int, figures: dict[str, object]) -> None:
    """Every measurement at one store size; adds its figures."""
    label = _label(n)
    print(f"\n## {n:,} stored notices")
    cells = coverings(opts.seed, n, opts.workers)
    rows = sum(len(c) for c in cells)
    print(f"  index rows: {rows:,} ({rows / n:.1f} cells per volume)")
    template = sqlite_template(opts.seed, n, cells)

    runs = [sqlite_run(template, opts.seed, opts.filings) for _ in range(opts.repeats)]
    if opts.profile and n == max(opts.sizes):
        sqlite_run(template, opts.seed, opts.filings, profile=opts.profile)
    for r, run in enumerate(runs[1:], start=2):
        if run.conflicts != runs[0].conflicts:
            sys.exit(f"STOP: repeat {r} on SQLite found other conflicts than repeat 1")
    sqlite = median_of([summarise(run.seconds) for run in runs])
    print(f"  sqlite   indexed  {sqlite.line()}  (median of {opts.repeats} runs)")
    print("  " + conflict_profile(runs[0]))
    figures[f"p50_ms_{label}_sqlite"] = sqlite.p50_ms
    figures[f"p99_ms_{label}_sqlite"] = sqlite.p99_ms

    if opts.brute:
        brute = sqlite_run(template, opts.seed, opts.brute, brute=True)
        base = summarise(brute.seconds)
        same = summarise(runs[0].seconds[: opts.brute])
        print(f"  sqlite   brute    {base.line()}")
        print(f"  sqlite   indexed  {same.line()}  (same {opts.brute} filings, repeat 1)")
        diff = first_difference(brute.conflicts, runs[0].conflicts)
        if diff is not None:
            sys.exit(
                f"STOP: brute force and index disagree on filing {diff} (seed {opts.seed}): "
                f"brute {sorted(brute.conflicts[diff])} index {sorted(runs[0].conflicts[diff])}"
            )
        hits = sum(len(c) for c in brute.conflicts)
        print(f"  check: brute force and index find the same {hits} conflicts: OK")
        speedup = base.p50_ms / same.p50_ms
        print(f"  speed-up of the index over brute force (ratio of p50): {speedup:.1f}x")
        figures[f"speedup_vs_bruteforce_{label}"] = speedup
        figures[f"bruteforce_p50_ms_{label}_sqlite"] = base.p50_ms

    if opts.postgres:
        with pg_schema(pg_url()) as url:
            db = new_database(url)
            try:
                took_s = preload(db, opts.seed, cells)
                print(f"  PostgreSQL with {n:,} notices: stored in {took_s:.1f} s")
                profile = opts.profile if n == max(opts.sizes) else 0
                run = file_all(db, opts.seed, opts.filings, profile=profile)
            finally:
                db.close()
        pg = summarise(run.seconds)
        print(f"  postgres indexed  {pg.line()}")
        print("  " + conflict_profile(run))
        diff = first_difference(run.conflicts, runs[0].conflicts)
        if diff is not None:
            sys.exit(f"STOP: PostgreSQL and SQLite disagree on filing {diff}")
        print("  check: PostgreSQL and SQLite find the same conflicts: OK")
        figures[f"p50_ms_{label}_postgres"] = pg.p50_ms
        figures[f"p99_ms_{label}_postgres"] = pg.p99_ms


def parse_args(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="10,000 stored notices only")
    parser.add_argument("--sizes", default="10000,100000", help="stored notices, comma-separated")
    parser.add_argument("--filings", type=int, default=1000, help="timed filings per run")
    parser.add_argument("--brute", type=int, default=50, help="filings timed by brute force")
    parser.add_argument("--repeats", type=int, default=3, help="SQLite runs (median)")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--workers", type=int, default=2, help="processes for coverings")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        help="cProfile this many filings at the largest size (each backend)",
    )
    args = parser.parse_args(argv)
    return Options(
        sizes=(10_000,) if args.quick else tuple(int(n) for n in args.sizes.split(",")),
        filings=args.filings,
        brute=args.brute,
        repeats=args.repeats,
        seed=args.seed,
        workers=args.workers,
        postgres=not args.no_postgres,
        profile=args.profile,
    )


def main(argv: Sequence[str] | None = None) -> None:
    opts = parse_args(argv)
    env = environment(pg_url() if opts.postgres else None)
    print_header(
        "sharedsky strategic filing benchmark",
        env,
        {
            "seed": opts.seed,
            "sizes": ", ".join(f"{n:,}" for n in opts.sizes),
            "filings": f"{opts.filings} timed after {WARMUP_FILINGS} warm-up, by {FILER}",
            "brute": f"first {opts.brute} filings (SQLite)",
            "repeats": f"{opts.repeats} (SQLite), 1 (PostgreSQL)",
        },
    )
    figures: dict[str, object] = {}
    for n in opts.sizes:
        bench_size(opts, n, figures)
    largest = _label(max(opts.sizes))
    if f"speedup_vs_bruteforce_{largest}" in figures:
        figures["speedup_vs_bruteforce"] = figures[f"speedup_vs_bruteforce_{largest}"]
    figures["seed"] = opts.seed
    figures["cpus"] = int(env["cpus"])
    print()
    emit_json(figures)


if __name__ == "__main__":
    main()
