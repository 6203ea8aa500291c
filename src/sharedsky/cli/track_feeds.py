"""``sharedsky tracks replay|sbs|list``: feed a party's tracks to the server and read the picture.

``replay FILE`` plays a recording (a BaseStation/SBS-1 capture, plain or gzip, or JSON Lines of
``POST /v1/tracks`` states) at 1×–100× speed, re-stamped to the present; ``sbs HOST:PORT``
forwards a live BaseStation feed (e.g. dump1090 on port 30003). Both post the newest state of
each aircraft once per ``--batch-s`` seconds as the caller's party; ``--for 30s`` bounds either
(a replay then plays its first 30 s × speed of recording; the feed is left after 30 s).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from sharedsky.cli._common import (
    Connection,
    JsonOption,
    TimeUp,
    connection_options,
    duration_s,
    emit_json,
    fail,
    now_of,
    position_text,
    print_table,
    stdout,
    table,
    time_limit,
)
from sharedsky.cli.tracks import app
from sharedsky.client import Client
from sharedsky.interop.sbs import SbsDecoder, read_file, read_socket
from sharedsky.sim.replay import check_speed, parse_time, replay
from sharedsky.units import FL_M, KT_MPS

MAX_BATCH = 10_000
"""States per POST at most (the server's default limit)."""
State = dict[str, object]


def _post(client: Client, states: list[State], counts: dict[str, int]) -> None:
    for lo in range(0, len(states), MAX_BATCH):
        done = client.post_tracks(states[lo : lo + MAX_BATCH])
        counts["accepted"] += done.accepted
        counts["stale"] += done.stale
        counts["posts"] += 1


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
    for state in read_file(path):
        yield state.to_wire()


def _within(states: Iterable[State], span_s: float | None) -> Iterator[State]:
    """The states recorded less than ``span_s`` seconds after the first (all when None)."""
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
    speed: Annotated[float, typer.Option(help="Replay speed, 1 to 100 × real time.")] = 1.0,
    batch_s: Annotated[
        float, typer.Option("--batch-s", help="Recorded seconds per POST (newest state each).")
    ] = 1.0,
    for_s: Annotated[
        float | None,
        typer.Option(
            "--for",
            parser=duration_s,
            metavar="DURATION",
            help="Replay only this long: 30s, 5m … (its first DURATION × speed recorded; "
            "default: all of it).",
        ),
    ] = None,
    *,
    connection: Connection,
) -> None:
    """Replay a recording as the caller's party's live tracks, re-stamped to now."""
    try:
        check_speed(speed)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--speed'") from None
    if not file.is_file():
        raise typer.BadParameter(f"no file {file}", param_hint="FILE")
    counts = {"accepted": 0, "stale": 0, "posts": 0}
    with connection.open() as client:
        report = replay(
            _within(_recorded(file), None if for_s is None else for_s * speed),
            lambda batch: _post(client, batch, counts),
            speed=speed,
            batch_s=batch_s * speed,
            latest_only=True,
            clock=_Clock(ctx),
        )
    stdout().print(
        f"replayed {report.states:,} states ({report.recorded_s:,.0f} s recorded) in "
        f"{counts['posts']:,} posts: {counts['accepted']:,} accepted, {counts['stale']:,} stale"
    )


@app.command("sbs")
@connection_options
def sbs_command(
    address: Annotated[str, typer.Argument(help="HOST:PORT of a BaseStation feed (port 30003).")],
    batch_s: Annotated[float, typer.Option("--batch-s", help="Seconds between two POSTs.")] = 1.0,
    for_s: Annotated[
        float | None,
        typer.Option(
            "--for",
            parser=duration_s,
            metavar="DURATION",
            help="Stop after this long: 30s, 5m, 1h30m (default: until Ctrl-C).",
        ),
    ] = None,
    *,
    connection: Connection,
) -> None:
    """Forward a live BaseStation/SBS-1 feed as the caller's party's tracks, reconnecting
    whenever it drops, until Ctrl-C or --for: exit 0 with the counts, 1 when no feed ever
    answered."""
    host, _, port_text = address.rpartition(":")
    if not host or not port_text.isdigit():
        raise typer.BadParameter(f"{address!r} is not HOST:PORT", param_hint="ADDRESS")
    decoder = SbsDecoder()
    counts = {"accepted": 0, "stale": 0, "posts": 0}
    newest: dict[str, State] = {}
    with connection.open() as client:
        due = time.monotonic() + batch_s
        try:
            with time_limit(for_s):
                for state in read_socket(host, int(port_text), decoder):
                    newest[state.hexident] = state.to_wire()
                    if time.monotonic() >= due and newest:
                        _post(client, list(newest.values()), counts)
                        newest.clear()
                        due = time.monotonic() + batch_s
        except (KeyboardInterrupt, TimeUp):
            pass
        if newest:  # what came since the last POST
            _post(client, list(newest.values()), counts)
    stats = decoder.stats
    if not stats.connections:
        raise fail(f"no BaseStation feed answered at {address}")
    stdout().print(
        f"{stats.lines:,} lines ({stats.malformed:,} malformed) in {stats.connections:,} "
        f"connections, {counts['accepted']:,} states accepted in {counts['posts']:,} posts"
    )


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
        "id", "party", "position", "FL", "GS kt", "track", "age",
    )  # fmt: skip
    for t in picture.tracks:
        shown.add_row(
            escape(t.id),
            escape(t.party),
            position_text(t.lon, t.lat),
            f"{t.alt_m / FL_M:.0f}",
            f"{t.gs_mps / KT_MPS:.0f}",
            f"{t.trk_deg:03.0f}°",
            f"{t.age_s:.0f} s",
        )
    print_table(stdout(), shown)


__all__ = ["list_command", "replay_command", "sbs_command"]
