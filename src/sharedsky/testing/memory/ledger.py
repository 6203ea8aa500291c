"""The ledger in memory (``store/events.py``): events chained and signed by
``sharedsky.ledger``, exactly as the SQL store appends them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import orjson

from sharedsky.domain.events import StoredEvent
from sharedsky.ledger.canonical import canonical
from sharedsky.ledger.chain import Entry, Link, PartySig, append, format_time
from sharedsky.store.mapping import entry_from_row, event_values, payload_text
from sharedsky.testing.memory.tables import Repository, Row
from sharedsky.units import from_us

if TYPE_CHECKING:
    from sharedsky.testing.memory.database import MemoryUnitOfWork


class MemoryEvents(Repository):
    """``store/events.py``: the ledger, chained and signed by ``sharedsky.ledger``."""

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        super().__init__(uow)
        self.last_time: datetime | None = None
        """The time of the last event appended through this log."""
        self.appended = 0
        """Events appended through this log (its commit notifies the listeners)."""

    def append(
        self,
        time: datetime,
        actor: str,
        type_: str,
        payload: Mapping[str, object],
        party_sig: PartySig | None = None,
    ) -> int:
        """LedgerAppendError when the payload has no canonical JSON form (NaN, say)."""
        [row] = self._insert([(type_, payload, party_sig)], time, actor)
        return int(row.seq)

    def append_many(
        self, time: datetime, actor: str, events: Sequence[tuple[str, Mapping[str, object]]]
    ) -> None:
        self._insert([(t_, payload, None) for t_, payload in events], time, actor)

    def _insert(
        self,
        events: Sequence[tuple[str, Mapping[str, object], PartySig | None]],
        time: datetime,
        actor: str,
    ) -> list[Row]:
        """Chain ``events`` after the head, each after the one before, sign them and insert
        them; none when one has no canonical payload (LedgerAppendError)."""
        rows: list[dict[str, object]] = []
        prev = self.head()
        for type_, payload, party_sig in events:
            plain, text_ = payload_text(payload)
            signer = self._uow.server_signer(time)
            seq = 1 if prev is None else prev.seq + 1
            entry = append(prev, seq, format_time(time), actor, type_, plain, party_sig, signer)
            prev = entry.link
            rows.append(event_values(entry, time, text_))
        if rows:
            self.appended += len(rows)
            self.last_time = time
        return self._t.insert_many("events", rows)

    def after(
        self, seq: int, limit: int = 1000, bare: frozenset[str] = frozenset()
    ) -> list[StoredEvent]:
        return [
            StoredEvent(
                r.seq,
                from_us(r.time_us),
                r.actor,
                r.type,
                {} if r.type in bare else orjson.loads(r.payload),
            )
            for r in self._rows_after(seq, limit)
        ]

    def entries(self, after: int, limit: int = 1000) -> list[Entry]:
        return [entry_from_row(r) for r in self._rows_after(after, limit)]

    def entries_naming(self, text_: str, after: int, upto: int, limit: int = 10_000) -> list[Entry]:
        needle = canonical(text_).decode()
        found: list[Entry] = []
        for row in self._rows_after(after, max(upto - after, 0)):
            if len(found) >= limit:
                break
            if needle in row.payload:
                found.append(entry_from_row(row))
        return found

    def head(self) -> Link | None:
        rows = self._t.rows["events"]
        if not rows:
            return None
        last = rows[next(reversed(rows))]
        return Link(last.seq, last.hash, last.sig)

    def _rows_after(self, seq: int, limit: int) -> list[Row]:
        """Rows of seqs above ``seq``, in order, at most ``limit`` (seqs run 1, 2, … in the
        order they were inserted)."""
        rows = self._t.rows["events"]
        first = max(seq, 0) + 1
        return [rows[s] for s in range(first, first + max(limit, 0)) if s in rows]
