"""Use case: escalate every acknowledgement whose due time has passed; and the scheduler that runs
it inside ``serve``.

Due times live in the database (``ack_requests.due_us``), so a restart loses nothing: the first
tick after start-up escalates whatever fell due meanwhile. On PostgreSQL the due rows are taken
with ``FOR UPDATE SKIP LOCKED``, so several server processes share the work; the escalation log's
unique (request, rung) key makes a double step impossible on any backend.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sharedsky.domain.escalation import next_step
from sharedsky.domain.events import AckEscalated, AckLapsed, AckParked
from sharedsky.service._common import SYSTEM, record_event
from sharedsky.service.activation import FLAG_BATCH, flag_not_activated
from sharedsky.service.ports import Deps
from sharedsky.service.queries import still_owed
from sharedsky.service.uow import UnitOfWork
from sharedsky.units import to_us

log = logging.getLogger("sharedsky.deadlines")

TICK_BATCH = 200
"""Most requests one tick escalates in one transaction."""


@dataclass(frozen=True, slots=True)
class TickResult:
    """What one tick did."""

    escalated: int
    lapsed: int
    """Overdue requests whose subject no longer needs an answer (resolved, ended, cancelled)."""


def tick(deps: Deps, limit: int = TICK_BATCH) -> TickResult:
    """Escalate (one rung each) the pending requests due at the clock's now."""
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> TickResult:
        due = uow.acks.due(to_us(now), limit, lock=deps.db.skips_locked_rows)
        escalated = lapsed = 0
        for request in due:
            if not still_owed(uow, deps.mechanism, request, now):
                record_event(uow, now, SYSTEM, AckLapsed(request.id, request.party))
                lapsed += 1
                continue
            ladder = deps.mechanism.party(request.party).ladder
            step = next_step(ladder, request.rung, now)
            if step is None:  # already at the host: nothing above it
                record_event(uow, now, SYSTEM, AckParked(request.id, request.party, request.rung))
                continue
            event = AckEscalated(
                ack=request.id,
                subject=str(request.subject),
                subject_id=request.subject_id,
                party=request.party,
                rung=step.rung,
                rung_name=step.name,
                operators=tuple(step.operators),
                to_host=step.to_host,
                due_was_us=None if request.due_at is None else to_us(request.due_at),
                next_due_us=None if step.next_due is None else to_us(step.next_due),
                at=now,
            )
            record_event(uow, now, SYSTEM, event)
            escalated += 1
        return TickResult(escalated, lapsed)

    return deps.db.run(work)


class DeadlineScheduler:
    """Runs `tick`, then ``activation.flag_not_activated`` (the notices not activated in time,
    R-ACT-4), every ``interval_s`` seconds on a background thread (inside ``serve``);
    ``on_tick`` is told what each tick did (the metrics)."""

    def __init__(
        self,
        deps: Deps,
        interval_s: float,
        on_tick: Callable[[TickResult], None] | None = None,
    ) -> None:
        self._deps = deps
        self._on_tick = on_tick
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Tick at once (whatever fell due while the server was down), then periodically; a
        stopped scheduler starts again."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="deadlines", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop ticking; waits for a tick in progress."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while True:
            try:
                while True:
                    done = tick(self._deps)
                    if self._on_tick is not None:
                        self._on_tick(done)
                    if done.escalated + done.lapsed < TICK_BATCH:
                        break  # a full batch means more may be due: tick again at once
                while flag_not_activated(self._deps) >= FLAG_BATCH:
                    pass  # a full batch means more may be late: flag again at once
            except Exception:  # the scheduler must outlive one failing tick; it is logged
                log.exception("deadline tick failed; retrying at the next interval")
            if self._stop.wait(self._interval_s):
                return
