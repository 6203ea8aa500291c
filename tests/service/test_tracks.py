"""The live picture in memory: a checked batch in, the newest state per track out, as the
columns the engines read (without copying them on the way to the tactical tick)."""

from __future__ import annotations

import numpy as np
import pytest

from sharedsky.domain.ids import PartyId
from sharedsky.domain.tracks import check_batch, report_of
from sharedsky.geo.distance import geodesic_destination
from sharedsky.service.tracks import LivePicture, Snapshot

NOW_S = 1_800_000_000.0
ALPHA, BRAVO = PartyId("alpha"), PartyId("bravo")


def put(picture: LivePicture, party: PartyId, *states: tuple[str, float, float, float]) -> None:
    """States (id, time offset s, lat, lon) at 6,000 m, 200 m/s east, climbing 5 m/s."""
    n = len(states)
    columns = {
        "lat": [s[2] for s in states],
        "lon": [s[3] for s in states],
        "alt_m": [6000.0] * n,
        "gs_mps": [200.0] * n,
        "trk_deg": [90.0] * n,
        "vs_mps": [5.0] * n,
    }
    times = [NOW_S + s[1] for s in states]
    report = report_of(party, [s[0] for s in states], times, columns, ["N-1"] + [None] * (n - 1))
    picture.put(check_batch(report, NOW_S, max_future_s=5.0, max_states=10), NOW_S)


def picture_of_three() -> Snapshot:
    picture = LivePicture()
    put(picture, BRAVO, ("B1", -1.0, 34.0, 36.0))
    put(picture, ALPHA, ("A2", -2.0, 34.2, 36.2), ("A1", 0.0, 34.1, 36.1))
    return picture.snapshot(NOW_S)


def test_the_snapshot_holds_every_fresh_track_by_party_and_id() -> None:
    snap = picture_of_three()
    assert list(zip(snap.parties, snap.ids, strict=True)) == [
        ("alpha", "A1"),
        ("alpha", "A2"),
        ("bravo", "B1"),
    ]
    assert snap.time_s.tolist() == [NOW_S, NOW_S - 2.0, NOW_S - 1.0]
    assert snap.states.lat_deg.tolist() == [34.1, 34.2, 34.0]
    assert snap.notice_ids == (None, "N-1", "N-1")
    assert len(LivePicture().snapshot(NOW_S)) == 0


def test_a_subset_and_the_engines_columns_share_the_states_columns() -> None:
    snap = picture_of_three()
    alpha = snap.take(np.array([p == ALPHA for p in snap.parties]))
    assert alpha.ids == ("A1", "A2") and alpha.notice_ids == (None, "N-1")
    assert alpha.states.lon_deg.tolist() == [36.1, 36.2]
    columns = alpha.columns({ALPHA: 3})
    assert columns.states is alpha.states
    assert columns.party.tolist() == [3, 3]


def test_at_moves_every_track_to_now_along_its_geodesic() -> None:
    snap = picture_of_three()
    now = snap.at(NOW_S + 10.0)
    assert now.time_s.tolist() == [NOW_S + 10.0] * 3
    lon, lat = geodesic_destination(36.2, 34.2, 90.0, 200.0 * 12.0)
    assert now.states.lon_deg[1] == pytest.approx(float(lon), abs=1e-12)
    assert now.states.lat_deg[1] == pytest.approx(float(lat), abs=1e-12)
    assert now.states.alt_m.tolist() == [6050.0, 6060.0, 6055.0]
    assert now.ids == snap.ids and now.parties == snap.parties
