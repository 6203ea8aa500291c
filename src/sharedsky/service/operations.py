"""What the host's operators watch of a running server: its readiness (the database answers and
its schema is the newest) and the acknowledgement backlog counted at a metrics scrape."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sharedsky.domain.acknowledgements import AckBacklog
from sharedsky.service.ports import Deps
from sharedsky.service.uow import Database, UnitOfWork
from sharedsky.units import to_us

log = logging.getLogger("sharedsky.operations")

DATABASE_UNREACHABLE = "database-unreachable"
SCHEMA_BEHIND = "schema-behind"


@dataclass(frozen=True, slots=True)
class Readiness:
    """Whether the server can serve: ``reason`` is None when it can, else one of
    ``DATABASE_UNREACHABLE`` and ``SCHEMA_BEHIND``; ``detail`` says it in a sentence."""

    reason: str | None
    detail: str

    @property
    def ready(self) -> bool:
        """True when nothing stands in the way."""
        return self.reason is None


def readiness(db: Database, head: frozenset[str]) -> Readiness:
    """Ask the database which schema revision it is at (one short read) and compare it with
    ``head``, the newest revision(s) of this code (``Container.schema_head``)."""
    try:
        current = db.schema_revisions()
    except Exception as exc:  # any failure to reach the database means "not ready"
        log.warning("readiness: the database does not answer: %s", exc)
        return Readiness(DATABASE_UNREACHABLE, "the database does not answer")
    if current != head:
        at = ", ".join(sorted(current)) or "none (never migrated)"
        return Readiness(
            SCHEMA_BEHIND,
            f"the database schema is at revision {at}, not the newest "
            f"({', '.join(sorted(head))}): `serve` migrates it as it starts",
        )
    return Readiness(None, "ready")


def ack_backlog(deps: Deps) -> list[AckBacklog]:
    """Per party, its pending, overdue (at the clock's now) and escalated acknowledgement
    requests: one grouped read."""
    now_us = to_us(deps.clock.now())

    def work(uow: UnitOfWork) -> list[AckBacklog]:
        return uow.acks.backlog(now_us)

    return deps.db.run(work, readonly=True)
