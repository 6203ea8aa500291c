"""IdempotencyStore: the result first given for each (operator, Idempotency-Key)."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from sharedsky.domain.errors import KeyTaken
from sharedsky.domain.idempotency import KeptResult
from sharedsky.store import tables as t

_PRIMARY_KEY = "pk_idempotency_keys"


def _key_taken(exc: IntegrityError) -> bool:
    """True when ``exc`` is the refusal of a second record of one (operator, key)."""
    diag = getattr(exc.orig, "diag", None)  # PostgreSQL names the constraint
    if diag is not None:
        return getattr(diag, "constraint_name", None) == _PRIMARY_KEY
    return f"{t.idempotency.name}." in str(exc.orig)  # SQLite names the table's columns


class IdempotencyStore:
    """Records of answered requests, per operator and key."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, operator: str, key: str) -> KeptResult | None:
        """The result kept for the key, or None when this key is new for this operator."""
        c = t.idempotency.c
        row = self._c.execute(
            select(c.request_sha256, c.result).where(c.operator_id == operator, c.key == key)
        ).first()
        if row is None:
            return None
        return KeptResult(row.request_sha256, row.result)

    def put(self, operator: str, key: str, kept: KeptResult, created_us: int) -> None:
        """Keep ``kept`` under the key; KeyTaken when a result is kept under it already (a
        concurrent duplicate that committed first: the caller's transaction must roll back)."""
        try:
            self._c.execute(
                insert(t.idempotency).values(
                    operator_id=operator,
                    key=key,
                    request_sha256=kept.request_sha256,
                    result=kept.result,
                    created_us=created_us,
                )
            )
        except IntegrityError as exc:
            if not _key_taken(exc):
                raise
            raise KeyTaken(
                f"Idempotency-Key {key!r} was taken by a concurrent request", ("Idempotency-Key",)
            ) from exc
