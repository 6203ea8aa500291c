"""``sharedsky watch``: follow the event stream in the terminal, one readable line per event in
the operator's language; flash traffic stands out. ``--json`` prints the events as they come."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from sharedsky.cli._common import (
    Connection,
    TimeUp,
    connection_options,
    duration_s,
    duration_text,
    report,
    stderr,
    stdout,
    time_limit,
    when_text,
)
from sharedsky.cli._names import Names
from sharedsky.cli._resume import Kept, default_file, read_kept, usable, write_kept
from sharedsky.client import Client, ClientError, NotFoundError
from sharedsky.client.events import EventFollower
from sharedsky.client.tls import client_context
from sharedsky.domain.errors import SharedskyError
from sharedsky.domain.templates import CATALOGUE, validate_params
from sharedsky.interop.catalogues import load_catalogues
from sharedsky.interop.event_lines import EventLines, load_event_lines
from sharedsky.wire import v1
from sharedsky.wire.v1.events import EventOut
from sharedsky.wire.v1.ledger import CheckpointOut


@functools.cache
def _marked() -> tuple[str, str, str]:
    """The types of a conflict detected, an acknowledgement escalated and a conflict resolved:
    the events a watch marks (the typed events load with their geometry and NumPy, so on the
    first event shown, not whenever the command line starts)."""
    from sharedsky.domain.events import AckEscalated, ConflictDetected, ConflictResolved

    return ConflictDetected.TYPE, AckEscalated.TYPE, ConflictResolved.TYPE


def _style(event_type: str) -> str:
    """The style of an event's line, by its type."""
    detected, escalated, resolved = _marked()
    styles = {detected: "bold yellow", escalated: "bold magenta", resolved: "green"}
    return styles.get(event_type, "")


def message_text(payload: dict[str, Any], language: str) -> str:
    """What a message says, in ``language``: its template rendered with its parameters (then
    the parameters, ``[minutes=5]``), then its free text; ``(no text)`` when it has neither."""
    parts: list[str] = []
    template_id = payload.get("template")
    params = payload.get("params") or {}
    if isinstance(template_id, str):
        template = CATALOGUE.get(template_id)
        rendered = template_id
        if template is not None:
            try:
                checked = validate_params(template, params)
            except SharedskyError:  # parameters this client's catalogue does not know
                checked = None
            if checked is not None:
                rendered = load_catalogues().render(template, checked, language)
        parts.append(rendered)
        if params:
            parts.append("[" + ", ".join(f"{k}={v}" for k, v in params.items()) + "]")
    free = payload.get("text")
    if isinstance(free, str) and free.strip():
        parts.append(("— " if parts else "") + free.strip())
    return " ".join(parts) or "(no text)"


def _side(side: object, hidden: str, names: Names, callsign: object = None) -> str:
    """``alpha notice “CAP North”``, ``alpha aircraft ALP123`` (`Names.side`) from a payload's
    ``[type, id, party]`` and the track's ``callsign`` (an alert's ``a_callsign``…)."""
    if not isinstance(side, list | tuple) or len(side) != 3:
        return str(side)
    kind, object_id, party = side
    return names.side(
        str(kind),
        None if object_id is None else str(object_id),
        str(party),
        hidden=hidden,
        callsign=callsign if isinstance(callsign, str) else None,
    )


def _named(object_id: str, name: str) -> str:
    """An id with the name read beside it: ``“CAP North” (ntc-…)``; the id alone when the
    object has no name to read (it cannot be read)."""
    return object_id if name in (object_id, "") else f"{name} ({object_id})"


def _name_objects(event: EventOut, values: dict[str, str], names: Names, hidden: str) -> None:
    """Put each object of an event's line by its name, its id beside it: a notice or zone by its
    title, a conflict by both sides and its window (the sides themselves on the line of its
    detection), an alert by its two aircraft (by callsign), a message by sender, recipient
    and gist, an escalation by its subject."""
    payload = event.payload
    for side in ("a", "b"):
        if side in payload:
            values[side] = _side(payload[side], hidden, names, payload.get(f"{side}_callsign"))
    for kind in ("notice", "zone"):
        object_id = payload.get(kind)
        if isinstance(object_id, str):
            found = names.titled(kind, object_id)
            values[kind] = _named(object_id, "" if found is None else names.name(found))
    conflict = payload.get("conflict")
    if isinstance(conflict, str):
        if event.type.startswith("tactical."):
            if "a" in values and "b" in values:
                names.alerts[conflict] = f"{values['a']} × {values['b']}"
            elif conflict in names.alerts:
                values["conflict"] = _named(conflict, names.alerts[conflict])
        elif event.type != _marked()[0]:
            values["conflict"] = _named(conflict, names.conflict_of(conflict))
    message = payload.get("message")
    if isinstance(message, str) and event.type != "message.sent":
        values["message"] = _named(message, names.message_of(message))
    subject, subject_id = payload.get("subject"), payload.get("subject_id")
    if event.type == _marked()[1] and isinstance(subject, str) and isinstance(subject_id, str):
        values["subject"] = names.subject(subject, subject_id)
        values["subject_id"] = f"({subject_id})"


def _values(event: EventOut, language: str, lines: EventLines, names: Names) -> dict[str, str]:
    """The placeholders of an event's line, from its payload, each object by its name."""
    payload = event.payload
    hidden = lines.line("watch.hidden", language, {})
    values = {
        k: str(v) for k, v in payload.items() if not isinstance(v, dict | list) and v is not None
    }
    _name_objects(event, values, names, hidden)
    if isinstance(payload.get("lead_time_s"), int | float):
        values["lead_time"] = duration_text(payload["lead_time_s"])
    if isinstance(payload.get("window_start_us"), int):
        start = datetime.fromtimestamp(payload["window_start_us"] / 1e6, tz=UTC)
        values["start"] = when_text(start)
    if event.type == "message.sent":
        values["sender"] = str(payload.get("from", "?"))
        values["text"] = message_text(payload, language)
    if values.get("priority") == "flash":
        values["priority"] = "FLASH"
    if "severity" in values:
        values["severity"] = values["severity"].upper()
    return values


def describe(
    event: EventOut,
    language: str = "en",
    lines: EventLines | None = None,
    names: Names | None = None,
) -> Text:
    """One line for an event: its time (UTC) and seq, then what happened in ``language``
    (``interop/event_lines.py``), each object by its name (``names``; without them, or for
    an object they cannot read, by its id); a notice late for a counterparty says so."""
    book = load_event_lines() if lines is None else lines
    payload = event.payload
    flash = payload.get("priority") == "flash"
    style = "bold white on red" if flash else _style(event.type)
    values = _values(event, language, book, Names(None) if names is None else names)
    said = book.line(event.type, language, values)
    late = payload.get("late_for")
    if isinstance(late, list) and late:
        said += f" · LATE ({', '.join(str(p) for p in late)})"
    line = Text(f"{event.time:%H:%M:%SZ} #{event.seq} ", style="dim")
    line.append(said, style=style or None)
    return line


def connected_line(me: v1.Me, after: int | None, lines: EventLines | None = None) -> str:
    """The line printed on connecting: mechanism, operator, party and where the stream starts
    (resumed after a seq, every event from the start, or live from now on)."""
    book = load_event_lines() if lines is None else lines
    if after is None:
        since = book.line("watch.live", me.language, {})
    elif after == 0:
        since = book.line("watch.everything", me.language, {})
    else:
        since = book.line("watch.resumed", me.language, {"seq": str(after)})
    values = {
        "mechanism": me.mechanism,
        "operator": me.operator,
        "party": me.party,
        "name": me.name,
        "since": since,
    }
    return book.line("watch.connected", me.language, values)


def _start(
    client: Client,
    me: v1.Me,
    given: int | None,
    live: bool,
    path: Path,
    book: EventLines,
) -> tuple[int | None, CheckpointOut | None, str | None]:
    """Where the stream starts (the seq to resume after, None for live), the ledger's head,
    and the line that says why a kept seq was dropped (None when none was). ``given``: from
    --after or --from-start, which win over the file, as --live does."""
    try:
        head: CheckpointOut | None = client.ledger_checkpoint()
    except NotFoundError:  # an empty ledger: nothing to resume on
        head = None
    if given is not None or live:
        return given, head, None
    kept = read_kept(path)
    if kept is None:
        return None, head, None
    dropped = usable(kept, me.operator, head, path)
    if dropped is not None:
        return None, head, book.line(dropped.key, me.language, dropped.values)
    return kept.seq, head, None


@connection_options
def watch(
    connection: Connection,
    after: Annotated[
        int | None,
        typer.Option(
            "--after",
            min=0,
            help="Replay from after this seq (0: everything), whatever the resume file keeps.",
        ),
    ] = None,
    from_start: Annotated[
        bool, typer.Option("--from-start", help="Replay every event from the start (--after 0).")
    ] = False,
    live: Annotated[
        bool,
        typer.Option("--live", help="Start from now, whatever the resume file keeps."),
    ] = False,
    resume_file: Annotated[
        Path | None,
        typer.Option(
            "--resume-file",
            dir_okay=False,
            help="Where the last event printed is kept, to resume after it next time (default:"
            " $XDG_STATE_HOME/sharedsky/watch/<url>_<operator>.json, XDG_STATE_HOME being"
            " ~/.local/state when unset).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "--count",
            min=1,
            help="Stop after this many events (default: follow forever).",
        ),
    ] = None,
    for_s: Annotated[
        float | None,
        typer.Option(
            "--for",
            parser=duration_s,
            metavar="DURATION",
            help="Stop after this long: 30s, 5m, 1h30m (default: follow forever).",
        ),
    ] = None,
    checkpoints: Annotated[
        Path | None,
        typer.Option(
            "--checkpoints",
            help="Keep every ledger checkpoint received in this file (for `ledger audit`).",
        ),
    ] = None,
    json_: Annotated[
        bool,
        typer.Option("--json", help="Print each event as the server sends it (one JSON a line)."),
    ] = False,
) -> None:
    """Follow every event you may see, one line each in your party's language, each object by
    its name (a message with its text and parameters); reconnects without losing any. A first
    line says where it connected and from which seq. Flash traffic is shown in red and rings
    the terminal bell. Ctrl-C, --limit or --for stops it (exit 0).

    It resumes after the last event it printed for this operator of this server, kept in the
    resume file after each one, so a watch started again prints what happened meanwhile, once;
    the first time, it starts live. A kept seq of another ledger (the server's signing key
    differs), of another operator or beyond the ledger's head is dropped with a line saying so,
    and the watch starts live. --after SEQ, --from-start and --live choose the start instead."""
    if sum((after is not None, from_start, live)) > 1:
        raise typer.BadParameter(
            "give one of --after, --from-start and --live", param_hint="'--after'"
        )
    tls = connection.tls
    try:
        client_context(tls.ca, tls.cert, tls.key)  # a bad file is refused before the first read
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--ca', '--cert' or '--key'") from exc
    book = load_event_lines()
    with connection.open() as client:
        me = client.me()
        path = resume_file or default_file(connection.url, me.operator)
        given = 0 if from_start else after
        start, head, dropped = _start(client, me, given, live, path, book)
        notes = stderr() if json_ else stdout()
        if dropped is not None:
            notes.print(dropped, markup=False, highlight=False, soft_wrap=True)
        notes.print(connected_line(me, start, book), markup=False, highlight=False)
        names = Names(client)
        _follow(
            connection,
            start,
            checkpoints,
            limit,
            for_s,
            json_,
            lambda event: describe(event, me.language, book, names),
            None if head is None else (path, Kept(0, head.key_id, me.operator, connection.url)),
        )


def _follow(
    connection: Connection,
    after: int | None,
    checkpoints: Path | None,
    limit: int | None,
    for_s: float | None,
    json_: bool,
    line: Callable[[EventOut], Text],
    keep: tuple[Path, Kept] | None,
) -> None:
    """Print the events after seq ``after`` (None: from now on) as ``line`` says them (or as
    JSON), keeping each one's seq in ``keep``'s file (a template `Kept` gives the rest)."""
    tls = connection.tls
    follower = EventFollower(
        connection.url,
        connection.bearer(),
        after=after,
        keep=checkpoints,
        ca=tls.ca,
        cert=tls.cert,
        key=tls.key,
        http=connection.http,
    )
    out = stdout()
    seen = 0
    try:
        with time_limit(for_s):
            for event in follower:
                if json_:
                    sys.stdout.write(event.model_dump_json(by_alias=True) + "\n")
                    sys.stdout.flush()
                else:
                    if event.payload.get("priority") == "flash":
                        out.bell()
                    out.print(line(event), soft_wrap=True)
                if keep is not None:
                    path, template = keep
                    write_kept(path, replace(template, seq=event.seq))
                seen += 1
                if limit is not None and seen >= limit:
                    return
    except (KeyboardInterrupt, TimeUp):
        return
    except ClientError as exc:  # a refused token, a server gone for good (no --after loop)
        report(exc)
        raise typer.Exit(1) from exc
