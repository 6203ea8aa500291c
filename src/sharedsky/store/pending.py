"""Pending: what one write transaction keeps back from the database, and where its ledger stands.

The unit of work (``store/uow.py``) makes one ``Pending`` per database transaction and hands it to
the repositories that insert or append; the writes of a shared transaction
(``store/group_commit.py``) share it. It holds two things, and takes back what one write of the
transaction added to them when that write fails (savepoints, below).

**Held inserts.** In a shared transaction fifty hotline messages are fifty inserts into each of
three tables. On PostgreSQL each insert is a round trip to the server, and after each the
committing thread waits for the GIL again: the round trips, not the work, bound how many writes a
second one process commits. The busiest repositories therefore hand their plain inserts to
``insert``. Outside ``holding`` it executes them at once; inside, it holds them and sends the rows
of each statement together (one ``executemany``, which the drivers pipeline) before any other
statement runs on the connection and before the commit. So every read, update or delete of the
transaction sees every row written before it, exactly as if the inserts had run when they were
made.

What changes is the order in which rows of *different* statements reach the database (all the
messages, then all the acknowledgement requests, then all the events): harmless for the tables
that take held rows, none of which refers to another by a foreign key. And a held insert fails
later than it was made, perhaps while another write runs, so a failed flush fails the whole
shared transaction (``failed``), whose writes then each run alone, holding nothing back: every
failure still reaches its own writer.

Why a listener sends them: a statement that must see the held rows can come from anywhere in a
use case (a repository, the projection's writes, a test's raw SQL).
Asking each of them to flush first would make one forgotten call a read that misses rows written
a moment before, silently. So ``holding`` listens to ``before_execute`` of its own connection,
for the time of the block only: no other connection pays for it, and no state is shared between
transactions. A statement that provably touches no table with held rows says so with the
``READS_NOTHING_HELD`` execution option and runs without sending them. The same listener sets
the SAVEPOINT of a write that sends its first statement (below).

**The ledger head** as this transaction sees it (``head``): the first append reads it from the
database (``store/events.py``); each later append of the transaction chains after the one before
without reading it again.

**Savepoints.** Each write of a shared transaction runs in ``savepoint``: when it raises, the
database goes back to where it was as the write began, and this object with it (the rows the
write held dropped, the head where it was), so the write leaves nothing behind and the others
commit. The SAVEPOINT is set lazily, just before the write's first statement reaches the
database: a hotline message, whose reads are cached and whose inserts are all held, sends no
statement at all, and taking such a write back needs no round trip either. Rows of earlier
writes that a statement of the write sent (after its SAVEPOINT) are held again when it is taken
back, since the rollback undid them; and a statement that moves between savepoints sends
nothing held (a ``ROLLBACK TO`` that sent rows first would undo them too).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Connection,
    Insert,
    NestedTransaction,
    ReleaseSavepointClause,
    RollbackToSavepointClause,
    SavepointClause,
    event,
)

from sharedsky.ledger.chain import Link

READS_NOTHING_HELD = "sharedsky_reads_nothing_held"
"""Execution option of a statement that touches no table with held rows (it runs without
sending them first, saving a round trip): only for a statement that provably does not."""
_SAVEPOINT_CLAUSES = (SavepointClause, ReleaseSavepointClause, RollbackToSavepointClause)
"""Statements that move between savepoints: they touch no table and send nothing held."""


class Pending:
    """The held inserts and the ledger head of one write transaction on ``connection``."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._rows: dict[Insert, list[Mapping[str, Any]]] = {}
        """The rows held, by statement in the order each was first used."""
        self._holding = False
        self._head: Link | None = None
        self._head_known = False
        self._writing = False
        """Inside ``savepoint``: the next statement sets the SAVEPOINT first."""
        self._nested: NestedTransaction | None = None
        """The SAVEPOINT of the write in ``savepoint``, once a statement needed it."""
        self.failed: BaseException | None = None
        """An error that leaves the transaction unfit to commit: a flush that failed (the rows
        it carried may be of several writes), or a savepoint that could not be set, released or
        rolled back. Kept should a caller swallow it: ``holding`` raises it as it ends."""

    # --- held inserts

    def insert(self, statement: Insert, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert ``rows`` with ``statement`` (a plain insert, values as parameters, no
        RETURNING): held inside ``holding``, at once outside it. Nothing for no rows."""
        if not rows:
            return
        if self._holding:
            self._rows.setdefault(statement, []).extend(rows)
        else:
            _execute(self._c, statement, rows)

    def flush(self) -> None:
        """Send the held rows now, one statement per table (on PostgreSQL in one pipeline);
        nothing when none is held. A failure is raised and kept in ``failed``."""
        held, self._rows = self._rows, {}  # taken first: the flush's own statements hold nothing
        if not held:
            return
        try:
            if len(held) > 1 and self._c.dialect.name == "postgresql":
                # one round trip for every statement: psycopg's pipeline sends them all and
                # waits once (an error surfaces as the pipeline ends)
                with self._c.connection.driver_connection.pipeline():  # type: ignore[union-attr]
                    _send(self._c, held)
            else:
                _send(self._c, held)
        except BaseException as exc:
            self.failed = exc
            raise

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Hold ``insert`` inserts until another statement runs on the connection or the block
        ends (then they are sent; on an exception they are dropped, with the transaction the
        caller rolls back). Raises ``failed`` at the end even if the block swallowed it."""
        if self._holding:
            raise RuntimeError("this transaction already holds inserts")
        self._holding = True
        event.listen(self._c, "before_execute", self._before_execute)
        try:
            yield
            self.flush()
            if self.failed is not None:
                raise self.failed
        finally:
            event.remove(self._c, "before_execute", self._before_execute)
            self._holding = False
            self._rows = {}

    def _before_execute(
        self,
        _connection: Connection,
        statement: object,
        _multiparams: object,
        _params: object,
        execution_options: Mapping[str, Any],
    ) -> None:
        """Before any other statement of the connection: set the SAVEPOINT of the write under
        way, if it has none yet, then send the held rows."""
        if isinstance(statement, _SAVEPOINT_CLAUSES):
            return
        if self._writing and self._nested is None:
            try:
                self._nested = self._c.begin_nested()
            except BaseException as exc:
                self.failed = exc
                raise
        if self._rows and not execution_options.get(READS_NOTHING_HELD):
            self.flush()

    # --- the ledger head

    @property
    def head_known(self) -> bool:
        """True once this transaction has appended to the ledger: ``head`` is then its newest
        entry, and the database need not be asked."""
        return self._head_known

    @property
    def head(self) -> Link | None:
        """The newest ledger entry as this transaction sees it (only when ``head_known``)."""
        return self._head

    def move_head(self, link: Link) -> None:
        """The transaction appended the entry ``link``: it is the head from now on."""
        self._head, self._head_known = link, True

    # --- savepoints

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Run the block as one write that can be taken back (inside ``holding``; not nested).
        When it raises, the database goes back to where it was as the block began (to its
        SAVEPOINT, set before the block's first statement; nothing to undo when it sent none)
        and so does this object: rows held in the block are dropped, rows held before it that a
        statement of the block sent are held again, the ledger head is the one before the
        block; then the exception goes on. When the savepoint cannot be released or rolled
        back, its error is raised and kept in ``failed``."""
        if not self._holding or self._writing:
            raise RuntimeError("a savepoint runs inside holding(), one at a time")
        # the lists as they stand: a write only appends to them, and a flush replaces them
        rows = {statement: (held, len(held)) for statement, held in self._rows.items()}
        head, known = self._head, self._head_known
        self._writing = True
        try:
            yield
        except BaseException as error:
            nested, self._nested, self._writing = self._nested, None, False
            try:
                if nested is not None:
                    if not nested.is_active:  # not ours to roll back: the connection lost it
                        raise RuntimeError("the savepoint was lost") from error
                    nested.rollback()
            except BaseException as exc:
                self.failed = exc
                raise
            finally:
                self._rows = {statement: held[:n] for statement, (held, n) in rows.items()}
                self._head, self._head_known = head, known
            raise
        nested, self._nested, self._writing = self._nested, None, False
        if nested is not None:
            try:
                nested.commit()
            except BaseException as exc:
                self.failed = exc
                raise


def _send(connection: Connection, held: dict[Insert, list[Mapping[str, Any]]]) -> None:
    for statement, rows in held.items():
        _execute(connection, statement, rows)


def _execute(connection: Connection, statement: Insert, rows: Sequence[Mapping[str, Any]]) -> None:
    """One statement for the rows: a plain execute for one, an ``executemany`` for more."""
    connection.execute(statement, rows[0] if len(rows) == 1 else list(rows))
