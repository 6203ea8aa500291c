"""Tactical detection side by side with BlueSky: N = 1,000, 10,000 and 100,000 tracks.

Scenario (fixed seeds): N aircraft uniformly over a 1,000 × 1,000 km region centred at 36° E
34° N (positions drawn in an azimuthal-equidistant frame), altitudes 300–13,000 m, ground
speeds 60–300 m/s, headings uniform, 70 % level and 30 % climbing or descending at 1–15 m/s;
2–4 parties drawn per N. Look-ahead 300 s, minima 9,260 m and 304.8 m.

In the same process, on the same states:

* sharedsky: `detect_conflicts` (one warm-up call for Numba, then `--repeats` timed calls);
* BlueSky (PyPI ``bluesky-simulator``, extra ``bench``): its C++ ``cstatebased.detect`` and its
  NumPy ``StateBased.detect``, called directly on a plain object that carries the attributes
  they read (``lat, lon, trk, gs, alt, vs, ntraf, id``), with no simulator, GUI or network.
  Both are all-pairs O(N²); the NumPy one also holds about ten N × N float64 matrices, so it
  runs only up to `--numpy-max` (default 2,000) and the C++ one up to `--cpp-max` (default
  10,000); skipped runs are said so.

BlueSky reports ordered pairs of all parties; they are reduced to unordered pairs of different
parties. Every pair in which sharedsky and BlueSky (C++, the faster one) disagree is settled by
an exact check: both aircraft flown along their geodesics (pyproj ``Geod.fwd``) to the CPA
estimate, projected in a `geo.projection` frame centred between them, the CPA solved there,
three times. A pair is borderline if scaling the lateral minimum, the vertical minimum or the
look-ahead by ±0.5 % changes the exact verdict. ``disagreements_10k`` counts the non-borderline
pairs at N = 10,000 where the exact check sides with BlueSky.

Memory is the peak growth of the process's resident set during one call (sampled every 2 ms).
Run ``.venv/bin/python benchmarks/tactical.py``; the last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
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

from sharedsky.detect.tactical import CpaHits, TrackColumns, detect_conflicts
from sharedsky.geo.distance import WGS84
from sharedsky.geo.projection import frame_at

LOOKAHEAD_S = 300.0
LATERAL_M = 9_260.0
VERTICAL_M = 304.8
REGION_CENTRE = (36.0, 34.0)
REGION_HALF_M = 500_000.0
BORDER = 0.005


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
        lat_deg=lat,
        lon_deg=lon,
        alt_m=rng.uniform(300.0, 13_000.0, n),
        gs_mps=rng.uniform(60.0, 300.0, n),
        trk_deg=rng.uniform(0.0, 360.0, n),
        vs_mps=np.where(moving, rate, 0.0),
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


def sharedsky_detect(tracks: TrackColumns) -> CpaHits:
    """The timed call: sharedsky's engine, as a user calls it."""
    return detect_conflicts(
        tracks, lookahead_s=LOOKAHEAD_S, lateral_m=LATERAL_M, vertical_m=VERTICAL_M
    )


def pair_set(hits: CpaHits) -> set[tuple[int, int]]:
    """The hits as a set of (i, j), built after timing (BlueSky's lists are timed as returned)."""
    return set(zip(hits.i.tolist(), hits.j.tolist(), strict=True))


def _bluesky_traffic(tracks: TrackColumns) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
    n = len(tracks.party)
    own = types.SimpleNamespace(
        lat=np.ascontiguousarray(tracks.lat_deg),
        lon=np.ascontiguousarray(tracks.lon_deg),
        trk=np.ascontiguousarray(tracks.trk_deg),
        gs=np.ascontiguousarray(tracks.gs_mps),
        alt=np.ascontiguousarray(tracks.alt_m),
        vs=np.ascontiguousarray(tracks.vs_mps),
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


# ── the exact per-pair check ────────────────────────────────────────────────────────────────


def exact_verdict(
    tracks: TrackColumns, i: int, j: int, lateral_m: float, vertical_m: float, lookahead_s: float
) -> bool:
    """Geodesic flight, CPA in an aeqd frame at the pair, re-centred at the CPA three times."""
    t_lin = 0.0
    for _ in range(3):
        ends = []
        for k in (i, j):
            lon, lat, gs, trk = (
                float(tracks.lon_deg[k]),
                float(tracks.lat_deg[k]),
                float(tracks.gs_mps[k]),
                float(tracks.trk_deg[k]),
            )
            lon_t, lat_t, back = WGS84.fwd(lon, lat, trk, gs * t_lin)
            lon_s, lat_s, _ = WGS84.fwd(lon_t, lat_t, back + 180.0, gs * 1.0)
            ends.append((lon_t, lat_t, lon_s, lat_s))
        az, _, dist = WGS84.inv(ends[0][0], ends[0][1], ends[1][0], ends[1][1])
        lon_m, lat_m, _ = WGS84.fwd(ends[0][0], ends[0][1], az, dist / 2.0)
        frame = frame_at(float(lon_m), float(lat_m))
        xs, ys = frame.forward(
            [e[0] for e in ends] + [e[2] for e in ends], [e[1] for e in ends] + [e[3] for e in ends]
        )
        rx, ry = xs[1] - xs[0], ys[1] - ys[0]
        wx, wy = (xs[3] - xs[1]) - (xs[2] - xs[0]), (ys[3] - ys[1]) - (ys[2] - ys[0])
        ww = wx * wx + wy * wy
        t_mid = -(rx * wx + ry * wy) / ww if ww > 0 else 0.0
        t_prev, t_lin = t_lin, min(max(t_lin + t_mid, 0.0), lookahead_s)
    # Horizontal loss interval around the last linearisation point t_prev.
    if ww > 0:
        miss2 = (rx * wy - ry * wx) ** 2 / ww
        room2 = lateral_m**2 - miss2
        if room2 <= 0:
            return False
        half = (room2 / ww) ** 0.5
        h_in, h_out = t_prev + t_mid - half, t_prev + t_mid + half
    elif rx * rx + ry * ry < lateral_m**2:
        h_in, h_out = -np.inf, np.inf
    else:
        return False
    dz = float(tracks.alt_m[j] - tracks.alt_m[i])
    wz = float(tracks.vs_mps[j] - tracks.vs_mps[i])
    if wz == 0.0:
        if abs(dz) >= vertical_m:
            return False
        v_in, v_out = -np.inf, np.inf
    else:
        a, b = (-vertical_m - dz) / wz, (vertical_m - dz) / wz
        v_in, v_out = min(a, b), max(a, b)
    return max(h_in, v_in, 0.0) < min(h_out, v_out, lookahead_s)


def borderline(tracks: TrackColumns, i: int, j: int) -> bool:
    """True if ±0.5 % on any threshold changes the exact verdict."""
    base = exact_verdict(tracks, i, j, LATERAL_M, VERTICAL_M, LOOKAHEAD_S)
    for f in (1.0 - BORDER, 1.0 + BORDER):
        for args in (
            (LATERAL_M * f, VERTICAL_M, LOOKAHEAD_S),
            (LATERAL_M, VERTICAL_M * f, LOOKAHEAD_S),
            (LATERAL_M, VERTICAL_M, LOOKAHEAD_S * f),
        ):
            if exact_verdict(tracks, i, j, *args) != base:
                return True
    return False


@dataclass(frozen=True)
class Settled:
    """Disagreements between sharedsky and BlueSky, settled pair by pair."""

    only_sharedsky: int
    only_bluesky: int
    bluesky_right: int
    """Non-borderline pairs where the exact check sides with BlueSky."""
    sharedsky_right: int
    borderline: int


def settle(
    tracks: TrackColumns, ours: set[tuple[int, int]], theirs: set[tuple[int, int]]
) -> Settled:
    bluesky_right = sharedsky_right = border = 0
    for pair in sorted(ours ^ theirs):
        if borderline(tracks, *pair):
            border += 1
            continue
        truth = exact_verdict(tracks, *pair, LATERAL_M, VERTICAL_M, LOOKAHEAD_S)
        if truth == (pair in theirs):
            bluesky_right += 1
        else:
            sharedsky_right += 1
    return Settled(len(ours - theirs), len(theirs - ours), bluesky_right, sharedsky_right, border)


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
    args = parser.parse_args(argv)
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
        },
    )
    figures: dict[str, object] = {}
    detect_conflicts(traffic(50, 0))  # Numba compiles (or loads its cache) once
    for n in sizes:
        tracks = traffic(n, args.seed)
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
            settled = settle(tracks, our_pairs, fastest[2])
            print(
                f"N={n:>7,}  vs {fastest[0]}: only sharedsky {settled.only_sharedsky}, only "
                f"BlueSky {settled.only_bluesky}; exact check sides with sharedsky "
                f"{settled.sharedsky_right}, with BlueSky {settled.bluesky_right}, "
                f"borderline (±0.5 %) {settled.borderline}",
                flush=True,
            )
            if n == 10_000:
                figures["speedup_vs_bluesky_10k"] = fastest[1].median_ms / ours.median_ms
                figures["disagreements_10k"] = settled.bluesky_right
    ingest_runs = [r for r in (measure_ingest() for _ in range(3)) if r is not None]
    ingest = statistics.median(ingest_runs) if ingest_runs else None
    if ingest is not None:
        runs = ", ".join(f"{r:,.0f}" for r in ingest_runs)
        print(f"ingest: median {ingest:,.0f} track updates/s (runs: {runs})")
    emit_json(
        {
            "n10k_ms": figures.get("n10k_ms"),
            "n100k_ms": figures.get("n100k_ms"),
            "speedup_vs_bluesky_10k": figures.get("speedup_vs_bluesky_10k"),
            "disagreements_10k": figures.get("disagreements_10k"),
            "ingest_per_s": ingest,
        }
    )


if __name__ == "__main__":
    main()
