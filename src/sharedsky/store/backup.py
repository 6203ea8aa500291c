"""Backups: every table of a database read in one consistent transaction into one
self-describing file, and a database made from such a file.

The copy is logical (rows, not pages), so it is the same on both backends: a backup taken from
SQLite restores into PostgreSQL and back. The file (``FORMAT``, version ``FORMAT_VERSION``) is
gzip-compressed JSON Lines:

- line 1, the header (``BackupHeader``): format and version, the sharedsky version and Alembic
  schema revision that wrote it, the source backend, when it was taken, each table with its
  columns and row count, and ``content_sha256``;
- then one line per row, a JSON array of the values of its table's columns in the header's
  order, table after table (parents before children), each table in primary-key order.

``content_sha256`` is the SHA-256 of every line after the header exactly as stored (UTF-8,
each with its newline): a restore reads the whole file and checks it, the row counts and the
shape of every row before it touches the database.

The file holds everything the database does, the server's private signing key and the
webhooks' secrets among it: it is written with mode 600.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, Integer, Table, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError

from sharedsky import __version__
from sharedsky.domain.errors import InvalidBackup, InvalidInput, StateConflict, StoreUnavailable
from sharedsky.store.engine import make_engine, normalise_url
from sharedsky.store.schema import alembic_config, upgrade
from sharedsky.store.tables import EPHEMERAL, metadata

FORMAT = "sharedsky-backup"
FORMAT_VERSION = 1
BATCH_ROWS = 1000
"""Rows read from the database, and inserted, per batch."""
HEADER_MAX_BYTES = 1 << 20
"""The longest first line read as a header: a file whose first megabyte holds no line end is
not a backup."""
BACKENDS = ("sqlite", "postgresql")
_COPY_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class TableContent:
    """One table of a backup: its name, its columns in the order each row lists them, and how
    many rows it holds."""

    name: str
    columns: tuple[str, ...]
    rows: int


@dataclass(frozen=True, slots=True)
class BackupHeader:
    """The first line of a backup file: what it holds and what wrote it."""

    format_version: int
    sharedsky_version: str
    schema_revision: str
    """The Alembic revision of the database it was taken from."""
    source_backend: str
    """``sqlite`` or ``postgresql``."""
    taken_at: datetime
    """When the consistent read began (UTC): the backup holds every transaction committed
    before it."""
    tables: tuple[TableContent, ...]
    """In load order: every table after those it refers to."""
    content_sha256: str

    @property
    def rows(self) -> int:
        """Rows in every table together."""
        return sum(t.rows for t in self.tables)

    def to_json(self) -> dict[str, Any]:
        """The header as the JSON object of the file's first line."""
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "sharedsky_version": self.sharedsky_version,
            "schema_revision": self.schema_revision,
            "source_backend": self.source_backend,
            "taken_at": self.taken_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "tables": [
                {"name": t.name, "columns": list(t.columns), "rows": t.rows} for t in self.tables
            ],
            "rows": self.rows,
            "content_sha256": self.content_sha256,
        }

    @classmethod
    def from_json(cls, obj: object, source: str) -> BackupHeader:
        """The header of ``obj`` (the parsed first line of ``source``); InvalidBackup when it
        is not the header of a backup this sharedsky reads."""
        if not isinstance(obj, dict) or obj.get("format") != FORMAT:
            raise InvalidBackup(f"{source} is not a sharedsky backup")
        version = obj.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
            raise InvalidBackup(
                f"{source} is a sharedsky backup of format version {version}; this sharedsky "
                f"reads version {FORMAT_VERSION} (restore it with the version that wrote it)"
            )
        try:
            tables = tuple(
                TableContent(
                    _str(t["name"]), tuple(_str(c) for c in t["columns"]), _count(t["rows"])
                )
                for t in obj["tables"]
            )
            taken_at = datetime.fromisoformat(_str(obj["taken_at"]))
            header = cls(
                format_version=version,
                sharedsky_version=_str(obj["sharedsky_version"]),
                schema_revision=_str(obj["schema_revision"]),
                source_backend=_str(obj["source_backend"]),
                taken_at=taken_at,
                tables=tables,
                content_sha256=_str(obj["content_sha256"]),
            )
        except KeyError as exc:
            raise InvalidBackup(f"{source}: the backup's header lacks {exc}") from exc
        except (TypeError, ValueError) as exc:
            raise InvalidBackup(f"{source}: the backup's header is damaged ({exc})") from exc
        if taken_at.tzinfo is None:
            raise InvalidBackup(f"{source}: the backup's header is damaged (taken_at)")
        return header


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not a string")
    return value


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError(f"{value!r} is not a row count")
    return value


# -- databases ---------------------------------------------------------------------------


def open_engine(url: str, *, create: bool = False, sqlite_synchronous: str = "NORMAL") -> Engine:
    """An engine over the database at ``url``, checked to answer. An SQLite file must exist
    unless ``create`` (then its directory must). InvalidInput for a URL that names no
    database sharedsky runs on; StoreUnavailable when the database cannot be opened."""
    hint = "give sqlite:///PATH or postgresql://USER@HOST:PORT/DB"
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError as exc:
        raise InvalidInput(f"{url!r} is not a database URL: {hint}", ("--db",)) from exc
    backend = parsed.get_backend_name()
    shown = parsed.render_as_string(hide_password=True)
    if backend not in BACKENDS:
        raise InvalidInput(f"{shown}: sharedsky runs on SQLite or PostgreSQL; {hint}", ("--db",))
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise InvalidInput(f"{shown}: an SQLite database in memory has no file; {hint}")
        path = Path(parsed.database)
        if not create and not path.is_file():
            raise StoreUnavailable(f"there is no SQLite database at {path}")
        if create and not path.parent.is_dir():
            raise StoreUnavailable(f"cannot make {path}: there is no directory {path.parent}")
    engine = make_engine(url, pool_size=1, sqlite_synchronous=sqlite_synchronous)
    try:
        with engine.connect().execution_options(sharedsky_readonly=True) as connection:
            connection.exec_driver_sql("SELECT 1")
    except DBAPIError as exc:
        engine.dispose()
        raise StoreUnavailable(f"cannot open {shown}: {_reason(exc)}") from exc
    return engine


def _reason(exc: DBAPIError) -> str:
    """The driver's message, first line only (SQLAlchemy adds the statement and a link)."""
    return str(exc.orig).strip().split("\n", 1)[0]


@contextmanager
def _database_errors(engine: Engine) -> Iterator[None]:
    """Driver errors as sharedsky errors: a constraint a backup's rows break is InvalidBackup,
    anything else StoreUnavailable."""
    shown = engine.url.render_as_string(hide_password=True)
    try:
        yield
    except IntegrityError as exc:
        raise InvalidBackup(f"the backup's rows break a constraint: {_reason(exc)}") from exc
    except DBAPIError as exc:
        raise StoreUnavailable(f"{shown}: {_reason(exc)}") from exc


def schema_head() -> str:
    """The newest schema revision this sharedsky knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("the store has no migrations")
    return head


def schema_revision(connection: Connection) -> str | None:
    """The schema revision of the database (None when it holds no sharedsky schema)."""
    return MigrationContext.configure(connection).get_current_revision()


def _order(table: Table) -> list[Any]:
    """Primary-key order, or every column for a table without a primary key."""
    return list(table.primary_key.columns) or list(table.columns)


def _snapshot(connection: Connection) -> Connection:
    """``connection`` set for one consistent read: on PostgreSQL a SERIALIZABLE READ ONLY
    DEFERRABLE transaction (it waits, if need be, for a snapshot that no concurrent serializable
    transaction can contradict, then reads without blocking or being cancelled); on SQLite a
    deferred transaction whose first read fixes the snapshot of the WAL that every later read
    in it sees."""
    if connection.dialect.name == "postgresql":
        return connection.execution_options(
            isolation_level="SERIALIZABLE", postgresql_readonly=True, postgresql_deferrable=True
        )
    return connection.execution_options(sharedsky_readonly=True)


# -- backup --------------------------------------------------------------------------------


def take_backup(url: str, out: Path, now: datetime) -> BackupHeader:
    """Write a backup of the database at ``url`` to ``out`` (replaced whole, atomically, once
    complete), read in one consistent transaction that begins at ``now`` (UTC): it holds every
    transaction committed before, and none in part. A server may go on writing meanwhile.
    InvalidInput or StoreUnavailable for a database that cannot be opened (``open_engine``);
    StateConflict when it holds no sharedsky schema or one of another revision than this
    sharedsky's; OSError when ``out`` cannot be written."""
    engine = open_engine(url)
    try:
        return _take(engine, out, now)
    finally:
        engine.dispose()


def _take(engine: Engine, out: Path, now: datetime) -> BackupHeader:
    directory = out.parent if str(out.parent) else Path(".")
    with tempfile.TemporaryFile(dir=directory) as body:
        digest = hashlib.sha256()
        with engine.connect() as plain, _database_errors(engine):
            connection = _snapshot(plain)
            with connection.begin():
                revision = _source_revision(schema_revision(connection), engine)
                tables = tuple(_dump_table(connection, t, body, digest) for t in _tables())
        header = BackupHeader(
            format_version=FORMAT_VERSION,
            sharedsky_version=__version__,
            schema_revision=revision,
            source_backend=engine.dialect.name,
            taken_at=now,
            tables=tables,
            content_sha256=digest.hexdigest(),
        )
        body.seek(0)
        _write_atomically(out, header, body)
    return header


def _tables() -> list[Table]:
    """The tables a backup holds: every one but the live picture's (``EPHEMERAL``), which
    its feeds refill within seconds and which would be stale in any restored copy."""
    return [table for table in metadata.sorted_tables if table not in EPHEMERAL]


def _source_revision(revision: str | None, engine: Engine) -> str:
    """``revision`` when it is this sharedsky's schema; StateConflict otherwise."""
    shown = engine.url.render_as_string(hide_password=True)
    if revision is None:
        raise StateConflict(f"{shown} holds no sharedsky database (run `sharedsky init` first)")
    head = schema_head()
    if revision != head:
        raise StateConflict(
            f"{shown} is at schema revision {revision}; this sharedsky's is {head}: back it "
            "up with the sharedsky that serves it"
        )
    return revision


def _dump_table(connection: Connection, table: Table, sink: IO[bytes], digest: Any) -> TableContent:
    """Append the rows of ``table`` to ``sink`` (one JSON array per line) and to ``digest``."""
    rows = 0
    result = connection.execute(
        select(table).order_by(*_order(table)), execution_options={"yield_per": BATCH_ROWS}
    )
    for batch in result.partitions():
        lines = "".join(
            json.dumps(list(row), ensure_ascii=False, separators=(",", ":")) + "\n" for row in batch
        ).encode("utf-8")
        digest.update(lines)
        sink.write(lines)
        rows += len(batch)
    return TableContent(table.name, tuple(c.name for c in table.columns), rows)


def _write_atomically(out: Path, header: BackupHeader, body: IO[bytes]) -> None:
    """Write the header line and ``body`` gzip-compressed into a new file beside ``out``
    (mode 600), flush it to disk, and rename it over ``out``."""
    descriptor, partial = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as raw:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as sink:
                sink.write(json.dumps(header.to_json(), separators=(",", ":")).encode() + b"\n")
                while chunk := body.read(_COPY_CHUNK_BYTES):
                    sink.write(chunk)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, out)
    except BaseException:
        with suppress(OSError):
            os.unlink(partial)
        raise


# -- reading a backup ----------------------------------------------------------------------


def read_header(path: Path) -> BackupHeader:
    """The header of the backup at ``path`` (the rest unread). InvalidBackup when the file
    is not a backup; OSError when it cannot be read."""
    with _open(path) as stream:
        return _header(stream, path)


def check_backup(path: Path) -> BackupHeader:
    """Read the whole backup at ``path`` and check it: its header, the shape of every row,
    each table's row count and the content's SHA-256. InvalidBackup when any is wrong
    (a truncated or damaged file); OSError when it cannot be read."""
    with _open(path) as stream:
        header = _header(stream, path)
        for _table, _batch in _batches(stream, header, path):
            pass
    return header


@contextmanager
def _open(path: Path) -> Iterator[gzip.GzipFile]:
    """The decompressed content of ``path``; damage found while reading it is InvalidBackup."""
    with gzip.open(path, "rb") as stream:
        try:
            yield stream
        except (gzip.BadGzipFile, zlib.error) as exc:
            raise InvalidBackup(f"{path} is damaged ({exc})") from exc
        except EOFError as exc:
            raise InvalidBackup(f"{path} is truncated (it ends before its last row)") from exc


def _header(stream: gzip.GzipFile, path: Path) -> BackupHeader:
    try:
        line = stream.readline(HEADER_MAX_BYTES)
    except gzip.BadGzipFile as exc:
        raise InvalidBackup(f"{path} is not a sharedsky backup (not a gzip file)") from exc
    try:
        obj = json.loads(line)
    except ValueError as exc:
        raise InvalidBackup(f"{path} is not a sharedsky backup") from exc
    return BackupHeader.from_json(obj, str(path))


def _batches(
    stream: gzip.GzipFile, header: BackupHeader, path: Path
) -> Iterator[tuple[TableContent, list[list[Any]]]]:
    """The rows after the header, up to ``BATCH_ROWS`` at a time, each batch with its table;
    InvalidBackup (after the last batch at the latest) when a row is malformed, a table has
    fewer rows than the header says, more follow the last, or the SHA-256 differs."""
    digest = hashlib.sha256()
    for table in header.tables:
        batch: list[list[Any]] = []
        for number in range(table.rows):
            line = stream.readline()
            if not line.endswith(b"\n"):
                raise InvalidBackup(
                    f"{path} is truncated: table {table.name} has {number} of its {table.rows} rows"
                )
            digest.update(line)
            batch.append(_row(line, table, path))
            if len(batch) == BATCH_ROWS:
                yield table, batch
                batch = []
        if batch:
            yield table, batch
    if stream.read(1):
        raise InvalidBackup(f"{path} is damaged: it holds more rows than its header counts")
    if digest.hexdigest() != header.content_sha256:
        raise InvalidBackup(f"{path} is damaged: its content does not match its SHA-256")


def _row(line: bytes, table: TableContent, path: Path) -> list[Any]:
    try:
        row = json.loads(line)
    except ValueError as exc:
        raise InvalidBackup(f"{path} is damaged: a row of {table.name} is not JSON") from exc
    if not isinstance(row, list) or len(row) != len(table.columns):
        raise InvalidBackup(f"{path} is damaged: a row of {table.name} has the wrong shape")
    return row


# -- restore -------------------------------------------------------------------------------


def restore_backup(
    url: str, path: Path, *, force: bool = False, sqlite_synchronous: str = "NORMAL"
) -> BackupHeader:
    """Make the database at ``url`` (an SQLite file is made if need be) hold exactly what the
    backup at ``path`` holds.

    The whole file is checked first (``check_backup``), before the database is opened; then
    the database is brought to this sharedsky's schema and every row loaded in one
    transaction (on PostgreSQL, sequences then continue after the largest key loaded). A
    database that holds rows is refused (StateConflict) unless ``force``, which replaces them
    in the same transaction. Nothing is changed when anything is refused: InvalidBackup for a
    file that is not a backup, is damaged or was taken at another schema revision;
    InvalidInput or StoreUnavailable for a database that cannot be opened; StateConflict for
    one at a revision this sharedsky does not know. OSError when the file cannot be read."""
    header = check_backup(path)
    _check_tables(header, path)
    engine = open_engine(url, create=True, sqlite_synchronous=sqlite_synchronous)
    try:
        with _database_errors(engine):
            _restore(engine, path, header, force)
    finally:
        engine.dispose()
    return header


def _restore(engine: Engine, path: Path, header: BackupHeader, force: bool) -> None:
    shown = engine.url.render_as_string(hide_password=True)
    with engine.connect().execution_options(sharedsky_readonly=True) as connection:
        revision = schema_revision(connection)
        held = _tables_with_rows(connection)
        connection.rollback()
    if held and not force:
        raise StateConflict(
            f"{shown} is not empty (rows in {', '.join(held)}): restore replaces a "
            "database's content only with --force"
        )
    try:
        upgrade(engine)
    except CommandError as exc:
        raise StateConflict(
            f"{shown} is at schema revision {revision}, which this sharedsky does not know ({exc})"
        ) from exc
    with engine.connect() as connection, connection.begin():
        if force:
            for table in reversed(_tables()):
                connection.execute(table.delete())
        elif _tables_with_rows(connection):  # written since the look above
            raise StateConflict(f"{shown} is not empty: restore refuses without --force")
        tables = {t.name: t for t in _tables()}
        with _open(path) as stream:
            _header(stream, path)
            for content, batch in _batches(stream, header, path):
                columns = content.columns
                connection.execute(
                    tables[content.name].insert(),
                    [dict(zip(columns, r, strict=True)) for r in batch],
                )
        _reset_sequences(connection)
        _check_counts(connection, header)


def _check_tables(header: BackupHeader, path: Path) -> None:
    """InvalidBackup unless the backup's tables and columns are this sharedsky's schema."""
    head = schema_head()
    if header.schema_revision != head:
        raise InvalidBackup(
            f"{path} was taken at schema revision {header.schema_revision} by sharedsky "
            f"{header.sharedsky_version}; this sharedsky's schema is {head}: restore it with "
            "the version that took it, then start this one on it to upgrade"
        )
    ours = {(t.name, tuple(c.name for c in t.columns)) for t in _tables()}
    theirs = {(t.name, t.columns) for t in header.tables}
    if ours != theirs or len(header.tables) != len(ours):
        raise InvalidBackup(f"{path}: its tables are not those of schema revision {head}")


def _tables_with_rows(connection: Connection) -> list[str]:
    """The names of this schema's tables that exist in the database and hold a row."""
    existing = set(inspect(connection).get_table_names())
    return [
        table.name
        for table in _tables()
        if table.name in existing
        and connection.execute(select(text("1")).select_from(table).limit(1)).first() is not None
    ]


def _reset_sequences(connection: Connection) -> None:
    """On PostgreSQL, set each sequence that numbers a table's key to continue after the
    largest key now in the table (rows were loaded with their keys); nothing on SQLite, whose
    keys continue after the largest row by themselves."""
    if connection.dialect.name != "postgresql":
        return
    quote = connection.dialect.identifier_preparer.quote
    for table in _tables():
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": quote(table.name), "column": column.name},
            ).scalar_one()
            if sequence is None:
                continue
            connection.execute(
                text(
                    f"SELECT setval(CAST(:sequence AS regclass), "
                    f"COALESCE((SELECT MAX({quote(column.name)}) FROM {quote(table.name)}), 0) "
                    f"+ 1, false)"
                ),
                {"sequence": sequence},
            )


def _check_counts(connection: Connection, header: BackupHeader) -> None:
    """InvalidBackup (the transaction then rolls back) unless each table holds the rows the
    header counts."""
    tables = {t.name: t for t in _tables()}
    for content in header.tables:
        held = connection.execute(
            select(func.count()).select_from(tables[content.name])
        ).scalar_one()
        if held != content.rows:
            raise InvalidBackup(
                f"table {content.name} holds {held} rows after the restore, not {content.rows}"
            )
