"""Idempotent requests: a retry with the same key gets the first result, and changes nothing.

A use case given a key keeps its result under it, encoded by the caller, in the transaction
that makes the change: the record exists exactly when the change does. A later request with
the key gets that result back, as long as it is the same request (its SHA-256 says so).
"""

from __future__ import annotations

from dataclasses import dataclass

from sharedsky.domain.errors import IdempotencyMismatch


@dataclass(frozen=True, slots=True)
class KeptResult:
    """The result first given for an idempotency key, with the hash of the request that got
    it."""

    request_sha256: str
    """Hex SHA-256 of the request (the API hashes method, path and body)."""
    result: str
    """The result as the caller's encoder wrote it (the API: its answer's JSON body)."""

    def replay(self, key: str, request_sha256: str) -> str:
        """The kept result, for a request that hashes to ``request_sha256``;
        IdempotencyMismatch when the key came with another request first."""
        if request_sha256 != self.request_sha256:
            raise IdempotencyMismatch(
                f"Idempotency-Key {key!r} was used before with a different request",
                ("Idempotency-Key",),
            )
        return self.result
