"""IdempotencyStore: the first response to each (operator, Idempotency-Key)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from sharedsky.store import tables as t


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The response first given for a key, with the hash of the request that got it."""

    request_sha256: str
    status_code: int
    body: str


class IdempotencyStore:
    """Records of answered requests, per operator and key."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def get(self, operator: str, key: str) -> StoredResponse | None:
        """The stored response, or None when this key is new for this operator."""
        c = t.idempotency.c
        row = self._c.execute(
            select(t.idempotency).where(c.operator_id == operator, c.key == key)
        ).first()
        if row is None:
            return None
        return StoredResponse(row.request_sha256, row.status_code, row.body)

    def put(self, operator: str, key: str, response: StoredResponse, created_us: int) -> None:
        """Store the response; a concurrent duplicate fails on the primary key at commit."""
        self._c.execute(
            insert(t.idempotency).values(
                operator_id=operator,
                key=key,
                request_sha256=response.request_sha256,
                status_code=response.status_code,
                body=response.body,
                created_us=created_us,
            )
        )
