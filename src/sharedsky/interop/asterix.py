"""ASTERIX CAT062 system tracks and CAT021 ADS-B reports → `FeedState` (metres, m/s, degrees,
UTC), through the PyPI ``libasterix`` library (editions CAT062 1.21, CAT021 2.7).

A radar tracker (CAT062) or an ADS-B ground station (CAT021) sends UDP datagrams, often to a
multicast group; each datagram holds datablocks (category, length, records). What is read of a
record:

========================  ====================================  ================================
                          CAT062 (system track)                 CAT021 (ADS-B report)
========================  ====================================  ================================
time of day (UTC)         I062/070 time of track information    I021/071, else /073, else /077
position (WGS84)          I062/105                              I021/131, else /130
velocity                  I062/185 Vx, Vy (else I062/380 GS,    I021/160 ground speed, track
                          TAN)                                  angle
vertical rate             I062/220 (else I062/380 GVR, BVR)     I021/157, else /155
geometric altitude        I062/130 (WGS84 ellipsoid)            I021/140 (WGS84 ellipsoid)
barometric, on QNH        I062/135 when its QNH bit is set      —
flight level              I062/136, else I062/135 (QNH bit 0)   I021/145
identity                  I062/380 ADR target address, else     I021/080 target address (``~``
                          SAC-SIC and I062/040 track number     before a non-ICAO one)
identification            I062/380 ID, else I062/245            I021/170
on the ground             I062/080 SFC                          I021/040 GBS
========================  ====================================  ================================

Each height keeps its datum in the state (module `sharedsky.interop.feed_states`). A CAT062
velocity is given in the tracker's plane (x east, y north of its projection), so the track
angle read from it is grid, not true, north: within a degree near the projection's centre.

ASTERIX gives only the time of day: `time_of_day` puts it on the UTC day that brings it nearest
to the receiver's clock (``now``, passed in). Nothing raises out of `AsterixDecoder.feed`:
a datagram that is not ASTERIX, a datablock of another category, records that do not parse,
a record without position, one missing time, identity, velocity or altitude, or with a value
out of range, are each counted (`AsterixStats`) and skipped. `encode_cat062` and
`encode_cat021` write states back as datablocks (for tests, benchmarks and simulators).
"""

from __future__ import annotations

import ipaddress
import math
import socket
import struct
import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, TypeAlias, TypeVar
from urllib.parse import urlsplit

import asterix.generated as gen
from asterix.base import Bits, RawDatablock

from sharedsky.interop.feed_states import (
    FeedState,
    callsign_of,
    flight_level_m,
    track_angle_deg,
)
from sharedsky.units import DAY_S, FL_M, FPM_MPS, FT_M, NM_M

Cat062: TypeAlias = gen.Cat_062_1_21
Cat021: TypeAlias = gen.Cat_021_2_7
Record062: TypeAlias = gen.Cat_062_1_21.cv_record
Record021: TypeAlias = gen.Cat_021_2_7.cv_record

_R = TypeVar("_R", Record062, Record021)

CATEGORIES = (62, 21)
MAX_DATAGRAM_BYTES = 65_535
NM_PER_S_MPS = NM_M
"""One nautical mile per second (ASTERIX's unit of ground speed) in metres per second."""
_ERRORS_KEPT = 20


class AsterixAddressError(ValueError):
    """A feed address that is not ``udp://ADDR:PORT`` with an IPv4 address."""


@dataclass(frozen=True, slots=True)
class AsterixConfig:
    """What to keep."""

    include_ground: bool = False
    """Keep targets reported on the ground (CAT062 SFC, CAT021 GBS)."""


@dataclass(slots=True)
class AsterixStats:
    """Counts of what a decoder has seen since it was made."""

    datagrams: int = 0
    datablocks: int = 0
    """Datablocks of CAT062 or CAT021."""
    records: int = 0
    """Records of those datablocks that parsed."""
    states: int = 0
    """Records turned into states."""
    not_asterix: int = 0
    """Datagrams that are not a sequence of whole ASTERIX datablocks (nothing of them is read)."""
    unknown_category: int = 0
    """Datablocks of another category than 62 and 21."""
    bad_datablocks: int = 0
    """CAT062/CAT021 datablocks whose records do not parse (their records are all lost)."""
    without_position: int = 0
    """Records with no WGS84 position."""
    incomplete: int = 0
    """Records with a position but no time, identity, velocity or altitude, or a value out of
    range."""
    ground: int = 0
    """Records of targets on the ground, skipped (`AsterixConfig.include_ground`)."""
    errors: list[str] = field(default_factory=list)
    """The reasons of the most recent skips (the last 20)."""

    @property
    def skipped(self) -> int:
        """Datagrams, datablocks and records skipped, all reasons together."""
        return (
            self.not_asterix
            + self.unknown_category
            + self.bad_datablocks
            + self.without_position
            + self.incomplete
            + self.ground
        )

    def note(self, reason: str) -> None:
        """Keep ``reason`` among the last 20."""
        self.errors = [*self.errors[-(_ERRORS_KEPT - 1) :], reason]


@dataclass(frozen=True, slots=True)
class _Skip:
    """Why a record gave no state: the `AsterixStats` counter to raise and the reason."""

    counter: Literal["without_position", "incomplete", "ground"]
    reason: str


class AsterixDecoder:
    """Turns datagrams into states, counting what it skips."""

    def __init__(self, config: AsterixConfig | None = None) -> None:
        self.config = config or AsterixConfig()
        self.stats = AsterixStats()

    def feed(self, datagram: bytes, now: datetime) -> list[FeedState]:
        """The states of one datagram, in record order; ``now`` (aware) dates the records'
        times of day."""
        stats = self.stats
        stats.datagrams += 1
        blocks = RawDatablock.parse(Bits.from_bytes(datagram)) if datagram else []
        if isinstance(blocks, ValueError) or not blocks:
            stats.not_asterix += 1
            stats.note(f"datagram {stats.datagrams}: not ASTERIX ({len(datagram)} bytes)")
            return []
        states: list[FeedState] = []
        for block in blocks:
            category = block.get_category()
            if category == 62:
                self._block(Cat062.cv_uap.parse(block.get_raw_records()), _cat062, now, states)
            elif category == 21:
                self._block(Cat021.cv_uap.parse(block.get_raw_records()), _cat021, now, states)
            else:
                stats.unknown_category += 1
                stats.note(f"datagram {stats.datagrams}: category {category} is not read")
        return states

    def _block(
        self,
        records: Sequence[_R] | ValueError,
        decode: Callable[[_R, datetime, AsterixConfig], FeedState | _Skip],
        now: datetime,
        into: list[FeedState],
    ) -> None:
        stats = self.stats
        stats.datablocks += 1
        if isinstance(records, ValueError):
            stats.bad_datablocks += 1
            stats.note(f"datagram {stats.datagrams}: records do not parse ({records})")
            return
        for record in records:
            stats.records += 1
            try:
                outcome = decode(record, now, self.config)
            except (ValueError, IndexError, OverflowError) as exc:  # FeedStateError too
                outcome = _Skip("incomplete", str(exc))
            if isinstance(outcome, _Skip):
                setattr(stats, outcome.counter, getattr(stats, outcome.counter) + 1)
                stats.note(f"datagram {stats.datagrams} record {stats.records}: {outcome.reason}")
            else:
                stats.states += 1
                into.append(outcome)


def time_of_day(tod_s: float, now: datetime) -> datetime:
    """The instant whose UTC time of day is ``tod_s`` seconds after midnight, on the day that
    puts it nearest to ``now`` (aware): 23:59:59 read at 00:00:05 is yesterday's."""
    utc = now.astimezone(UTC)
    midnight = utc.replace(hour=0, minute=0, second=0, microsecond=0)
    moment = midnight + timedelta(seconds=tod_s)
    offset_s = (moment - utc).total_seconds()
    if offset_s > DAY_S / 2:
        moment -= timedelta(days=1)
    elif offset_s < -DAY_S / 2:
        moment += timedelta(days=1)
    return moment


# --- CAT062 -------------------------------------------------------------------------------


def _cat062(record: Record062, now: datetime, config: AsterixConfig) -> FeedState | _Skip:
    """One system track, or why not."""
    position = record.get_item("105")
    if position is None:
        return _Skip("without_position", "CAT062 track without I062/105 position")
    status = record.get_item("080")
    surface = status.variation.get_item("SFC") if status is not None else None
    if surface is not None and surface.as_uint() == 1 and not config.include_ground:
        return _Skip("ground", "CAT062 surface target")
    tod = record.get_item("070")
    if tod is None:
        return _Skip("incomplete", "CAT062 track without I062/070 time")
    derived = record.get_item("380")
    adr = derived.variation.get_item("ADR") if derived is not None else None
    number = record.get_item("040")
    source = record.get_item("010")
    if adr is not None:
        ident = f"{adr.as_uint():06X}"
    elif number is not None and source is not None:
        sac = source.variation.get_item("SAC").as_uint()
        sic = source.variation.get_item("SIC").as_uint()
        ident = f"TN-{sac}-{sic}-{number.as_uint()}"
    else:
        return _Skip("incomplete", "CAT062 track with neither target address nor track number")
    velocity = _velocity_062(record)
    if velocity is None:
        return _Skip("incomplete", f"CAT062 track {ident} without velocity")
    gs_mps, trk_deg = velocity
    geometric = record.get_item("130")
    measured = record.get_item("136")
    barometric = record.get_item("135")
    qnh_alt_m = pressure_alt_m = None
    if measured is not None:
        pressure_alt_m = flight_level_m(measured.variation.content.as_quantity("FL"))
    if barometric is not None:
        ctb = barometric.variation.get_item("CTB").variation.content.as_quantity("FL")
        if barometric.variation.get_item("QNH").as_uint() == 1:
            qnh_alt_m = ctb * FL_M
        elif pressure_alt_m is None:
            pressure_alt_m = flight_level_m(ctb)
    id_text = derived.variation.get_item("ID") if derived is not None else None
    target_id = record.get_item("245")
    callsign = (
        id_text.variation.content.as_string()
        if id_text is not None
        else target_id.variation.get_item("CHR").variation.content.as_string()
        if target_id is not None
        else ""
    )
    return FeedState(
        id=ident,
        time=time_of_day(tod.variation.content.as_quantity("s"), now),
        lat_deg=position.variation.get_item("LAT").variation.content.as_quantity("°"),
        lon_deg=position.variation.get_item("LON").variation.content.as_quantity("°"),
        gs_mps=gs_mps,
        trk_deg=trk_deg,
        vs_mps=_vertical_rate_062(record),
        geometric_alt_m=(
            None if geometric is None else geometric.variation.content.as_quantity("ft") * FT_M
        ),
        qnh_alt_m=qnh_alt_m,
        pressure_alt_m=pressure_alt_m,
        callsign=callsign_of(callsign),
    )


def _velocity_062(record: Record062) -> tuple[float, float] | None:
    """(ground speed m/s, track angle °) from I062/185, else from I062/380 GS and TAN."""
    cartesian = record.get_item("185")
    if cartesian is not None:
        vx_mps = cartesian.variation.get_item("VX").variation.content.as_quantity("m/s")
        vy_mps = cartesian.variation.get_item("VY").variation.content.as_quantity("m/s")
        return math.hypot(vx_mps, vy_mps), track_angle_deg(math.degrees(math.atan2(vx_mps, vy_mps)))
    derived = record.get_item("380")
    if derived is None:
        return None
    speed = derived.variation.get_item("GS")
    angle = derived.variation.get_item("TAN")
    if speed is None or angle is None:
        return None
    return (
        speed.variation.content.as_quantity("NM/s") * NM_PER_S_MPS,
        track_angle_deg(angle.variation.content.as_quantity("°")),
    )


def _vertical_rate_062(record: Record062) -> float:
    """Metres per second, positive up: I062/220, else I062/380 GVR, then BVR; 0 when none."""
    rate = record.get_item("220")
    if rate is not None:
        return rate.variation.content.as_quantity("ft/min") * FPM_MPS
    derived = record.get_item("380")
    if derived is not None:
        for name in ("GVR", "BVR"):
            part = derived.variation.get_item(name)
            if part is not None:
                return part.variation.content.as_quantity("ft/min") * FPM_MPS
    return 0.0


# --- CAT021 -------------------------------------------------------------------------------


def _cat021(record: Record021, now: datetime, config: AsterixConfig) -> FeedState | _Skip:
    """One ADS-B report, or why not."""
    fine = record.get_item("131")
    coarse = record.get_item("130")
    if fine is not None:
        lat_deg = fine.variation.get_item("LAT").variation.content.as_quantity("°")
        lon_deg = fine.variation.get_item("LON").variation.content.as_quantity("°")
    elif coarse is not None:
        lat_deg = coarse.variation.get_item("LAT").variation.content.as_quantity("°")
        lon_deg = coarse.variation.get_item("LON").variation.content.as_quantity("°")
    else:
        return _Skip("without_position", "CAT021 report without I021/130 or /131 position")
    descriptor = record.get_item("040")
    ground = descriptor.variation.get_item("GBS") if descriptor is not None else None
    if ground is not None and ground.as_uint() == 1 and not config.include_ground:
        return _Skip("ground", "CAT021 report with the ground bit set")
    tod = record.get_item("071") or record.get_item("073") or record.get_item("077")
    if tod is None:
        return _Skip("incomplete", "CAT021 report without I021/071, /073 or /077 time")
    address = record.get_item("080")
    if address is None:
        return _Skip("incomplete", "CAT021 report without I021/080 target address")
    kind = descriptor.variation.get_item("ATP").as_uint() if descriptor is not None else 0
    ident = ("" if kind == 0 else "~") + f"{address.as_uint():06X}"
    vector = record.get_item("160")
    if vector is None:
        return _Skip("incomplete", f"CAT021 report {ident} without I021/160 ground vector")
    geometric = record.get_item("140")
    level = record.get_item("145")
    rate = record.get_item("157")
    baro_rate = record.get_item("155")
    if rate is not None:
        vs_mps = rate.variation.get_item("GVR").variation.content.as_quantity("ft/min") * FPM_MPS
    elif baro_rate is not None:
        vs_mps = (
            baro_rate.variation.get_item("BVR").variation.content.as_quantity("ft/min") * FPM_MPS
        )
    else:
        vs_mps = 0.0
    target_id = record.get_item("170")
    callsign = target_id.variation.content.as_string() if target_id is not None else ""
    return FeedState(
        id=ident,
        time=time_of_day(tod.variation.content.as_quantity("s"), now),
        lat_deg=lat_deg,
        lon_deg=lon_deg,
        gs_mps=vector.variation.get_item("GS").variation.content.as_quantity("NM/s") * NM_PER_S_MPS,
        trk_deg=track_angle_deg(vector.variation.get_item("TA").variation.content.as_quantity("°")),
        vs_mps=vs_mps,
        geometric_alt_m=(
            None if geometric is None else geometric.variation.content.as_quantity("ft") * FT_M
        ),
        pressure_alt_m=None
        if level is None
        else flight_level_m(level.variation.content.as_quantity("FL")),
        callsign=callsign_of(callsign),
    )


# --- encoding -----------------------------------------------------------------------------


def encode_cat062(
    states: Sequence[FeedState], *, sac: int = 0, sic: int = 1, first_track_number: int = 1
) -> bytes:
    """One CAT062 datablock of system tracks, one record per state: track numbers counted
    from ``first_track_number``, the target address from the state's id when it is six hex
    digits, each altitude the state has (geometric → I062/130, QNH → I062/135 with its QNH
    bit, pressure → I062/136), quantised as the category says (positions to 180/2^25°)."""
    records = []
    for k, state in enumerate(states):
        track: Record062.cv_arg = {
            "010": (("SAC", sac), ("SIC", sic)),
            "070": (_tod_s(state.time), "s"),
            "105": (("LAT", (state.lat_deg, "°")), ("LON", (state.lon_deg, "°"))),
            "185": (("VX", (_east_mps(state), "m/s")), ("VY", (_north_mps(state), "m/s"))),
            "040": (first_track_number + k) % 65_536,
            "220": (state.vs_mps / FPM_MPS, "ft/min"),
        }
        if _is_icao(state.id) or state.callsign:
            track["380"] = {  # None leaves a part out
                "ADR": int(state.id, 16) if _is_icao(state.id) else None,
                "ID": state.callsign[:8] if state.callsign else None,
            }
        if state.geometric_alt_m is not None:
            track["130"] = (state.geometric_alt_m / FT_M, "ft")
        if state.qnh_alt_m is not None:
            track["135"] = (("QNH", 1), ("CTB", (state.qnh_alt_m / FL_M, "FL")))
        if state.pressure_alt_m is not None:
            track["136"] = (state.pressure_alt_m / FL_M, "FL")
        records.append(Cat062.cv_record.create(track))
    return Cat062.create(records).unparse().to_bytes()


def encode_cat021(states: Sequence[FeedState], *, sac: int = 0, sic: int = 2) -> bytes:
    """One CAT021 datablock of ADS-B reports, one record per state (the id must be six hex
    digits: the target address): high-resolution position, geometric height and flight level
    when the state has them (a QNH altitude has no CAT021 item and is not written)."""
    records = []
    for state in states:
        if not _is_icao(state.id):
            raise ValueError(f"a CAT021 target address is six hex digits, not {state.id!r}")
        report: Record021.cv_arg = {
            "010": (("SAC", sac), ("SIC", sic)),
            "040": ((("ATP", 0), ("ARC", 0), ("RC", 0), ("RAB", 0), None),),
            "071": (_tod_s(state.time), "s"),
            "131": (("LAT", (state.lat_deg, "°")), ("LON", (state.lon_deg, "°"))),
            "080": int(state.id, 16),
            "157": (("RE", 0), ("GVR", (state.vs_mps / FPM_MPS, "ft/min"))),
            "160": (
                ("RE", 0),
                ("GS", (state.gs_mps / NM_PER_S_MPS, "NM/s")),
                ("TA", (state.trk_deg, "°")),
            ),
        }
        if state.geometric_alt_m is not None:
            report["140"] = (state.geometric_alt_m / FT_M, "ft")
        if state.pressure_alt_m is not None:
            report["145"] = (state.pressure_alt_m / FL_M, "FL")
        if state.callsign:
            report["170"] = state.callsign[:8]
        records.append(Cat021.cv_record.create(report))
    return Cat021.create(records).unparse().to_bytes()


def _tod_s(moment: datetime) -> float:
    utc = moment.astimezone(UTC)
    return utc.hour * 3600 + utc.minute * 60 + utc.second + utc.microsecond / 1e6


def _east_mps(state: FeedState) -> float:
    return state.gs_mps * math.sin(math.radians(state.trk_deg))


def _north_mps(state: FeedState) -> float:
    return state.gs_mps * math.cos(math.radians(state.trk_deg))


def _is_icao(ident: str) -> bool:
    return len(ident) == 6 and all(c in "0123456789ABCDEFabcdef" for c in ident)


# --- the UDP feed -------------------------------------------------------------------------


def parse_udp_address(text: str) -> tuple[str, int]:
    """(IPv4 address, port) of ``udp://ADDR:PORT``; `AsterixAddressError` otherwise."""
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname
    if parts.scheme != "udp" or host is None or port is None or parts.path not in ("", "/"):
        raise AsterixAddressError(f"{text!r} is not udp://ADDR:PORT")
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        raise AsterixAddressError(f"{host!r} is not an IPv4 address") from None
    return host, port


def open_udp(address: str, port: int, interface: str | None = None) -> socket.socket:
    """A UDP socket bound to ``address:port``; when ``address`` is a multicast group, bound to
    it and joined to it on ``interface`` (an IPv4 address of this host; None: the one the
    system chooses). Several readers may bind the same group and port."""
    group = ipaddress.IPv4Address(address).is_multicast
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        if group:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        if group:
            local = socket.inet_aton(interface or "0.0.0.0")
            membership = struct.pack("4s4s", socket.inet_aton(address), local)
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, membership)
    except OSError:
        sock.close()
        raise
    return sock


def read_udp(
    sock: socket.socket,
    decoder: AsterixDecoder,
    now: Callable[[], datetime],
    *,
    wait_s: float = 1.0,
    stop: threading.Event | None = None,
) -> Generator[list[FeedState], None, None]:
    """The states of each datagram the socket receives (an empty list after ``wait_s`` seconds
    without one, so that a caller can act on time), until ``stop`` is set or the generator is
    closed; ``now()`` dates each datagram. The socket is the caller's to close."""
    halt = stop or threading.Event()
    sock.settimeout(wait_s)
    while not halt.is_set():
        try:
            datagram = sock.recv(MAX_DATAGRAM_BYTES)
        except TimeoutError:
            yield []
            continue
        yield decoder.feed(datagram, now())


__all__ = [
    "CATEGORIES",
    "AsterixAddressError",
    "AsterixConfig",
    "AsterixDecoder",
    "AsterixStats",
    "encode_cat021",
    "encode_cat062",
    "open_udp",
    "parse_udp_address",
    "read_udp",
    "time_of_day",
]
