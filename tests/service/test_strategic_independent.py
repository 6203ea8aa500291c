"""Notices filed through the service are stored with exactly the conflicts that the independent
reference finds, on SQLite and PostgreSQL (R-DETECT-1). It stays on the SQL backends, unlike
the other service tests (conftest.py): its point is the store's own index search beside the
engine, end to end.

Alpha files A and bravo files B of 90 pairs straddling the Levant channel's minima (9,260 m,
304.8 m, 300 s: lateral ± 1 m, vertical and time exactly and ± 1), one pair per site, so that
pairs of different sites are hundreds of kilometres apart; in the Levant mechanism, and in one
where a third party's wider minima widen the index search (there the store's search no longer
leaves out the pairs exactly at a minimum: the engine must). What the host and each party list
as open conflicts must be exactly the pairs `strategic_reference` calls conflicts, each once,
with the window and band equal and the distance within 0.05 m (or, for a clash the coarse
stage proved well inside the minimum, an upper bound within 0.5 % + 25 m).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import numpy as np
import pytest
from _support import make_env
from detect import strategic_reference as ref
from detect.straddle_pairs import (
    SITE_REACH_M,
    StraddlePair,
    antimeridian_pairs,
    reach_m,
    sites,
    straddle_pairs,
)

from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.conflicts import Conflict, ConflictState
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.visibility import Viewer
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline, CorridorOutline, Outline, PolygonOutline
from sharedsky.service.context import Actor
from sharedsky.service.notices import file_notice
from sharedsky.service.queries import list_conflicts
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

LEVANT = ref.Minima(9_260.0, 304.8, 300.0)
"""The separation of the alpha–bravo channel (as in the Levant mechanism, tests/_support.py)."""

WIDER_YAML = """\
mechanism: straddles
host: {id: host, name: Coordination Cell, language: en}
parties:
  - {id: alpha, name: Alpha, language: en}
  - {id: bravo, name: Bravo, language: tr}
  - {id: charlie, name: Charlie, language: ar}
defaults:
  sharing: full
  separation: {lateral_m: 18520, vertical_m: 1000, time_s: 900}
channels:
  - between: [alpha, bravo]
    sharing: conflicts_only
    separation: {lateral_m: 9260, vertical_m: 304.8, time_s: 300}
"""
"""Charlie's wider minima widen every party's index search beyond the alpha–bravo minima,
so that the engine, not the store's open-interval search, decides the pairs exactly at them."""
EXACT_M = 0.05


def outline(shape: ref.Shape) -> Outline:
    if isinstance(shape, ref.Circle):
        return CircleOutline((shape.lon, shape.lat), shape.radius_m)
    if isinstance(shape, ref.Polygon):
        return PolygonOutline(shape.rings)
    return CorridorOutline(shape.path, shape.half_width_m)


def draft(volume: ref.Volume) -> NoticeDraft:
    """A one-volume air sortie notice of the reference volume (whole seconds, UTC)."""
    window = TimeWindow(
        datetime.fromtimestamp(volume.t_start_s, tz=UTC),
        datetime.fromtimestamp(volume.t_end_s, tz=UTC),
    )
    band = AltitudeBand(volume.alt_lo_m, volume.alt_hi_m)
    return NoticeDraft(
        NoticeKind.AIR_SORTIE, "straddle", (Volume4D(outline(volume.shape), band, window),)
    )


def actor(party: str) -> Actor:
    return Actor(OperatorId(f"{party}-duty"), PartyId(party), is_host=False)


@pytest.mark.parametrize("yaml_text", [None, WIDER_YAML], ids=["levant", "wider-search"])
def test_stored_conflicts_are_exactly_the_reference_conflicts(
    database: Database, clock: FakeClock, yaml_text: str | None
) -> None:
    env = make_env(database, clock) if yaml_text is None else make_env(database, clock, yaml_text)
    pairs = straddle_pairs(np.random.default_rng(1_414), 90, open_ended=False, minima=LEVANT)
    assert len({p.site for p in pairs}) == len(pairs)
    centres = sites()
    for pair in pairs:  # every pair near its own site: no conflict across pairs
        assert reach_m(centres[pair.site], pair.a.shape) < SITE_REACH_M
        assert reach_m(centres[pair.site], pair.b.shape) < SITE_REACH_M
    verdicts = ref.verdicts([(p.a, p.b, p.minima) for p in pairs])
    _assert_enough_at_each_minimum(pairs, verdicts)

    owner: dict[str, int] = {}
    for k, pair in enumerate(pairs):
        # alternate who files first, so that each side is sometimes the subject
        order = [("alpha", pair.a), ("bravo", pair.b)]
        for party, volume in order if k % 2 else order[::-1]:
            owner[file_notice(env.deps, actor(party), draft(volume)).notice.id] = k

    expected = {k for k, v in enumerate(verdicts) if v.conflict}
    for viewer in (
        Viewer(PartyId("host"), True),
        Viewer(PartyId("alpha"), False),
        Viewer(PartyId("bravo"), False),
    ):
        listed = [v.conflict for v in list_conflicts(env.deps, viewer, ConflictState.OPEN)]
        found = [_pair_of(c, owner) for c in listed]
        assert sorted(found) == sorted(expected), viewer  # each conflicting pair once
        for conflict in listed:
            k = _pair_of(conflict, owner)
            _assert_stored_fields(conflict, verdicts[k], pairs[k].minima.lateral_m)


def test_a_conflict_across_the_antimeridian_is_stored(database: Database, clock: FakeClock) -> None:
    #   polygons 9,259 / 9,261 m apart across 180°, each on its own side: alpha files the As,
    #   bravo the Bs; the stored conflicts are the (A, B) the reference calls conflicts
    env = make_env(database, clock)
    pairs = antimeridian_pairs(np.random.default_rng(180), 6, LEVANT)
    combos = [(i, j) for i in range(len(pairs)) for j in range(len(pairs))]
    verdicts = ref.verdicts([(pairs[i].a, pairs[j].b, LEVANT) for i, j in combos])
    expected = {combo for combo, v in zip(combos, verdicts, strict=True) if v.conflict}
    assert {(k, k) for k, p in enumerate(pairs) if p.offset in ("-1", "-0.1")} <= expected
    filed: dict[str, tuple[str, int]] = {}
    for k, pair in enumerate(pairs):
        filed[file_notice(env.deps, actor("alpha"), draft(pair.a)).notice.id] = ("a", k)
        filed[file_notice(env.deps, actor("bravo"), draft(pair.b)).notice.id] = ("b", k)
    listed = list_conflicts(env.deps, Viewer(PartyId("host"), True), ConflictState.OPEN)
    found = []
    for view in listed:
        sides = dict([filed[view.conflict.a.id], filed[view.conflict.b.id]])
        found.append((sides["a"], sides["b"]))
    assert sorted(found) == sorted(expected)


def _pair_of(conflict: Conflict, owner: dict[str, int]) -> int:
    k = owner[conflict.a.id]
    assert owner[conflict.b.id] == k and conflict.a.party != conflict.b.party
    assert conflict.a.volume_index == conflict.b.volume_index == 0
    return k


def _assert_stored_fields(conflict: Conflict, verdict: ref.Verdict, lateral_m: float) -> None:
    assert conflict.window_start.timestamp() == verdict.t_start_s
    assert conflict.window_end is not None
    assert conflict.window_end.timestamp() == verdict.t_end_s
    assert (conflict.alt_lo_m, conflict.alt_hi_m) == (verdict.alt_lo_m, verdict.alt_hi_m)
    true_m = verdict.distance_m
    if abs(conflict.distance_m - true_m) > EXACT_M:  # proven by the coarse stage alone
        assert true_m - EXACT_M <= conflict.distance_m <= true_m * 1.005 + 25.0
        assert conflict.distance_m < lateral_m - 10.0
    assert conflict.region["type"] in ("Polygon", "MultiPolygon")


def _assert_enough_at_each_minimum(pairs: list[StraddlePair], verdicts: list[ref.Verdict]) -> None:
    """At each minimum (at it, or ± 1) both conflicts and non-conflicts; vertical and time
    exactly at the minimum too."""
    seen: Counter[tuple[str, bool]] = Counter()
    exactly: Counter[str] = Counter()
    for pair, verdict in zip(pairs, verdicts, strict=True):
        if pair.offset in ("-1", "0", "+1", "-0.1", "+0.1"):
            seen[(pair.dimension, verdict.conflict)] += 1
        exactly[pair.dimension] += pair.offset == "0"
        assert verdict.distance_m == pytest.approx(pair.intended_m, abs=1e-3)
    for dimension in ("lateral", "vertical", "time"):
        assert seen[(dimension, True)] >= 5 and seen[(dimension, False)] >= 5, dimension
    assert exactly["vertical"] >= 4 and exactly["time"] >= 4
    assert 25 <= sum(v.conflict for v in verdicts) <= 65
