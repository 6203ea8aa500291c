"""The state journal: which rows of the projected tables a transaction changed, and their
after-images, so that the ledger holds the state itself and the tables can be rebuilt from it.

Repositories ``note`` what they write as (table, column, value): "the rows of ``table`` whose
``column`` is ``value``". At the end of a write the unit of work ``take``s the notes: it reads
those rows as they now stand and the ledger records them in one ``state.recorded`` entry. A
rebuild replays the entries in order: for each key, delete the rows it names, insert the rows
recorded (``apply``). The H3 cell index (``volume_cells``) is derived from the volumes and is
not journalled; configuration (parties, operators, keys, webhooks) is not a projection.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Select, Table, bindparam, delete, insert, select

from sharedsky.domain.events import STATE_RECORDED
from sharedsky.store import tables as t

PROJECTED: Mapping[str, Table] = {
    str(table.name): table
    for table in (
        t.notices,
        t.volumes,
        t.zones,
        t.conflicts,
        t.tactical_alerts,
        t.ack_requests,
        t.messages,
        t.deliveries,
        t.escalations,
    )
}
"""The tables the ledger's ``state.recorded`` entries project, by name."""
STATE_EVENT = STATE_RECORDED
"""The ledger event that carries a write's after-images (the host's only)."""


class Journal:
    """The keys one unit of work wrote, in order, each once."""

    def __init__(self) -> None:
        self._keys: dict[tuple[str, str, object], None] = {}
        self._images: dict[tuple[str, str, object], dict[str, Any]] = {}
        """After-images known without reading them back: rows just inserted, by key."""
        self._changed: set[str] = set()
        """Tables with a change noted by ``note`` (their rows are read back, every one)."""

    def note(self, table: Table, column: str, value: object) -> None:
        """The rows of ``table`` whose ``column`` equals ``value`` changed."""
        # str(): SQLAlchemy names a table with a ``quoted_name`` (a str subclass), which the
        # canonical encoder's fast path leaves to the slow reference library
        name = str(table.name)
        self._keys[(name, column, value)] = None
        if name not in self._changed:
            self._changed.add(name)
            if self._images:  # rows inserted earlier may have changed since: read them back
                self._images = {k: v for k, v in self._images.items() if k[0] != name}

    def note_inserted(self, table: Table, column: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """``rows`` were just inserted into ``table``, each named by ``column``. When ``column``
        is the table's primary key and a row gives every column exactly as reading it back
        returns it (a ``str`` or ``int`` for a column of that type, or None), the row is its
        own after-image and ``take`` need not read it; any ``note`` of the table, before or
        after, makes ``take`` read its rows instead."""
        name = str(table.name)
        exact = name not in self._changed and _primary_key(table) == column
        for row in rows:
            key = (name, column, row[column])
            self._keys[key] = None
            if exact and _exact(table, row):
                self._images[key] = dict(row)

    def absorb(self, later: Journal) -> None:
        """Add the notes of ``later``, a journal of what was written after this one's notes
        (the next write of a shared transaction, which notes apart until it commits whole),
        exactly as if they had been noted here; ``later`` is left as it was."""
        for name in later._changed:
            if name not in self._changed:  # rows inserted here before may have changed since
                self._changed.add(name)
                self._images = {k: v for k, v in self._images.items() if k[0] != name}
        self._keys.update(later._keys)
        for key, image in later._images.items():
            if key[0] not in self._changed:  # ``note_inserted`` here would not have kept it
                self._images[key] = image

    def __bool__(self) -> bool:
        return bool(self._keys)

    def take(self, connection: Connection) -> dict[str, object] | None:
        """The after-images of every noted key (``{"changes": [{"table", "column", "value",
        "rows"}]}``), read now; None when nothing was noted. The notes are cleared."""
        if not self._keys:
            return None
        wanted: dict[tuple[str, str], list[object]] = {}
        found: dict[tuple[str, str, object], list[dict[str, Any]]] = {}
        for key in self._keys:
            image = self._images.get(key)
            if image is not None:
                found[key] = [_json_row(image)]
            else:
                wanted.setdefault((key[0], key[1]), []).append(key[2])
        for (name, column), values in wanted.items():  # one query per table and column
            query = _after_images_query(name, column)
            for start in range(0, len(values), _IN_CHUNK):
                chunk = values[start : start + _IN_CHUNK]
                for row in connection.execute(query, {"vs": chunk}):
                    image = _json_row(row._mapping)
                    found.setdefault((name, column, image[column]), []).append(image)
        changes = [
            {"table": name, "column": column, "value": value, "rows": found.get(key, [])}
            for key in self._keys
            for name, column, value in [key]
        ]
        self._keys.clear()
        self._images.clear()
        self._changed.clear()
        return {"changes": changes}


_IN_CHUNK = 500
"""Most values in one ``IN`` list (SQLite limits the parameters of a statement)."""


@functools.cache
def _after_images_query(name: str, column: str) -> Select[Any]:
    """The rows of table ``name`` whose ``column`` is one of the list parameter ``vs``, in
    primary-key order: built once per (table, column), so that SQLAlchemy's cache key of it is
    computed once, not on every write (it was a quarter of a busy server's time). One query for
    every key of a table and column: the writes of a shared transaction read their
    after-images together."""
    table = PROJECTED[name]
    pks = list(table.primary_key.columns)
    chosen = table.c[column].in_(bindparam("vs", expanding=True))
    return select(table).where(chosen).order_by(*pks)


@functools.cache
def _primary_key(table: Table) -> str | None:
    """The name of the table's primary key column; None for a key of several columns."""
    columns = list(table.primary_key.columns)
    return str(columns[0].name) if len(columns) == 1 else None


@functools.cache
def _column_types(table: Table) -> dict[str, type]:
    """Each column's Python type as SQLAlchemy returns it (``object`` when not plainly known)."""
    found: dict[str, type] = {}
    for column in table.columns:
        try:
            found[str(column.name)] = column.type.python_type
        except NotImplementedError:
            found[str(column.name)] = object
    return found


def _exact(table: Table, row: Mapping[str, Any]) -> bool:
    """True when ``row`` names every column of ``table`` and each value is None or exactly
    a ``str`` or ``int`` of a column of that type: what reading the row back would return."""
    types = _column_types(table)
    if len(row) != len(types):
        return False
    for name, kind in types.items():
        if name not in row:
            return False
        value = row[name]
        if value is not None and (kind not in (str, int) or type(value) is not kind):
            return False
    return True


_SAFE_INT = 2**53 - 1
"""JSON (I-JSON, RFC 8785) integers stop here; the open end of a window (2**62 µs) is beyond."""


def _json_row(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A row as JSON values: integers beyond ±(2**53 - 1) as their decimal text; column names
    as plain ``str`` (SQLAlchemy's ``quoted_name`` would send the whole entry down the
    canonical encoder's slow path)."""
    return {
        str(k): str(v) if type(v) is int and not -_SAFE_INT <= v <= _SAFE_INT else v
        for k, v in row.items()
    }


def _db_row(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """A recorded row as the table takes it (integers written as text turned back)."""
    return {
        k: int(v) if isinstance(v, str) and table.c[k].type.python_type is int else v
        for k, v in row.items()
    }


def apply(connection: Connection, payload: Mapping[str, Any]) -> None:
    """Replay one ``state.recorded`` payload onto ``connection``'s tables."""
    for change in payload["changes"]:
        table = PROJECTED[change["table"]]
        column = table.c[change["column"]]
        connection.execute(delete(table).where(column == change["value"]))
        rows: Sequence[Mapping[str, Any]] = change["rows"]
        if rows:
            connection.execute(insert(table), [_db_row(table, r) for r in rows])
