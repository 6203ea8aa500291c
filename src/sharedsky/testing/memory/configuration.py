"""The repositories of what is configuration, not a projection of the ledger: the mechanism
and its operators, the ledger keys, idempotency records and webhooks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sharedsky.domain.errors import KeyTaken
from sharedsky.domain.idempotency import KeptResult
from sharedsky.domain.ids import PartyId
from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.operators import OperatorRecord
from sharedsky.domain.webhooks import Webhook, WebhookAttempt
from sharedsky.ledger.signing import SERVER, KeyEntry, KeyRing, StoredKey
from sharedsky.store.mapping import (
    attempt_from_row,
    attempt_values,
    hook_from_row,
    hook_values,
    key_entry_from_row,
    key_values,
    operator_from_row,
    operator_values,
    stored_key_from_row,
)
from sharedsky.testing.memory.tables import (
    ConstraintViolation,
    Repository,
    Row,
    changed,
    newest_first,
)
from sharedsky.units import to_us


class MemoryParties(Repository):
    """``store/parties.py``."""

    def save_mechanism(self, mechanism: Mechanism, mechanism_json: str) -> None:
        self._t.insert("mechanism_settings", {"key": "mechanism", "value": mechanism_json})
        for p in (mechanism.host, *mechanism.parties):
            values = {"id": p.id, "name": p.name, "language": p.language}
            self._t.insert("parties", values | {"is_host": p is mechanism.host})

    def mechanism_json(self) -> str | None:
        row = self._t.get("mechanism_settings", "mechanism")
        return None if row is None else str(row.value)

    def add_operator(self, operator: OperatorRecord, token_sha256: str, created_us: int) -> None:
        if any(r.token_sha256 == token_sha256 for r in self._t.rows["operators"].values()):
            raise ConstraintViolation("operators holds a row of this token already")
        self._t.insert("operators", operator_values(operator, token_sha256, created_us))

    def operator(self, operator_id: str) -> OperatorRecord | None:
        row = self._t.get("operators", operator_id)
        return None if row is None else operator_from_row(row)

    def operators(self) -> list[OperatorRecord]:
        rows = sorted(self._t.rows["operators"].values(), key=lambda r: (r.party_id, r.id))
        return [operator_from_row(r) for r in rows]

    def revoke_operator(self, operator_id: str, now_us: int) -> None:
        row = self._t.get("operators", operator_id)
        if row is not None and row.revoked_us is None:
            changes = {"revoked_us": now_us, "changed_us": now_us}
            self._t.replace("operators", changed(row, "operators", **changes))

    def replace_token(self, operator_id: str, token_sha256: str, now_us: int) -> None:
        row = self._t.get("operators", operator_id)
        if row is not None:
            changes = {"token_sha256": token_sha256, "changed_us": now_us}
            self._t.replace("operators", changed(row, "operators", **changes))

    def version(self) -> tuple[int, int]:
        rows = self._t.rows["operators"].values()
        return (max((int(r.changed_us) for r in rows), default=0), len(rows))

    def operator_by_token(self, token_sha256: str) -> OperatorRecord | None:
        for row in self._t.scan("operators"):
            if row.token_sha256 == token_sha256:
                return operator_from_row(row)
        return None

    def operators_by_token(self) -> dict[str, OperatorRecord]:
        return {r.token_sha256: operator_from_row(r) for r in self._t.scan("operators")}


class MemoryKeys(Repository):
    """``store/ledger_keys.py``."""

    def add_operator_key(self, entry: KeyEntry, now: datetime) -> bool:
        if self._t.get("ledger_keys", entry.key_id) is not None:
            return False
        self._t.insert("ledger_keys", key_values(entry, now))
        return True

    def revoke(self, key_id: str, now: datetime) -> bool:
        row = self._t.get("ledger_keys", key_id)
        if row is None or row.revoked_us is not None:
            return False
        self._t.replace("ledger_keys", changed(row, "ledger_keys", revoked_us=to_us(now)))
        return True

    def all(self) -> list[StoredKey]:
        return [stored_key_from_row(r) for r in self._oldest_first()]

    def keyring(self) -> KeyRing:
        return KeyRing.of(key.entry for key in self.all())

    def active_for(self, operator_id: str) -> list[KeyEntry]:
        return [
            key_entry_from_row(r)
            for r in self._t.scan("ledger_keys")
            if r.operator_id == operator_id and r.revoked_us is None
        ]

    def all_active(self) -> dict[str, list[KeyEntry]]:
        found: dict[str, list[KeyEntry]] = {}
        for row in self._t.scan("ledger_keys"):
            if row.revoked_us is None and row.operator_id is not None:
                found.setdefault(row.operator_id, []).append(key_entry_from_row(row))
        return found

    def server_row(self) -> Row | None:
        """The newest server key that is not revoked; None when there is none."""
        rows = [
            r
            for r in self._t.rows["ledger_keys"].values()
            if r.owner == SERVER and r.revoked_us is None and r.private_pem is not None
        ]
        return newest_first(rows, "created_us", "key_id")[0] if rows else None

    def _oldest_first(self) -> list[Row]:
        return sorted(self._t.rows["ledger_keys"].values(), key=lambda r: (r.created_us, r.key_id))


class MemoryIdempotencyKeys(Repository):
    """``store/idempotency.py``."""

    def get(self, operator: str, key: str) -> KeptResult | None:
        row = self._t.get("idempotency_keys", (operator, key))
        return None if row is None else KeptResult(row.request_sha256, row.result)

    def put(self, operator: str, key: str, kept: KeptResult, created_us: int) -> None:
        if self._t.get("idempotency_keys", (operator, key)) is not None:
            raise KeyTaken(
                f"Idempotency-Key {key!r} was taken by a concurrent request", ("Idempotency-Key",)
            )
        values = {"operator_id": operator, "key": key, "request_sha256": kept.request_sha256}
        self._t.insert(
            "idempotency_keys", values | {"result": kept.result, "created_us": created_us}
        )


class MemoryWebhooks(Repository):
    """``store/webhooks.py``."""

    def add(self, hook: Webhook) -> None:
        self._t.insert("webhooks", hook_values(hook))

    def get(self, hook_id: str) -> Webhook | None:
        row = self._active(hook_id)
        return None if row is None else hook_from_row(row)

    def active(self, party: PartyId | None) -> list[Webhook]:
        rows = [
            r
            for r in self._t.rows["webhooks"].values()
            if r.disabled_us is None and (party is None or r.party_id == party)
        ]
        return [hook_from_row(r) for r in sorted(rows, key=lambda r: (r.created_us, r.id))]

    def due(self, now_us: int) -> list[Webhook]:
        head = self._uow.events.head()
        if head is None:
            return []
        return [
            h
            for h in self.active(None)
            if to_us(h.next_attempt_at) <= now_us and h.cursor_seq < head.seq
        ]

    def disable(self, hook_id: str, now_us: int) -> bool:
        changes = {"disabled_us": now_us, "lease_owner": None, "lease_until_us": None}
        return self._update(self._active(hook_id), changes)

    def claim(self, hook_id: str, owner: str, now_us: int, until_us: int) -> bool:
        row = self._active(hook_id)
        free = row is not None and (
            row.lease_until_us is None or row.lease_until_us < now_us or row.lease_owner == owner
        )
        changes = {"lease_owner": owner, "lease_until_us": until_us}
        return self._update(row if free else None, changes)

    def release(self, hook_id: str, owner: str) -> None:
        row = self._t.get("webhooks", hook_id)
        if row is not None and row.lease_owner == owner:
            self._update(row, {"lease_owner": None, "lease_until_us": None})

    def advance(
        self,
        hook_id: str,
        owner: str,
        cursor_seq: int,
        attempts: int,
        next_attempt_us: int,
        lease_until_us: int,
    ) -> bool:
        row = self._active(hook_id)
        held = row is not None and row.lease_owner == owner and row.cursor_seq <= cursor_seq
        changes = {
            "cursor_seq": cursor_seq,
            "attempts": attempts,
            "next_attempt_us": next_attempt_us,
            "lease_until_us": lease_until_us,
        }
        return self._update(row if held else None, changes)

    def record(self, attempt: WebhookAttempt) -> None:
        number = self._t.next_number("webhook_deliveries")
        self._t.insert("webhook_deliveries", attempt_values(attempt) | {"id": number})

    def attempts_of(
        self, hook_id: str, limit: int, dead_only: bool = False
    ) -> list[WebhookAttempt]:
        rows = [
            r
            for r in self._t.rows["webhook_deliveries"].values()
            if r.webhook_id == hook_id and (r.dead or not dead_only)
        ]
        rows = sorted(rows, key=lambda r: r.id, reverse=True)[: max(limit, 0)]
        return [attempt_from_row(r) for r in rows]

    def owner_of(self, hook_id: str) -> PartyId | None:
        row = self._t.get("webhooks", hook_id)
        return None if row is None else PartyId(row.party_id)

    def _active(self, hook_id: str) -> Row | None:
        row = self._t.get("webhooks", hook_id)
        return row if row is not None and row.disabled_us is None else None

    def _update(self, row: Row | None, changes: Mapping[str, object]) -> bool:
        """Store ``row`` with ``changes``; False (nothing changed) for no row."""
        if row is None:
            return False
        self._t.replace("webhooks", changed(row, "webhooks", **changes))
        return True
