"""Tactical detection side by side with BlueSky: N = 1,000, 10,000 and 100,000 tracks.

Scenario (fixed seeds): N aircraft uniformly over a 1,000 × 1,000 km region centred at 36° E
34° N (positions drawn in an azimuthal-equidistant frame), altitudes 300–13,000 m, ground
speeds 60–300 m/s, headings uniform, 70 % level and 30 % climbing or descending at 1–15 m/s;
2–4 parties drawn per N. Look-ahead 300 s, minima 9,260 m and 304.8 m.

In the same process, on the same states:

* sharedsky: `detect_conflicts` (one warm-up call on 50 tracks for Numba, then `--repeats` timed
  calls at each N; the median);
* BlueSky (PyPI ``bluesky-simulator``, extra ``bench``): its C++ ``cstatebased.detect`` and its
  NumPy ``StateBased.detect``, called directly on a plain object that carries the attributes
  they read (``lat, lon, trk, gs, alt, vs, ntraf, id``), with no simulator, GUI or network.
  Both are all-pairs O(N²); the NumPy one also holds about ten N × N float64 matrices, so it
  runs only up to `--numpy-max` (default 2,000) and the C++ one up to `--cpp-max` (default
  10,000); skipped runs are said so. They are not warmed: the first of their (at most 3)
  timed calls is one of those whose median is taken.

BlueSky reports ordered pairs of all parties; they are reduced to unordered pairs of different
parties. Every pair on which sharedsky and BlueSky (C++, the faster one) disagree is judged by
the independent geodesic reference of the tests (``tests/detect/tactical_reference.py``:
pyproj's Karney geodesics, three re-linearisations, plain CPA; it shares no code with
``sharedsky.detect``). A differing pair whose reference CPA distance lies within ``--band-m``
metres (default 1 m) of the lateral minimum is ``borderline`` and not scored; every other one
is scored for the detector whose verdict the reference shares. ``disagreements_10k`` is the
object ``{"sharedsky_right", "bluesky_right", "borderline", "band_m"}`` at N = 10,000.

The main comparison is not like for like: sharedsky prunes candidates with a grid, runs its grid
scan on Numba threads (both cores here), and compares only pairs of different parties, while
BlueSky's C++ detector is single-threaded and tests every ordered pair i ≠ j. So at N = 10,000
the benchmark also measures ``speedup_vs_bluesky_10k_one_thread``, in a child process started
with ``NUMBA_NUM_THREADS=1`` (and ``numba.set_num_threads(1)``; OpenMP/BLAS threads 1 too):

* the same states, but every track given a party of its own, so that sharedsky considers every
  unordered pair, the same set of pairs as BlueSky (which evaluates each unordered pair twice,
  as (i, j) and (j, i): that is its algorithm, not counted against it or for it). sharedsky's
  grid pruning stays on: it is the engine, and its candidates are printed;
* both warmed: one untimed call of each on these very states first (sharedsky's Numba code
  compiled or loaded from its cache, BlueSky's module loaded and its memory touched), then
  ``--repeats`` (at least 3) timed calls of each, alternately; the ratio of the medians. The
  cold first calls are printed beside, for information (sharedsky's loads its kernels from
  Numba's on-disk cache, written by ``make``; without that cache it would include the compile);
* the CPU time of each call is measured with its wall time: a ratio above 1 would show a second
  thread at work (the run stops if sharedsky's exceeds 1.2).

Memory is the peak growth of the process's resident set during one call (sampled every 2 ms).
Run ``.venv/bin/python benchmarks/tactical.py``; the last line is JSON. ``--no-one-thread`` and
``--no-ingest`` skip those parts; ``--band-m`` sets the borderline band. ``--pressure-share F``
puts that fraction of sharedsky's tracks (drawn with the seed) on pressure altitudes, the rest
geometric, so that pairs on different datums are compared over the default QNH range (issue
17); BlueSky knows no datums and gets the same altitudes.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from _harness import emit_json, environment, print_header

from sharedsky.detect.tactical import CpaHits, detect_conflicts
from sharedsky.detect.tracks import TrackColumns
from sharedsky.domain.heights import Datums
from sharedsky.geo.projection import frame_at
from sharedsky.geo.states import States
from sharedsky.service._packing import pressure_offsets

LOOKAHEAD_S = 300.0
LATERAL_M = 9_260.0
VERTICAL_M = 304.8
REGION_CENTRE = (36.0, 34.0)
REGION_HALF_M = 500_000.0
BAND_M = 1.0
"""Differing pairs whose reference CPA distance is this close to the lateral minimum (metres)
are borderline: not scored for either detector."""
ONE_THREAD_N = 10_000
TESTS_DIR = Path(__file__).resolve().parent.parent / "tests"


# ── scenario ────────────────────────────────────────────────────────────────────────────────


def traffic(n: int, seed: int) -> TrackColumns:
    """The reproducible traffic of size n (see the module docstring)."""
    rng = np.random.default_rng([seed, n])
    x = rng.uniform(-REGION_HALF_M, REGION_HALF_M, n)
    y = rng.uniform(-REGION_HALF_M, REGION_HALF_M, n)
    lon, lat = frame_at(*REGION_CENTRE).inverse(x, y)
    moving = rng.random(n) < 0.3
    rate = rng.uniform(1.0, 15.0, n) * rng.choice([-1.0, 1.0], n)
    return TrackColumns(
        party=rng.integers(0, int(rng.integers(2, 5)), n).astype(np.int64),
        states=States(
            lat_deg=lat,
            lon_deg=lon,
            alt_m=rng.uniform(300.0, 13_000.0, n),
            gs_mps=rng.uniform(60.0, 300.0, n),
            trk_deg=rng.uniform(0.0, 360.0, n),
            vs_mps=np.where(moving, rate, 0.0),
        ),
    )


# ── measuring ───────────────────────────────────────────────────────────────────────────────


def _rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * 4096


@dataclass(frozen=True)
class Run:
    """The result of the last call, the median wall time (ms) and peak RSS growth (MB)."""

    result: Any
    median_ms: float
    times_ms: list[float]
    peak_mb: float


def measure(fn: Callable[[], Any], repeats: int) -> Run:
    """Time `repeats` calls of fn; sample the resident set during the first."""
    times, result, peak = [], None, 0
    for k in range(repeats):
        base = _rss_bytes()
        top = [base]
        stop = threading.Event()

        def sample(top: list[int] = top, stop: threading.Event = stop) -> None:
            while not stop.wait(0.002):
                top[0] = max(top[0], _rss_bytes())

        sampler = threading.Thread(target=sample, daemon=True) if k == 0 else None
        if sampler:
            sampler.start()
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000.0)
        stop.set()
        if sampler:
            sampler.join()
            peak = max(top[0], _rss_bytes()) - base
    return Run(result, statistics.median(times), times, peak / 1e6)


# ── the contenders ──────────────────────────────────────────────────────────────────────────


PRESSURE = pressure_offsets(Datums())
"""Where a pressure altitude lies over the default QNH range (built once, as a server does)."""


def with_pressure_share(tracks: TrackColumns, share: float, seed: int) -> TrackColumns:
    """The tracks with ``share`` of them (drawn with ``seed``) on pressure altitudes."""
    if share <= 0.0:
        return tracks
    rng = np.random.default_rng([seed, len(tracks), 17])
    datum = (rng.random(len(tracks)) < share).astype(np.int8)
    return TrackColumns(tracks.party, tracks.states, datum)


def sharedsky_detect(tracks: TrackColumns) -> CpaHits:
    """The timed call: sharedsky's engine, as a server calls it."""
    return detect_conflicts(
        tracks,
        lookahead_s=LOOKAHEAD_S,
        lateral_m=LATERAL_M,
        vertical_m=VERTICAL_M,
        pressure=PRESSURE,
    )


def pair_set(hits: CpaHits) -> set[tuple[int, int]]:
    """The hits as a set of (i, j), built after timing (BlueSky's lists are timed as returned)."""
    return set(zip(hits.i.tolist(), hits.j.tolist(), strict=True))


def _bluesky_traffic(tracks: TrackColumns) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
    n = len(tracks.party)
    own = types.SimpleNamespace(
        lat=np.ascontiguousarray(tracks.states.lat_deg),
        lon=np.ascontiguousarray(tracks.states.lon_deg),
        trk=np.ascontiguousarray(tracks.states.trk_deg),
        gs=np.ascontiguousarray(tracks.states.gs_mps),
        alt=np.ascontiguousarray(tracks.states.alt_m),
        vs=np.ascontiguousarray(tracks.states.vs_mps),
        ntraf=n,
        id=[str(k) for k in range(n)],
    )
    return own, np.full(n, LATERAL_M), np.full(n, VERTICAL_M), np.full(n, LOOKAHEAD_S)


def _unordered(pairs: Sequence[tuple[str, str]], party: np.ndarray) -> set[tuple[int, int]]:
    out = set()
    for a, b in pairs:
        i, j = int(a), int(b)
        if party[i] != party[j]:
            out.add((min(i, j), max(i, j)))
    return out


def bluesky_cpp(tracks: TrackColumns) -> Callable[[], Any]:
    """The timed call: BlueSky's C++ detection; its first result is the list of pairs."""
    from bluesky.traffic.asas import cstatebased

    own, rpz, hpz, look = _bluesky_traffic(tracks)
    return lambda: cstatebased.detect(own, own, rpz, hpz, look)


def bluesky_numpy(tracks: TrackColumns) -> Callable[[], Any]:
    """The timed call: BlueSky's NumPy detection (detect() reads nothing of its instance)."""
    from bluesky.traffic.asas.statebased import StateBased

    own, rpz, hpz, look = _bluesky_traffic(tracks)
    return lambda: StateBased.detect(None, own, own, rpz, hpz, look)


# ── judging the pairs they disagree on ──────────────────────────────────────────────────────


@dataclass(frozen=True)
class Settled:
    """Disagreements between sharedsky and BlueSky, judged pair by pair by the reference."""

    only_sharedsky: int
    only_bluesky: int
    sharedsky_right: int
    """Differing pairs, not borderline, where the reference's verdict is sharedsky's."""
    bluesky_right: int
    """Differing pairs, not borderline, where the reference's verdict is BlueSky's."""
    borderline: int
    """Differing pairs whose reference CPA distance is within band_m of the lateral minimum."""
    band_m: float
    margins_m: list[float]
    """|reference CPA distance − lateral minimum| of every differing pair, metres, ascending."""


def _reference_conflicts() -> Callable[..., Any]:
    """The tests' geodesic reference (independent of ``sharedsky.detect``), imported from the
    tests directory as the tests import it."""
    if str(TESTS_DIR) not in sys.path:
        sys.path.insert(0, str(TESTS_DIR))
    from detect.tactical_reference import reference_conflicts

    return reference_conflicts


def settle(
    tracks: TrackColumns,
    ours: set[tuple[int, int]],
    theirs: set[tuple[int, int]],
    band_m: float = BAND_M,
) -> Settled:
    """Judge every pair in exactly one of ``ours`` and ``theirs`` with the reference."""
    differing = sorted(ours ^ theirs)
    if not differing:
        return Settled(0, 0, 0, 0, 0, band_m, [])
    reference = _reference_conflicts()
    i = np.array([p[0] for p in differing], dtype=np.int64)
    j = np.array([p[1] for p in differing], dtype=np.int64)
    s = tracks.states
    columns = (s.lat_deg, s.lon_deg, s.alt_m, s.gs_mps, s.trk_deg, s.vs_mps, tracks.party)
    truth = {
        (h.i, h.j)
        for h in reference(
            *columns,
            lookahead_s=LOOKAHEAD_S,
            lateral_m=LATERAL_M,
            vertical_m=VERTICAL_M,
            pairs=(i, j),
        )
    }
    # With minima no pair can keep, every pair is a hit and carries its CPA distance (the CPA
    # time within the look-ahead does not depend on the minima).
    dcpa = {
        (h.i, h.j): h.dcpa_m
        for h in reference(
            *columns, lookahead_s=LOOKAHEAD_S, lateral_m=1e9, vertical_m=1e9, pairs=(i, j)
        )
    }
    sharedsky_right = bluesky_right = border = 0
    margins = []
    for pair in differing:
        margin = abs(dcpa[pair] - LATERAL_M)
        margins.append(margin)
        if margin <= band_m:
            border += 1
        elif (pair in truth) == (pair in ours):
            sharedsky_right += 1
        else:
            bluesky_right += 1
    return Settled(
        len(ours - theirs),
        len(theirs - ours),
        sharedsky_right,
        bluesky_right,
        border,
        band_m,
        sorted(margins),
    )


def margin_line(margins: Sequence[float]) -> str:
    """How far the differing pairs' reference CPA distances lie from the lateral minimum."""
    edges = [0.0, 0.01, 1.0, 10.0, 46.3, 1_000.0, float("inf")]
    names = ["< 1 cm", "1 cm–1 m", "1–10 m", "10–46 m", "46 m–1 km", "≥ 1 km"]
    counts = np.histogram(np.asarray(margins, dtype=np.float64), bins=edges)[0]
    return ", ".join(f"{name}: {c}" for name, c in zip(names, counts, strict=True))


# ── one thread each, the same pairs ─────────────────────────────────────────────────────────


ONE_THREAD_ENV = {
    "NUMBA_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def one_thread(n: int, seed: int, repeats: int) -> dict[str, Any]:
    """Run `_one_thread_child` in a child process whose Numba (and OpenMP/BLAS) has one thread;
    its figures."""
    done = subprocess.run(
        [sys.executable, __file__, "--one-thread-child", f"{n},{seed},{repeats}"],
        env=os.environ | ONE_THREAD_ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"STOP: the one-thread run failed:\n{done.stdout}\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _one_thread_child(n: int, seed: int, repeats: int) -> dict[str, Any]:
    """In this process, on one thread: sharedsky with a party per track (every pair compared)
    and BlueSky's C++ detector on the same states, both warmed, alternately timed."""
    import numba

    numba.set_num_threads(1)
    if numba.get_num_threads() != 1 or numba.config.NUMBA_NUM_THREADS != 1:
        raise SystemExit("STOP: Numba does not run on one thread")
    tracks = traffic(n, seed)
    every_pair = dataclasses.replace(tracks, party=np.arange(n, dtype=np.int64))
    theirs = bluesky_cpp(every_pair)

    def ours() -> CpaHits:
        return sharedsky_detect(every_pair)

    def clocked(fn: Callable[[], Any]) -> tuple[Any, float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        return result, (time.perf_counter() - wall) * 1e3, (time.process_time() - cpu) * 1e3

    # Both warmed: one untimed call each on these states (their times shown as cold calls).
    _, cold_ours_ms, _ = clocked(ours)
    _, cold_theirs_ms, _ = clocked(theirs)
    ours_ms, ours_cpu, theirs_ms, theirs_cpu = [], [], [], []
    for _ in range(repeats):
        hits, wall, cpu = clocked(ours)
        ours_ms.append(wall)
        ours_cpu.append(cpu)
        result, wall, cpu = clocked(theirs)
        theirs_ms.append(wall)
        theirs_cpu.append(cpu)
    ours_ratio = statistics.median(c / w for c, w in zip(ours_cpu, ours_ms, strict=True))
    theirs_ratio = statistics.median(c / w for c, w in zip(theirs_cpu, theirs_ms, strict=True))
    if ours_ratio > 1.2:
        raise SystemExit(f"STOP: sharedsky used more than one thread (CPU/wall {ours_ratio:.2f})")
    our_pairs = pair_set(hits)
    their_pairs = {(min(int(a), int(b)), max(int(a), int(b))) for a, b in result[0]}
    return {
        "n": n,
        "numba_threads": numba.get_num_threads(),
        "sharedsky_ms": ours_ms,
        "bluesky_ms": theirs_ms,
        "sharedsky_cpu_ms": ours_cpu,
        "bluesky_cpu_ms": theirs_cpu,
        "sharedsky_cpu_per_wall": ours_ratio,
        "bluesky_cpu_per_wall": theirs_ratio,
        "cold_sharedsky_ms": cold_ours_ms,
        "cold_bluesky_ms": cold_theirs_ms,
        "pairs_all": hits.stats.pairs_all,
        "candidates": hits.stats.candidates,
        "conflicts_sharedsky": len(our_pairs),
        "conflicts_bluesky": len(their_pairs),
        "same_pairs": len(our_pairs & their_pairs),
        "bluesky_ordered_pairs": n * (n - 1),
    }


# ── ingest through the API ──────────────────────────────────────────────────────────────────


SEED_INGEST = 20261125
INGEST_PARTIES = 4
INGEST_TRACKS_PER_PARTY = 2_500
INGEST_BATCH = 2_500
INGEST_SECONDS = 8.0


def _ingest_yaml() -> str:
    lines = ["mechanism: ingest-bench", "host: {id: host, name: Host}", "parties:"]
    lines += [f"  - {{id: p{i}, name: Party {i}}}" for i in range(INGEST_PARTIES)]
    return "\n".join(lines) + "\n"


def _ingest_columns(rng: np.random.Generator, n: int, party: int) -> dict[str, list[object]]:
    """``n`` tracks of one party over the Levant (lat 31–37, lon 34–41), as wire columns."""
    return {
        "id": [f"P{party}-{i:05d}" for i in range(n)],
        "lat": np.round(rng.uniform(31.0, 37.0, n), 5).tolist(),
        "lon": np.round(rng.uniform(34.0, 41.0, n), 5).tolist(),
        "alt_m": np.round(rng.uniform(300.0, 13_000.0, n), 1).tolist(),
        "gs_mps": np.round(rng.uniform(60.0, 300.0, n), 1).tolist(),
        "trk_deg": np.round(rng.uniform(0.0, 360.0, n), 1).tolist(),
        "vs_mps": [0.0] * n,
    }


def measure_ingest(seconds: float = INGEST_SECONDS) -> float | None:
    """Track updates per second through ``POST /v1/tracks`` (columnar batches of 2,500 states,
    one sender thread per party, 4 parties × 2,500 tracks) into a real ``sharedsky serve``
    process on SQLite with its 1 Hz tactical tick running over the 10,000 live tracks."""
    from datetime import UTC, datetime

    import httpx
    from _harness import load_tokens, start_server

    from sharedsky.cli.demo import free_port

    with tempfile.TemporaryDirectory(prefix="sharedsky-ingest-") as folder:
        db = f"sqlite:///{folder}/ingest.db"
        tokens = load_tokens(db, _ingest_yaml())
        port = free_port()
        server = start_server(db, port, Path(folder) / "server.log")
        base = f"http://127.0.0.1:{port}"
        accepted = [0] * INGEST_PARTIES
        failures: list[str] = []
        rng = np.random.default_rng(SEED_INGEST)
        fleets = [_ingest_columns(rng, INGEST_TRACKS_PER_PARTY, p) for p in range(INGEST_PARTIES)]
        start = threading.Barrier(INGEST_PARTIES + 1)
        stop_at = [0.0]

        def send(party: int) -> None:
            headers = {
                "Authorization": f"Bearer {tokens[f'p{party}']}",
                "Content-Type": "application/json",
            }
            fleet = fleets[party]
            with httpx.Client(base_url=base, timeout=30) as client:
                start.wait()
                while time.perf_counter() < stop_at[0]:
                    for lo in range(0, INGEST_TRACKS_PER_PARTY, INGEST_BATCH):
                        hi = lo + INGEST_BATCH
                        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
                        columns = {k: v[lo:hi] for k, v in fleet.items()}
                        columns["time"] = [now] * (hi - lo)
                        body = json.dumps({"columns": columns})
                        answer = client.post("/v1/tracks", content=body, headers=headers)
                        if answer.status_code != 202:
                            failures.append(f"{answer.status_code} {answer.text[:200]}")
                            return
                        accepted[party] += answer.json()["accepted"]

        try:
            threads = [threading.Thread(target=send, args=(p,)) for p in range(INGEST_PARTIES)]
            for thread in threads:
                thread.start()
            began = time.perf_counter()
            stop_at[0] = began + seconds
            start.wait()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
            host = {"Authorization": f"Bearer {tokens['host']}"}
            live = httpx.get(f"{base}/v1/tracks", headers=host, timeout=30).json()["tracks"]
            alerts = httpx.get(
                f"{base}/v1/conflicts", params={"kind": "tactical"}, headers=host, timeout=30
            ).json()["conflicts"]
        finally:
            server.terminate()
            server.wait(timeout=15)
        if failures:
            print(f"ingest: failed: {failures[0]}")
            return None
        rate = sum(accepted) / elapsed
        print(
            f"ingest: {sum(accepted):,} states in {elapsed:.1f} s from {INGEST_PARTIES} senders; "
            f"{len(live):,} live tracks, {len(alerts):,} tactical alerts opened by the tick"
        )
        return rate


# ── main ────────────────────────────────────────────────────────────────────────────────────


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--cpp-max", type=int, default=10_000)
    parser.add_argument("--numpy-max", type=int, default=2_000)
    parser.add_argument(
        "--band-m", type=float, default=BAND_M, help="borderline band around the lateral minimum"
    )
    parser.add_argument(
        "--no-one-thread", action="store_true", help="skip the one-thread comparison at 10,000"
    )
    parser.add_argument("--no-ingest", action="store_true", help="skip the ingest measurement")
    parser.add_argument(
        "--pressure-share",
        type=float,
        default=0.0,
        help="fraction of the tracks on pressure altitudes (the rest geometric)",
    )
    parser.add_argument("--one-thread-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_thread_child:
        n, seed, repeats = (int(v) for v in args.one_thread_child.split(","))
        print(json.dumps(_one_thread_child(n, seed, repeats)), flush=True)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    try:
        import bluesky

        bluesky_version = getattr(bluesky, "__version__", "installed")
    except ImportError:
        bluesky_version = "not installed (pip install -e '.[bench]')"
    env = environment(None)
    env["bluesky"] = str(bluesky_version)
    print_header(
        "tactical detection: sharedsky vs BlueSky state-based CD",
        env,
        {
            "sizes": sizes,
            "repeats": args.repeats,
            "seed": args.seed,
            "lookahead_s": LOOKAHEAD_S,
            "lateral_m": LATERAL_M,
            "vertical_m": VERTICAL_M,
            "band_m": args.band_m,
            "pressure_share": args.pressure_share,
        },
    )
    figures: dict[str, object] = {}
    detect_conflicts(traffic(50, 0))  # Numba compiles (or loads its cache) once
    for n in sizes:
        tracks = with_pressure_share(traffic(n, args.seed), args.pressure_share, args.seed)
        ours = measure(lambda t=tracks: sharedsky_detect(t), args.repeats)
        our_pairs = pair_set(ours.result)
        print(
            f"N={n:>7,}  sharedsky     {ours.median_ms:10.1f} ms  (runs "
            f"{', '.join(f'{t:.1f}' for t in ours.times_ms)})  peak +{ours.peak_mb:7.1f} MB  "
            f"conflicts {len(our_pairs):,}",
            flush=True,
        )
        figures[f"n{n // 1000}k_ms"] = ours.median_ms
        fastest: tuple[str, Run, set[tuple[int, int]]] | None = None
        for name, limit, make in (
            ("BlueSky C++  ", args.cpp_max, bluesky_cpp),
            ("BlueSky NumPy", args.numpy_max, bluesky_numpy),
        ):
            if "not installed" in bluesky_version:
                print(f"N={n:>7,}  {name} skipped: bluesky-simulator is not installed")
                continue
            if n > limit:
                print(
                    f"N={n:>7,}  {name} skipped: all-pairs O(N²), beyond its limit of {limit:,}"
                    " (time and memory)"
                )
                continue
            theirs = measure(make(tracks), max(1, min(args.repeats, 3)))
            their_pairs = _unordered(theirs.result[0], tracks.party)
            agree = len(our_pairs & their_pairs)
            union = len(our_pairs | their_pairs)
            print(
                f"N={n:>7,}  {name} {theirs.median_ms:10.1f} ms  peak +{theirs.peak_mb:7.1f} MB  "
                f"conflicts {len(their_pairs):,}  "
                f"speed-up {theirs.median_ms / ours.median_ms:6.1f}×  "
                f"same pairs {agree:,} of {union:,}",
                flush=True,
            )
            if fastest is None or theirs.median_ms < fastest[1].median_ms:
                fastest = (name.strip(), theirs, their_pairs)
        if fastest is not None:
            settled = settle(tracks, our_pairs, fastest[2], args.band_m)
            print(
                f"N={n:>7,}  vs {fastest[0]}: only sharedsky {settled.only_sharedsky}, only "
                f"BlueSky {settled.only_bluesky}; the reference sides with sharedsky "
                f"{settled.sharedsky_right}, with BlueSky {settled.bluesky_right}; borderline "
                f"(reference CPA distance within {settled.band_m:g} m of the lateral minimum, "
                f"not scored) {settled.borderline}",
                flush=True,
            )
            if settled.margins_m:
                print(
                    f"N={n:>7,}  |reference CPA distance − {LATERAL_M:g} m| of the differing "
                    f"pairs: {margin_line(settled.margins_m)}",
                    flush=True,
                )
            if n == 10_000:
                figures["speedup_vs_bluesky_10k"] = fastest[1].median_ms / ours.median_ms
                figures["disagreements_10k"] = {
                    "sharedsky_right": settled.sharedsky_right,
                    "bluesky_right": settled.bluesky_right,
                    "borderline": settled.borderline,
                    "band_m": settled.band_m,
                }
    if ONE_THREAD_N in sizes and not args.no_one_thread and "not installed" not in bluesky_version:
        alone = one_thread(ONE_THREAD_N, args.seed, max(3, args.repeats))
        ours_ms = statistics.median(alone["sharedsky_ms"])
        theirs_ms = statistics.median(alone["bluesky_ms"])
        figures["speedup_vs_bluesky_10k_one_thread"] = theirs_ms / ours_ms
        cpu_speedup = statistics.median(alone["bluesky_cpu_ms"]) / statistics.median(
            alone["sharedsky_cpu_ms"]
        )
        print(
            f"N={ONE_THREAD_N:>7,}  one thread (Numba threads {alone['numba_threads']}), a party "
            f"per track (every pair), both warmed, timed alternately:\n"
            f"           sharedsky     {ours_ms:10.1f} ms  (runs "
            f"{', '.join(f'{t:.1f}' for t in alone['sharedsky_ms'])}; CPU/wall "
            f"{alone['sharedsky_cpu_per_wall']:.2f}; cold first call "
            f"{alone['cold_sharedsky_ms']:.1f} ms)  candidates {alone['candidates']:,} of "
            f"{alone['pairs_all']:,} pairs  conflicts {alone['conflicts_sharedsky']:,}\n"
            f"           BlueSky C++   {theirs_ms:10.1f} ms  (runs "
            f"{', '.join(f'{t:.1f}' for t in alone['bluesky_ms'])}; CPU/wall "
            f"{alone['bluesky_cpu_per_wall']:.2f}; cold first call "
            f"{alone['cold_bluesky_ms']:.1f} ms)  {alone['bluesky_ordered_pairs']:,} ordered "
            f"pairs  conflicts {alone['conflicts_bluesky']:,}\n"
            f"           speed-up {theirs_ms / ours_ms:.1f}× (wall), "
            f"{cpu_speedup:.1f}× (CPU time)  same pairs {alone['same_pairs']:,}",
            flush=True,
        )
    runs_ingest = 0 if args.no_ingest else 3
    ingest_runs = [r for r in (measure_ingest() for _ in range(runs_ingest)) if r is not None]
    ingest = statistics.median(ingest_runs) if ingest_runs else None
    if ingest is not None:
        runs = ", ".join(f"{r:,.0f}" for r in ingest_runs)
        print(f"ingest: median {ingest:,.0f} track updates/s (runs: {runs})")
    emit_json(
        {
            "n10k_ms": figures.get("n10k_ms"),
            "n100k_ms": figures.get("n100k_ms"),
            "speedup_vs_bluesky_10k": figures.get("speedup_vs_bluesky_10k"),
            "speedup_vs_bluesky_10k_one_thread": figures.get("speedup_vs_bluesky_10k_one_thread"),
            "disagreements_10k": figures.get("disagreements_10k"),
            "ingest_per_s": ingest,
        }
    )


if __name__ == "__main__":
    main()
