"""The rule every reported batch of tracks passes: one bad value refuses the whole batch with
InvalidInput naming the first offending field (its message and its path)."""

from __future__ import annotations

from typing import Any

import pytest

from sharedsky.domain.errors import InvalidInput
from sharedsky.domain.ids import PartyId
from sharedsky.domain.tracks import TrackReport, check_batch, report_of

NOW_S = 1_800_000_000.0
CALLSIGN_RULE = "a callsign has 1 to 16 letters A-Z, digits, inner spaces or hyphens"
ALT_REF_RULE = "alt_ref {} is not one of AMSL, STD, W84"
GOOD: dict[str, list[Any]] = {
    "id": ["A1", "A2"],
    "time": [NOW_S, NOW_S - 1.0],
    "lat": [34.5, 34.0],
    "lon": [36.0, 36.5],
    "alt_m": [7600.0, 3000.0],
    "gs_mps": [230.0, 120.0],
    "trk_deg": [90.0, 180.0],
    "vs_mps": [0.0, -5.0],
    "notice_id": [None, "N-1"],
    "callsign": ["ALP123", None],
    "alt_ref": ["AMSL", "STD"],
}


def kinematics(given: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The six kinematic columns of ``given``, by their reported names."""
    return {name: given[name] for name in ("lat", "lon", "alt_m", "gs_mps", "trk_deg", "vs_mps")}


def refusal(*, columnar: bool = False, max_states: int = 10, **change: list[Any]) -> InvalidInput:
    """The InvalidInput that the batch of GOOD changed by ``change`` gets."""
    given = {**GOOD, **change}
    with pytest.raises(InvalidInput) as caught:
        report = report_of(
            PartyId("alpha"),
            given["id"],
            given["time"],
            kinematics(given),
            given["notice_id"],
            given["callsign"],
            given["alt_ref"],
        )
        check_batch(
            report,
            NOW_S,
            max_future_s=5.0,
            max_states=max_states,
            prefix=("columns",) if columnar else ("tracks",),
            columnar=columnar,
        )
    return caught.value


@pytest.mark.parametrize(
    ("change", "detail", "field"),
    [
        ({"lat": [34.5, 91.0]}, "lat 91.0 is out of range [-90.0, 90.0]", "lat"),
        ({"lat": [34.5, -90.5]}, "lat -90.5 is out of range [-90.0, 90.0]", "lat"),
        ({"lon": [36.0, -180.5]}, "lon -180.5 is out of range [-180.0, 180.0]", "lon"),
        ({"alt_m": [7600.0, -501.0]}, "alt_m -501.0 is out of range [-500.0, 30000.0]", "alt_m"),
        ({"alt_m": [7600.0, 30001.0]}, "alt_m 30001.0 is out of range [-500.0, 30000.0]", "alt_m"),
        ({"gs_mps": [230.0, -1.0]}, "gs_mps -1.0 is out of range [0.0, 1000.0]", "gs_mps"),
        ({"gs_mps": [230.0, 1000.5]}, "gs_mps 1000.5 is out of range [0.0, 1000.0]", "gs_mps"),
        ({"trk_deg": [90.0, 360.0]}, "trk_deg 360.0 is out of range [0.0, 360.0)", "trk_deg"),
        ({"trk_deg": [90.0, -0.1]}, "trk_deg -0.1 is out of range [0.0, 360.0)", "trk_deg"),
        ({"vs_mps": [0.0, 200.5]}, "vs_mps 200.5 is out of range [-200.0, 200.0]", "vs_mps"),
        ({"vs_mps": [0.0, -201.0]}, "vs_mps -201.0 is out of range [-200.0, 200.0]", "vs_mps"),
        ({"alt_m": [7600.0, float("nan")]}, "alt_m nan is not a number [-500.0, 30000.0]", "alt_m"),
        ({"lat": [34.5, float("inf")]}, "lat inf is not a number [-90.0, 90.0]", "lat"),
        ({"gs_mps": [230.0, -float("inf")]}, "gs_mps -inf is not a number [0.0, 1000.0]", "gs_mps"),
        ({"time": [NOW_S, NOW_S + 5.5]}, "time is more than 5 s in the future", "time"),
        ({"time": [NOW_S, float("nan")]}, "time is more than 5 s in the future", "time"),
        ({"id": ["A1", ""]}, "a track id has 1 to 32 printable characters", "id"),
        ({"id": ["A1", "A" * 33]}, "a track id has 1 to 32 printable characters", "id"),
        ({"id": ["A1", "A\n"]}, "a track id has 1 to 32 printable characters", "id"),
        ({"notice_id": [None, ""]}, "a notice id has 1 to 40 characters", "notice_id"),
        ({"notice_id": [None, "N" * 41]}, "a notice id has 1 to 40 characters", "notice_id"),
        ({"callsign": ["ALP1", ""]}, CALLSIGN_RULE, "callsign"),
        ({"callsign": ["ALP1", "A" * 17]}, CALLSIGN_RULE, "callsign"),
        ({"callsign": ["ALP1", " ALP1"]}, CALLSIGN_RULE, "callsign"),
        ({"callsign": ["ALP1", "ALP1-"]}, CALLSIGN_RULE, "callsign"),
        ({"callsign": ["ALP1", "AL@@@@"]}, CALLSIGN_RULE, "callsign"),
        ({"callsign": ["ALP1", "ΑΛΦΑ1"]}, CALLSIGN_RULE, "callsign"),
        ({"alt_ref": ["STD", "AGL"]}, ALT_REF_RULE.format("'AGL'"), "alt_ref"),
        ({"alt_ref": ["STD", "FL"]}, ALT_REF_RULE.format("'FL'"), "alt_ref"),
        ({"alt_ref": ["STD", "amsl"]}, ALT_REF_RULE.format("'amsl'"), "alt_ref"),
    ],
)
def test_a_bad_value_is_refused_with_its_message_and_path(
    change: dict[str, list[Any]], detail: str, field: str
) -> None:
    """R-TACT-1: the path is (tracks, row, field), or (columns, field, row) for columns."""
    by_rows = refusal(**change)
    assert (by_rows.detail, by_rows.path) == (detail, ("tracks", 1, field))
    by_columns = refusal(columnar=True, **change)
    assert (by_columns.detail, by_columns.path) == (detail, ("columns", field, 1))


def test_the_first_offending_field_is_named_in_the_order_of_the_rule() -> None:
    """Size, then ids, then the values column by column (lat, lon, alt_m, gs_mps, trk_deg,
    vs_mps; in a column its first bad row), then times, then notice ids."""
    nan = float("nan")
    assert refusal(max_states=1, id=["", ""], lat=[nan, nan]).path == ("tracks",)
    assert refusal(id=["A1", ""], lat=[nan, nan]).path == ("tracks", 1, "id")
    assert refusal(lat=[34.5, 95.0], lon=[200.0, 36.0]).path == ("tracks", 1, "lat")
    assert refusal(alt_m=[40_000.0, 3000.0], gs_mps=[-1.0, 120.0]).path == ("tracks", 0, "alt_m")
    assert refusal(trk_deg=[90.0, 400.0], vs_mps=[nan, 0.0]).path == ("tracks", 1, "trk_deg")
    assert refusal(lat=[34.5, 95.0], gs_mps=[nan, 120.0]).path == ("tracks", 1, "lat")
    assert refusal(vs_mps=[0.0, 300.0], time=[NOW_S + 60, NOW_S]).path == ("tracks", 1, "vs_mps")
    late = refusal(time=[NOW_S, NOW_S + 60], notice_id=["", None])
    assert late.path == ("tracks", 1, "time")
    assert refusal(notice_id=["", None], callsign=["", None]).path == ("tracks", 0, "notice_id")


def test_a_batch_over_its_size_is_refused_whole() -> None:
    refused = refusal(max_states=1)
    assert (refused.detail, refused.path) == ("a batch holds at most 1 states, not 2", ("tracks",))
    assert refusal(max_states=1, columnar=True).path == ("columns",)


@pytest.mark.parametrize("name", ["lat", "lon", "alt_m", "gs_mps", "trk_deg", "vs_mps"])
def test_columns_of_unequal_length_are_refused_naming_the_column(name: str) -> None:
    columns = kinematics(GOOD)
    with pytest.raises(InvalidInput) as caught:
        report_of(PartyId("alpha"), GOOD["id"], GOOD["time"], {**columns, name: [1.0]})
    assert caught.value.detail == f"column {name!r} has 1 values, not 2"
    assert caught.value.path == (name,)
    with pytest.raises(InvalidInput) as caught:
        report_of(PartyId("alpha"), GOOD["id"], [NOW_S], columns)
    assert (caught.value.detail, caught.value.path) == (
        "column 'time' has 1 values, not 2",
        ("time",),
    )
    with pytest.raises(InvalidInput) as caught:
        report_of(PartyId("alpha"), GOOD["id"], GOOD["time"], columns, ["N-1"])
    assert caught.value.path == ("notice_id",)
    with pytest.raises(InvalidInput) as caught:
        report_of(PartyId("alpha"), GOOD["id"], GOOD["time"], columns, None, ["ALP1"])
    assert caught.value.path == ("callsign",)
    with pytest.raises(InvalidInput) as caught:
        report_of(PartyId("alpha"), GOOD["id"], GOOD["time"], columns, None, None, ["STD"])
    assert (caught.value.detail, caught.value.path) == (
        "column 'alt_ref' has 1 values, not 2",
        ("alt_ref",),
    )


def test_each_altitude_keeps_its_reference_and_none_given_means_amsl() -> None:
    """An altitude keeps the datum its feed gave it (a flight level is a pressure altitude,
    STD); a report that gives none is in metres AMSL, as every altitude was before."""
    refs = ["W84", "STD"]
    report = report_of(
        PartyId("alpha"), GOOD["id"], GOOD["time"], kinematics(GOOD), None, None, refs
    )
    batch = check_batch(report, NOW_S, max_future_s=5.0, max_states=2)
    assert batch.alt_refs == ("W84", "STD")
    assert [row[-1] for row in batch.rows()] == refs
    plain = report_of(PartyId("alpha"), GOOD["id"], GOOD["time"], kinematics(GOOD))
    assert check_batch(plain, NOW_S, max_future_s=5.0, max_states=2).alt_refs == ("AMSL",) * 2
    ragged = TrackReport(
        plain.party, plain.ids, plain.time_s, plain.values, plain.notice_ids, (), ("STD",)
    )
    with pytest.raises(InvalidInput) as caught:
        check_batch(ragged, NOW_S, max_future_s=5.0, max_states=2)
    assert (caught.value.detail, caught.value.path) == ("1 alt_refs for 2 states", ("tracks",))


def test_the_edges_of_every_range_are_accepted() -> None:
    columns = {
        "lat": [90.0, -90.0],
        "lon": [180.0, -180.0],
        "alt_m": [-500.0, 30_000.0],
        "gs_mps": [0.0, 1000.0],
        "trk_deg": [0.0, 359.999],
        "vs_mps": [-200.0, 200.0],
    }
    ids = ["A" * 32, "B"]
    callsigns = ["A" * 16, "B"]
    report = report_of(
        PartyId("alpha"), ids, [NOW_S + 5.0, 0.0], columns, ["N" * 40, None], callsigns
    )
    batch = check_batch(report, NOW_S, max_future_s=5.0, max_states=2)
    assert [row[0] for row in batch.rows()] == ids
    first = (NOW_S + 5.0, 90.0, 180.0, -500.0, 0.0, 0.0, -200.0, "N" * 40, "A" * 16, "AMSL")
    assert next(batch.rows())[1:] == first


@pytest.mark.parametrize("callsign", ["ALP123", "VIPER 11", "RESCUE-7", "a", "ab 1-2 Z"])
def test_a_callsign_of_letters_digits_inner_spaces_and_hyphens_is_kept(callsign: str) -> None:
    report = report_of(
        PartyId("alpha"), GOOD["id"], GOOD["time"], kinematics(GOOD), None, [callsign, None]
    )
    batch = check_batch(report, NOW_S, max_future_s=5.0, max_states=2)
    assert batch.callsigns == (callsign, None)
    assert [row[-2] for row in batch.rows()] == [callsign, None]


def test_a_report_without_callsigns_has_none_for_each_state() -> None:
    report = report_of(PartyId("alpha"), GOOD["id"], GOOD["time"], kinematics(GOOD))
    assert report.callsigns == (None, None)
    bare = TrackReport(report.party, report.ids, report.time_s, report.values, report.notice_ids)
    batch = check_batch(bare, NOW_S, max_future_s=5.0, max_states=2)
    assert batch.callsigns == (None, None)
    ragged = TrackReport(
        report.party, report.ids, report.time_s, report.values, report.notice_ids, ("A",)
    )
    with pytest.raises(InvalidInput) as caught:
        check_batch(ragged, NOW_S, max_future_s=5.0, max_states=2)
    assert caught.value.path == ("tracks",)


def test_the_checked_batch_keeps_the_reported_columns_without_copying_them() -> None:
    report = report_of(PartyId("alpha"), GOOD["id"], GOOD["time"], kinematics(GOOD))
    batch = check_batch(report, NOW_S, max_future_s=5.0, max_states=2)
    assert batch.states.lat_deg is report.values["lat_deg"]
    assert batch.states.vs_mps.tolist() == [0.0, -5.0]
    assert batch.time_s is report.time_s and not report.time_s.flags.writeable
    assert (batch.party, batch.ids, batch.notice_ids) == ("alpha", ("A1", "A2"), (None, None))
    assert len(batch) == len(report) == 2


def test_a_report_made_with_columns_of_unequal_length_is_refused_too() -> None:
    """``report_of`` refuses them first; a report made otherwise meets the same rule."""
    good = report_of(PartyId("alpha"), GOOD["id"], GOOD["time"], kinematics(GOOD))
    values = {**good.values, "gs_mps": good.values["gs_mps"][:1]}
    ragged = TrackReport(good.party, good.ids, good.time_s, values, good.notice_ids)
    with pytest.raises(InvalidInput) as caught:
        check_batch(ragged, NOW_S, max_future_s=5.0, max_states=2)
    assert caught.value.detail == "gs_mps has shape (1,), expected (2,)"
    assert caught.value.path == ("tracks", "gs_mps")
