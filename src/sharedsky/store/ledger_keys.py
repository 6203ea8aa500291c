"""LedgerKeys: the server's signing key and the keys operators registered to sign submissions."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from sharedsky.ledger.signing import SERVER, KeyEntry, KeyRing, Signer, StoredKey
from sharedsky.store import tables as t
from sharedsky.store.mapping import key_entry_from_row, key_values, stored_key_from_row
from sharedsky.units import to_us


class ServerKeyCache:
    """The server's signing key, read once per process (a Signer holds no connection).

    Thread-safe; ``forget()`` drops it (after a rotation by another process, say).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._signer: Signer | None = None

    def signer(self, keys: LedgerKeys, now: datetime) -> Signer:
        """The current server key; made and stored (in the caller's transaction) when the
        database has none yet: ``sharedsky init`` does that with the first event."""
        with self._lock:
            if self._signer is not None:
                return self._signer
            signer = keys.server_signer()
            if signer is None:
                # not cached: the transaction that makes it may yet be rolled back
                return keys.add_server_key(now)
            self._signer = signer
            return signer

    def forget(self) -> None:
        """Read the key again at the next append."""
        with self._lock:
            self._signer = None


class LedgerKeys:
    """Repository of the ``ledger_keys`` table."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def server_signer(self) -> Signer | None:
        """The newest server key that is not revoked; None when there is none."""
        c = t.ledger_keys.c
        pem = self._c.execute(
            select(c.private_pem)
            .where(c.owner == SERVER, c.revoked_us.is_(None), c.private_pem.is_not(None))
            .order_by(c.created_us.desc(), c.key_id)
            .limit(1)
        ).scalar_one_or_none()
        return None if pem is None else Signer.from_pem(pem.encode())

    def add_server_key(self, now: datetime) -> Signer:
        """Make a new server key and store it (its private half too) as the current one."""
        signer = Signer.generate()
        entry = KeyEntry(signer.key_id, signer.public_key, SERVER)
        self._c.execute(
            insert(t.ledger_keys).values(key_values(entry, now, signer.to_pem().decode()))
        )
        return signer

    def add_operator_key(self, entry: KeyEntry, now: datetime) -> bool:
        """Register ``entry`` (owner: the party, operator set); False when its key id is
        already registered (to anyone)."""
        c = t.ledger_keys.c
        if self._c.execute(select(c.key_id).where(c.key_id == entry.key_id)).first():
            return False
        self._c.execute(insert(t.ledger_keys).values(key_values(entry, now)))
        return True

    def revoke(self, key_id: str, now: datetime) -> bool:
        """Revoke a key (it still verifies what it signed before); False when unknown or
        already revoked."""
        c = t.ledger_keys.c
        result = self._c.execute(
            update(t.ledger_keys)
            .where(c.key_id == key_id, c.revoked_us.is_(None))
            .values(revoked_us=to_us(now))
        )
        return result.rowcount > 0

    def all(self) -> list[StoredKey]:
        """Every key ever registered, oldest first (revoked ones included)."""
        c = t.ledger_keys.c
        rows = self._c.execute(select(t.ledger_keys).order_by(c.created_us, c.key_id))
        return [stored_key_from_row(row) for row in rows]

    def keyring(self) -> KeyRing:
        """Every key (revoked ones still verify what they signed) as a verifier's key ring."""
        return KeyRing.of(key.entry for key in self.all())

    def active_for(self, operator_id: str) -> list[KeyEntry]:
        """The keys ``operator_id`` may sign with now."""
        c = t.ledger_keys.c
        rows = self._c.execute(
            select(t.ledger_keys).where(c.operator_id == operator_id, c.revoked_us.is_(None))
        )
        return [key_entry_from_row(row) for row in rows]

    def all_active(self) -> dict[str, list[KeyEntry]]:
        """The keys every operator that holds any may sign with now, by operator."""
        c = t.ledger_keys.c
        found: dict[str, list[KeyEntry]] = {}
        for row in self._c.execute(select(t.ledger_keys).where(c.revoked_us.is_(None))):
            if row.operator_id is not None:
                found.setdefault(row.operator_id, []).append(key_entry_from_row(row))
        return found
