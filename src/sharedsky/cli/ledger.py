"""``sharedsky ledger keys|export|verify|audit|timeline``: the signed record, checked offline.

``verify`` needs no server: an export file and a key ring are enough (``--db URL`` checks a
live database instead). ``audit`` and ``timeline`` fetch the export this operator may see and
verify it before they say anything.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from rich.markup import escape

from sharedsky.cli._common import (
    Connection,
    JsonOption,
    connection_options,
    duration_text,
    fail,
    print_table,
    stdout,
    table,
)
from sharedsky.cli._names import Names
from sharedsky.ledger.chain import parse_time
from sharedsky.ledger.checkpoints import Checkpoint, CheckpointFormatError
from sharedsky.ledger.export import ExportError, read_jsonl
from sharedsky.ledger.offline import verify_jsonl
from sharedsky.ledger.signing import KeyRing, KeyRingError, Signer, public_key_to_b64
from sharedsky.ledger.verify import Report, verify

if TYPE_CHECKING:
    from sharedsky.client.timeline import TimelineLine

app = typer.Typer(
    help="The signed ledger: its keys (fetch the key ring; keygen, register-key and"
    " unregister-key for signing keys), export it, verify it offline, audit it against kept"
    " checkpoints, a notice's proven timeline, and rebuild the state tables from it.",
    no_args_is_help=True,
)

KeysOption = Annotated[
    Path | None,
    typer.Option("--keys", help="Key ring file (from `sharedsky ledger keys`)."),
]
CheckpointsOption = Annotated[
    Path | None,
    typer.Option("--checkpoints", help="Checkpoints kept earlier (JSON Lines), to check against."),
]


def _read_keys(path: Path) -> KeyRing:
    try:
        return KeyRing.loads(path.read_bytes())
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}", code=2) from exc
    except KeyRingError as exc:
        raise fail(f"{path}: {exc}", code=2) from exc


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """The checkpoints kept in ``path`` (one JSON object per line; blank lines skipped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}", code=2) from exc
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            found.append(Checkpoint.from_json(obj.get("checkpoint", obj)))
        except (ValueError, AttributeError, CheckpointFormatError) as exc:
            raise fail(f"{path}:{number}: not a checkpoint: {exc}", code=2) from exc
    return found


def keep_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    """Append ``checkpoint`` to the receipts file ``path``."""
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(checkpoint.to_json(), sort_keys=True) + "\n")


def _report_json(report: Report) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "entries": report.entries,
        "redacted": report.redacted,
        "head_seq": report.head_seq,
        "head_hash": report.head_hash,
        "first_bad_seq": report.first_bad_seq,
        "problems": [{"seq": p.seq, "reason": p.reason} for p in report.problems],
        "more_problems": report.more_problems,
    }


def _print_report(report: Report, json_: bool, what: str) -> None:
    if json_:
        typer.echo(json.dumps(_report_json(report)))
    elif report.ok:
        stdout().print(
            f"[green]verified[/green]: {what}: {report.entries} entries "
            f"({report.redacted} redacted), head seq {report.head_seq} hash {report.head_hash}"
        )
    else:
        out = stdout()
        out.print(f"[red]NOT verified[/red]: {what}: first bad seq {report.first_bad_seq}")
        for problem in report.problems:
            out.print(f"  seq {problem.seq}: {problem.reason}", markup=False)
        if report.more_problems:
            out.print(f"  … and {report.more_problems} more problems")
    if not report.ok:
        raise typer.Exit(1)


def _verify_export(
    data: bytes,
    keys: KeyRing,
    checkpoints: list[Checkpoint],
    all_sigs: bool,
    start_seq: int | None = 1,
) -> tuple[Report, list[dict[str, Any]]]:
    try:
        entries, trailer = read_jsonl(io.BytesIO(data))
    except ExportError as exc:
        raise fail(f"the export is malformed: {exc}") from exc
    report = verify(
        entries,
        trailer,
        keys,
        checkpoints=checkpoints,
        all_signatures=all_sigs,
        start_seq=start_seq,
    )
    return report, entries


@app.command("keys")
@connection_options
def keys_command(
    out: Annotated[Path, typer.Option("--out", help="Where to write the key ring.")] = Path(
        "keys.json"
    ),
    *,
    connection: Connection,
) -> None:
    """Fetch the mechanism's key ring (server and operators' public keys) into a file."""
    with connection.open() as client:
        ring = client.ledger_keys()
    out.write_text(ring.dumps(), encoding="utf-8")
    stdout().print(f"{len(ring.keys)} keys written to {out}")


@app.command("keygen")
def keygen_command(
    out: Annotated[Path, typer.Argument(help="Where to write the private key (PEM).")],
) -> None:
    """Make an Ed25519 key pair for signing submissions: the private key into OUT (mode 600),
    the public key printed (register it with `sharedsky ledger register-key OUT`)."""
    if out.exists():
        raise fail(f"{out} exists: not overwriting a key", code=2)
    signer = Signer.generate()
    out.write_bytes(signer.to_pem())
    out.chmod(0o600)
    stdout().print(
        f"key {signer.key_id} written to {out}; public key {public_key_to_b64(signer.public_key)}"
    )


@app.command("register-key")
@connection_options
def register_key_command(
    key: Annotated[
        Path,
        typer.Argument(help="The key file: the private key (`ledger keygen`) or its public half."),
    ],
    operator: Annotated[
        str | None,
        typer.Option(
            "--operator",
            help="Register it for this operator of your party (you must be an admin); "
            "default: yourself.",
        ),
    ] = None,
    *,
    connection: Connection,
) -> None:
    """Register the key's public half for an operator: from then on every write of that
    operator must be signed (set SHAREDSKY_SIGNING_KEY to the key file and the CLI signs them;
    the console loads the same file)."""
    try:
        public = _public_key_of(key.read_bytes())
    except (OSError, ValueError) as exc:
        raise fail(f"{key}: not a readable Ed25519 key (PEM): {exc}", code=2) from exc
    with connection.open() as client:
        registered = client.register_key(public_key_to_b64(public), operator=operator)
    stdout().print(f"key {registered.key_id} registered for {registered.operator}")


def _public_key_of(pem: bytes) -> Ed25519PublicKey:
    """The Ed25519 public key of a private key PEM, or of a public key PEM."""
    if b"PRIVATE KEY" in pem:
        return Signer.from_pem(pem).public_key
    loaded = serialization.load_pem_public_key(pem)
    if not isinstance(loaded, Ed25519PublicKey):
        raise ValueError(f"not an Ed25519 public key: {type(loaded).__name__}")
    return loaded


@app.command("unregister-key")
@connection_options
def unregister_key_command(
    key_id: Annotated[str, typer.Argument(help="The key id (16 hex; `ledger keys` lists them).")],
    connection: Connection,
) -> None:
    """Revoke one of your operator's keys: it signs nothing from now on (what it signed still
    verifies). With no active key left, your writes go unsigned again. While a key is active
    this request must itself be signed (SHAREDSKY_SIGNING_KEY)."""
    with connection.open() as client:
        client.revoke_key(key_id)
    stdout().print(f"key {key_id} revoked")


@app.command("export")
@connection_options
def export_command(
    out: Annotated[Path, typer.Option("--out", help="Where to write the export.")] = Path(
        "ledger.jsonl"
    ),
    after: Annotated[int, typer.Option("--after", min=0, help="Entries after this seq.")] = 0,
    keep: CheckpointsOption = None,
    *,
    connection: Connection,
) -> None:
    """Write the ledger as this operator may see it (JSON Lines, signed trailer last);
    ``--checkpoints FILE`` also keeps the trailer there as a receipt."""
    with connection.open() as client, out.open("wb") as sink:
        lines = client.export_ledger(sink, after)
    if keep is not None:
        last = json.loads(out.read_bytes().rstrip(b"\n").rsplit(b"\n", 1)[-1])
        if "checkpoint" in last:  # the trailer
            keep_checkpoint(keep, Checkpoint.from_json(last["checkpoint"]))
    stdout().print(f"{lines - 1} entries and the trailer written to {out}")


@app.command("verify")
def verify_command(
    file: Annotated[Path | None, typer.Argument(help="An export (JSON Lines).")] = None,
    keys: KeysOption = None,
    db: Annotated[
        str | None, typer.Option("--db", help="Verify this live database instead of a file.")
    ] = None,
    checkpoints: CheckpointsOption = None,
    all_signatures: Annotated[
        bool, typer.Option("--all-signatures", help="Check every signature, not the head's.")
    ] = False,
    after: Annotated[
        int, typer.Option("--after", min=0, help="The export was made with --after N.")
    ] = 0,
    json_: JsonOption = False,
) -> None:
    """Verify an export offline (no server, no database), or a live database with --db.
    Exit 0 when verified, 1 when not (the first bad seq is named), 2 on bad usage."""
    kept = read_checkpoints(checkpoints) if checkpoints is not None else []
    ring = _read_keys(keys) if keys is not None else None
    if db is not None:
        from sharedsky.bootstrap import open_database
        from sharedsky.service.ledger import verify_database

        database = open_database(db, migrate=False)
        try:
            report = verify_database(database, ring, kept, all_signatures=all_signatures)
        finally:
            database.close()
        _print_report(report, json_, db)
        return
    if file is None or ring is None:
        raise fail("give an export FILE and --keys KEYS (or --db URL)", code=2)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror}", code=2) from exc
    try:
        report = verify_jsonl(
            io.BytesIO(data),
            ring,
            checkpoints=kept,
            all_signatures=all_signatures,
            start_seq=max(after, 1),
        )
    except ExportError as exc:
        raise fail(f"the export is malformed: {exc}") from exc
    _print_report(report, json_, str(file))


@app.command("rebuild")
def rebuild_command(
    db: Annotated[str, typer.Option("--db", help="The database whose state tables to rebuild.")],
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Rebuild inside a transaction, compare every row with the tables, roll back.",
        ),
    ] = False,
    json_: JsonOption = False,
) -> None:
    """Rebuild the state tables (notices, zones, conflicts, acknowledgements, …) from the
    ledger alone, after verifying it: the recovery step when the tables are lost or suspect.
    With --check nothing changes (safe beside a running server): exit 0 when the rebuilt
    tables are identical, 1 naming the rows that differ. Without it every server must be
    stopped first (refused while one serves)."""
    from sharedsky.bootstrap import open_database
    from sharedsky.domain.errors import SharedskyError
    from sharedsky.rebuild import rebuild_state
    from sharedsky.service.ledger import verify_database

    database = open_database(db, migrate=False)
    try:
        verified = verify_database(database, None, [], all_signatures=True)
        if not verified.ok:
            _print_report(verified, json_, db)  # exits 1, naming the first bad seq
        try:
            report = rebuild_state(database, check=check)
        except SharedskyError as exc:
            raise fail(exc.detail) from exc
    finally:
        database.close()
    if json_:
        typer.echo(json.dumps({
            "entries": report.entries, "rows": dict(report.rows), "checked": report.checked,
            "identical": report.identical, "differing": report.differing,
            "differences": list(report.differences),
        }))  # fmt: skip
    else:
        rows = sum(report.rows.values())
        verb = "rebuilt and compared (rolled back)" if check else "rebuilt"
        stdout().print(
            f"{report.entries} ledger entries applied: {rows} rows in {len(report.rows)} "
            f"tables {verb}", markup=False, soft_wrap=True,
        )  # fmt: skip
        for line in report.differences:
            stdout().print(f"  differs: {line}", markup=False, soft_wrap=True)
        if report.differing:
            stdout().print(f"{report.differing} rows differ", markup=False)
    if not report.identical:
        raise typer.Exit(1)


def _fetch_verified(
    connection: Connection, keys: Path | None, kept: list[Checkpoint], about: str | None = None
) -> tuple[Report, list[dict[str, Any]], str | None]:
    """The export this operator may see, verified; with ``about``, also that notice's name
    (`Names.subject`), None when the operator cannot read it."""
    with connection.open() as client:
        ring = _read_keys(keys) if keys is not None else client.ledger_keys()
        sink = io.BytesIO()
        client.export_ledger(sink)
        name = None
        if about is not None:
            names = Names(client)
            name = names.subject("notice", about) if names.titled("notice", about) else None
    report, entries = _verify_export(sink.getvalue(), ring, kept, all_sigs=False)
    return report, entries, name


@app.command("audit")
@connection_options
def audit_command(
    checkpoints: Annotated[
        Path, typer.Option("--checkpoints", help="Checkpoints this party kept (JSON Lines).")
    ],
    keys: KeysOption = None,
    *,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """Prove that the log the server serves today extends every checkpoint kept; a
    rewritten history (a fork) is reported with the first diverging seq (exit 1)."""
    kept = read_checkpoints(checkpoints)
    report, _, _ = _fetch_verified(connection, keys, kept)
    _print_report(report, json_, f"the server's log against {len(kept)} checkpoints")


@app.command("timeline")
@connection_options
def timeline_command(
    notice_id: Annotated[str, typer.Argument(help="The notice.")],
    keys: KeysOption = None,
    checkpoints: CheckpointsOption = None,
    *,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """When a notice was filed, delivered to each counterparty (to whom, by stream, webhook
    or read, and when), acknowledged, escalated, amended, and the lead time each party got —
    from the verified ledger, each line with the hash and signature that prove it; durations
    read as 2 min 05 s or 1 h 12 min (--json: in seconds)."""
    # the typed events load here, not when the CLI starts (0.25 s of every other command)
    from sharedsky.client.timeline import build_timeline

    kept = read_checkpoints(checkpoints) if checkpoints is not None else []
    report, entries, name = _fetch_verified(connection, keys, kept, about=notice_id)
    if not report.ok:
        _print_report(report, json_, "the server's log")
    timeline = build_timeline(notice_id, entries)
    if not timeline.lines:
        raise fail(f"the ledger you may see says nothing of notice {notice_id!r}")
    if json_:
        document = timeline.to_json()
        document["verified"] = {"head_seq": report.head_seq, "head_hash": report.head_hash}
        typer.echo(json.dumps(document))
        return
    out = stdout()
    heading = f"{name} ({notice_id})" if name else f"notice {notice_id}"
    grid = table(f"Proven timeline of {heading}", "seq", "time (UTC)", "what", "proof")
    for line in timeline.lines:
        signed = f" · party sig {line.party_sig['key_id']}" if line.party_sig else ""
        grid.add_row(
            str(line.seq),
            _ledger_time(line.time),
            escape(_what(line)),
            f"hash {line.hash[:16]}… sig {line.sig[:12]}…{signed}",
        )
    print_table(out, grid)
    if timeline.lead_times:
        leads = table(
            "Lead time each party got (from delivery)", "party", "delivered", "via", "lead time"
        )
        for lt in timeline.lead_times:
            leads.add_row(
                lt.party, _ledger_time(lt.delivered_at), lt.via, duration_text(lt.lead_time_s)
            )
        print_table(out, leads)
    out.print(f"verified against the ledger up to seq {report.head_seq} (hash {report.head_hash})")


def _ledger_time(text: str) -> str:
    """A ledger time (``2026-11-25T02:05:31.108297Z``) as ``2026-11-25 02:05:31Z``."""
    return parse_time(text).strftime("%Y-%m-%d %H:%M:%SZ")


def _what(line: TimelineLine) -> str:
    """A timeline line in words, its figures in a person's units: the lead time of a filing or
    an amendment as a duration, a delivery with the moment it reached its party."""
    what = line.what
    if line.lead_time_s is not None:
        what += f", lead time {duration_text(line.lead_time_s)}"
    if line.delivery is not None:
        what += f", at {_ledger_time(line.delivery.delivered_at)}"
    return what
