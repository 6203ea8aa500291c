"""The periodic duties of a mechanism (deadlines, webhooks, the tactical tick) run in one server
process at a time: the one that holds the duty lease.

Every ``serve`` process (or worker) over one database runs a ``DutyRunner``. It tries to take
the lease as it starts and then every ``retry_s`` seconds; the process that gets it starts the
duties, and checks every ``retry_s`` seconds that it still holds it. On PostgreSQL the lease is
a session-level advisory lock on a connection of its own (``store/duty_lock.py``): when the
holder dies, PostgreSQL closes its session and releases the lock, and another process takes it
at its next try, within about ``retry_s`` seconds. A holder that loses its connection stops its
duties at once and competes again. An SQLite database has one serving process (``serve``
holds a lock on the file beside it for its whole life, ``bootstrap.serving_lock``; a database
in memory is its process's own): it always holds the lease (``AlwaysHeld``).

Nothing here depends on the lease being exclusive at every instant: each duty is safe if two
processes briefly ran it together (due acknowledgements are taken ``FOR UPDATE SKIP LOCKED``
and each rung is unique; webhook deliveries are claimed), the lease only keeps them from
doing the work twice over in the normal case, and the tactical tick from raising its alerts once
per process.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

log = logging.getLogger("sharedsky.duties")

RETRY_S = 1.0
"""How often a process that does not hold the duties tries to take them, and the holder checks
that it still holds them, in seconds: the takeover after a holder died takes at most about
this long (plus the time PostgreSQL needs to notice the dead session)."""


class Duty(Protocol):
    """A periodic duty: started when the process takes the lease, stopped when it loses it."""

    def start(self) -> None:
        """Start working (in a background thread)."""

    def stop(self) -> None:
        """Stop, waiting for work in progress."""


class DutyLease(Protocol):
    """What elects the one process that runs the duties."""

    def try_take(self) -> bool:
        """Try once to take the lease; True when this process holds it now. Never raises."""

    def still_held(self) -> bool:
        """True while this process still holds the lease it took. Never raises."""

    def release(self) -> None:
        """Give the lease up (nothing happens when it is not held)."""


class AlwaysHeld:
    """The lease of a database that one process serves (SQLite): always held."""

    def try_take(self) -> bool:
        """True."""
        return True

    def still_held(self) -> bool:
        """True."""
        return True

    def release(self) -> None:
        """Nothing to give up."""


class DutyRunner:
    """Takes the lease when it can and runs the duties ``make_duties`` builds (fresh ones each
    time the lease is taken) while it holds it; ``on_change`` is told True when this process
    took the duties and False when it gave them up (from the runner's thread, or from
    ``start`` and ``stop``)."""

    def __init__(
        self,
        lease: DutyLease,
        make_duties: Callable[[], Sequence[Duty]],
        retry_s: float = RETRY_S,
        on_change: Callable[[bool], None] | None = None,
    ) -> None:
        self._lease = lease
        self._make_duties = make_duties
        self._retry_s = retry_s
        self._on_change = on_change
        self._duties: list[Duty] = []
        self._held = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.takeovers = 0
        """How many times this process took the duties."""

    @property
    def held(self) -> bool:
        """True while this process runs the duties."""
        return self._held.is_set()

    def start(self) -> None:
        """Try the lease at once (a lone process starts its duties before it serves), then keep
        trying, or checking, every ``retry_s`` seconds on a background thread."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._step()
        self._thread = threading.Thread(target=self._run, name="duties", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the duties (if held) and give the lease up."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._give_up()
        self._lease.release()

    def wait_held(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` seconds for this process to hold the duties."""
        return self._held.wait(timeout_s)

    def _run(self) -> None:
        while not self._stop.wait(self._retry_s):
            try:
                self._step()
            except Exception:  # the runner must outlive a failing duty start; it is logged
                log.exception("the duty runner failed a step; trying again")

    def _step(self) -> None:
        if self.held:
            if not self._lease.still_held():
                log.warning("process %d lost the duty lease; its duties stop", os.getpid())
                self._give_up()
            return
        if self._lease.try_take():
            self._take()

    def _take(self) -> None:
        self._duties = list(self._make_duties())
        self._held.set()
        self.takeovers += 1
        if self._on_change is not None:
            self._on_change(True)
        for duty in self._duties:
            duty.start()
        log.info("process %d holds the periodic duties", os.getpid())

    def _give_up(self) -> None:
        if not self.held:
            return
        for duty in reversed(self._duties):
            try:
                duty.stop()
            except Exception:  # the others must stop all the same; it is logged
                log.exception("a duty failed to stop")
        self._duties = []
        self._held.clear()
        if self._on_change is not None:
            self._on_change(False)
