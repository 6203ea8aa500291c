"""The in-memory tables: each table's rows as the SQL store writes them, changes logged so
that a transaction that fails is taken back, and the journal of the rows a write changed."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sharedsky.testing.memory.database import MemoryUnitOfWork


class DuplicateKey(Exception):
    """A row whose primary or unique key another row of its table holds: what the SQL store
    answers with an IntegrityError (the work's transaction is rolled back)."""


# ---------------------------------------------------------------------------------------------
# The tables: every column of each, with the Python type SQLAlchemy reads it back as
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, init=False)
class TableSpec:
    """One table: its primary key's columns and each column's Python type, in column order."""

    key: tuple[str, ...]
    columns: dict[str, type]

    def __init__(self, key: tuple[str, ...], /, **columns: type) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "columns", columns)


SCHEMA: Mapping[str, TableSpec] = {
    "mechanism_settings": TableSpec(("key",), key=str, value=str),
    "parties": TableSpec(("id",), id=str, name=str, language=str, is_host=bool),
    "operators": TableSpec(
        ("id",),
        id=str,
        party_id=str,
        name=str,
        token_sha256=str,
        created_us=int,
        role=str,
        expires_us=int,
        revoked_us=int,
        cert_subject=str,
        changed_us=int,
    ),
    "notices": TableSpec(
        ("id",),
        id=str,
        party_id=str,
        kind=str,
        title=str,
        remarks=str,
        contact=str,
        version=int,
        filed_us=int,
        updated_us=int,
        cancelled_us=int,
        lead_time_s=float,
        late_for=str,
        t_start_us=int,
        t_end_us=int,
        min_lon=float,
        min_lat=float,
        max_lon=float,
        max_lat=float,
    ),
    "zones": TableSpec(
        ("id",),
        id=str,
        party_id=str,
        kind=str,
        title=str,
        remarks=str,
        version=int,
        declared_us=int,
        updated_us=int,
        withdrawn_us=int,
    ),
    "volumes": TableSpec(
        ("vid",),
        vid=int,
        object_type=str,
        object_id=str,
        volume_index=int,
        party_id=str,
        version=int,
        outline=str,
        alt_lo_m=float,
        alt_hi_m=float,
        t_start_us=int,
        t_end_us=int,
    ),
    "conflicts": TableSpec(
        ("id",),
        id=str,
        a_type=str,
        a_id=str,
        a_party=str,
        a_version=int,
        a_volume=int,
        b_type=str,
        b_id=str,
        b_party=str,
        b_version=int,
        b_volume=int,
        window_start_us=int,
        window_end_us=int,
        alt_lo_m=float,
        alt_hi_m=float,
        distance_m=float,
        region=str,
        region_a=str,
        region_b=str,
        detected_us=int,
        expires_us=int,
        state=str,
        resolved_us=int,
        resolved_reason=str,
    ),
    "tactical_alerts": TableSpec(
        ("id",),
        id=str,
        kind=str,
        a_party=str,
        a_track=str,
        b_type=str,
        b_id=str,
        b_party=str,
        audience=str,
        severity=str,
        figures=str,
        opened_us=int,
        updated_us=int,
        state=str,
        cleared_us=int,
    ),
    "ack_requests": TableSpec(
        ("id",),
        id=str,
        party_id=str,
        subject=str,
        subject_id=str,
        subject_version=int,
        priority=str,
        requested_us=int,
        due_us=int,
        status=str,
        acked_us=int,
        acked_by=str,
        rung=int,
    ),
    "messages": TableSpec(
        ("id",),
        id=str,
        thread=str,
        sender_party=str,
        sender_operator=str,
        recipient_party=str,
        priority=str,
        template=str,
        params=str,
        text=str,
        about_type=str,
        about_id=str,
        sent_us=int,
    ),
    "deliveries": TableSpec(
        ("subject", "subject_id", "party_id"),
        subject=str,
        subject_id=str,
        party_id=str,
        delivered_us=int,
        via=str,
    ),
    "escalations": TableSpec(
        ("id",),
        id=int,
        ack_id=str,
        party_id=str,
        rung=int,
        rung_name=str,
        at_us=int,
        next_due_us=int,
    ),
    "events": TableSpec(
        ("seq",),
        seq=int,
        time_us=int,
        actor=str,
        type=str,
        payload=str,
        party_sig=str,
        prev_hash=str,
        content_hash=str,
        hash=str,
        sig=str,
    ),
    "ledger_keys": TableSpec(
        ("key_id",),
        key_id=str,
        public_key=str,
        owner=str,
        operator_id=str,
        private_pem=str,
        created_us=int,
        revoked_us=int,
    ),
    "idempotency_keys": TableSpec(
        ("operator_id", "key"),
        operator_id=str,
        key=str,
        request_sha256=str,
        result=str,
        created_us=int,
    ),
    "webhooks": TableSpec(
        ("id",),
        id=str,
        party_id=str,
        url=str,
        secret=str,
        created_us=int,
        disabled_us=int,
        cursor_seq=int,
        attempts=int,
        next_attempt_us=int,
        lease_owner=str,
        lease_until_us=int,
    ),
    "webhook_deliveries": TableSpec(
        ("id",),
        id=int,
        webhook_id=str,
        event_seq=int,
        event_type=str,
        attempt=int,
        status_code=int,
        error=str,
        sent_us=int,
        ok=bool,
        dead=bool,
    ),
}
"""The SQL store's tables (``store/tables.py``) but the cell index (kept as ``Cover``) and
the live tables (``MemoryLiveTables``): primary key, columns and their Python types."""

_NUMBERED = ("volumes", "escalations", "webhook_deliveries")
"""Tables whose integer primary key the database gives each new row."""


class Row(dict[str, Any]):
    """A stored row: its columns by name, also as attributes (as a SQLAlchemy row reads), for
    ``store/mapping.py``. Never changed in place: an update stores a new row."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def typed(table: str, values: Mapping[str, Any]) -> Row:
    """``values`` as the table holds them: every column (None where not given, as a column
    without a value), each value of its column's type (a float column reads back a float)."""
    columns = SCHEMA[table].columns
    unknown = set(values) - set(columns)
    if unknown:
        raise ValueError(f"{table} has no column {sorted(unknown)}")
    row = Row()
    for name, kind in columns.items():
        value = values.get(name)
        row[name] = value if value is None or type(value) is kind else kind(value)
    return row


def changed(row: Row, table: str, **changes: Any) -> Row:
    """A copy of ``row`` with ``changes``."""
    return typed(table, {**row, **changes})


@dataclass(frozen=True, slots=True)
class Cover:
    """The ``volume_cells`` rows of one volume: its cells, its window and its party."""

    cells: frozenset[int]
    t_start_us: int
    t_end_us: int
    party: str


class Tables:
    """Every table's rows, the cell index and the row counters; changes made inside a
    transaction (``begin`` … ``commit`` or ``rollback``) are logged so that ``rollback`` takes
    them back. Only one transaction at a time (``MemoryDatabase`` holds the lock)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[Hashable, Row]] = {name: {} for name in SCHEMA}
        self.cell_vids: dict[int, set[int]] = {}
        """The cell index: each cell's volumes (``volume_cells``)."""
        self.covers: dict[int, Cover] = {}
        """Each indexed volume's cells, window and party, by vid."""
        self.counters = dict.fromkeys(_NUMBERED, 0)
        self._undo: list[Callable[[], None]] | None = None

    # --- transactions -------------------------------------------------------------------------

    def begin(self) -> None:
        self._undo = []

    def commit(self) -> None:
        self._undo = None

    def rollback(self) -> None:
        undo, self._undo = self._undo or [], None
        for step in reversed(undo):
            step()

    def _log(self, step: Callable[[], None]) -> None:
        if self._undo is None:
            raise RuntimeError("a write outside a transaction (a unit of work used after its run)")
        self._undo.append(step)

    # --- rows ---------------------------------------------------------------------------------

    @staticmethod
    def key_of(table: str, row: Mapping[str, Any]) -> Hashable:
        key = SCHEMA[table].key
        return row[key[0]] if len(key) == 1 else tuple(row[k] for k in key)

    def next_number(self, table: str) -> int:
        """The next number of a numbered table (never taken back, as a sequence)."""
        self.counters[table] += 1
        return self.counters[table]

    def get(self, table: str, key: Hashable) -> Row | None:
        return self.rows[table].get(key)

    def scan(self, table: str) -> Iterable[Row]:
        """The table's rows in primary-key order."""
        rows = self.rows[table]
        return (rows[k] for k in sorted(rows))  # type: ignore[type-var]  # keys of one type

    def insert(self, table: str, values: Mapping[str, Any]) -> Row:
        """Insert a row; DuplicateKey when its primary key is taken."""
        row = typed(table, values)
        rows = self.rows[table]
        key = self.key_of(table, row)
        if key in rows:
            raise DuplicateKey(f"{table} holds a row of key {key!r} already")
        self._log(lambda: self._forget(rows, key))
        rows[key] = row
        return row

    @staticmethod
    def _forget(rows: dict[Hashable, Row], key: Hashable) -> None:
        del rows[key]

    def replace(self, table: str, row: Row) -> None:
        """Store ``row`` in place of the row of its key (which exists)."""
        rows = self.rows[table]
        key = self.key_of(table, row)
        old = rows[key]
        self._log(lambda: rows.__setitem__(key, old))
        rows[key] = row

    def delete(self, table: str, key: Hashable) -> None:
        rows = self.rows[table]
        old = rows.pop(key)
        self._log(lambda: rows.__setitem__(key, old))

    # --- the cell index -----------------------------------------------------------------------

    def index(self, vid: int, cover: Cover) -> None:
        self._log(lambda: self._drop_cover(vid))
        self._add_cover(vid, cover)

    def unindex(self, vid: int) -> None:
        cover = self.covers.get(vid)
        if cover is not None:
            self._log(lambda: self._add_cover(vid, cover))
            self._drop_cover(vid)

    def _add_cover(self, vid: int, cover: Cover) -> None:
        self.covers[vid] = cover
        for cell in cover.cells:
            self.cell_vids.setdefault(cell, set()).add(vid)

    def _drop_cover(self, vid: int) -> None:
        cover = self.covers.pop(vid)
        for cell in cover.cells:
            vids = self.cell_vids[cell]
            vids.discard(vid)
            if not vids:
                del self.cell_vids[cell]


def newest_first(rows: Iterable[Row], time: str, then: str) -> list[Row]:
    """``ORDER BY time DESC, then`` (ascending)."""
    return sorted(sorted(rows, key=lambda r: r[then]), key=lambda r: r[time], reverse=True)


# ---------------------------------------------------------------------------------------------
# The state journal (``store/journal.py``): the after-images of the rows a write changed
# ---------------------------------------------------------------------------------------------

_SAFE_INT = 2**53 - 1
"""JSON (I-JSON, RFC 8785) integers stop here (``store/journal.py``)."""


def _json_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: str(v) if type(v) is int and not -_SAFE_INT <= v <= _SAFE_INT else v
        for k, v in row.items()
    }


class Journal:
    """The keys one unit of work wrote, in order, each once: "the rows of ``table`` whose
    ``column`` is ``value``", noted where the SQL repositories note them."""

    def __init__(self) -> None:
        self.keys: dict[tuple[str, str, object], None] = {}

    def note(self, table: str, column: str, value: object) -> None:
        self.keys[(table, column, value)] = None

    def take(self, tables: Tables) -> dict[str, object] | None:
        """The after-images of every noted key as they stand now (``{"changes": [...]}``,
        each key's rows in primary-key order); None when nothing was noted."""
        if not self.keys:
            return None
        changes = [
            {
                "table": table,
                "column": column,
                "value": value,
                "rows": [_json_row(r) for r in tables.scan(table) if r[column] == value],
            }
            for table, column, value in self.keys
        ]
        self.keys.clear()
        return {"changes": changes}


class Repository:
    """What every in-memory repository reads and writes through: its unit of work's tables
    and journal."""

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._t = uow.tables
        self._journal = uow.journal

    def _insert_all(self, table: str, rows: Sequence[Mapping[str, Any]]) -> list[Row]:
        """One multi-row insert: all of them, or (a key taken) none (DuplicateKey)."""
        keys = [self._t.key_of(table, r) for r in rows]
        if len(set(keys)) < len(keys) or any(self._t.get(table, k) for k in keys):
            raise DuplicateKey(f"{table} holds a row of one of these keys already")
        return [self._t.insert(table, row) for row in rows]
