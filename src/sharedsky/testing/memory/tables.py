"""The in-memory tables: each table's rows as the SQL store writes them, changes logged so
that a transaction that fails is taken back."""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from sharedsky.testing.memory.database import MemoryUnitOfWork


class ConstraintViolation(Exception):
    """A row that breaks a constraint of its table (a primary, unique or foreign key, a column
    that may not be NULL): what the SQL store answers with an IntegrityError."""


# ---------------------------------------------------------------------------------------------
# The tables: every column of each, with the Python type SQLAlchemy reads it back as
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table of the SQL schema (``store/tables.py``)."""

    key: tuple[str, ...]
    """The primary key's columns."""
    columns: Mapping[str, type]
    """Each column's Python type (what SQLAlchemy reads back), in column order."""
    optional: tuple[str, ...] = ()
    """The columns that may be NULL (None)."""
    refs: Mapping[str, str] = field(default_factory=dict)
    """Foreign keys: column → the table whose primary key it names."""


SCHEMA: Mapping[str, TableSpec] = {
    "mechanism_settings": TableSpec(("key",), {"key": str, "value": str}),
    "parties": TableSpec(("id",), {"id": str, "name": str, "language": str, "is_host": bool}),
    "operators": TableSpec(
        ("id",),
        {
            "id": str,
            "party_id": str,
            "name": str,
            "token_sha256": str,
            "created_us": int,
            "role": str,
            "expires_us": int,
            "revoked_us": int,
            "cert_subject": str,
            "changed_us": int,
        },
        optional=("expires_us", "revoked_us", "cert_subject"),
        refs={"party_id": "parties"},
    ),
    "notices": TableSpec(
        ("id",),
        {
            "id": str,
            "party_id": str,
            "kind": str,
            "title": str,
            "remarks": str,
            "contact": str,
            "version": int,
            "filed_us": int,
            "updated_us": int,
            "cancelled_us": int,
            "lead_time_s": float,
            "late_for": str,
            "t_start_us": int,
            "t_end_us": int,
            "min_lon": float,
            "min_lat": float,
            "max_lon": float,
            "max_lat": float,
            "priority_status": str,
            "activation": str,
            "activated_us": int,
            "released_us": int,
            "not_activated_us": int,
            "request_agreement": bool,
        },
        optional=(
            "cancelled_us",
            "priority_status",
            "activated_us",
            "released_us",
            "not_activated_us",
        ),
        refs={"party_id": "parties"},
    ),
    "zones": TableSpec(
        ("id",),
        {
            "id": str,
            "party_id": str,
            "kind": str,
            "title": str,
            "remarks": str,
            "version": int,
            "declared_us": int,
            "updated_us": int,
            "withdrawn_us": int,
        },
        optional=("withdrawn_us",),
        refs={"party_id": "parties"},
    ),
    "volumes": TableSpec(
        ("vid",),
        {
            "vid": int,
            "object_type": str,
            "object_id": str,
            "volume_index": int,
            "party_id": str,
            "version": int,
            "outline": str,
            "alt_lo_m": float,
            "alt_hi_m": float,
            "t_start_us": int,
            "t_end_us": int,
            "band": str,
            "schedule": str,
        },
        optional=("t_end_us", "band", "schedule"),
    ),
    "conflicts": TableSpec(
        ("id",),
        {
            "id": str,
            "a_type": str,
            "a_id": str,
            "a_party": str,
            "a_version": int,
            "a_volume": int,
            "b_type": str,
            "b_id": str,
            "b_party": str,
            "b_version": int,
            "b_volume": int,
            "window_start_us": int,
            "window_end_us": int,
            "alt_lo_m": float,
            "alt_hi_m": float,
            "distance_m": float,
            "region": str,
            "region_a": str,
            "region_b": str,
            "detected_us": int,
            "expires_us": int,
            "state": str,
            "resolved_us": int,
            "resolved_reason": str,
            "datum_margin_m": float,
            "a_priority_status": str,
            "b_priority_status": str,
            "a_occurrence_start_us": int,
            "a_occurrence_end_us": int,
            "b_occurrence_start_us": int,
            "b_occurrence_end_us": int,
        },
        optional=(
            "window_end_us",
            "region_a",
            "region_b",
            "expires_us",
            "resolved_us",
            "resolved_reason",
            "datum_margin_m",
            "a_priority_status",
            "b_priority_status",
            "a_occurrence_start_us",
            "a_occurrence_end_us",
            "b_occurrence_start_us",
            "b_occurrence_end_us",
        ),
    ),
    "tactical_alerts": TableSpec(
        ("id",),
        {
            "id": str,
            "kind": str,
            "a_party": str,
            "a_track": str,
            "b_type": str,
            "b_id": str,
            "b_party": str,
            "audience": str,
            "severity": str,
            "figures": str,
            "opened_us": int,
            "updated_us": int,
            "state": str,
            "cleared_us": int,
        },
        optional=("cleared_us",),
    ),
    "ack_requests": TableSpec(
        ("id",),
        {
            "id": str,
            "party_id": str,
            "subject": str,
            "subject_id": str,
            "subject_version": int,
            "priority": str,
            "requested_us": int,
            "due_us": int,
            "status": str,
            "acked_us": int,
            "acked_by": str,
            "rung": int,
            "answer": str,
            "reason": str,
            "note": str,
            "counter": str,
        },
        optional=("acked_us", "acked_by", "answer", "reason", "note", "counter"),
    ),
    "messages": TableSpec(
        ("id",),
        {
            "id": str,
            "thread": str,
            "sender_party": str,
            "sender_operator": str,
            "recipient_party": str,
            "priority": str,
            "template": str,
            "params": str,
            "text": str,
            "about_type": str,
            "about_id": str,
            "sent_us": int,
            "reply": str,
            "replied_us": int,
            "replied_by": str,
        },
        optional=("template", "about_type", "about_id", "reply", "replied_us", "replied_by"),
    ),
    "incidents": TableSpec(("id",), {"id": str, "party_id": str, "filed_us": int, "record": str}),
    "deliveries": TableSpec(
        ("subject", "subject_id", "party_id"),
        {"subject": str, "subject_id": str, "party_id": str, "delivered_us": int, "via": str},
    ),
    "escalations": TableSpec(
        ("id",),
        {
            "id": int,
            "ack_id": str,
            "party_id": str,
            "rung": int,
            "rung_name": str,
            "at_us": int,
            "next_due_us": int,
        },
        optional=("next_due_us",),
    ),
    "events": TableSpec(
        ("seq",),
        {
            "seq": int,
            "time_us": int,
            "actor": str,
            "type": str,
            "payload": str,
            "party_sig": str,
            "prev_hash": str,
            "content_hash": str,
            "hash": str,
            "sig": str,
        },
        optional=("party_sig",),
    ),
    "ledger_keys": TableSpec(
        ("key_id",),
        {
            "key_id": str,
            "public_key": str,
            "owner": str,
            "operator_id": str,
            "private_pem": str,
            "created_us": int,
            "revoked_us": int,
        },
        optional=("operator_id", "private_pem", "revoked_us"),
    ),
    "idempotency_keys": TableSpec(
        ("operator_id", "key"),
        {"operator_id": str, "key": str, "request_sha256": str, "result": str, "created_us": int},
    ),
    "webhooks": TableSpec(
        ("id",),
        {
            "id": str,
            "party_id": str,
            "url": str,
            "secret": str,
            "created_us": int,
            "disabled_us": int,
            "cursor_seq": int,
            "attempts": int,
            "next_attempt_us": int,
            "lease_owner": str,
            "lease_until_us": int,
        },
        optional=("disabled_us", "lease_owner", "lease_until_us"),
        refs={"party_id": "parties"},
    ),
    "webhook_deliveries": TableSpec(
        ("id",),
        {
            "id": int,
            "webhook_id": str,
            "event_seq": int,
            "event_type": str,
            "attempt": int,
            "status_code": int,
            "error": str,
            "sent_us": int,
            "ok": bool,
            "dead": bool,
        },
        optional=("status_code", "error"),
        refs={"webhook_id": "webhooks"},
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
    spec = SCHEMA[table]
    unknown = set(values) - set(spec.columns)
    if unknown:
        raise ValueError(f"{table} has no column {sorted(unknown)}")
    row = Row()
    for name, kind in spec.columns.items():
        value = values.get(name)
        if value is None and name not in spec.optional:
            raise ConstraintViolation(f"{table}.{name} may not be NULL")
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

    def above_max(self, table: str) -> int:
        """One more than the greatest number of a numbered table's rows (1 when it has none):
        the number the SQL store gives a new row, so that a replay of the ledger numbers the
        rows as the writes did (a sequence would skip the numbers of rolled-back writes)."""
        return max((int(cast(int, key)) for key in self.rows[table]), default=0) + 1

    def get(self, table: str, key: Hashable) -> Row | None:
        return self.rows[table].get(key)

    def scan(self, table: str) -> Iterable[Row]:
        """The table's rows in primary-key order."""
        rows = self.rows[table]
        return (rows[k] for k in sorted(rows))  # type: ignore[type-var]  # keys of one type

    def insert(self, table: str, values: Mapping[str, Any]) -> Row:
        """Insert a row; ConstraintViolation when its primary key is taken or it breaks another
        constraint of the table."""
        [row] = self.insert_many(table, [values])
        return row

    def insert_many(self, table: str, many: Sequence[Mapping[str, Any]]) -> list[Row]:
        """Insert rows as one statement does: every one, or (one breaks a constraint) none."""
        rows = self.rows[table]
        new = [typed(table, values) for values in many]
        keys = [self.key_of(table, row) for row in new]
        if len(set(keys)) < len(keys) or any(key in rows for key in keys):
            raise ConstraintViolation(f"{table} holds a row of one of the keys {keys!r} already")
        for row in new:
            self._check_refs(table, row)
        for key, row in zip(keys, new, strict=True):
            self._log(functools.partial(self._forget, rows, key))
            rows[key] = row
        return new

    @staticmethod
    def _forget(rows: dict[Hashable, Row], key: Hashable) -> None:
        del rows[key]

    def replace(self, table: str, row: Row) -> None:
        """Store ``row`` in place of the row of its key (which exists)."""
        self._check_refs(table, row)
        rows = self.rows[table]
        key = self.key_of(table, row)
        old = rows[key]
        self._log(lambda: rows.__setitem__(key, old))
        rows[key] = row

    def _check_refs(self, table: str, row: Row) -> None:
        """ConstraintViolation when a foreign key of ``row`` names no row (of a table whose
        rows are never deleted here: parties and webhooks)."""
        for column, target in SCHEMA[table].refs.items():
            if row[column] is not None and row[column] not in self.rows[target]:
                raise ConstraintViolation(f"{table}.{column} names no row of {target}")

    def delete(self, table: str, key: Hashable) -> None:
        rows = self.rows[table]
        old = rows[key]
        self._log(lambda: rows.__setitem__(key, old))
        del rows[key]

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


class Repository:
    """What every in-memory repository reads and writes through: its unit of work's tables."""

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self._uow = uow
        self._t = uow.tables
