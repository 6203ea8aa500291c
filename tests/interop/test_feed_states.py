"""States read from the field's feeds keep each altitude with its datum, post the flight level
first (then QNH, then the geometric altitude) with its datum as ``alt_ref``, and are refused
before posting when a value lies outside what ``POST /v1/tracks`` accepts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from _hypothesis import examples
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sharedsky.domain.tracks import is_callsign
from sharedsky.interop.feed_states import (
    AltitudeDatum,
    DatumCounts,
    FeedState,
    FeedStateError,
    Height,
    callsign_of,
    flight_level_m,
    iso_time,
    track_angle_deg,
)
from sharedsky.wire.v1.tracks import TrackStateIn

T = datetime(2026, 11, 24, 12, 0, 1, 250_000, tzinfo=UTC)


def state(**heights: float) -> FeedState:
    return FeedState("4CA1F2", T, 34.5, 36.2, 230.0, 275.5, -5.0, **heights)


def test_flight_levels_are_pressure_altitudes_of_the_standard_atmosphere() -> None:
    assert flight_level_m(250) == 25_000 * 0.3048 == 7620.0
    assert flight_level_m(0) == 0.0


def test_the_flight_level_is_posted_first_then_qnh_then_the_geometric_altitude() -> None:
    """A pair on one datum compares exactly: the pressure altitude, which every transponder
    reports, is the datum most of a picture shares (interop/feed_states.py says why)."""
    every = state(geometric_alt_m=7700.0, qnh_alt_m=7650.0, pressure_alt_m=7620.0)
    assert every.height == Height(7620.0, AltitudeDatum.STD)
    assert state(qnh_alt_m=7650.0, geometric_alt_m=7700.0).height == Height(
        7650.0, AltitudeDatum.AMSL
    )
    only_gnss = state(geometric_alt_m=7700.0)
    assert only_gnss.height == Height(7700.0, AltitudeDatum.W84)
    level = state(pressure_alt_m=flight_level_m(250), geometric_alt_m=7700.0)
    assert (level.to_wire()["alt_m"], level.to_wire()["alt_ref"]) == (7620.0, "STD")


@pytest.mark.parametrize(
    ("heights", "alt_ref"),
    [
        ({"pressure_alt_m": 7620.0}, "STD"),
        ({"qnh_alt_m": 7650.0}, "AMSL"),
        ({"geometric_alt_m": 7700.0}, "W84"),
    ],
)
def test_the_posted_altitude_carries_its_datum_onto_the_wire(
    heights: dict[str, float], alt_ref: str
) -> None:
    wire = TrackStateIn.model_validate(state(**heights).to_wire())
    assert (wire.alt_m, wire.alt_ref) == (next(iter(heights.values())), alt_ref)


def test_a_state_without_any_altitude_is_refused() -> None:
    with pytest.raises(FeedStateError, match="no altitude"):
        state()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("lat_deg", 91.0, "latitude 91"),
        ("lon_deg", float("nan"), "longitude nan"),
        ("gs_mps", -1.0, "ground speed -1"),
        ("gs_mps", 1000.5, "ground speed 1000.5"),
        ("trk_deg", 360.0, "track angle 360"),
        ("vs_mps", 201.0, "vertical rate 201"),
        ("pressure_alt_m", 30_001.0, "pressure altitude 30001"),
        ("geometric_alt_m", -501.0, "geometric altitude -501"),
    ],
)
def test_a_value_the_wire_would_refuse_is_refused_here(
    field: str, value: float, words: str
) -> None:
    fields: dict[str, object] = {
        "id": "4CA1F2", "time": T, "lat_deg": 34.5, "lon_deg": 36.2, "gs_mps": 230.0,
        "trk_deg": 275.5, "pressure_alt_m": 7620.0,
    }  # fmt: skip
    fields[field] = value
    with pytest.raises(FeedStateError, match=words):
        FeedState(**fields)  # type: ignore[arg-type]  # values of several types, by name


def test_ids_are_1_to_32_characters_and_times_have_a_zone() -> None:
    with pytest.raises(FeedStateError, match="id"):
        FeedState("X" * 33, T, 34.5, 36.2, 230.0, 275.5, pressure_alt_m=0.0)
    with pytest.raises(FeedStateError, match="zone"):
        FeedState("X", T.replace(tzinfo=None), 34.5, 36.2, 230.0, 275.5, pressure_alt_m=0.0)


def test_the_wire_form_is_a_valid_track_state_at_the_edges_of_every_range() -> None:
    for lat, lon, gs, trk, vs, alt in (
        (-90.0, -180.0, 0.0, 0.0, -200.0, -500.0),
        (90.0, 180.0, 1000.0, 359.999999, 200.0, 30_000.0),
    ):
        edge = FeedState("~ABC123", T, lat, lon, gs, trk, vs, pressure_alt_m=alt)
        parsed = TrackStateIn.model_validate(edge.to_wire())
        assert (parsed.lat, parsed.lon, parsed.alt_m, parsed.trk_deg) == (lat, lon, alt, trk)
        assert parsed.time == T


@settings(max_examples=examples(300))
@given(
    st.one_of(
        st.text(max_size=20),
        st.text(alphabet="ABCXYZ019 -@", max_size=20),
        st.integers(),
        st.none(),
    )
)
def test_a_feed_callsign_is_posted_only_when_the_wire_takes_it(field: object) -> None:
    """Whatever a feed writes in its callsign field, the state posts either nothing or a
    callsign that ``POST /v1/tracks`` (and the domain's rule) accepts unchanged: one bad
    field never costs the whole batch."""
    state = FeedState("4CA1F2", T, 34.5, 36.2, 230.0, 275.5, callsign=field, pressure_alt_m=0.0)  # type: ignore[arg-type]
    wire = state.to_wire()
    posted = wire["callsign"]
    assert posted == callsign_of(field)
    if posted is None:
        assert not isinstance(field, str) or not field.strip() or not is_callsign(field.strip())
    else:
        assert isinstance(posted, str) and is_callsign(posted)
        assert TrackStateIn.model_validate(wire).callsign == posted


@pytest.mark.parametrize("bad", ["", "   ", "A" * 17, "ALP@1", "-ALP1", "ΑΛΦΑ"])
def test_the_wire_refuses_a_callsign_the_domain_refuses(bad: str) -> None:
    wire = state(pressure_alt_m=0.0).to_wire()
    with pytest.raises(ValidationError):
        TrackStateIn.model_validate({**wire, "callsign": bad})
    assert not bad.strip() or not is_callsign(bad.strip())


def test_track_angles_fold_into_0_to_360() -> None:
    assert track_angle_deg(-90.0) == 270.0
    assert track_angle_deg(720.5) == 0.5
    assert track_angle_deg(-1e-17) == 0.0  # plain % gives 360.0 here


def test_iso_time_is_utc_to_the_millisecond() -> None:
    plus2 = timezone(timedelta(hours=2))
    assert iso_time(datetime(2026, 11, 24, 14, 0, 1, 250_400, tzinfo=plus2)) == (
        "2026-11-24T12:00:01.250Z"
    )
    assert iso_time(datetime(2026, 11, 24, 12, 0, tzinfo=UTC)) == "2026-11-24T12:00:00Z"


def test_datum_counts_say_which_altitudes_went_out_as_alt_m() -> None:
    counts = DatumCounts()
    assert counts.text() == ""
    for one in (state(geometric_alt_m=1.0), state(pressure_alt_m=1.0), state(pressure_alt_m=2.0)):
        counts.add(one)
    assert counts.counts == {AltitudeDatum.W84: 1, AltitudeDatum.STD: 2}
    assert counts.text() == "altitudes posted: 1 geometric (W84 ellipsoid), 2 flight levels (STD)"
