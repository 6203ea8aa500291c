"""The ASTERIX reader: CAT062 system tracks and CAT021 ADS-B reports, encoded by the test with
the same library (``libasterix``), decode to states in SI units within the categories'
quantisation, with each altitude on its datum; bad datagrams, other categories and records
without position are counted, never raised; datagrams arrive over UDP, multicast too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asterix.generated as gen
import pytest
from _feeds import sending
from _hypothesis import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.interop.asterix import (
    AsterixAddressError,
    AsterixConfig,
    AsterixDecoder,
    encode_cat021,
    encode_cat062,
    open_udp,
    parse_udp_address,
    read_udp,
    time_of_day,
)
from sharedsky.interop.feed_states import AltitudeDatum, FeedState, flight_level_m
from sharedsky.units import FPM_MPS, FT_M, KT_MPS, NM_M

NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
POSITION_LSB_062_DEG = 180 / 2**25
POSITION_LSB_021_DEG = 180 / 2**30
FT_LSB_M = 6.25 * FT_M
FL_LSB_M = 0.25 * 100 * FT_M
C62 = gen.Cat_062_1_21
C21 = gen.Cat_021_2_7


def aircraft(ident: str = "4CA1F2", **heights: float) -> FeedState:
    return FeedState(
        ident,
        NOW - timedelta(seconds=1.5),
        34.81234,
        36.20001,
        450 * KT_MPS,
        275.5,
        -1216 * FPM_MPS,
        callsign="ALP123",
        **heights,
    )


def test_a_cat062_track_decodes_within_the_quantisation_with_both_altitudes() -> None:
    sent = aircraft(geometric_alt_m=7750.0, pressure_alt_m=flight_level_m(250))
    [got] = AsterixDecoder().feed(encode_cat062([sent]), NOW)
    assert got.id == "4CA1F2" and got.callsign == "ALP123"  # I062/380 ID
    assert got.to_wire()["callsign"] == "ALP123"
    assert got.time == sent.time  # 1/128 s steps: 1.5 s is exact
    assert got.lat_deg == pytest.approx(sent.lat_deg, abs=POSITION_LSB_062_DEG)
    assert got.lon_deg == pytest.approx(sent.lon_deg, abs=POSITION_LSB_062_DEG)
    assert got.geometric_alt_m == pytest.approx(7750.0, abs=FT_LSB_M)
    assert got.pressure_alt_m == pytest.approx(7620.0, abs=FL_LSB_M)
    assert got.qnh_alt_m is None
    assert got.height.datum is AltitudeDatum.STD  # I062/136, the flight level, is posted
    assert got.to_wire()["alt_ref"] == "STD"
    [gnss] = AsterixDecoder().feed(encode_cat062([aircraft(geometric_alt_m=7750.0)]), NOW)
    assert gnss.height.datum is AltitudeDatum.W84  # I062/130 alone: above the ellipsoid
    assert gnss.to_wire()["alt_ref"] == "W84"
    assert got.gs_mps == pytest.approx(sent.gs_mps, abs=0.3)  # Vx, Vy in 0.25 m/s
    assert got.trk_deg == pytest.approx(275.5, abs=0.1)
    assert got.vs_mps == pytest.approx(sent.vs_mps, abs=6.25 * FPM_MPS)


def test_a_cat062_track_with_only_a_flight_level_is_posted_as_a_pressure_altitude() -> None:
    [got] = AsterixDecoder().feed(encode_cat062([aircraft(pressure_alt_m=7620.0)]), NOW)
    assert got.geometric_alt_m is None
    assert got.height.datum is AltitudeDatum.STD
    assert got.to_wire()["alt_m"] == 7620.0  # FL 250 through the standard atmosphere


def test_a_qnh_corrected_cat062_altitude_is_above_mean_sea_level() -> None:
    [got] = AsterixDecoder().feed(encode_cat062([aircraft(qnh_alt_m=3000.0)]), NOW)
    assert got.qnh_alt_m == pytest.approx(3000.0, abs=FL_LSB_M)
    assert got.pressure_alt_m is None
    assert got.height.datum is AltitudeDatum.AMSL


def test_a_cat062_track_without_target_address_is_named_by_its_track_number() -> None:
    sent = aircraft("MIL-7", pressure_alt_m=3000.0)
    data = encode_cat062([sent], sac=25, sic=7, first_track_number=4321)
    [got] = AsterixDecoder().feed(data, NOW)
    assert got.id == "TN-25-7-4321"
    assert got.callsign == "ALP123"


@pytest.mark.parametrize(("chars", "callsign"), [("VIPER11 ", "VIPER11"), ("        ", None)])
def test_a_cat062_track_without_derived_data_takes_its_callsign_from_i245(
    chars: str, callsign: str | None
) -> None:
    """I062/245 target identification (eight characters, space-padded) names the track when
    I062/380 gives no ID; a blank one gives none."""
    record = C62.cv_record.create({
        "010": (("SAC", 1), ("SIC", 2)),
        "070": (43_190.0, "s"),
        "105": (("LAT", (34.0, "°")), ("LON", (36.0, "°"))),
        "040": 17,
        "136": (120.0, "FL"),
        "185": (("VX", (100.0, "m/s")), ("VY", (0.0, "m/s"))),
        "245": (("STI", 0), 0, ("CHR", chars)),
    })  # fmt: skip
    [got] = AsterixDecoder().feed(C62.create([record]).unparse().to_bytes(), NOW)
    assert got.callsign == callsign and got.to_wire()["callsign"] == callsign


def test_cat062_velocity_and_vertical_rate_fall_back_on_the_aircraft_derived_data() -> None:
    record = C62.cv_record.create({
        "010": (("SAC", 1), ("SIC", 2)),
        "070": (43_190.0, "s"),
        "105": (("LAT", (34.0, "°")), ("LON", (36.0, "°"))),
        "040": 17,
        "136": (120.0, "FL"),
        "380": {"GS": (0.1, "NM/s"), "TAN": (90.0, "°"), "BVR": (-500.0, "ft/min")},
    })  # fmt: skip
    [got] = AsterixDecoder().feed(C62.create([record]).unparse().to_bytes(), NOW)
    assert got.id == "TN-1-2-17"
    assert got.time == NOW - timedelta(seconds=10)
    assert got.gs_mps == pytest.approx(0.1 * NM_M, abs=2**-14 * NM_M)
    assert got.trk_deg == pytest.approx(90.0, abs=0.01)
    assert got.vs_mps == pytest.approx(-500 * FPM_MPS)
    assert got.pressure_alt_m == pytest.approx(flight_level_m(120))


def test_a_cat021_report_decodes_with_its_address_identification_and_heights() -> None:
    sent = aircraft(geometric_alt_m=7750.0, pressure_alt_m=7620.0)
    [got] = AsterixDecoder().feed(encode_cat021([sent]), NOW)
    assert got.id == "4CA1F2" and got.callsign == "ALP123" and got.time == sent.time  # I021/170
    assert got.to_wire()["callsign"] == "ALP123"
    assert got.lat_deg == pytest.approx(sent.lat_deg, abs=POSITION_LSB_021_DEG)
    assert got.lon_deg == pytest.approx(sent.lon_deg, abs=POSITION_LSB_021_DEG)
    assert got.geometric_alt_m == pytest.approx(7750.0, abs=FT_LSB_M)
    assert got.pressure_alt_m == pytest.approx(7620.0, abs=FL_LSB_M)
    assert got.gs_mps == pytest.approx(sent.gs_mps, abs=2**-14 * NM_M)
    assert got.trk_deg == pytest.approx(275.5, abs=360 / 2**16)
    assert got.vs_mps == pytest.approx(sent.vs_mps, abs=6.25 * FPM_MPS)
    assert got.height.datum is AltitudeDatum.STD  # I021/145 is posted before I021/140
    assert got.to_wire()["alt_ref"] == "STD"
    [level_only] = AsterixDecoder().feed(encode_cat021([aircraft(pressure_alt_m=7620.0)]), NOW)
    assert level_only.height.datum is AltitudeDatum.STD
    [gnss] = AsterixDecoder().feed(encode_cat021([aircraft(geometric_alt_m=7750.0)]), NOW)
    assert (gnss.height.datum, gnss.to_wire()["alt_ref"]) == (AltitudeDatum.W84, "W84")


def test_one_datagram_may_carry_several_datablocks_of_both_categories() -> None:
    planes = [aircraft(f"4CA1F{k}", pressure_alt_m=1000.0 * k) for k in range(1, 4)]
    data = encode_cat062(planes) + encode_cat021(planes[:2])
    decoder = AsterixDecoder()
    got = decoder.feed(data, NOW)
    assert [s.id for s in got] == ["4CA1F1", "4CA1F2", "4CA1F3", "4CA1F1", "4CA1F2"]
    assert (decoder.stats.datablocks, decoder.stats.records, decoder.stats.states) == (2, 5, 5)


def test_times_of_day_are_put_on_the_day_nearest_to_now() -> None:
    just_after_midnight = datetime(2026, 11, 25, 0, 0, 5, tzinfo=UTC)
    assert time_of_day(86_399.0, just_after_midnight) == datetime(
        2026, 11, 24, 23, 59, 59, tzinfo=UTC
    )
    just_before = datetime(2026, 11, 24, 23, 59, 55, tzinfo=UTC)
    assert time_of_day(2.0, just_before) == datetime(2026, 11, 25, 0, 0, 2, tzinfo=UTC)
    assert time_of_day(43_200.0, NOW) == NOW


def test_bad_input_is_counted_with_its_reason_and_never_raised() -> None:
    decoder = AsterixDecoder()
    no_position = C62.cv_record.create({"010": (("SAC", 1), ("SIC", 2)), "040": 9,
                                        "070": (43_200.0, "s"), "136": (100.0, "FL")})  # fmt: skip
    no_velocity = C62.cv_record.create({
        "010": (("SAC", 1), ("SIC", 2)), "040": 10, "070": (43_200.0, "s"),
        "105": (("LAT", (34.0, "°")), ("LON", (36.0, "°"))), "136": (100.0, "FL"),
    })  # fmt: skip
    cat048 = gen.Cat_048_1_32
    plot = cat048.cv_record.create({"010": (("SAC", 1), ("SIC", 2)), "040": 0})
    good = encode_cat062([aircraft(pressure_alt_m=7620.0)])
    for datagram in (
        b"",
        b"hello, world",
        good[:-3],  # a datablock cut short
        cat048.create([plot]).unparse().to_bytes(),
        bytes([62, 0, 6, 0xFF, 0xFF, 0xFF]),  # an FSPEC that never ends
        C62.create([no_position, no_velocity]).unparse().to_bytes(),
    ):
        assert decoder.feed(datagram, NOW) == []
    assert [s.id for s in decoder.feed(good, NOW)] == ["4CA1F2"]  # the reader carries on
    stats = decoder.stats
    assert (stats.datagrams, stats.not_asterix, stats.unknown_category) == (7, 3, 1)
    assert (stats.bad_datablocks, stats.without_position, stats.incomplete) == (1, 1, 1)
    assert stats.skipped == 7 and stats.states == 1
    assert "category 48 is not read" in " ".join(stats.errors)
    assert "without I062/105 position" in " ".join(stats.errors)
    assert "TN-1-2-10 without velocity" in " ".join(stats.errors)


def test_a_value_out_of_range_skips_its_record_only() -> None:
    high = C62.cv_record.create({
        "010": (("SAC", 1), ("SIC", 2)), "040": 11, "070": (43_200.0, "s"),
        "105": (("LAT", (34.0, "°")), ("LON", (36.0, "°"))), "136": (1500.0, "FL"),
        "185": (("VX", (100.0, "m/s")), ("VY", (0.0, "m/s"))),
    })  # fmt: skip
    decoder = AsterixDecoder()
    data = C62.create([high]).unparse().to_bytes() + encode_cat062([aircraft(qnh_alt_m=1.0)])
    assert len(decoder.feed(data, NOW)) == 1
    assert decoder.stats.incomplete == 1
    assert "pressure altitude 45720 outside" in decoder.stats.errors[-1]


def test_targets_on_the_ground_are_skipped_unless_asked_for() -> None:
    report = C21.cv_record.create({
        "010": (("SAC", 1), ("SIC", 2)),
        "040": (
            (("ATP", 0), ("ARC", 0), ("RC", 0), ("RAB", 0), None),
            (("DCR", 0), ("GBS", 1), ("SIM", 0), ("TST", 0), ("SAA", 0), ("CL", 0), None),
        ),
        "071": (43_200.0, "s"), "080": 0x4CA1F2, "140": (900.0, "ft"),
        "130": (("LAT", (34.0, "°")), ("LON", (36.0, "°"))),
        "160": (("RE", 0), ("GS", (0.001, "NM/s")), ("TA", (10.0, "°"))),
    })  # fmt: skip
    data = C21.create([report]).unparse().to_bytes()
    decoder = AsterixDecoder()
    assert decoder.feed(data, NOW) == [] and decoder.stats.ground == 1
    [taxiing] = AsterixDecoder(AsterixConfig(include_ground=True)).feed(data, NOW)
    assert taxiing.geometric_alt_m == pytest.approx(900 * FT_M)


@settings(max_examples=examples(200))
@given(
    st.binary(max_size=64),
    st.integers(min_value=0, max_value=200),
    st.sampled_from([None, 21, 62]),
)
def test_no_datagram_makes_the_decoder_raise(noise: bytes, at: int, category: int | None) -> None:
    good = bytearray(encode_cat062([aircraft(pressure_alt_m=7620.0)]))
    good[min(at, len(good)) : min(at, len(good)) + len(noise)] = noise
    if category is not None:
        good[0:3] = bytes([category]) + len(good).to_bytes(2, "big")
    decoder = AsterixDecoder()
    decoder.feed(bytes(good), NOW)
    assert decoder.stats.datagrams == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("udp://127.0.0.1:30062", ("127.0.0.1", 30062)),
        ("udp://239.1.2.3:8600/", ("239.1.2.3", 8600)),
    ],
)
def test_udp_addresses_are_read(text: str, expected: tuple[str, int]) -> None:
    assert parse_udp_address(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "127.0.0.1:30062",
        "tcp://127.0.0.1:1",
        "udp://127.0.0.1",
        "udp://radar:80",
        "udp://1.2.3.4:99999",
    ],
)
def test_other_addresses_are_refused(text: str) -> None:
    with pytest.raises(AsterixAddressError):
        parse_udp_address(text)


@pytest.mark.parametrize("address", ["127.0.0.1", "239.255.62.21"])
def test_datagrams_sent_over_udp_are_read_unicast_and_multicast(address: str) -> None:
    with open_udp(address, 0, interface="127.0.0.1") as sock:
        port = sock.getsockname()[1]
        decoder = AsterixDecoder()
        datagrams = [b"not asterix", encode_cat062([aircraft(pressure_alt_m=7620.0)])]
        with sending(address, port, datagrams):
            read = read_udp(sock, decoder, lambda: NOW, wait_s=0.2)
            got = [state for _, batch in zip(range(6), read, strict=False) for state in batch]
            read.close()
    assert got and {s.id for s in got} == {"4CA1F2"}
    assert decoder.stats.not_asterix >= 2


def test_a_silent_socket_yields_empty_batches_so_the_caller_keeps_time() -> None:
    with open_udp("127.0.0.1", 0) as sock:
        read = read_udp(sock, AsterixDecoder(), lambda: NOW, wait_s=0.05)
        assert next(read) == [] and next(read) == []
        read.close()
