"""EventLog: every event of the mechanism, appended in the transaction of its change."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    Select,
    bindparam,
    case,
    insert,
    null,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

from sharedsky.domain.events import StoredEvent
from sharedsky.ledger.canonical import canonical
from sharedsky.ledger.chain import Entry, Link, PartySig, append, format_time
from sharedsky.store import tables as t
from sharedsky.store.ledger_keys import LedgerKeys, ServerKeyCache
from sharedsky.store.mapping import LedgerAppendError, entry_from_row, event_values, payload_text
from sharedsky.store.pending import READS_NOTHING_HELD, Pending
from sharedsky.units import from_us

__all__ = ["NOTIFY_CHANNEL_SQL", "EventLog", "LedgerAppendError"]

_EVENT_ORDER_LOCK = 0x5EA5_0001
"""The PostgreSQL advisory lock that orders event commits."""
NOTIFY_CHANNEL_SQL = "left('sharedsky_events_' || current_schema(), 63)"
"""The PostgreSQL expression naming the NOTIFY channel of the current schema.

NOTIFY channels belong to the database, not to a schema: naming the schema keeps mechanisms that
share a database in different schemas apart. 63 bytes is PostgreSQL's limit for a channel name;
the listener (``events/pg_notify.py``) evaluates the same expression on its own connection."""


_APPEND = insert(t.events)
"""The append statement (values as parameters: compiled once, cached)."""
_HEAD = (
    select(t.events.c.seq, t.events.c.hash, t.events.c.sig).order_by(t.events.c.seq.desc()).limit(1)
)
_FIRST_HEAD = _HEAD.execution_options(**{READS_NOTHING_HELD: True})
"""The head as a write transaction first reads it: before its first append, so no event of it
is held back (``store/pending.py``) and the rows held of other tables need not go first."""
_ORDERED_HEAD = text(
    "SELECT e.seq, e.hash, e.sig, pg_advisory_xact_lock(:key) AS locked,"
    f" pg_notify({NOTIFY_CHANNEL_SQL}, '') AS notified"
    " FROM (SELECT 1) AS one"
    " LEFT JOIN (SELECT seq, hash, sig FROM events ORDER BY seq DESC LIMIT 1) AS e ON true"
).execution_options(**{READS_NOTHING_HELD: True})
"""PostgreSQL: the event-order lock, the commit notification and the head in one statement
(``EventLog._head``)."""
_TAKE_TURN = text("SELECT pg_advisory_lock(:key)")
_GIVE_TURN = text("SELECT pg_advisory_unlock(:key)")

log = logging.getLogger("sharedsky.store.events")


@contextmanager
def in_ledger_order(connection: Connection) -> Iterator[None]:
    """Run the block's transaction in its turn among the writers of the ledger, however many
    processes they are in (PostgreSQL; nothing to do on SQLite, whose writers take turns).

    A write transaction takes the event-order lock only at its first append, after its first
    statement took its snapshot: when another process commits an append meanwhile, this one
    reads a head that is no longer the head and fails on the primary key, and a retry that
    races the same way loses as often (two busy processes' group commits keep the lock
    nearly all the time). Here the lock is taken for the session, in a transaction of its
    own, *before* the block's transaction starts, so that its snapshot holds every append
    committed before it, and released when the block ends, committed or not. A session that
    cannot say it released the lock is closed (which releases it) rather than pooled."""
    if connection.dialect.name != "postgresql":
        yield
        return
    with connection.begin():
        connection.execute(_TAKE_TURN, {"key": _EVENT_ORDER_LOCK})
    try:
        yield
    finally:
        try:
            with connection.begin():
                connection.execute(_GIVE_TURN, {"key": _EVENT_ORDER_LOCK})
        except SQLAlchemyError as exc:
            log.warning("the ledger's order lock is released by closing its session: %s", exc)
            connection.invalidate()


class EventLog:
    """Append-only event log (the outbox and ledger of later work build on it)."""

    def __init__(
        self, connection: Connection, keys: ServerKeyCache, pending: Pending | None = None
    ) -> None:
        self._c = connection
        self._keys = keys
        self._pending = Pending(connection) if pending is None else pending
        """The transaction's held inserts and ledger head (``store/pending.py``), shared by the
        writes of a shared transaction."""
        self.last_time: datetime | None = None
        """The time of the last event appended through this log."""
        self.appended = 0
        """Events appended through this log (its transaction notifies listeners on commit)."""

    def _head(self) -> Link | None:
        """The newest entry (None: the ledger is empty), read once per transaction (events
        stored before the ledger existed were sealed by migration 0008).

        On PostgreSQL the same statement takes a transaction lock held from the first append
        to the commit, so that events commit in ``seq`` order and a stream never passes a seq
        that commits later, and queues a notification on the schema's channel, which
        PostgreSQL delivers to every listening process when (and only if) the transaction
        commits (R-STREAM-2). One statement, one round trip: the head it reads is the one of
        the transaction's snapshot either way (taken as its first statement starts, before
        the lock is granted), and a head another process moved meanwhile makes the insert
        fail on the primary key, which the unit of work retries."""
        if self._pending.head_known:
            return self._pending.head  # an earlier append of the same (shared) transaction
        if self._c.dialect.name == "postgresql":
            # once per transaction (the head is known after the first append); again after
            # a failed append, which is harmless (the lock is re-entrant and a transaction's
            # identical notifications arrive as one), or after the write that read it was
            # taken back (its savepoint undid the lock and the notification: taken again)
            row = self._c.execute(_ORDERED_HEAD, {"key": _EVENT_ORDER_LOCK}).first()
            if row is not None and row.seq is None:
                row = None  # an empty ledger
        else:
            row = self._c.execute(_FIRST_HEAD).first()
        return None if row is None else Link(row.seq, row.hash, row.sig)

    def append(
        self,
        time: datetime,
        actor: str,
        type_: str,
        payload: Mapping[str, object],
        party_sig: PartySig | None = None,
    ) -> int:
        """Append an event to the ledger (chained and signed) and return its sequence number.

        ``party_sig`` is the submitter's verified signature of its request, if it signed.
        LedgerAppendError when the payload has no canonical JSON form (NaN, say).
        """
        seq, row = self._chained(time, actor, type_, payload, party_sig)
        self._pending.insert(_APPEND, [row])
        return seq

    def _chained(
        self,
        time: datetime,
        actor: str,
        type_: str,
        payload: Mapping[str, object],
        party_sig: PartySig | None,
    ) -> tuple[int, dict[str, object]]:
        """The seq and row of the next entry, chained after the head and signed; the head
        moves on to it (the caller inserts the row in this transaction)."""
        plain, text_ = payload_text(payload)
        prev = self._head()
        signer = self._keys.signer(LedgerKeys(self._c), time)
        seq = 1 if prev is None else prev.seq + 1
        entry = append(prev, seq, format_time(time), actor, type_, plain, party_sig, signer)
        self.appended += 1
        self.last_time = time
        self._pending.move_head(entry.link)
        return seq, event_values(entry, time, text_)

    def append_many(
        self, time: datetime, actor: str, events: Sequence[tuple[str, Mapping[str, object]]]
    ) -> None:
        """Append (type, payload) events in order, inserted with one statement."""
        rows = [self._chained(time, actor, t_, payload, None)[1] for t_, payload in events]
        self._pending.insert(_APPEND, rows)

    def after(
        self, seq: int, limit: int = 1000, bare: frozenset[str] = frozenset()
    ) -> list[StoredEvent]:
        """Events with a sequence number above ``seq``, in order; empty when none. Events of
        the types in ``bare`` come with an empty payload (a stream skips them and need not
        read the after-images of every write)."""
        return [
            StoredEvent(
                row.seq,
                from_us(row.time_us),
                row.actor,
                row.type,
                {} if row.payload is None else orjson.loads(row.payload),
            )
            for row in self._c.execute(_after_query(bare), {"after": seq, "limit": limit})
        ]

    def entries(self, after: int, limit: int = 1000) -> list[Entry]:
        """Ledger entries with a seq above ``after``, in order, content included."""
        query = select(t.events).where(t.events.c.seq > after).order_by(t.events.c.seq)
        return [entry_from_row(row) for row in self._c.execute(query.limit(limit))]

    def entries_naming(self, text_: str, after: int, upto: int, limit: int = 10_000) -> list[Entry]:
        """Ledger entries after seq ``after`` and up to ``upto`` whose payload holds the JSON
        string ``text_`` (a value or a key, anywhere in it), in order, content included; at
        most ``limit``."""
        needle = canonical(text_).decode()  # the string as the payload's canonical text has it
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", needle) + "%"
        query = (
            select(t.events)
            .where(
                t.events.c.seq > after,
                t.events.c.seq <= upto,
                t.events.c.payload.like(pattern, escape="\\"),
            )
            .order_by(t.events.c.seq)
            .limit(limit)
        )
        # the pattern narrows the scan; SQLite's LIKE ignores the case of ASCII letters
        return [entry_from_row(row) for row in self._c.execute(query) if needle in row.payload]

    def head(self) -> Link | None:
        """The newest entry as committed (None: the ledger is empty)."""
        row = self._c.execute(_HEAD).first()
        return None if row is None else Link(row.seq, row.hash, row.sig)

    def link_of(self, seq: int) -> Link | None:
        """Entry ``seq``'s hash and signature; None when there is no such entry."""
        c = t.events.c
        row = self._c.execute(select(c.seq, c.hash, c.sig).where(c.seq == seq)).first()
        return None if row is None else Link(row.seq, row.hash, row.sig)


@functools.cache
def _after_query(bare: frozenset[str]) -> Select[Any]:
    """The events after ``:after`` (at most ``:limit``), the payloads of ``bare`` types left
    out by the database; built once per set of types."""
    c = t.events.c
    payload: Any = c.payload
    if bare:
        payload = case((c.type.in_(sorted(bare)), null()), else_=c.payload).label("payload")
    return (
        select(c.seq, c.time_us, c.actor, c.type, payload)
        .where(c.seq > bindparam("after"))
        .order_by(c.seq)
        .limit(bindparam("limit"))
    )
