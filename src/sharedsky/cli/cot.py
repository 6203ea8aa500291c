"""``sharedsky cot push --to tcp://HOST:PORT | tls://HOST:PORT``: the caller's live picture to a
TAK server, as Cursor on Target events.

It reads through the SDK what the caller may see: the live tracks every ``--interval`` (1 s),
the notices, zones and open conflicts every ``--refresh`` (10 s); and it sends, over one TCP or
TLS connection (pytak's), each event whose object is new or changed since it was last sent
(``interop/formats/cot.py`` says what each event holds). So a new position reaches the TAK
server within ``--interval`` plus one read of it. A drawing whose object left the picture (a
notice cancelled or ended, a zone withdrawn, a conflict resolved) is deleted on the TAK side
(``t-x-d-d``); every drawing is sent again once an hour (`RESEND_S`), for the clients that
joined since and so that an open-ended one never goes stale.

``--for 30s`` or ``--limit N`` (events sent) bound it; Ctrl-C ends it. It prints a line for
each refresh that sent a drawing and, at the end, how many events of each type it sent.

TLS: a TAK server asks for a client certificate, so ``tls://`` needs ``--cert`` and ``--key``
(PEM files); ``--ca`` names the CA certificates that sign the TAK server's (default: the
system's). The sharedsky server's own TLS files come from ``SHAREDSKY_CA``,
``SHAREDSKY_CLIENT_CERT`` and ``SHAREDSKY_CLIENT_KEY``, as ``--ca``, ``--cert`` and
``--key`` are the TAK server's here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import time
import warnings
from collections import Counter
from collections.abc import Iterable
from configparser import ConfigParser
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

import typer

from sharedsky.cli._common import (
    Connection,
    duration_s,
    duration_text,
    fail,
    server_connection_options,
    stdout,
)
from sharedsky.client import Client
from sharedsky.wire import v1

if TYPE_CHECKING:
    from sharedsky.interop.formats.cot import CotEvent

app = typer.Typer(
    help="Cursor on Target: push streams your party's live picture (tracks, notices, zones,"
    " conflicts) to a TAK server over TCP or TLS.",
    no_args_is_help=True,
)

RESEND_S = 3600.0
"""Every drawing is sent again this long after it was last sent, seconds."""
CONNECT_TIMEOUT_S = 10.0
"""How long connecting to the TAK server may take, seconds."""
_NAMES = {
    "track": ("track", "tracks"),
    "notice": ("notice", "notices"),
    "zone": ("zone", "zones"),
    "conflict": ("conflict", "conflicts"),
    "deletion": ("deletion", "deletions"),
}


class TakError(Exception):
    """The TAK server could not be reached, refused the connection or dropped it."""


class TakLink:
    """One TCP or TLS connection to a TAK server (pytak's client), on an event loop of its
    own, used from synchronous code: `send` returns once the bytes are handed to the socket."""

    def __init__(self, url: str, cert: Path | None, key: Path | None, ca: Path | None) -> None:
        import pytak

        self.url = url
        config = ConfigParser(interpolation=None)
        values = {"COT_URL": url}
        if cert is not None and key is not None:
            values |= {"PYTAK_TLS_CLIENT_CERT": str(cert), "PYTAK_TLS_CLIENT_KEY": str(key)}
            trusted = str(ca) if ca is not None else ssl.get_default_verify_paths().cafile
            if trusted:
                values["PYTAK_TLS_CLIENT_CAFILE"] = trusted
        config["cot"] = values
        section = config["cot"]
        self._loop = asyncio.new_event_loop()
        try:
            with warnings.catch_warnings():
                # pytak 7.6.1 refuses TLS 1.0 and 1.1 through the OP_NO_TLS* flags, which
                # Python deprecates in favour of minimum_version: the same refusal
                warnings.filterwarnings("ignore", "ssl.OP_NO_", DeprecationWarning)
                opening = asyncio.wait_for(pytak.protocol_factory(section), CONNECT_TIMEOUT_S)
                _, self._writer = self._loop.run_until_complete(opening)
        except BaseException as exc:
            self._loop.close()
            raise _connect_error(url, exc) from exc
        self._worker = pytak.TXWorker(asyncio.Queue(), section, self._writer)

    def send(self, data: bytes) -> None:
        """Send ``data``; TakError when the server has closed the connection."""
        try:
            self._loop.run_until_complete(self._worker.send_data(data))
        except OSError as exc:  # reset, broken pipe
            raise TakError(f"the TAK server at {self.url} closed the connection") from exc
        if self._writer.is_closing():
            raise TakError(f"the TAK server at {self.url} closed the connection")

    def close(self) -> None:
        """Close the connection and its event loop."""
        self._writer.close()
        with contextlib.suppress(OSError, ssl.SSLError):
            self._loop.run_until_complete(self._writer.wait_closed())
        self._loop.close()


def _connect_error(url: str, exc: BaseException) -> BaseException:
    """The TakError that says why connecting to ``url`` failed; anything else as it is.

    pytak turns a certificate that does not verify into a SyntaxError naming its own
    settings, so the TLS error is looked for along the chain of causes."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            reason = cause.reason or str(cause)
            detail = getattr(cause, "verify_message", None)
            said = f"{reason} ({detail})" if detail else reason
            return TakError(f"TLS with the TAK server at {url} failed: {said}")
        cause = cause.__cause__
    if isinstance(exc, TimeoutError) and not exc.strerror:
        return TakError(f"the TAK server at {url} did not answer in {CONNECT_TIMEOUT_S:g} s")
    if isinstance(exc, OSError) and exc.errno:  # asyncio's text names no reason
        return TakError(f"cannot connect to the TAK server at {url}: {os.strerror(exc.errno)}")
    if isinstance(exc, (OSError, SyntaxError, ValueError)):
        reason = str(exc) or type(exc).__name__
        return TakError(f"cannot connect to the TAK server at {url}: {reason}")
    return exc


@dataclass
class Pusher:
    """What has been sent, and the choice of what to send next.

    `changes` returns the events of a picture that are new or changed since last sent (or
    due again, `RESEND_S`), and, when the picture holds the drawings, a deletion for each
    drawing sent before that it no longer holds."""

    sent: dict[str, tuple[str, str, float]] = field(default_factory=dict)
    """uid → (object type, marker, monotonic time) of every event sent and not deleted
    since."""
    counts: Counter[str] = field(default_factory=Counter)
    """Events sent, by object type."""

    def changes(
        self, events: Iterable[CotEvent], now: datetime, *, drawings: bool, clock_s: float
    ) -> list[CotEvent]:
        from sharedsky.interop.formats.cot import deletion

        due: list[CotEvent] = []
        held: set[str] = set()
        for event in events:
            held.add(event.uid)
            last = self.sent.get(event.uid)
            if last is None or last[1] != event.marker or clock_s - last[2] >= RESEND_S:
                due.append(event)
        if drawings:
            gone = [u for u, (kind, *_) in self.sent.items() if u not in held and kind != "track"]
            due += [deletion(uid, now) for uid in gone]
        return due

    def mark(self, event: CotEvent, clock_s: float) -> None:
        """Record ``event`` as sent."""
        self.counts[event.object] += 1
        if event.object == "deletion":
            self.sent.pop(event.uid.removesuffix(".deleted"), None)
        else:
            self.sent[event.uid] = (event.object, event.marker, clock_s)


def counts_text(counts: Counter[str]) -> str:
    """``3 tracks, 1 notice, 0 zones`` for the types sent, in the order of `_NAMES`.

    >>> counts_text(Counter(track=3, notice=1))
    '3 tracks, 1 notice'
    """
    parts = []
    for key, (one, many) in _NAMES.items():
        if counts[key]:
            parts.append(f"{counts[key]} {one if counts[key] == 1 else many}")
    return ", ".join(parts) or "nothing"


@dataclass(frozen=True, slots=True)
class _Picture:
    """The drawings last read (kept between refreshes)."""

    notices: tuple[v1.NoticeOut, ...] = ()
    zones: tuple[v1.ZoneOut, ...] = ()
    conflicts: tuple[v1.ConflictOut, ...] = ()


def _read_drawings(client: Client, now: datetime) -> _Picture:
    return _Picture(
        tuple(client.list_notices(time_from=now, limit=5000)),
        tuple(client.list_zones()),
        tuple(client.list_conflicts(state="open")),
    )


def _target(to: str) -> tuple[str, bool]:
    """``to`` checked: the URL and whether it is TLS; a usage error otherwise."""
    parts = urlsplit(to)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or port is None:
        raise typer.BadParameter(
            f"{to!r} is not tcp://HOST:PORT or tls://HOST:PORT", param_hint="'--to'"
        )
    return to, parts.scheme == "tls"


@app.command("push")
@server_connection_options
def push_command(
    connection: Connection,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="The TAK server: tcp://HOST:PORT or tls://HOST:PORT (8087 and 8089 by habit).",
            show_default=False,
        ),
    ],
    cert: Annotated[
        Path | None,
        typer.Option("--cert", help="tls:// only: PEM file of the client certificate."),
    ] = None,
    key: Annotated[
        Path | None, typer.Option("--key", help="tls:// only: PEM file of its private key.")
    ] = None,
    ca: Annotated[
        Path | None,
        typer.Option("--ca", help="tls:// only: PEM file of the CAs that sign the TAK server's."),
    ] = None,
    for_: Annotated[
        str | None, typer.Option("--for", help="Stop after this long (30s, 5m, 1h).")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Stop after sending this many events.")
    ] = None,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="Seconds between two reads of tracks.")
    ] = 1.0,
    refresh: Annotated[
        float,
        typer.Option("--refresh", min=0.1, help="Seconds between two reads of the drawings."),
    ] = 10.0,
) -> None:
    """Stream your party's live picture to a TAK server as Cursor on Target events: tracks
    every --interval, notices, zones and conflicts every --refresh, each sent when new or
    changed; until --for or --limit, or Ctrl-C."""
    url, tls = _target(to)
    if tls and (cert is None or key is None):
        raise typer.BadParameter(
            "tls:// needs --cert and --key: a TAK server asks for a client certificate",
            param_hint="'--cert'",
        )
    if not tls and any(f is not None for f in (cert, key, ca)):
        raise typer.BadParameter("--cert, --key and --ca are for tls:// only", param_hint="'--to'")
    for_s = duration_s(for_) if for_ is not None else None
    out = stdout()
    with connection.open() as client:
        me = client.me()
        mechanism = client.mechanism()
        try:
            link = TakLink(url, cert, key, ca)
        except TakError as exc:
            raise fail(str(exc)) from exc
        out.print(
            f"pushing {me.party}'s picture to {url}: tracks every {interval:g} s, notices,"
            f" zones and conflicts every {refresh:g} s",
            soft_wrap=False,
        )
        pusher = Pusher()
        started = time.monotonic()
        try:
            bounds = _Loop(me.party, mechanism, interval, refresh, for_s, limit, started)
            _push(client, link, pusher, bounds)
        except TakError as exc:
            out.print(f"sent {counts_text(pusher.counts)} before the connection was lost")
            raise fail(str(exc)) from exc
        except KeyboardInterrupt:
            pass
        finally:
            link.close()
        total = sum(pusher.counts.values())
        elapsed = duration_text(time.monotonic() - started)
        out.print(f"sent {total} events in {elapsed}: {counts_text(pusher.counts)}")


@dataclass(frozen=True, slots=True)
class _Loop:
    viewer: str
    mechanism: v1.MechanismOut
    interval_s: float
    refresh_s: float
    for_s: float | None
    limit: int | None
    started_s: float


def _push(client: Client, link: TakLink, pusher: Pusher, loop: _Loop) -> None:
    """Read and send until the time or the count runs out."""
    from sharedsky.interop.formats import cot
    from sharedsky.interop.formats.model import ExportSet

    out = stdout()
    parties = (loop.mechanism.host, *loop.mechanism.parties)
    drawings = _Picture()
    next_refresh_s = loop.started_s
    sent = 0
    while True:
        clock_s = time.monotonic()
        if loop.for_s is not None and clock_s - loop.started_s >= loop.for_s:
            return
        picture = client.live_tracks()
        refreshing = clock_s >= next_refresh_s
        if refreshing:
            drawings = _read_drawings(client, picture.time)
            next_refresh_s = clock_s + loop.refresh_s
        export = ExportSet(
            generated_at=picture.time,
            viewer=loop.viewer,
            parties=parties,
            notices=drawings.notices,
            zones=drawings.zones,
            conflicts=drawings.conflicts,
            tracks=tuple(picture.tracks),
            mechanism=loop.mechanism,
        )
        due = pusher.changes(cot.events(export), picture.time, drawings=refreshing, clock_s=clock_s)
        if loop.limit is not None:
            due = due[: loop.limit - sent]
        shapes: Counter[str] = Counter()
        for event in due:
            link.send(event.xml)
            pusher.mark(event, clock_s)
            if event.object != "track":
                shapes[event.object] += 1
        sent += len(due)
        if shapes:
            out.print(f"{picture.time:%H:%M:%S}Z sent {counts_text(shapes)}")
        if loop.limit is not None and sent >= loop.limit:
            return
        wait_s = loop.interval_s - (time.monotonic() - clock_s)
        if loop.for_s is not None:
            wait_s = min(wait_s, loop.started_s + loop.for_s - time.monotonic())
        if wait_s > 0:
            time.sleep(wait_s)
