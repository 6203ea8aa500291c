"""The pruning stage (`detect.pruning.candidate_pairs`) against brute force, on a flat world.

On a flat world (every vertical (0, 0, 1), positions and velocities in the plane z = 0) the
planar image is the motion itself, so each stage has a plain definition that a loop over all
pairs can check, figure by figure:

- ``pairs_box``: pairs of different parties whose swept boxes, padded by half of
  ``box_lateral_m`` laterally and half of ``vertical_m`` vertically, overlap (open boxes);
- ``candidates``: pairs of different parties whose straight-line motion comes within
  ``lateral_m`` while within ``vertical_m`` at some time of [0, lookahead_s];
- ``pairs_examined``: pairs sharing a grid cell, so at least every pair (of any parties) whose
  padded boxes overlap, at most all pairs.

The tests on the real Earth (`tactical_candidates`) are in test_tactical_random.py.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import astuple

import numpy as np
import pytest

from sharedsky.detect.pruning import Candidates, PruneStats, TrackMotion, candidate_pairs

LOOKAHEAD_S = 300.0
LATERAL_M = 9_360.0
VERTICAL_M = 304.8
BOX_LATERAL_M = LATERAL_M
"""On a flat world the planar distance is the lateral distance: the minimum bounds it."""


def flat(
    party: np.ndarray,
    x_m: np.ndarray,
    y_m: np.ndarray,
    vx_mps: np.ndarray,
    vy_mps: np.ndarray,
    alt_m: np.ndarray,
    vs_mps: np.ndarray,
) -> TrackMotion:
    """Tracks on a flat world: the plane z = 0, vertical (0, 0, 1) everywhere."""
    n = len(party)
    zeros = np.zeros(n)
    return TrackMotion(
        party.astype(np.int64),
        x_m,
        y_m,
        vx_mps,
        vy_mps,
        alt_m,
        vs_mps,
        np.stack([x_m, y_m, zeros], axis=1),
        np.tile([0.0, 0.0, 1.0], (n, 1)),
        np.stack([vx_mps, vy_mps, zeros], axis=1),
    )


def random_flat(rng: np.random.Generator, n: int, side_m: float) -> TrackMotion:
    """n tracks of 3 parties in a square, 0–300 m/s, altitudes in a 1,000 m band, half of
    them climbing or descending at up to 20 m/s."""
    speed = rng.uniform(0.0, 300.0, n)
    trk = rng.uniform(0.0, 2.0 * math.pi, n)
    return flat(
        rng.integers(0, 3, n),
        rng.uniform(0.0, side_m, n),
        rng.uniform(0.0, side_m, n),
        speed * np.sin(trk),
        speed * np.cos(trk),
        rng.uniform(6_000.0, 7_000.0, n),
        np.where(rng.random(n) < 0.5, rng.uniform(-20.0, 20.0, n), 0.0),
    )


def prune(motion: TrackMotion, **cells: float) -> Candidates:
    return candidate_pairs(
        motion,
        lookahead_s=LOOKAHEAD_S,
        lateral_m=LATERAL_M,
        vertical_m=VERTICAL_M,
        box_lateral_m=BOX_LATERAL_M,
        **cells,
    )


def brute_boxes_overlap(motion: TrackMotion) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, overlap) for every pair i < j: whether their padded swept boxes overlap."""
    i, j = np.triu_indices(len(motion.party), k=1)
    overlap = np.ones(len(i), dtype=bool)
    for p, v, pad in (
        (motion.x_m, motion.vx_mps, BOX_LATERAL_M / 2.0),
        (motion.y_m, motion.vy_mps, BOX_LATERAL_M / 2.0),
        (motion.alt_m, motion.vs_mps, VERTICAL_M / 2.0),
    ):
        end = p + v * LOOKAHEAD_S
        low, high = np.minimum(p, end) - pad, np.maximum(p, end) + pad
        overlap &= (low[i] < high[j]) & (low[j] < high[i])
    return i, j, overlap


def brute_close(motion: TrackMotion) -> set[tuple[int, int]]:
    """Pairs of different parties within LATERAL_M and VERTICAL_M at once in [0, LOOKAHEAD_S]
    (straight lines; the two open intervals of time intersected)."""
    close = set()
    n = len(motion.party)
    for a in range(n):
        for b in range(a + 1, n):
            if motion.party[a] == motion.party[b]:
                continue
            dz, wz = motion.alt_m[b] - motion.alt_m[a], motion.vs_mps[b] - motion.vs_mps[a]
            rx, ry = motion.x_m[b] - motion.x_m[a], motion.y_m[b] - motion.y_m[a]
            wx, wy = motion.vx_mps[b] - motion.vx_mps[a], motion.vy_mps[b] - motion.vy_mps[a]
            start, stop = 0.0, LOOKAHEAD_S
            if wz == 0.0:
                if abs(dz) >= VERTICAL_M:
                    continue
            else:
                t1, t2 = (-VERTICAL_M - dz) / wz, (VERTICAL_M - dz) / wz
                start, stop = max(start, min(t1, t2)), min(stop, max(t1, t2))
            # |r + t w|² < L²: a t² + b t + c < 0
            qa, qb, qc = wx * wx + wy * wy, 2.0 * (rx * wx + ry * wy), rx * rx + ry * ry
            qc -= LATERAL_M * LATERAL_M
            if qa == 0.0:
                if qc >= 0.0:
                    continue
            else:
                disc = qb * qb - 4.0 * qa * qc
                if disc <= 0.0:
                    continue
                root = math.sqrt(disc)
                start = max(start, (-qb - root) / (2.0 * qa))
                stop = min(stop, (-qb + root) / (2.0 * qa))
            if start < stop:
                close.add((a, b))
    return close


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_stage_counts_what_it_says_on_a_flat_world(seed: int) -> None:
    """150 tracks in 150 km × 150 km: the candidates are exactly the close pairs, pairs_box
    exactly the pairs of different parties whose padded boxes overlap, and every pair whose
    boxes overlap shares a cell (is examined)."""
    motion = random_flat(np.random.default_rng(seed), 150, 150_000.0)
    candidates = prune(motion)
    kept = set(zip(candidates.i.tolist(), candidates.j.tolist(), strict=True))
    assert kept == brute_close(motion)
    i, j, overlap = brute_boxes_overlap(motion)
    other_party = motion.party[i] != motion.party[j]
    stats = candidates.stats
    assert stats.pairs_all == 150 * 149 // 2
    assert stats.pairs_box == int(np.sum(overlap & other_party))
    assert int(np.sum(overlap)) <= stats.pairs_examined <= stats.pairs_all
    assert stats.candidates == len(kept) == len(candidates.i) == len(candidates.j)
    assert stats.pairs_box > stats.candidates > 10  # each stage drops pairs here
    assert all(type(count) is int for count in astuple(stats))


@pytest.mark.parametrize("n", [0, 1])
def test_no_track_and_one_track_give_no_candidates(n: int) -> None:
    motion = random_flat(np.random.default_rng(n), n, 1_000.0)
    candidates = prune(motion)
    assert candidates.stats == PruneStats(0, 0, 0, 0)
    tracks = np.arange(n)
    # the (empty) indices still index the tracks
    assert len(tracks[candidates.i]) == len(tracks[candidates.j]) == 0


def test_one_party_shares_cells_but_no_box() -> None:
    """Five tracks of one party 100 m apart: the ten pairs share a cell and are examined, then
    dropped as same-party pairs before the box test."""
    x_m = np.arange(5) * 100.0
    zeros = np.zeros(5)
    motion = flat(np.full(5, 4), x_m, zeros, zeros, zeros, np.full(5, 6_000.0), zeros)
    assert prune(motion).stats == PruneStats(10, 10, 0, 0)


def test_boxes_that_cross_without_a_meeting_are_counted_then_dropped() -> None:
    """A flies north through the origin at t = 150 s, B east through it at t = 300 s: their
    swept boxes overlap around the origin, their closest approach is 21 km::

                 ↑ A (0, +30 km at 300 s)
                 │
        B ───────┼──→ (origin: A at 150 s, B at 300 s)
      (−60 km)   │
                 A (0, −30 km at 0 s)
    """
    motion = flat(
        np.array([0, 1]),
        np.array([0.0, -60_000.0]),
        np.array([-30_000.0, 0.0]),
        np.array([0.0, 200.0]),
        np.array([200.0, 0.0]),
        np.full(2, 6_000.0),
        np.zeros(2),
    )
    assert prune(motion).stats == PruneStats(1, 1, 1, 0)


def test_the_grid_cells_change_the_work_never_the_candidates() -> None:
    motion = random_flat(np.random.default_rng(9), 200, 200_000.0)
    base = prune(motion)
    for cell_xy_m, cell_z_m in ((1.0, 1e5), (5_000.0, 1_000.0), (1e7, 1e5)):
        other = prune(motion, cell_xy_m=cell_xy_m, cell_z_m=cell_z_m)
        assert sorted(zip(other.i, other.j, strict=True)) == sorted(
            zip(base.i, base.j, strict=True)
        )
        assert (other.stats.pairs_box, other.stats.candidates) == (
            base.stats.pairs_box,
            base.stats.candidates,
        )


def test_both_kernels_read_the_state_as_the_motion_packs_it() -> None:
    """`TrackMotion.packed` is the one packing; each kernel names its columns itself (its Numba
    cache follows its own file only), so the names must agree."""
    from sharedsky.detect import _cpa_kernel, _grid_kernel

    names = ("POS", "UP", "VEL", "ALT", "VS", "DATUM", "LOW", "HIGH")
    assert [getattr(_cpa_kernel, n) for n in names] == [getattr(_grid_kernel, n) for n in names]
    motion = random_flat(np.random.default_rng(3), 5, 1_000.0)
    state = motion.packed()
    assert state.shape == (5, 14) and state.flags.c_contiguous
    k = _grid_kernel
    assert np.array_equal(state[:, k.POS : k.POS + 3], motion.pos_m)
    assert np.array_equal(state[:, k.UP : k.UP + 3], motion.up)
    assert np.array_equal(state[:, k.VEL : k.VEL + 3], motion.vel_mps)
    assert np.array_equal(state[:, k.ALT], motion.alt_m)
    assert np.array_equal(state[:, k.VS], motion.vs_mps)
    assert not state[:, k.DATUM :].any()  # one datum: no codes, no offsets
    datums = np.array([[0, 0, 0], [1, -540, 300], [1, -550, 302], [0, 0, 0], [0, 0, 0]], float)
    state = dataclasses.replace(motion, datums=datums).packed()
    assert np.array_equal(state[:, k.DATUM : k.HIGH + 1], datums)
