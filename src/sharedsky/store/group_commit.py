"""GroupCommit: write transactions that arrive together share one database transaction.

A busy server receives many small writes at once (fifty parties sending hotline messages). Each
on its own costs a BEGIN, a COMMIT (a WAL flush), a hand-over of the write lock and a wake-up of
every stream; together they cost that once. Writers queue; the first becomes the *leader*: it
takes everything queued, runs the writes one after the other inside one transaction, commits,
hands each writer its own result, and passes the lead to the next writer that queued
meanwhile. The writes of a batch run in order, so each sees the ones before it exactly as if
they had committed in that order.

Each write of a batch runs in a savepoint of its own: a write that raises is rolled back to it
and gets its exception, and the others commit. When the batch itself fails (a serialization
failure or deadlock on PostgreSQL, "database is locked" on SQLite, a failed flush of held
inserts, a failed commit), nothing of it is kept and each of its writes runs again in a
transaction of its own (``runs_alone``). Either way every write commits whole or not at all,
and one write's failure reaches that writer alone.

A writer that must not block (a coroutine in an event loop) queues its write with
``submit_nowait`` and a callback; when the lead comes to such a write, the group's own lead
thread takes it, so no thread waits for each such write.
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
    on_done: Callable[[object, BaseException | None], None] | None = None
    """For a write queued with ``submit_nowait``: called with (result, error) once it is done,
    from the thread that committed it."""


LEAD_THREAD_IDLE_S = 0.5
"""How long the lead thread waits for the next write queued with ``submit_nowait`` before it
ends (a process that forks, or counts its threads, finds none left behind)."""


class BatchFailed(Exception):
    """The shared transaction was rolled back: run each of its writes alone."""


class GroupCommit(Generic[J]):
    """Runs writes in shared transactions; see the module docstring.

    ``run_batch(jobs)`` must run every job in one transaction and return one (ok, value) pair
    per job (value: the result, or the exception when not ok, of a job that left nothing
    behind); it raises ``BatchFailed``, having kept nothing, when the jobs should rather run
    one by one.
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
        self.runs_alone = 0
        """Writes run again in a transaction of their own after their batch failed."""
        self._handed = threading.Condition(self._lock)
        self._lead_waiting = False
        """The lead came to a write queued with ``submit_nowait``: the lead thread takes it."""
        self._lead_thread: threading.Thread | None = None

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

    def submit_nowait(
        self, job: J, on_done: Callable[[object, BaseException | None], None]
    ) -> None:
        """Queue ``job`` without waiting: ``on_done(result, error)`` is called once it is done,
        from the thread that committed it (it must be quick and never raise)."""
        write = _Write(job, on_done=on_done)
        with self._lock:
            self._queue.append(write)
            if not self._busy:
                self._busy = True
                write.lead = True
                self._hand_lead()

    def _hand_lead(self) -> None:
        """Give the lead to the lead thread (started on first use); hold ``_lock``."""
        self._lead_waiting = True
        if self._lead_thread is None:
            self._lead_thread = threading.Thread(
                target=self._lead_loop, name="group-commit", daemon=True
            )
            self._lead_thread.start()
        self._handed.notify()

    def _lead_loop(self) -> None:
        while True:
            with self._lock:
                if not self._lead_waiting:
                    self._handed.wait(LEAD_THREAD_IDLE_S)
                if not self._lead_waiting:  # idle: end (the next hand-over starts another)
                    self._lead_thread = None
                    return
                self._lead_waiting = False
            self._lead()

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
                    following = self._queue[0]
                    following.lead = True
                    if following.on_done is None:
                        following.ready.set()
                    else:
                        self._hand_lead()
                else:
                    self._busy = False
            for write in batch:
                write.done = True
                if write.on_done is None:
                    write.ready.set()
                else:
                    write.on_done(write.result, write.error)

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
        self.runs_alone += 1
        try:
            write.result = self._run_alone(write.job)
        except BaseException as exc:
            write.error = exc
