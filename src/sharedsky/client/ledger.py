"""SDK calls of the ledger: keys, checkpoints, the JSONL export, and operator signing keys."""

from __future__ import annotations

from typing import IO

from pydantic import TypeAdapter

from sharedsky.client.errors import UnreachableError
from sharedsky.client.transport import Transport, segment
from sharedsky.ledger.signing import KeyRing
from sharedsky.wire.v1.ledger import CheckpointOut, LedgerKeyRing, OperatorKeyIn, OperatorKeyOut

_KEY_LIST = TypeAdapter(list[OperatorKeyOut])

JSONL = "application/jsonl"
"""The media type of the ledger export."""


class LedgerMixin:
    """The ledger calls as methods of ``Client``."""

    _transport: Transport
    """Set by the class that mixes this in (``Client``)."""

    def ledger_keys(self) -> KeyRing:
        """The mechanism's key ring (server keys and operators' keys) as a verifier needs it."""
        ring = self._transport.call(LedgerKeyRing, "GET", "/v1/ledger/keys")
        return KeyRing.from_json(ring.model_dump())

    def ledger_checkpoint(self) -> CheckpointOut:
        """A checkpoint of the ledger's newest entry, signed now: keep it as a receipt."""
        return self._transport.call(CheckpointOut, "GET", "/v1/ledger/checkpoint")

    def export_ledger(self, out: IO[bytes], after: int = 0) -> int:
        """Write the export after seq ``after`` (JSON Lines, trailer last) to ``out``, as the
        server sends it; returns the number of lines written.

        Opening the export is retried once after a transport error, like every GET; a
        connection cut once lines have come raises UnreachableError saying how many were
        written (``out`` then holds them: start again after the last seq written)."""
        lines = 0
        try:
            with self._transport.stream(
                "/v1/ledger", params={"after": str(after)}, headers={"Accept": JSONL}
            ) as response:
                for line in response.iter_lines():
                    if line:
                        out.write(line.encode() + b"\n")
                        lines += 1
        except UnreachableError as exc:
            if lines == 0:
                raise
            raise UnreachableError(
                0, "unreachable", f"export interrupted after {lines} lines: {exc.detail}"
            ) from exc
        return lines

    def register_key(
        self, public_key: str, idempotency_key: str | None = None, operator: str | None = None
    ) -> OperatorKeyOut:
        """Register an Ed25519 public key (base64url) for the calling admin, or for
        ``operator`` of its party; from then on that operator's writes must be signed (give
        its Client the ``signer``)."""
        body = OperatorKeyIn(public_key=public_key, operator=operator)
        return self._transport.post(
            OperatorKeyOut, "/v1/ledger/operator-keys", body, idempotency_key
        )

    def operator_keys(self) -> list[OperatorKeyOut]:
        """The keys the calling operator registered."""
        response = self._transport.send("GET", "/v1/ledger/operator-keys")
        return _KEY_LIST.validate_json(response.content)

    def revoke_key(self, key_id: str) -> None:
        """Revoke one of the calling operator's keys."""
        self._transport.send("DELETE", "/v1/ledger/operator-keys/" + segment(key_id))
