"""``sharedsky operators``: add, list, revoke and rotate operators.

Offline, the host's operations team works on the database itself (``--db URL``: no server, no
token; every party's operators). Online, an admin works through the API (``--url``/``--token``
or ``--tokens FILE --as NAME``: its own party's operators; the host's admins: everyone's).
Running servers notice a change within a second either way. A token is printed (or written
with ``--token-out``, mode 600) once, when it is issued; the server keeps only its hash. That
file is made before anything changes: where it cannot be, the command fails and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from sharedsky.cli._common import (
    Connection,
    JsonOption,
    SecretFile,
    connection_options,
    emit_json,
    fail,
    now_of,
    print_table,
    secret_file,
    stdout,
    table,
    when_text,
)
from sharedsky.domain.errors import SharedskyError
from sharedsky.domain.operators import Role
from sharedsky.wire import v1

if TYPE_CHECKING:
    from sharedsky.service.operators import IssuedToken
    from sharedsky.service.ports import Deps

app = typer.Typer(
    help="Operators and their tokens: add, list, revoke and rotate (offline with --db, or online"
    " as an admin).",
    no_args_is_help=True,
)

T = TypeVar("T")

OfflineDb = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Work on this database directly (offline: the host's operations team), not "
        "through a server.",
        show_default=False,
    ),
]
OperatorArgument = Annotated[str, typer.Argument(help="The operator's id.", show_default=False)]
TokenOut = Annotated[
    Path | None,
    typer.Option("--token-out", help="Write the new token to this file (mode 600), not stdout."),
]


def _token_file(token_out: Path | None) -> AbstractContextManager[SecretFile | None]:
    """The file ``--token-out`` names, made ready before anything changes (``secret_file``:
    a folder that is missing or read-only fails the command first); None without the option."""
    return nullcontext() if token_out is None else secret_file(token_out, "--token-out")


@contextmanager
def _offline(db: str) -> Iterator[Deps]:
    """The use-case dependencies over ``db`` (migrated), closed after the command."""
    from sharedsky.bootstrap import build_deps, open_database

    try:
        database = open_database(db)
    except Exception as exc:  # a URL that opens nothing: say so, no traceback
        raise fail(f"cannot open {db}: {exc}") from exc
    try:
        yield build_deps(database)
    finally:
        database.close()


def _run_offline(db: str, work: Callable[[Deps], T]) -> T:
    with _offline(db) as deps:
        try:
            return work(deps)
        except SharedskyError as exc:
            where = f" ({'.'.join(str(p) for p in exc.path)})" if exc.path else ""
            raise fail(f"{exc.detail}{where}") from exc


def _out(record_id: str, sink: SecretFile | None, token: v1.OperatorToken, json_: bool) -> None:
    """Print a newly issued token, or write it into ``sink`` (made ready before it was issued)."""
    if json_ and sink is None:
        emit_json(token)
        return
    operator = token.operator
    if sink is not None:
        sink.write(token.token + "\n")
        where = f"token written to {sink.out}"
    else:
        where = f"token (shown once): {token.token}"
    expires = f", expires {when_text(operator.expires_at)}" if operator.expires_at else ""
    stdout().print(
        f"operator {record_id} ({operator.role}) of {operator.party}{expires}; {where}",
        markup=False,
        soft_wrap=True,
    )


def _token_of(issued: IssuedToken, now: datetime) -> v1.OperatorToken:
    from sharedsky.api.convert import operator_token

    return operator_token(issued, now)


@app.command("add")
@connection_options
def add_command(
    ctx: typer.Context,
    operator: OperatorArgument,
    role: Annotated[Role, typer.Option("--role", help="viewer, duty or admin.")],
    party: Annotated[
        str | None,
        typer.Option("--party", help="Its party (or the host); online: default the caller's."),
    ] = None,
    expires_in: Annotated[
        str | None,
        typer.Option("--expires-in", help="Its token stops working after this: 30d, 12h, 90m."),
    ] = None,
    cert_subject: Annotated[
        str | None,
        typer.Option(
            "--cert-subject",
            help="Under mutual TLS: the client certificate subject its token must come with "
            '(RFC 4514, "CN=alpha-duty").',
        ),
    ] = None,
    token_out: TokenOut = None,
    db: OfflineDb = None,
    *,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """Add an operator and issue its token (shown once)."""
    from sharedsky.service.operators import add_operator, expiry_after

    now = now_of(ctx)
    try:
        expires_at = expiry_after(now, expires_in) if expires_in is not None else None
    except SharedskyError as exc:
        raise fail(f"--expires-in: {exc.detail}") from exc
    if db is not None:
        if party is None:
            raise fail("--party is required with --db (whose operator is it?)")
        with _token_file(token_out) as sink:
            issued = _run_offline(
                db,
                lambda deps: add_operator(
                    deps,
                    None,
                    operator,
                    party,
                    role,
                    expires_at=expires_at,
                    cert_subject=cert_subject,
                ),
            )
            _out(operator, sink, _token_of(issued, datetime.now(UTC)), json_)
        return
    with _token_file(token_out) as sink:
        with connection.open() as client:
            answer = client.add_operator(
                operator,
                role.value,
                party=party,
                expires_at=expires_at,
                cert_subject=cert_subject,
            )
        _out(operator, sink, answer, json_)


@app.command("list")
@connection_options
def list_command(
    db: OfflineDb = None,
    *,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """The operators (offline: all; online: those the caller manages), revoked ones too."""
    from sharedsky.service.operators import list_operators

    if db is not None:
        from sharedsky.api.convert import operator_out

        records = _run_offline(db, lambda deps: list_operators(deps, None))
        now = datetime.now(UTC)
        found = [operator_out(r, now) for r in records]
    else:
        with connection.open() as client:
            found = client.list_operators()
    if json_:
        emit_json(v1.OperatorList(operators=found))
        return
    grid = table(f"Operators ({len(found)})", "id", "party", "role", "state", "expires", "subject")
    for o in found:
        state = (
            f"revoked {when_text(o.revoked_at, short=True)}"
            if o.revoked_at
            else ("active" if o.active else "expired")
        )
        expires = when_text(o.expires_at, short=True) if o.expires_at else "never"
        grid.add_row(o.id, o.party, o.role, state, expires, o.cert_subject or "")
    print_table(stdout(), grid)


@app.command("revoke")
@connection_options
def revoke_command(
    operator: OperatorArgument,
    db: OfflineDb = None,
    *,
    connection: Connection,
) -> None:
    """Revoke an operator: every server refuses its token within 2 s and closes its streams
    (refused for a party's last admin)."""
    from sharedsky.service.operators import revoke_operator

    if db is not None:
        _run_offline(db, lambda deps: revoke_operator(deps, None, operator))
    else:
        with connection.open() as client:
            client.revoke_operator(operator)
    stdout().print(f"operator {operator} revoked", markup=False)


@app.command("rotate")
@connection_options
def rotate_command(
    operator: OperatorArgument,
    token_out: TokenOut = None,
    db: OfflineDb = None,
    *,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """Issue a new token to an operator (shown once); its old token stops working."""
    from sharedsky.service.operators import rotate_operator

    with _token_file(token_out) as sink:
        if db is not None:
            issued = _run_offline(db, lambda deps: rotate_operator(deps, None, operator))
            _out(operator, sink, _token_of(issued, datetime.now(UTC)), json_)
            return
        with connection.open() as client:
            answer = client.rotate_operator(operator)
        _out(operator, sink, answer, json_)
