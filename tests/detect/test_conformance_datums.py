"""Zone intrusion and conformance for tracks on pressure altitude (a flight level × 30.48 m)
against bands in metres AMSL: a track is inside a band whenever it may be for some QNH of the
mechanism's range, so that no intrusion is missed because the track reported a flight level
(issue 17: nothing compares across datums blindly)."""

from __future__ import annotations

import pytest
from _hypothesis import examples
from detect.conformance_reference import Track
from detect.test_conformance import columns
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.detect.conformance import Region, conformance, zone_intrusions
from sharedsky.detect.tracks import Datum
from sharedsky.domain.heights import Datums, pressure_altitude_span_m
from sharedsky.geo.outlines import CircleOutline
from sharedsky.service._packing import pressure_offsets

DATUMS = Datums()
"""The default QNH range, 950 to 1050 hPa."""
PRESSURE = pressure_offsets(DATUMS)
SLACK_M = 2.0
"""The offsets' table is exact at its nodes and within 1.4 m between them (`_packing`)."""
ZONE = CircleOutline((0.0, 0.0), 20_000.0)


def test_a_flight_level_above_a_zone_ceiling_may_be_inside_it_on_a_low_qnh() -> None:
    """A zone from the surface to 3,000 m AMSL; a track level at 3,200 m of pressure altitude
    (FL105) flies into it. At 950 hPa that pressure altitude lies some 470 m lower, inside the
    zone: an intrusion. Read as a geometric altitude it would not be one."""
    zone = Region(ZONE, 0.0, 3_000.0)
    track = Track(0.0, -0.3, 3_200.0, 200.0, 90.0, 0.0)
    lowest, _ = pressure_altitude_span_m(3_200.0, DATUMS)
    assert lowest < 3_000.0 - 300.0  # the premise: well inside at the low end of the range
    on_pressure = zone_intrusions(
        columns([track], datum=Datum.PRESSURE), [zone], [1], pressure=PRESSURE
    )
    assert list(on_pressure.track) == [0]
    geometric = zone_intrusions(columns([track]), [zone], [1])
    assert len(geometric) == 0


def test_a_flight_level_above_every_qnh_of_the_range_is_not_an_intrusion() -> None:
    zone = Region(ZONE, 0.0, 3_000.0)
    track = Track(0.0, -0.3, 4_000.0, 200.0, 90.0, 0.0)
    assert pressure_altitude_span_m(4_000.0, DATUMS)[0] > 3_000.0 + 300.0
    hits = zone_intrusions(columns([track], datum=Datum.PRESSURE), [zone], [1], pressure=PRESSURE)
    assert len(hits) == 0


def test_tracks_on_pressure_altitude_without_offsets_are_refused() -> None:
    zone = Region(ZONE, 0.0, 3_000.0)
    tracks = columns([Track(0.0, -0.3, 3_200.0, 200.0, 90.0, 0.0)], datum=Datum.PRESSURE)
    with pytest.raises(ValueError, match="pressure"):
        zone_intrusions(tracks, [zone], [1])
    with pytest.raises(ValueError, match="pressure"):
        conformance(tracks, [[zone]], [0])


def test_a_flight_level_leaves_its_notice_only_when_no_qnh_keeps_it_in() -> None:
    """A notice's band is 2,000 to 3,000 m AMSL. A track level at 3,100 m of pressure altitude
    may be inside (at a QNH below standard): conforming, not reported outside; one at 4,000 m
    cannot be on any QNH of the range: outside."""
    notice = [Region(ZONE, 2_000.0, 3_000.0)]
    tracks = [Track(0.0, 0.0, 3_100.0, 100.0, 0.0, 0.0), Track(0.0, 0.0, 4_000.0, 100.0, 0.0, 0.0)]
    result = conformance(
        columns(tracks, datum=Datum.PRESSURE), [notice], [0, 0], horizon_s=60.0, pressure=PRESSURE
    )
    assert [str(result.status_of(i)) for i in range(2)] == ["conforming", "outside"]


@given(
    pressure_m=st.floats(-300.0, 14_000.0),
    floor_m=st.floats(-400.0, 13_000.0),
    thickness_m=st.floats(30.0, 3_000.0),
)
@settings(max_examples=examples(100), deadline=None)
def test_no_flight_level_that_may_be_in_a_band_is_missed(
    pressure_m: float, floor_m: float, thickness_m: float
) -> None:
    """Property against the standard atmosphere itself (`pressure_altitude_span_m`, not the
    engine's table): a level track headed into a zone is reported entering it whenever its
    pressure altitude lies inside the zone's AMSL band for some QNH of the range, and not
    when it lies clear of the band for every QNH by more than the table's slack."""
    ceiling_m = floor_m + thickness_m
    zone = Region(ZONE, floor_m, ceiling_m)
    track = Track(0.0, -0.3, pressure_m, 200.0, 90.0, 0.0)
    hits = zone_intrusions(columns([track], datum=Datum.PRESSURE), [zone], [1], pressure=PRESSURE)
    lowest, highest = pressure_altitude_span_m(pressure_m, DATUMS)
    if lowest <= ceiling_m and highest >= floor_m:
        assert list(hits.track) == [0], (lowest, highest)
    if lowest > ceiling_m + SLACK_M or highest < floor_m - SLACK_M:
        assert len(hits) == 0, (lowest, highest)
