"""``sharedsky report``: the periodic review of a period, as a PDF or a self-contained HTML file.

The host runs it against the database (``--db URL``) or the server (``--url``/``--token`` of a
host operator): the report is signed by the server key (``FILE.sig``) and its hash appended to
the ledger (``report.published``). A party runs it offline over its own verified export
(``--ledger FILE --keys FILE``) and gets the same figures for what it may see (unsigned: the
party holds no server key). The figures come from ``domain.review.review_figures`` alone.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sharedsky.cli._common import Connection, connection_options, fail, stdout

if TYPE_CHECKING:
    from sharedsky.ledger.reports import ReportSignature

FromOption = Annotated[
    str, typer.Option("--from", help="The period's start: a date (UTC midnight) or ISO time.")
]
ToOption = Annotated[
    str, typer.Option("--to", help="The period's end, excluded: a date or ISO time.")
]
OutOption = Annotated[Path, typer.Option("--out", help="The report file: FILE.pdf or FILE.html.")]


def _when(text: str, option: str) -> datetime:
    """A date (its UTC midnight) or an ISO-8601 time with a zone, in UTC; exit 2 otherwise."""
    try:
        if len(text.strip()) == 10:
            return datetime.combine(date.fromisoformat(text.strip()), time(0), UTC)
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise fail(
            f"{option} {text!r} is not a date (2026-11-24) nor an ISO time with a zone", code=2
        ) from exc
    if moment.tzinfo is None:
        raise fail(f"{option} {text!r} has no timezone: end it with Z for UTC", code=2)
    return moment.astimezone(UTC)


def report_command(
    start_text: FromOption,
    end_text: ToOption,
    out: OutOption,
    db: Annotated[
        str | None, typer.Option("--db", help="The host's review from this database.")
    ] = None,
    ledger: Annotated[
        Path | None,
        typer.Option("--ledger", help="A party's review, offline, from its export (JSON Lines)."),
    ] = None,
    keys: Annotated[
        Path | None, typer.Option("--keys", help="The key ring that verifies --ledger.")
    ] = None,
    *,
    connection: Connection,
) -> None:
    """The periodic review of [--from, --to): lead-time compliance per channel, acknowledgement
    (and agreement) latency per party, escalations by rung, late notices, tactical alerts by
    severity and incidents with their timelines, each figure traced to ledger seqs in an
    appendix. Against --db or the server (as the host) the report is signed by the server key
    (FILE.sig) and its SHA-256 recorded in the ledger; offline (--ledger FILE --keys FILE) a
    party reviews what its export shows. Exit 2 on bad input (the period ends before it
    starts, an extension other than .pdf or .html)."""
    from sharedsky.cli._review_document import FORMATS

    start, end = _when(start_text, "--from"), _when(end_text, "--to")
    if end <= start:
        raise fail(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})", 2)
    kind = FORMATS.get(out.suffix.lower())
    if kind is None:
        raise fail(f"{out.name}: the report is a .pdf or an .html file", code=2)
    if ledger is not None:
        if keys is None:
            raise fail("--ledger needs --keys (the key ring that verifies it)", code=2)
        entries = _verified_export(ledger, keys)
        pages = _write(entries, start, end, kind, out, "offline review of a party's export")
        stdout().print(f"{out}: {_pages(pages, kind)}, unsigned (offline review of {ledger})")
        return
    if db is not None:
        pages, signature, seq = _from_database(db, start, end, kind, out)
    else:
        pages, signature, seq = _from_server(connection, start, end, kind, out)
    sig_path = out.with_name(out.name + ".sig")
    sig_path.write_text(json.dumps(signature.to_json(), sort_keys=True) + "\n", encoding="utf-8")
    stdout().print(
        f"{out}: {_pages(pages, kind)}, SHA-256 {signature.sha256}, signed by server key "
        f"{signature.key_id} ({sig_path.name}); recorded in the ledger at seq {seq}"
    )


def _pages(pages: int, kind: str) -> str:
    return f"{pages} pages" if kind == "pdf" else "one HTML page"


def _verified_export(path: Path, keys: Path) -> list[dict[str, Any]]:
    """The entries of the export ``path``, verified against the key ring ``keys``; exit 1
    when it does not verify, 2 when a file cannot be read."""
    from sharedsky.ledger.export import ExportError, read_jsonl
    from sharedsky.ledger.signing import KeyRing, KeyRingError
    from sharedsky.ledger.verify import verify

    try:
        ring = KeyRing.loads(keys.read_bytes())
        data = path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {exc.filename}: {exc.strerror}", code=2) from exc
    except KeyRingError as exc:
        raise fail(f"{keys}: {exc}", code=2) from exc
    try:
        entries, trailer = read_jsonl(io.BytesIO(data))
    except ExportError as exc:
        raise fail(f"the export is malformed: {exc}") from exc
    report = verify(entries, trailer, ring)
    if not report.ok:
        raise fail(f"{path} does not verify: first bad seq {report.first_bad_seq}")
    return entries


def _write(entries: Any, start: datetime, end: datetime, kind: str, out: Path, who: str) -> int:
    """Compute the figures, render and write the report; its page count."""
    from sharedsky.cli._review_document import render
    from sharedsky.domain.review import review_figures

    document = render(review_figures(entries, start, end), kind, who)
    out.write_bytes(document.data)
    return document.pages


def _from_database(
    db: str, start: datetime, end: datetime, kind: str, out: Path
) -> tuple[int, ReportSignature, int]:
    from sharedsky.bootstrap import build_deps, open_database
    from sharedsky.domain.errors import SharedskyError
    from sharedsky.domain.ids import OperatorId
    from sharedsky.ledger.reports import file_sha256
    from sharedsky.service.context import Actor
    from sharedsky.service.reports import host_entries, publish_report

    try:
        database = open_database(db)
    except Exception as exc:  # a URL that opens nothing: say so, no traceback
        raise fail(f"cannot open {db}: {exc}") from exc
    try:
        deps = build_deps(database)
        host = deps.mechanism.host.id
        actor = Actor(OperatorId(f"{host}-review"), host, is_host=True)
        entries = list(host_entries(deps, actor))
        pages = _write(entries, start, end, kind, out, f"the host's review ({host})")
        head = max((int(str(e["seq"])) for e in entries), default=0)
        published = publish_report(
            deps, actor, file_sha256(out.read_bytes()), start, end, head, kind
        )
    except SharedskyError as exc:
        raise fail(exc.detail) from exc
    finally:
        database.close()
    return pages, published.signature, published.seq


def _from_server(
    connection: Connection, start: datetime, end: datetime, kind: str, out: Path
) -> tuple[int, ReportSignature, int]:
    from sharedsky.ledger.export import ExportError, read_jsonl
    from sharedsky.ledger.reports import ReportSignature, file_sha256
    from sharedsky.ledger.verify import verify
    from sharedsky.wire import v1

    with connection.open() as client:
        ring = client.ledger_keys()
        sink = io.BytesIO()
        client.export_ledger(sink)
        try:
            entries, trailer = read_jsonl(io.BytesIO(sink.getvalue()))
        except ExportError as exc:
            raise fail(f"the server's export is malformed: {exc}") from exc
        verified = verify(entries, trailer, ring)
        if not verified.ok:
            raise fail(f"the server's ledger does not verify: seq {verified.first_bad_seq}")
        pages = _write(entries, start, end, kind, out, "the host's review")
        head = max((int(str(e["seq"])) for e in entries), default=0)
        answer = client.publish_report(
            v1.ReportIn(
                sha256=file_sha256(out.read_bytes()),
                start=start,
                end=end,
                head_seq=head,
                format=kind,
            )
        )
    signature = ReportSignature.from_json(answer.signature)
    return pages, signature, answer.seq


report_command = connection_options(report_command)
