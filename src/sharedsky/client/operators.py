"""SDK calls of the operators: add, list, revoke and rotate (the caller must be an admin)."""

from __future__ import annotations

from datetime import datetime

from sharedsky.client.transport import Transport, segment
from sharedsky.wire.v1.operators import (
    OperatorIn,
    OperatorList,
    OperatorOut,
    OperatorToken,
    RoleName,
)


class OperatorsMixin:
    """The operators' calls as methods of ``Client``. Adding and rotating are never retried
    on a lost answer (a retry would issue a second token and the first would be lost)."""

    _transport: Transport
    """Set by the class that mixes this in (``Client``)."""

    def add_operator(
        self,
        operator_id: str,
        role: RoleName,
        *,
        party: str | None = None,
        expires_at: datetime | None = None,
        expires_in_s: int | None = None,
        cert_subject: str | None = None,
    ) -> OperatorToken:
        """Add an operator (to the caller's party unless ``party`` is given: host admins only)
        and return it with its token, shown this once."""
        body = OperatorIn(
            id=operator_id,
            party=party,
            role=role,
            expires_at=expires_at,
            expires_in_s=expires_in_s,
            cert_subject=cert_subject,
        )
        return self._transport.call(
            OperatorToken, "POST", "/v1/operators", body=body, replay_safe=False
        )

    def list_operators(self) -> list[OperatorOut]:
        """The operators the caller manages (revoked and expired ones too)."""
        return self._transport.call(OperatorList, "GET", "/v1/operators").operators

    def revoke_operator(self, operator_id: str) -> OperatorOut:
        """Revoke an operator: its token stops working on every server process."""
        path = f"/v1/operators/{segment(operator_id)}/revoke"
        return self._transport.call(OperatorOut, "POST", path, replay_safe=True)

    def rotate_operator(self, operator_id: str) -> OperatorToken:
        """A new token for the operator (shown this once); the old one stops working."""
        path = f"/v1/operators/{segment(operator_id)}/rotate"
        return self._transport.call(OperatorToken, "POST", path, replay_safe=False)
