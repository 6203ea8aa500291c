"""SDK calls of the ledger: keys, checkpoints, the JSONL export, and operator signing keys."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, cast
from urllib.parse import quote

from httpx import TransportError as ClientTransportError
from pydantic import TypeAdapter

from sharedsky.ledger.signing import KeyRing
from sharedsky.wire.v1.ledger import CheckpointOut, LedgerKeyRing, OperatorKeyIn, OperatorKeyOut

if TYPE_CHECKING:  # sdk.py mixes LedgerMixin into Client: no import of it at run time
    from sharedsky.client.sdk import Client

_KEY_LIST = TypeAdapter(list[OperatorKeyOut])


class LedgerMixin:
    """The ledger calls as methods of ``Client``."""

    def ledger_keys(self) -> KeyRing:
        """The mechanism's key ring (server keys and operators' keys) as a verifier needs it."""
        ring = self._client()._call(LedgerKeyRing, "GET", "/v1/ledger/keys")
        return KeyRing.from_json(ring.model_dump())

    def ledger_checkpoint(self) -> CheckpointOut:
        """A checkpoint of the ledger's newest entry, signed now: keep it as a receipt."""
        return self._client()._call(CheckpointOut, "GET", "/v1/ledger/checkpoint")

    def export_ledger(self, out: IO[bytes], after: int = 0) -> int:
        """Write the export after seq ``after`` (JSON Lines, trailer last) to ``out``, as the
        server sends it; returns the number of lines written."""
        from sharedsky.client.sdk import UnreachableError, _error_of

        client = self._client()
        lines = 0
        try:
            with client._http.stream(
                "GET",
                client._prefix + "/v1/ledger",
                params={"after": str(after)},
                headers={"Authorization": f"Bearer {client._token}"},
            ) as response:
                if not response.is_success:
                    response.read()
                    raise _error_of(response)
                for line in response.iter_lines():
                    if line:
                        out.write(line.encode() + b"\n")
                        lines += 1
        except ClientTransportError as exc:
            raise UnreachableError(0, "unreachable", f"export interrupted: {exc}") from exc
        return lines

    def register_key(
        self, public_key: str, idempotency_key: str | None = None, operator: str | None = None
    ) -> OperatorKeyOut:
        """Register an Ed25519 public key (base64url) for the calling admin, or for
        ``operator`` of its party; from then on that operator's writes must be signed (give
        its Client the ``signer``)."""
        body = OperatorKeyIn(public_key=public_key, operator=operator)
        return self._client()._post(
            OperatorKeyOut, "/v1/ledger/operator-keys", body, idempotency_key
        )

    def operator_keys(self) -> list[OperatorKeyOut]:
        """The keys the calling operator registered."""
        client = self._client()
        response = client._send("GET", "/v1/ledger/operator-keys", replay_safe=True)
        if not response.is_success:
            from sharedsky.client.sdk import _error_of

            raise _error_of(response)
        return _KEY_LIST.validate_json(response.content)

    def revoke_key(self, key_id: str) -> None:
        """Revoke one of the calling operator's keys."""
        client = self._client()
        path = "/v1/ledger/operator-keys/" + quote(key_id, safe="")
        response = client._send("DELETE", path, replay_safe=True)
        if not response.is_success:
            from sharedsky.client.sdk import _error_of

            raise _error_of(response)

    def _client(self) -> Client:
        return cast("Client", self)
