"""BaseStation (SBS-1) feed → complete track states (metres, metres per second, degrees, UTC).

The feed is the comma-separated text that ADS-B receivers such as dump1090 serve on TCP port
30003, one message per line::

    MSG,<type>,<session>,<aircraft>,<hexident>,<flight>,<date gen>,<time gen>,<date logged>,
    <time logged>,<callsign>,<altitude ft>,<groundspeed kt>,<track deg>,<lat>,<lon>,
    <vertical rate ft/min>,<squawk>,<alert>,<emergency>,<spi>,<is on ground>

Each message carries only part of an aircraft's state (type 1 the callsign, 3 the airborne
position and altitude, 4 the velocity, 5–7 the altitude …), so `SbsDecoder` keeps one
accumulator per hexident. It emits a state at the time of each new airborne position when the
aircraft's velocity and altitude are fresh enough at that time (`SbsConfig`); a position that
arrives before its velocity is emitted when the velocity comes, if still fresh. Times are the
*generated* date and time fields, read in the receiver's zone (`SbsConfig.feed_tz`, UTC unless
told; dump1090 writes local time). Malformed lines are counted and skipped, never raised.

Sources: `read_lines` (any iterable of lines), `read_file` (plain or gzip, detected by its
magic bytes) and `read_socket` (a TCP feed, reconnecting after errors and silences).
"""

from __future__ import annotations

import gzip
import math
import socket
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TextIO

from sharedsky.interop.feed_states import callsign_of
from sharedsky.units import FPM_MPS, FT_M, KT_MPS

_FIELDS = 22
_MIN_FIELDS = 10
"""Up to the generated date and time; missing trailing fields count as empty."""
_OTHER_KINDS = frozenset({"SEL", "ID", "AIR", "STA", "CLK"})
"""Valid BaseStation lines that carry no state (selection, id, new aircraft, status, clock)."""
_POSITION_TYPES = frozenset({2, 3})
_ALTITUDE_TYPES = frozenset({2, 3, 5, 6, 7})


class SbsLineError(ValueError):
    """One line that is not a well-formed BaseStation message (counted, never raised out)."""


@dataclass(frozen=True, slots=True)
class SbsConfig:
    """How fresh each part of a state must be, and what to keep."""

    max_velocity_age_s: float = 10.0
    """A velocity further than this from the position's time is not used."""
    max_altitude_age_s: float = 10.0
    """An altitude further than this from the position's time is not used."""
    max_position_age_s: float = 5.0
    """A position waiting for its velocity is dropped once the velocity is this much later."""
    forget_after_s: float = 300.0
    """An aircraft not heard from for this long (feed time) is forgotten."""
    include_ground: bool = False
    """Emit states of aircraft on the ground (surface positions, the ground flag) too."""
    feed_tz: tzinfo = UTC
    """The zone in which the feed writes its generated date and time."""


@dataclass(slots=True)
class SbsStats:
    """Counts of what a decoder has seen since it was made."""

    lines: int = 0
    messages: int = 0
    """``MSG`` lines read without error."""
    ignored: int = 0
    """Valid lines that carry no state (``SEL``, ``STA`` …) and blank lines."""
    malformed: int = 0
    emitted: int = 0
    incomplete: int = 0
    """Airborne positions never emitted: superseded by a newer one, or their velocity came too
    late."""
    connections: int = 0
    """TCP connections opened by `read_socket`."""
    errors: list[str] = field(default_factory=list)
    """The reasons of the most recent malformed lines (the last 20)."""


@dataclass(frozen=True, slots=True)
class SbsState:
    """The complete state of one aircraft at one moment, decoded from a BaseStation feed."""

    hexident: str
    """The ICAO 24-bit address, upper-case hex (``~``-prefixed for non-ICAO addresses)."""
    time: datetime
    """When the position was generated, UTC."""
    lat_deg: float
    lon_deg: float
    alt_m: float
    """Barometric altitude, metres: the pressure altitude the transponder reports (standard
    setting, 1013.25 hPa), posted with ``alt_ref`` STD."""
    gs_mps: float
    trk_deg: float
    """Track angle over the ground, degrees clockwise from true north, in [0, 360)."""
    vs_mps: float
    """Vertical rate, metres per second, positive up (0 when the feed gave none)."""
    callsign: str | None = None
    """The callsign of the aircraft's newest identification (MSG,1), trimmed; None when none
    came or it is not a callsign the wire takes (`feed_states.callsign_of`)."""

    def to_wire(self, notice_id: str | None = None) -> dict[str, object]:
        """The state as one element of the ``tracks`` list of ``POST /v1/tracks``, with its
        callsign when it has one."""
        return {
            "id": self.hexident,
            "time": _iso(self.time),
            "lat": self.lat_deg,
            "lon": self.lon_deg,
            "alt_m": self.alt_m,
            "alt_ref": "STD",
            "gs_mps": self.gs_mps,
            "trk_deg": self.trk_deg,
            "vs_mps": self.vs_mps,
            "notice_id": notice_id,
            "callsign": callsign_of(self.callsign),
        }


@dataclass(slots=True)
class _Aircraft:
    """What is known of one hexident: each part with the feed time (epoch seconds) it came at."""

    seen_s: float
    callsign: str | None = None
    position: tuple[float, float, float] | None = None
    """(time_s, lat_deg, lon_deg) of the newest airborne position."""
    position_done: bool = False
    """The newest position has been emitted or dropped."""
    velocity: tuple[float, float, float, float] | None = None
    """(time_s, gs_mps, trk_deg, vs_mps)."""
    altitude: tuple[float, float] | None = None
    """(time_s, alt_m)."""
    on_ground: bool = False


class SbsDecoder:
    """Turns BaseStation lines into complete states, one accumulator per hexident."""

    def __init__(self, config: SbsConfig | None = None) -> None:
        self.config = config or SbsConfig()
        self.stats = SbsStats()
        self._aircraft: dict[str, _Aircraft] = {}
        self._newest_s = -math.inf
        self._next_sweep_s = -math.inf

    def feed(self, line: str | bytes) -> SbsState | None:
        """Read one line; the state it completes, or None (malformed lines are counted)."""
        self.stats.lines += 1
        try:
            text = line.decode("ascii") if isinstance(line, bytes) else line
            return self._message(text.strip())
        except (ValueError, OverflowError) as exc:  # SbsLineError and UnicodeDecodeError too
            self.stats.malformed += 1
            self.stats.errors = [*self.stats.errors[-19:], f"line {self.stats.lines}: {exc}"]
            return None

    def _message(self, text: str) -> SbsState | None:
        fields = [f.strip() for f in text.split(",")]
        if text == "" or fields[0] in _OTHER_KINDS:
            self.stats.ignored += 1
            return None
        if fields[0] != "MSG":
            raise SbsLineError(f"unknown message kind {fields[0][:10]!r}")
        if len(fields) < _MIN_FIELDS or len(fields) > _FIELDS:
            raise SbsLineError(f"{len(fields)} fields, not {_MIN_FIELDS} to {_FIELDS}")
        fields += [""] * (_FIELDS - len(fields))
        kind = int(fields[1])
        if not 1 <= kind <= 8:
            raise SbsLineError(f"no transmission type {kind}")
        hexident = fields[4].upper()
        if not 1 <= len(hexident) <= 8 or not hexident.isprintable():
            raise SbsLineError(f"bad hexident {hexident[:10]!r}")
        time_s = _generated_s(fields[6], fields[7], self.config.feed_tz)
        alt_ft, gs_kt, trk_deg = _number(fields[11]), _number(fields[12]), _number(fields[13])
        lat_deg, lon_deg, vrate_fpm = _number(fields[14]), _number(fields[15]), _number(fields[16])
        if lat_deg is not None and not -90.0 <= lat_deg <= 90.0:
            raise SbsLineError(f"latitude {lat_deg} out of range")
        if lon_deg is not None and not -180.0 <= lon_deg <= 180.0:
            raise SbsLineError(f"longitude {lon_deg} out of range")
        if gs_kt is not None and gs_kt < 0.0:
            raise SbsLineError(f"ground speed {gs_kt} is negative")
        self.stats.messages += 1
        self._sweep(time_s)
        plane = self._aircraft.get(hexident)
        if plane is None:
            plane = self._aircraft[hexident] = _Aircraft(seen_s=time_s)
        plane.seen_s = max(plane.seen_s, time_s)
        if (callsign := callsign_of(fields[10])) is not None:
            plane.callsign = callsign
        if kind == 2:
            plane.on_ground = True
        elif kind == 3 or fields[21]:
            plane.on_ground = fields[21] not in ("", "0")  # BaseStation writes -1 for true
        if kind in _ALTITUDE_TYPES and alt_ft is not None:
            if plane.altitude is None or time_s >= plane.altitude[0]:
                plane.altitude = (time_s, alt_ft * FT_M)
        if kind == 4 and gs_kt is not None and trk_deg is not None:
            if plane.velocity is None or time_s >= plane.velocity[0]:
                vs_mps = 0.0 if vrate_fpm is None else vrate_fpm * FPM_MPS
                plane.velocity = (time_s, gs_kt * KT_MPS, trk_deg % 360.0, vs_mps)
                return self._complete(hexident, plane, on_velocity=True)
        if kind in _POSITION_TYPES and lat_deg is not None and lon_deg is not None:
            if plane.position is None or time_s > plane.position[0]:
                if plane.position is not None and not plane.position_done:
                    self.stats.incomplete += 1  # superseded before its velocity came
                plane.position = (time_s, lat_deg, lon_deg)
                plane.position_done = False
                return self._complete(hexident, plane, on_velocity=False)
        return None

    def _complete(self, hexident: str, plane: _Aircraft, *, on_velocity: bool) -> SbsState | None:
        """The state of a position not emitted yet, when its velocity and altitude are fresh."""
        config = self.config
        if plane.position is None or plane.position_done:
            return None
        if plane.on_ground and not config.include_ground:
            plane.position_done = True
            return None
        time_s, lat_deg, lon_deg = plane.position
        velocity, altitude = plane.velocity, plane.altitude
        if (
            on_velocity
            and velocity is not None
            and velocity[0] - time_s > config.max_position_age_s
        ):
            plane.position_done = True  # its velocity came too late: the position is stale
            self.stats.incomplete += 1
            return None
        if (
            velocity is None
            or abs(velocity[0] - time_s) > config.max_velocity_age_s
            or altitude is None
            or abs(altitude[0] - time_s) > config.max_altitude_age_s
        ):
            return None  # a velocity still to come may complete it
        plane.position_done = True
        self.stats.emitted += 1
        return SbsState(
            hexident=hexident,
            time=datetime.fromtimestamp(time_s, UTC),
            lat_deg=lat_deg,
            lon_deg=lon_deg,
            alt_m=altitude[1],
            gs_mps=velocity[1],
            trk_deg=velocity[2],
            vs_mps=velocity[3],
            callsign=plane.callsign,
        )

    def _sweep(self, time_s: float) -> None:
        """Forget aircraft silent for `forget_after_s` (checked at most once a minute of feed)."""
        self._newest_s = max(self._newest_s, time_s)
        if self._newest_s < self._next_sweep_s:
            return
        self._next_sweep_s = self._newest_s + 60.0
        cutoff = self._newest_s - self.config.forget_after_s
        for hexident in [h for h, p in self._aircraft.items() if p.seen_s < cutoff]:
            del self._aircraft[hexident]

    @property
    def tracked(self) -> int:
        """How many aircraft the decoder holds an accumulator for."""
        return len(self._aircraft)


def read_lines(
    lines: Iterable[str | bytes], decoder: SbsDecoder | None = None
) -> Generator[SbsState, None, None]:
    """The complete states in ``lines``, in feed order; pass a decoder to read its stats."""
    decoder = decoder or SbsDecoder()
    for line in lines:
        state = decoder.feed(line)
        if state is not None:
            yield state


def read_file(
    path: str | Path, decoder: SbsDecoder | None = None
) -> Generator[SbsState, None, None]:
    """The complete states in a BaseStation capture file, plain text or gzip-compressed."""
    path = Path(path)
    with path.open("rb") as probe:
        compressed = probe.read(2) == b"\x1f\x8b"
    handle: TextIO = (
        gzip.open(path, "rt", encoding="ascii", errors="replace")
        if compressed
        else path.open(encoding="ascii", errors="replace")
    )
    with handle:
        yield from read_lines(handle, decoder)


def read_socket(
    host: str,
    port: int,
    decoder: SbsDecoder | None = None,
    *,
    timeout_s: float = 30.0,
    reconnect_delay_s: float = 1.0,
    max_reconnect_delay_s: float = 30.0,
    retries: int | None = None,
    stop: threading.Event | None = None,
    connect: Callable[[tuple[str, int], float], socket.socket] = socket.create_connection,
) -> Generator[SbsState, None, None]:
    """The complete states of a TCP BaseStation feed (e.g. dump1090 on port 30003), for ever.

    A connection that closes, fails or stays silent for ``timeout_s`` seconds is reopened after
    ``reconnect_delay_s`` seconds, doubling up to ``max_reconnect_delay_s`` while connecting
    keeps failing. After ``retries`` consecutive failed connection attempts (None: no limit)
    the last OSError is raised. Setting ``stop`` ends the iteration at the next line or wait;
    closing the generator closes the socket.
    """
    decoder = decoder or SbsDecoder()
    halt = stop or threading.Event()
    failures = 0
    delay_s = reconnect_delay_s
    while not halt.is_set():
        try:
            sock = connect((host, port), timeout_s)
        except OSError:
            failures += 1
            if retries is not None and failures > retries:
                raise
            halt.wait(delay_s)
            delay_s = min(delay_s * 2.0, max_reconnect_delay_s)
            continue
        failures, delay_s = 0, reconnect_delay_s
        decoder.stats.connections += 1
        with sock:
            sock.settimeout(timeout_s)
            for line in _socket_lines(sock, halt):
                state = decoder.feed(line)
                if state is not None:
                    yield state
        if not halt.is_set():
            halt.wait(reconnect_delay_s)


def _socket_lines(sock: socket.socket, halt: threading.Event) -> Iterator[bytes]:
    """The lines a socket sends until it closes, errs, stays silent past its timeout or
    ``halt`` is set; an unterminated last line is dropped."""
    pending = b""
    while not halt.is_set():
        try:
            chunk = sock.recv(65536)
        except OSError:  # includes the timeout of a silent feed
            return
        if not chunk:
            return
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        for line in lines:
            yield line.rstrip(b"\r")
            if halt.is_set():
                return


def encode(state: SbsState, feed_tz: tzinfo = UTC) -> list[str]:
    """BaseStation lines that decode back to ``state`` (to make feeds from recorded
    trajectories): MSG 1 when it has a callsign, MSG 4 and then MSG 3, so that the position
    meets its own velocity; times written in ``feed_tz``, rounded to the millisecond."""
    local = state.time.astimezone(feed_tz)
    date = local.strftime("%Y/%m/%d")
    clock = local.strftime("%H:%M:%S.") + f"{local.microsecond // 1000:03d}"
    head = f"{state.hexident},1,{date},{clock},{date},{clock}"
    ident = [f"MSG,1,1,1,{head},{state.callsign},,,,,,,,,,,"] if state.callsign else []
    gs_kt, vrate_fpm, alt_ft = state.gs_mps / KT_MPS, state.vs_mps / FPM_MPS, state.alt_m / FT_M
    return [
        *ident,
        f"MSG,4,1,1,{head},,,{gs_kt:.1f},{state.trk_deg:.1f},,,{vrate_fpm:.0f},,0,0,0,0",
        f"MSG,3,1,1,{head},,{alt_ft:.0f},,,{state.lat_deg:.5f},{state.lon_deg:.5f},,,0,0,0,0",
    ]


def _number(text: str) -> float | None:
    """The number in a field, None when empty; ValueError when not a finite number."""
    if text == "":
        return None
    value = float(text)
    if not math.isfinite(value):
        raise SbsLineError(f"{text!r} is not a finite number")
    return value


def _generated_s(date: str, clock: str, zone: tzinfo) -> float:
    """Epoch seconds of a ``YYYY/MM/DD`` date and ``HH:MM:SS[.fff]`` time written in ``zone``."""
    parts = date.replace("-", "/").split("/")
    hms = clock.split(":")
    if len(parts) != 3 or len(hms) != 3:
        raise SbsLineError(f"bad generated date/time {date[:12]!r} {clock[:14]!r}")
    whole, _, fraction = hms[2].partition(".")
    micro = int((fraction + "000000")[:6]) if fraction else 0
    moment = datetime(
        int(parts[0]),
        int(parts[1]),
        int(parts[2]),
        int(hms[0]),
        int(hms[1]),
        int(whole),
        micro,
        tzinfo=zone,
    )
    return moment.timestamp()


def _iso(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS[.fff]Z`` of an aware datetime."""
    utc = moment.astimezone(UTC)
    utc = utc.replace(microsecond=0) + timedelta(milliseconds=round(utc.microsecond / 1000))
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{utc.microsecond // 1000:03d}Z" if utc.microsecond else f"{text}Z"
