"""``sharedsky tracks replay|opensky|sbs|asterix|readsb|list``: feed a party's tracks to the
server and read the picture.

``replay FILE`` plays a recording (a BaseStation/SBS-1 capture, plain or gzip, or JSON Lines of
``POST /v1/tracks`` states) and ``opensky FILE`` an OpenSky state-vector file, at 1×–100×
speed, re-stamped to the present; ``sbs HOST:PORT`` forwards a live BaseStation feed (e.g.
dump1090 on port 30003), ``asterix --listen udp://ADDR:PORT`` the CAT062 tracks and CAT021
ADS-B reports sent to a UDP port or multicast group, ``readsb URL_OR_FILE`` a receiver's
``aircraft.json``, polled. Each posts the newest state of each aircraft once per ``--batch-s``
seconds (a poll, for readsb) as the caller's party; ``--for 30s`` bounds any of them (a replay
then plays its first 30 s × speed of recording; a feed is left after 30 s). The readers of
the field's formats say how many records they skipped and why, and on which datum the
altitudes they posted were (the wire's ``alt_m`` has none: a flight level goes as if the QNH
were standard).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Protocol, TypeVar

import httpx
import typer
from rich.markup import escape

from sharedsky.cli._common import (
    Connection,
    JsonOption,
    TimeUp,
    connection_options,
    details,
    duration_s,
    emit_json,
    fail,
    now_of,
    position_text,
    print_table,
    stderr,
    stdout,
    table,
    time_limit,
    track_altitude_text,
)
from sharedsky.cli._names import Names
from sharedsky.cli.tracks import app
from sharedsky.client import Client
from sharedsky.units import FT_M, KT_MPS
from sharedsky.wire import v1

if TYPE_CHECKING:
    from sharedsky.interop.feed_states import DatumCounts, FeedState
    from sharedsky.sim.replay import ReplayReport

# the readers (and the geodesy and NumPy they load) are imported by the commands that run them:
# every other command of the CLI starts without them

MAX_BATCH = 10_000
"""States per POST at most (the server's default limit)."""
State = dict[str, object]


class _Report(Protocol):
    """A reader's state of one aircraft (`SbsState`, `FeedState`)."""

    def to_wire(self, notice_id: str | None = None) -> State: ...


R = TypeVar("R", bound=_Report)


def _post(client: Client, states: list[State], counts: dict[str, int]) -> None:
    for lo in range(0, len(states), MAX_BATCH):
        done = client.post_tracks(states[lo : lo + MAX_BATCH])
        counts["accepted"] += done.accepted
        counts["stale"] += done.stale
        counts["posts"] += 1


def _forward(
    client: Client,
    batches: Iterable[Sequence[R]],
    key: Callable[[R], str],
    *,
    batch_s: float,
    for_s: float | None,
    posted: Callable[[list[R]], None] = lambda _: None,
) -> dict[str, int]:
    """Post the newest state of each aircraft (by ``key``) of a live feed's batches (an empty
    one when the feed had nothing: the loop then only checks the time) at most once per
    ``batch_s`` seconds, until the feed ends, Ctrl-C or ``for_s``; what came since the last
    POST is posted then. ``posted`` sees every state posted. The counts of the POSTs."""
    counts = {"accepted": 0, "stale": 0, "posts": 0}
    newest: dict[str, R] = {}

    def send() -> None:
        states = list(newest.values())
        newest.clear()
        posted(states)
        _post(client, [state.to_wire() for state in states], counts)

    due = time.monotonic() + batch_s
    try:
        with time_limit(for_s):
            for batch in batches:
                for state in batch:
                    newest[key(state)] = state
                if time.monotonic() >= due and newest:
                    send()
                    due = time.monotonic() + batch_s
    except (KeyboardInterrupt, TimeUp):
        pass
    if newest:
        send()
    return counts


def _replay_states(
    ctx: typer.Context,
    client: Client,
    states: Iterable[State],
    *,
    speed: float,
    batch_s: float,
    for_s: float | None,
) -> tuple[ReplayReport, dict[str, int]]:
    """Replay recorded wire states (sorted by time) at ``speed``, re-stamped to the command's
    now, the newest of each aircraft per ``batch_s`` recorded seconds; with ``for_s`` only the
    first ``for_s × speed`` recorded seconds. The replay's report and the counts of the POSTs."""
    from sharedsky.sim.replay import replay

    counts = {"accepted": 0, "stale": 0, "posts": 0}
    report = replay(
        _within(states, None if for_s is None else for_s * speed),
        lambda batch: _post(client, batch, counts),
        speed=speed,
        batch_s=batch_s * speed,
        latest_only=True,
        clock=_Clock(ctx),
    )
    return report, counts


_SpeedOption = Annotated[float, typer.Option(help="Replay speed, 1 to 100 × real time.")]
_ReplayBatchOption = Annotated[
    float, typer.Option("--batch-s", help="Recorded seconds per POST (newest state each).")
]
_ReplayForOption = Annotated[
    float | None,
    typer.Option(
        "--for",
        parser=duration_s,
        metavar="DURATION",
        help="Replay only this long: 30s, 5m … (its first DURATION × speed recorded; "
        "default: all of it).",
    ),
]
_FeedBatchOption = Annotated[float, typer.Option("--batch-s", help="Seconds between two POSTs.")]
_FeedForOption = Annotated[
    float | None,
    typer.Option(
        "--for",
        parser=duration_s,
        metavar="DURATION",
        help="Stop after this long: 30s, 5m, 1h30m (default: until Ctrl-C).",
    ),
]


def _check_speed(speed: float) -> None:
    from sharedsky.sim.replay import check_speed

    try:
        check_speed(speed)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--speed'") from None


class _Clock:
    """The replay's clock: the command's notion of now (the system's, or a test's), real
    monotonic time and sleep."""

    def __init__(self, ctx: typer.Context) -> None:
        self._ctx = ctx

    def now(self) -> datetime:
        return now_of(self._ctx)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def _recorded(path: Path) -> Iterator[State]:
    """The states of a recording, oldest first: JSON Lines of wire states, or SBS-1."""
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise typer.BadParameter(f"line {number}: {exc.msg}") from None
        return
    from sharedsky.interop.sbs import read_file

    for state in read_file(path):
        yield state.to_wire()


def _within(states: Iterable[State], span_s: float | None) -> Iterator[State]:
    """The states recorded less than ``span_s`` seconds after the first (all when None)."""
    from sharedsky.sim.replay import parse_time

    first_s: float | None = None
    for state in states:
        if span_s is not None:
            time_s = parse_time(state.get("time")).timestamp()
            first_s = time_s if first_s is None else first_s
            if time_s - first_s >= span_s:
                return
        yield state


@app.command("replay")
@connection_options
def replay_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="SBS-1 capture (.gz too) or JSON Lines of states.")],
    speed: _SpeedOption = 1.0,
    batch_s: _ReplayBatchOption = 1.0,
    for_s: _ReplayForOption = None,
    *,
    connection: Connection,
) -> None:
    """Replay a recording as the caller's party's live tracks, re-stamped to now."""
    _check_speed(speed)
    if not file.is_file():
        raise typer.BadParameter(f"no file {file}", param_hint="FILE")
    with connection.open() as client:
        report, counts = _replay_states(
            ctx, client, _recorded(file), speed=speed, batch_s=batch_s, for_s=for_s
        )
    stdout().print(
        f"replayed {report.states:,} states ({report.recorded_s:,.0f} s recorded) in "
        f"{counts['posts']:,} posts: {counts['accepted']:,} accepted, {counts['stale']:,} stale"
    )


@app.command("sbs")
@connection_options
def sbs_command(
    address: Annotated[str, typer.Argument(help="HOST:PORT of a BaseStation feed (port 30003).")],
    batch_s: _FeedBatchOption = 1.0,
    for_s: _FeedForOption = None,
    *,
    connection: Connection,
) -> None:
    """Forward a live BaseStation/SBS-1 feed as the caller's party's tracks, reconnecting
    whenever it drops, until Ctrl-C or --for: exit 0 with the counts, 1 when no feed ever
    answered."""
    host, _, port_text = address.rpartition(":")
    if not host or not port_text.isdigit():
        raise typer.BadParameter(f"{address!r} is not HOST:PORT", param_hint="ADDRESS")
    from sharedsky.interop.sbs import SbsDecoder, read_socket

    decoder = SbsDecoder()
    with connection.open() as client:
        counts = _forward(
            client,
            ([state] for state in read_socket(host, int(port_text), decoder)),
            lambda state: state.hexident,
            batch_s=batch_s,
            for_s=for_s,
        )
    stats = decoder.stats
    if not stats.connections:
        raise fail(f"no BaseStation feed answered at {address}")
    stdout().print(
        f"{stats.lines:,} lines ({stats.malformed:,} malformed) in {stats.connections:,} "
        f"connections, {counts['accepted']:,} states accepted in {counts['posts']:,} posts"
    )


@app.command("opensky")
@connection_options
def opensky_command(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(help="OpenSky /states/all JSON: one snapshot, or one per line."),
    ],
    speed: _SpeedOption = 1.0,
    batch_s: _ReplayBatchOption = 1.0,
    for_s: _ReplayForOption = None,
    *,
    connection: Connection,
) -> None:
    """Replay an OpenSky state-vector file as the caller's party's live tracks, re-stamped to
    now: each aircraft's positions in time order, repeats dropped; vectors without position,
    on the ground or incomplete, and snapshots not of the /states/all shape, are counted."""
    _check_speed(speed)
    if not file.is_file():
        raise typer.BadParameter(f"no file {file}", param_hint="FILE")
    from sharedsky.interop import opensky
    from sharedsky.interop.feed_states import DatumCounts

    decoder = opensky.OpenSkyDecoder()
    datums = DatumCounts()

    def states() -> Iterator[State]:
        for state in opensky.read_file(file, decoder):
            datums.add(state)
            yield state.to_wire()

    with connection.open() as client:
        report, counts = _replay_states(
            ctx, client, states(), speed=speed, batch_s=batch_s, for_s=for_s
        )
    stats = decoder.stats
    out = stdout()
    out.print(
        f"replayed {report.states:,} states ({report.recorded_s:,.0f} s recorded) in "
        f"{counts['posts']:,} posts: {counts['accepted']:,} accepted, {counts['stale']:,} stale"
    )
    out.print(
        f"{stats.snapshots:,} snapshots, {stats.vectors:,} state vectors: "
        f"{stats.repeated:,} repeated positions, {stats.skipped:,} skipped ("
        f"{stats.bad_snapshots:,} snapshots not of the /states/all shape, "
        f"{stats.without_position:,} without position, {stats.ground:,} on the ground, "
        f"{stats.incomplete:,} incomplete, {stats.out_of_order:,} out of order)"
    )
    _print_datums(datums.text("altitudes of the states read, each posted with its datum"))
    _print_reasons(stats.errors)


@app.command("asterix")
@connection_options
def asterix_command(
    ctx: typer.Context,
    listen: Annotated[
        str,
        typer.Option(
            "--listen",
            metavar="udp://ADDR:PORT",
            help="Where the feed arrives: this host's address (0.0.0.0: all) or a multicast "
            "group to join, and the UDP port.",
        ),
    ],
    interface: Annotated[
        str | None,
        typer.Option(
            "--interface",
            metavar="ADDR",
            help="This host's IPv4 address on which to join a multicast group (default: the "
            "system's choice).",
        ),
    ] = None,
    batch_s: _FeedBatchOption = 1.0,
    for_s: _FeedForOption = None,
    *,
    connection: Connection,
) -> None:
    """Forward ASTERIX CAT062 system tracks and CAT021 ADS-B reports received over UDP as the
    caller's party's tracks, until Ctrl-C or --for: datagrams that are not ASTERIX, other
    categories and records without position or velocity are counted, never fatal."""
    # libasterix's generated tables take 1.5 s to import: every other command starts without
    from sharedsky.interop import asterix
    from sharedsky.interop.feed_states import DatumCounts

    try:
        address, port = asterix.parse_udp_address(listen)
    except asterix.AsterixAddressError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--listen'") from None
    decoder = asterix.AsterixDecoder()
    datums = DatumCounts()
    try:
        sock = asterix.open_udp(address, port, interface)
    except OSError as exc:
        raise fail(f"cannot listen on {listen}: {exc.strerror or exc}") from None
    with contextlib.ExitStack() as stack, sock, connection.open() as client:
        counts = _forward(
            client,
            asterix.read_udp(sock, decoder, lambda: now_of(ctx), stop=_stop_after(for_s, stack)),
            lambda state: state.id,
            batch_s=batch_s,
            for_s=None,
            posted=_counting(datums),
        )
    stats = decoder.stats
    stdout().print(
        f"{stats.datagrams:,} datagrams, {stats.records:,} records: {stats.states:,} states, "
        f"{stats.skipped:,} skipped ({stats.not_asterix:,} datagrams not ASTERIX, "
        f"{stats.unknown_category:,} datablocks of other categories, "
        f"{stats.bad_datablocks:,} unreadable datablocks, "
        f"{stats.without_position:,} records without position, "
        f"{stats.incomplete:,} incomplete, {stats.ground:,} on the ground); "
        f"{counts['accepted']:,} states accepted in {counts['posts']:,} posts"
    )
    _print_datums(datums.text())
    _print_reasons(stats.errors)


@app.command("readsb")
@connection_options
def readsb_command(
    source: Annotated[
        str,
        typer.Argument(
            metavar="URL_OR_FILE",
            help="http(s):// address of aircraft.json (tar1090: …/data/aircraft.json), or "
            "the file readsb writes.",
        ),
    ],
    every_s: Annotated[
        float,
        typer.Option(
            "--every",
            min=0.01,
            help="Seconds between two polls (a file: between two looks for a change).",
        ),
    ] = 1.0,
    follow: Annotated[
        bool,
        typer.Option("--follow", help="A file: read it again whenever it changes (default: once)."),
    ] = False,
    for_s: _FeedForOption = None,
    *,
    connection: Connection,
) -> None:
    """Forward a readsb/tar1090 aircraft.json as the caller's party's tracks: a URL polled
    until Ctrl-C or --for, a file read once (or, with --follow, whenever it changes); each new
    position posted once. Exit 1 when no poll ever got the document."""
    from sharedsky.interop import readsb
    from sharedsky.interop.feed_states import DatumCounts

    decoder = readsb.ReadsbDecoder()
    datums = DatumCounts()
    is_url = source.startswith(("http://", "https://"))
    if not is_url and not Path(source).is_file():
        raise typer.BadParameter(f"no file {source} (and not an http:// URL)", param_hint="SOURCE")
    with contextlib.ExitStack() as stack:
        stop = _stop_after(for_s, stack)
        if is_url:
            http = stack.enter_context(httpx.Client(timeout=10.0, follow_redirects=True))
            fetch = readsb.url_fetch(source, http, decoder.stats)
        else:
            fetch = readsb.file_fetch(Path(source), decoder.stats)
        client = stack.enter_context(connection.open())
        counts = _forward(
            client,
            readsb.poll(fetch, decoder, every_s=every_s, once=not (is_url or follow), stop=stop),
            lambda state: state.id,
            batch_s=0.0,
            for_s=None,
            posted=_counting(datums),
        )
    stats = decoder.stats
    stdout().print(
        f"{stats.fetches:,} snapshots read ({stats.fetch_errors:,} failed), "
        f"{stats.aircraft:,} aircraft: {stats.states:,} new positions, "
        f"{stats.old_positions:,} already sent or too old, {stats.skipped:,} skipped ("
        f"{stats.bad_snapshots:,} snapshots not of the aircraft.json shape, "
        f"{stats.without_position:,} without position, {stats.ground:,} on the ground, "
        f"{stats.incomplete:,} incomplete); "
        f"{counts['accepted']:,} states accepted in {counts['posts']:,} posts"
    )
    _print_datums(datums.text())
    _print_reasons(stats.errors)
    if not stats.fetches:
        raise fail(f"no aircraft.json could be read from {source}")


def _stop_after(for_s: float | None, stack: contextlib.ExitStack) -> threading.Event:
    """An event set once ``for_s`` seconds have passed (never when None), for a reader that
    checks it between two reads: ``--for`` then ends the reading there, not by `time_limit`'s
    alarm, which could ring while a connection or the API client's portal is half made and
    leave it open. The timer is cancelled when ``stack`` closes."""
    stop = threading.Event()
    if for_s is not None:
        timer = threading.Timer(for_s, stop.set)
        timer.daemon = True
        timer.start()
        stack.callback(timer.cancel)
    return stop


def _counting(datums: DatumCounts) -> Callable[[list[FeedState]], None]:
    def count(states: list[FeedState]) -> None:
        for state in states:
            datums.add(state)

    return count


def _print_datums(text: str) -> None:
    if text:
        stdout().print(text, markup=False)


def _print_reasons(reasons: list[str], shown: int = 3) -> None:
    """The last ``shown`` reasons a reader skipped something, on stderr."""
    for reason in reasons[-shown:]:
        stderr().print(f"skipped: {reason}", markup=False, soft_wrap=True)


@app.command("list")
@connection_options
def list_command(
    connection: Connection,
    as_json: JsonOption = False,
) -> None:
    """The live picture the caller may see."""
    with connection.open() as client:
        picture = client.live_tracks()
    if as_json:
        emit_json(picture)
        return
    shown = table(
        f"{len(picture.tracks)} live tracks at {picture.time.astimezone(UTC):%H:%M:%SZ}",
        "callsign", "id", "party", "position", "alt", "GS kt", "trk", "age",
        whole=("callsign", "id", "position"),
    )  # fmt: skip
    for t in picture.tracks:
        shown.add_row(
            escape(t.callsign or "—"),
            escape(t.id),
            escape(t.party),
            position_text(t.lon, t.lat),
            track_altitude_text(t.alt_m, t.alt_ref, short=True),
            f"{t.gs_mps / KT_MPS:.0f}",
            f"{t.trk_deg:03.0f}°",
            f"{t.age_s:.0f} s",
        )
    print_table(stdout(), shown)


def _matches(track: v1.TrackOut, wanted: str) -> bool:
    """Whether ``wanted`` is the track's id or callsign (letter case and spaces aside)."""
    key = "".join(wanted.split()).upper()
    return key in (track.id.upper(), "".join((track.callsign or "").split()).upper())


@app.command("show")
@connection_options
def show_command(
    track: Annotated[str, typer.Argument(help="The track's callsign or id.")],
    connection: Connection,
    as_json: JsonOption = False,
) -> None:
    """One live track by its callsign or id: where it is, how it flies, the notice it flies
    under (every track of that callsign when two parties report one)."""
    with connection.open() as client:
        picture = client.live_tracks()
        found = [t for t in picture.tracks if _matches(t, track)]
        if not found:
            raise fail(f"no live track {track!r} in your picture ({len(picture.tracks)} tracks)")
        if as_json:
            emit_json(v1.TrackList(time=picture.time, tracks=found))
            return
        names = Names(client)
        for t in found:
            notice = "" if t.notice_id is None else names.subject("notice", t.notice_id)
            rows = [
                ("track", names.side("track", t.id, t.party, callsign=t.callsign)),
                ("callsign", t.callsign or "none reported"),
                ("id", t.id),
                ("position", position_text(t.lon, t.lat)),
                ("altitude", track_altitude_text(t.alt_m, t.alt_ref)),
                (
                    "speed",
                    f"{t.gs_mps / KT_MPS:.0f} kt ({t.gs_mps:.0f} m/s), track {t.trk_deg:03.0f}°",
                ),
                ("climb", f"{t.vs_mps * 60 / FT_M:+,.0f} ft/min" if t.vs_mps else "level"),
                ("notice", notice),
                ("reported", f"{t.time.astimezone(UTC):%H:%M:%SZ}, {t.age_s:.0f} s ago"),
            ]
            stdout().print(details(rows))


__all__ = [
    "asterix_command",
    "list_command",
    "opensky_command",
    "readsb_command",
    "replay_command",
    "sbs_command",
    "show_command",
]
