"""WebhookRepository: the parties' webhooks, their place in the event log, and every attempt."""

from __future__ import annotations

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from sharedsky.domain.ids import PartyId
from sharedsky.domain.webhooks import Webhook, WebhookAttempt
from sharedsky.store import tables as t
from sharedsky.store.mapping import attempt_from_row, attempt_values, hook_from_row, hook_values


class WebhookRepository:
    """Webhooks and their attempts; a deleted hook keeps its row (``disabled_us``) and history."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, hook: Webhook) -> None:
        """Insert a new hook (its id must be new)."""
        self._c.execute(insert(t.webhooks).values(hook_values(hook)))

    def get(self, hook_id: str) -> Webhook | None:
        """The active hook with this id; None when there is none or it was deleted."""
        c = t.webhooks.c
        query = select(t.webhooks).where(c.id == hook_id, c.disabled_us.is_(None))
        row = self._c.execute(query).first()
        return None if row is None else hook_from_row(row)

    def active(self, party: PartyId | None) -> list[Webhook]:
        """The active hooks of ``party`` (of every party when None), oldest first (ties by id);
        empty when there are none."""
        c = t.webhooks.c
        query = select(t.webhooks).where(c.disabled_us.is_(None))
        if party is not None:
            query = query.where(c.party_id == party)
        return [hook_from_row(r) for r in self._c.execute(query.order_by(c.created_us, c.id))]

    def due(self, now_us: int) -> list[Webhook]:
        """Active hooks whose next attempt is due at ``now_us`` and whose cursor is below the
        newest event (so events may await them), oldest first; empty when none."""
        c = t.webhooks.c
        head = select(func.max(t.events.c.seq)).scalar_subquery()
        query = (
            select(t.webhooks)
            .where(c.disabled_us.is_(None), c.next_attempt_us <= now_us, c.cursor_seq < head)
            .order_by(c.created_us, c.id)
        )
        return [hook_from_row(r) for r in self._c.execute(query)]

    def disable(self, hook_id: str, now_us: int) -> bool:
        """Delete (disable) an active hook; False when it was not active."""
        c = t.webhooks.c
        result = self._c.execute(
            update(t.webhooks)
            .where(c.id == hook_id, c.disabled_us.is_(None))
            .values(disabled_us=now_us, lease_owner=None, lease_until_us=None)
        )
        return result.rowcount == 1

    def claim(self, hook_id: str, owner: str, now_us: int, until_us: int) -> bool:
        """Lease an active hook to ``owner`` until ``until_us`` unless another owner holds an
        unexpired lease; True when ``owner`` holds it now (several workers never deliver to one
        hook at once)."""
        c = t.webhooks.c
        free = or_(c.lease_until_us.is_(None), c.lease_until_us < now_us, c.lease_owner == owner)
        result = self._c.execute(
            update(t.webhooks)
            .where(c.id == hook_id, c.disabled_us.is_(None), free)
            .values(lease_owner=owner, lease_until_us=until_us)
        )
        return result.rowcount == 1

    def release(self, hook_id: str, owner: str) -> None:
        """Give up ``owner``'s lease of the hook, if it still holds one."""
        c = t.webhooks.c
        self._c.execute(
            update(t.webhooks)
            .where(c.id == hook_id, c.lease_owner == owner)
            .values(lease_owner=None, lease_until_us=None)
        )

    def advance(
        self,
        hook_id: str,
        owner: str,
        cursor_seq: int,
        attempts: int,
        next_attempt_us: int,
        lease_until_us: int,
    ) -> bool:
        """Set the delivery state of an active hook leased by ``owner`` (the cursor never moves
        back) and extend the lease; False (nothing changed) when the hook was deleted or the
        lease passed to another owner."""
        c = t.webhooks.c
        held = and_(c.id == hook_id, c.disabled_us.is_(None), c.lease_owner == owner)
        result = self._c.execute(
            update(t.webhooks)
            .where(held, c.cursor_seq <= cursor_seq)
            .values(
                cursor_seq=cursor_seq,
                attempts=attempts,
                next_attempt_us=next_attempt_us,
                lease_until_us=lease_until_us,
            )
        )
        return result.rowcount == 1

    def record(self, attempt: WebhookAttempt) -> None:
        """Store one attempt."""
        self._c.execute(insert(t.webhook_deliveries).values(attempt_values(attempt)))

    def attempts_of(
        self, hook_id: str, limit: int, dead_only: bool = False
    ) -> list[WebhookAttempt]:
        """The hook's attempts (only the dead letters when ``dead_only``), newest first, at most
        ``limit``; empty when there are none."""
        c = t.webhook_deliveries.c
        query = select(t.webhook_deliveries).where(c.webhook_id == hook_id)
        if dead_only:
            query = query.where(c.dead.is_(True))
        query = query.order_by(c.id.desc()).limit(limit)
        return [attempt_from_row(r) for r in self._c.execute(query)]

    def owner_of(self, hook_id: str) -> PartyId | None:
        """The party of the hook with this id, deleted or not; None when there is none."""
        c = t.webhooks.c
        value = self._c.execute(select(c.party_id).where(c.id == hook_id)).scalar_one_or_none()
        return None if value is None else PartyId(value)
