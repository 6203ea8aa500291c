"""``sharedsky msg …``: send, list, acknowledge and reply to hotline messages."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sharedsky.cli._common import (
    Connection,
    JsonOption,
    QuietOption,
    check_quiet,
    connection_options,
    emit_ids,
    emit_json,
    print_table,
    stdout,
    table,
    when_text,
)
from sharedsky.cli._names import Names, message_label
from sharedsky.client import hotline as sdk
from sharedsky.domain.templates import CATALOGUE, ParamKind
from sharedsky.wire import v1

app = typer.Typer(
    help="The hotline: send, list, ack (acknowledge) and reply to messages, standard templates"
    " read in each reader's language or free text; the templates, their parameters and the"
    " replies they expect (WILCO, UNABLE, AFFIRM, NEGATIVE).",
    no_args_is_help=True,
)

_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")


def parse_param(text: str, template: str | None) -> tuple[str, Any]:
    """``name=value`` → (name, value), the value typed by the template's parameter spec (a
    guess — whole number, number, else text — for a parameter the catalogue does not know;
    the server has the last word)."""
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise typer.BadParameter(f"{text!r} is not NAME=VALUE", param_hint="'--param'")
    tpl = None if template is None else CATALOGUE.get(template)
    spec = None if tpl is None else tpl.param(name)
    kind = None if spec is None else spec.kind
    try:
        if kind is ParamKind.INT or (kind is None and _INT.match(raw.strip())):
            return name, int(raw)
        if kind is ParamKind.FLOAT or (kind is None and _FLOAT.match(raw.strip())):
            return name, float(raw)
    except ValueError as exc:
        wanted = "a whole number" if kind is ParamKind.INT else "a number"
        raise typer.BadParameter(
            f"{name} must be {wanted}, not {raw!r}", param_hint="'--param'"
        ) from exc
    return name, raw


def parse_about(text: str | None) -> v1.AboutRef | None:
    """``notice:ID`` or ``conflict:ID`` → the reference; None stays None."""
    if text is None:
        return None
    kind, sep, object_id = text.partition(":")
    if not sep or kind not in ("notice", "conflict") or not object_id:
        raise typer.BadParameter(
            f"{text!r} is not notice:ID or conflict:ID", param_hint="'--about'"
        )
    return v1.AboutRef(type="notice" if kind == "notice" else "conflict", id=object_id)


def message_text(m: v1.MessageOut) -> str:
    """What a reader reads: the rendered template, then the free text."""
    return "\n".join(part for part in (m.rendered or "", m.text) if part)


def ack_text(m: v1.MessageOut) -> str:
    """The recipient's reply (which, who, when) or its acknowledgement (who and when, or the
    due time, and the replies expected)."""
    if m.reply is not None:
        r = m.reply
        return f"{r.reply} ({r.words}) {when_text(r.replied_at, short=True)} by {r.replied_by}"
    ack = m.acknowledgement
    expected = f"; reply {'/'.join(o.reply for o in m.replies)}" if m.replies else ""
    if ack is None:
        return expected.removeprefix("; ")
    if ack.status == "acknowledged":
        return f"acked {when_text(ack.acked_at, short=True)} by {ack.acked_by or '?'}{expected}"
    return f"{ack.status}, due {when_text(ack.due_at, short=True)}{expected}"


def messages_table(messages: list[v1.MessageOut], title: str, names: Names) -> Table:
    """The messages as a table: id, sent, from → to, priority, text (after what it is
    about, named), acknowledgement."""
    grid = table(title, "id", "sent", "from → to", "priority", "message", "ack")
    for m in messages:
        priority = m.priority.upper() if m.priority == "flash" else m.priority
        about = names.about(m.about)
        grid.add_row(
            m.id,
            when_text(m.sent_at, short=True),
            f"{m.from_} → {m.to}",
            priority,
            Text("\n".join(part for part in (about and f"({about})", message_text(m)) if part)),
            ack_text(m),
            style="bold red" if m.priority == "flash" else None,
        )
    return grid


@app.command("send")
@connection_options
def send(
    to: Annotated[str, typer.Option("--to", help="The recipient party (or the host).")],
    template: Annotated[
        str | None,
        typer.Option("--template", help="A standard message (`sharedsky msg templates`)."),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="A template parameter, NAME=VALUE (repeat the option)."),
    ] = None,
    priority: Annotated[
        Literal["routine", "priority", "flash"],
        typer.Option("--priority", help="Selects the acknowledgement deadline."),
    ] = "routine",
    about: Annotated[
        str | None, typer.Option("--about", help="notice:ID or conflict:ID (the thread).")
    ] = None,
    text: Annotated[
        str, typer.Option("--text", help="Free text (not translated; at most 2,000 characters).")
    ] = "",
    *,
    connection: Connection,
    json_: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Send a message; the recipient reads the template in its own language."""
    check_quiet(json_, quiet)
    params = dict(parse_param(p, template) for p in param or [])
    body = v1.MessageIn(
        to=to,
        priority=priority,
        template=template,
        params=params,
        text=text,
        about=parse_about(about),
    )
    with connection.open() as client:
        message = sdk.send_message(client, body)
        if json_:
            emit_json(message)
            return
        if quiet:
            emit_ids([message.id])
            return
        about = Names(client).about(message.about)
    ack = message.acknowledgement
    due = "" if ack is None else f"; ack due {when_text(ack.due_at)}"
    thread = f" {about}" if about else ""
    stdout().print(
        f"Sent {message.priority} message [bold]{escape(message.id)}[/bold] to"
        f" {escape(message.to)}{escape(thread)} (thread {escape(message.thread)}){due}"
    )
    stdout().print(message_text(message), markup=False)


@app.command("list")
@connection_options
def list_messages(
    thread: Annotated[
        str | None,
        typer.Option("--thread", help="Only this thread (notice:ID, conflict:ID, parties:A|B)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 100,
    *,
    connection: Connection,
    json_: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Your messages, sent or received (newest first), or one thread (oldest first)."""
    check_quiet(json_, quiet)
    with connection.open() as client:
        messages = sdk.list_messages(client, thread, limit)
        if json_:
            emit_json(v1.MessageList(messages=messages))
        elif quiet:
            emit_ids(m.id for m in messages)
        elif messages:
            title = f"Thread {thread}" if thread else "Messages"
            print_table(stdout(), messages_table(messages, title, Names(client)))
        else:
            stdout().print("no messages")


def param_text(spec: v1.ParamSpecOut) -> str:
    """One parameter as a reader writes it: ``minutes: whole number 1–1440 min``."""
    kind = {
        "int": "whole number",
        "float": "number",
        "text": "text",
        "utc_time": "UTC time HH:MM",
    }[spec.type]
    if spec.minimum is not None and spec.maximum is not None:
        kind += f" {spec.minimum:g}–{spec.maximum:g}"
    if spec.unit:
        kind += f" {spec.unit}"
    if spec.max_chars is not None:
        kind += f" (at most {spec.max_chars} characters)"
    return f"{spec.name}: {kind}"


@app.command("templates")
@connection_options
def list_templates(
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Show the patterns in this language (default: your party's)."),
    ] = None,
    *,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """The standard messages: each template's id, parameters and pattern in a language."""
    with connection.open() as client:
        listing = sdk.list_templates(client, lang)
    if json_:
        emit_json(listing)
        return
    others = ", ".join(listing.languages)
    title = f"Templates in {listing.language} ({len(listing.templates)}; languages: {others})"
    grid = table(title, "template", "parameters", "pattern", "about", "replies")
    for t in listing.templates:
        grid.add_row(
            t.id,
            "\n".join(param_text(p) for p in t.params) or "-",
            Text(t.pattern),
            ", ".join(t.about),
            Text("\n".join(f"{r.reply} ({r.words})" for r in t.replies)),
        )
    print_table(stdout(), grid)
    if lang is not None and listing.language != lang.split("-")[0].lower():
        stdout().print(f"no catalogue in {lang!r}: the patterns are in {listing.language}")


@app.command("ack")
@connection_options
def ack_message(
    message_id: Annotated[str, typer.Argument(help="The message's id.", show_default=False)],
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """Acknowledge a message addressed to your party (a receipt, never an approval)."""
    with connection.open() as client:
        ack = sdk.ack_message(client, message_id)
        if json_:
            emit_json(ack)
            return
        name = Names(client).message_of(ack.subject_id)
    stdout().print(
        f"Acknowledged message [bold]{escape(ack.subject_id)}[/bold] ({escape(name)})"
        f" for {escape(ack.party)} at {when_text(ack.acked_at)} by {escape(ack.acked_by or '?')}"
    )


@app.command("reply")
@connection_options
def reply_message(
    message_id: Annotated[str, typer.Argument(help="The message's id.", show_default=False)],
    reply: Annotated[
        str,
        typer.Argument(
            help="WILCO, UNABLE, AFFIRM or NEGATIVE: one the message's template expects"
            " (`sharedsky msg templates` lists them).",
            show_default=False,
        ),
    ],
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """Reply to a message addressed to your party with a standard reply its template expects;
    the reply acknowledges the message too and reaches its sender."""
    with connection.open() as client:
        message = sdk.reply_message(client, message_id, reply.strip().upper())
    if json_:
        emit_json(message)
        return
    given = message.reply
    if given is None:  # the server answers a reply with the message replied to, its reply in
        raise typer.Exit(1)
    name = message_label(message)
    stdout().print(
        f"Replied [bold]{escape(given.reply)}[/bold] ({escape(given.words)}) to message"
        f" [bold]{escape(message.id)}[/bold] ({escape(name)}) from {escape(message.from_)}"
        f" at {when_text(given.replied_at)} by {escape(given.replied_by)}"
    )
