"""GroupCommit: write transactions that arrive together share one database transaction.

A busy server receives many small writes at once (fifty parties sending hotline messages). Each
on its own costs a BEGIN, a COMMIT (a WAL flush), a hand-over of the write lock and a wake-up of
every stream; together they cost that once. Writers queue; the first becomes the *leader*: it
takes everything queued, runs the writes one after the other inside one transaction, commits,
hands each writer its own result, and passes the lead to the next writer that queued
meanwhile. The writes of a batch run in order, so each sees the ones before it exactly as if
they had committed in that order.

When the batch fails (a write raised, or a serialization failure on PostgreSQL, "database is
locked" on SQLite), nothing of it is kept and each of its writes runs again in a transaction
of its own: every write still commits whole or not at all, and one write's failure reaches
that writer alone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

J = TypeVar("J")
"""A job: whatever the owner's ``run_batch`` and ``run_alone`` know how to run."""

MAX_BATCH = 64
"""Most writes committed in one transaction."""


@dataclass(eq=False)
class _Write(Generic[J]):
    """One queued write and, once done, its outcome."""

    job: J
    ready: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    done: bool = False
    result: object = None
    error: BaseException | None = None


class BatchFailed(Exception):
    """The shared transaction was rolled back: run each of its writes alone."""


class GroupCommit(Generic[J]):
    """Runs writes in shared transactions; see the module docstring.

    ``run_batch(jobs)`` must run every job in one transaction and return one (ok, value) pair
    per job (value: the result, or the exception when not ok); it raises ``BatchFailed``, having
    kept nothing, when the jobs should rather run one by one.
    ``run_alone(job)`` runs one job in a transaction of its own (with the usual retries).
    """

    def __init__(
        self,
        run_batch: Callable[[list[J]], list[tuple[bool, object]]],
        run_alone: Callable[[J], object],
    ) -> None:
        self._run_batch = run_batch
        self._run_alone = run_alone
        self._lock = threading.Lock()
        self._queue: list[_Write[J]] = []
        self._busy = False
        self._local = threading.local()
        self.batches = 0
        """Transactions committed so far (for tests and measurement)."""

    def submit(self, job: J) -> object:
        """Run ``job`` in a shared transaction; return its result or raise its exception."""
        if getattr(self._local, "leading", False):
            raise RuntimeError("a write transaction cannot open another one inside it")
        write = _Write(job)
        with self._lock:
            self._queue.append(write)
            if not self._busy:
                self._busy = True
                write.lead = True
        if not write.lead:
            write.ready.wait()
        if not write.done:  # the lead has come to this write: commit what is queued
            self._lead()
        if write.error is not None:
            raise write.error
        return write.result

    def _lead(self) -> None:
        with self._lock:
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
        self._local.leading = True
        try:
            self._commit(batch)
        finally:
            self._local.leading = False
            with self._lock:
                if self._queue:
                    self._queue[0].lead = True
                    self._queue[0].ready.set()
                else:
                    self._busy = False
            for write in batch:
                write.done = True
                write.ready.set()

    def _commit(self, batch: list[_Write[J]]) -> None:
        try:
            outcomes = self._run_batch([w.job for w in batch])
        except BatchFailed:
            for write in batch:
                self._alone(write)
            return
        except BaseException as exc:
            for write in batch:
                write.error = exc
            return
        self.batches += 1
        for write, (ok, value) in zip(batch, outcomes, strict=True):
            if ok:
                write.result = value
            else:
                assert isinstance(value, BaseException)
                write.error = value

    def _alone(self, write: _Write[J]) -> None:
        try:
            write.result = self._run_alone(write.job)
        except BaseException as exc:
            write.error = exc
