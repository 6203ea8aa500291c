"""EventLog: every event of the mechanism, appended in the transaction of its change."""

from __future__ import annotations

import json
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, RootTransaction, insert, select, text

from sharedsky.store import tables as t
from sharedsky.store.mapping import from_us, to_us


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One appended event."""

    seq: int
    time: datetime
    actor: str
    type: str
    payload: dict[str, object]


_SERIALISED: weakref.WeakSet[RootTransaction] = weakref.WeakSet()
"""Transactions that already hold the event-order lock (several writes may share one)."""
_EVENT_ORDER_LOCK = 0x5EA5_0001
"""The PostgreSQL advisory lock that orders event commits."""
NOTIFY_CHANNEL_SQL = "left('sharedsky_events_' || current_schema(), 63)"
"""The PostgreSQL expression naming the NOTIFY channel of the current schema.

NOTIFY channels belong to the database, not to a schema: naming the schema keeps mechanisms that
share a database in different schemas apart. 63 bytes is PostgreSQL's limit for a channel name;
the listener (``events/pg_notify.py``) evaluates the same expression on its own connection."""


_APPEND = insert(t.events).returning(t.events.c.seq)
"""The append statement (values as parameters: compiled once, cached)."""


def _encode(payload: Mapping[str, object]) -> str:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str)


class EventLog:
    """Append-only event log (the outbox and ledger of later work build on it)."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self.appended = 0
        """Events appended through this log (its transaction notifies listeners on commit)."""

    def _serialise(self) -> None:
        """On PostgreSQL, hold a transaction lock from the first append to the commit, so that
        events commit in ``seq`` order and a stream never passes a seq that commits later; and
        queue a notification on the schema's channel, which PostgreSQL delivers to every
        listening process when (and only if) the transaction commits (R-STREAM-2)."""
        if self.appended or self._c.dialect.name != "postgresql":
            return
        transaction = self._c.get_transaction()
        if transaction is not None and transaction in _SERIALISED:
            return  # an earlier write of the same (shared) transaction took the lock
        if transaction is not None:
            _SERIALISED.add(transaction)
        self._c.execute(
            text(f"SELECT pg_advisory_xact_lock(:key), pg_notify({NOTIFY_CHANNEL_SQL}, '')"),
            {"key": _EVENT_ORDER_LOCK},
        )

    def append(self, time: datetime, actor: str, type_: str, payload: Mapping[str, object]) -> int:
        """Append an event and return its sequence number."""
        self._serialise()
        self.appended += 1
        result = self._c.execute(
            _APPEND,
            {"time_us": to_us(time), "actor": actor, "type": type_, "payload": _encode(payload)},
        )
        seq: int = result.scalar_one()
        return seq

    def append_many(
        self, time: datetime, actor: str, events: Sequence[tuple[str, Mapping[str, object]]]
    ) -> None:
        """Append (type, payload) events in order, in one statement."""
        if not events:
            return
        self._serialise()
        self.appended += len(events)
        rows = [
            {"time_us": to_us(time), "actor": actor, "type": type_, "payload": _encode(payload)}
            for type_, payload in events
        ]
        self._c.execute(insert(t.events), rows)

    def after(self, seq: int, limit: int = 1000) -> list[StoredEvent]:
        """Events with a sequence number above ``seq``, in order; empty when none."""
        query = select(t.events).where(t.events.c.seq > seq).order_by(t.events.c.seq).limit(limit)
        return [
            StoredEvent(row.seq, from_us(row.time_us), row.actor, row.type, json.loads(row.payload))
            for row in self._c.execute(query)
        ]
