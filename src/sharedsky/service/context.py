"""Who is acting, and the request context of a use case (the idempotency record)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sharedsky.domain.errors import Forbidden, ForbiddenRole
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.operators import Role
from sharedsky.domain.visibility import Viewer
from sharedsky.ledger.chain import PartySig

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Actor:
    """An authenticated operator of a party or of the host."""

    operator: OperatorId
    party: PartyId
    is_host: bool
    signature: PartySig | None = None
    """The operator's verified signature of the request being served, if it signed it."""
    role: Role = Role.ADMIN
    expires_us: int | None = None
    """When the operator's token stops working (µs since the epoch); None: never."""
    cert_subject: str | None = None
    """The TLS client certificate subject the operator's token must come with; None: any."""

    @property
    def viewer(self) -> Viewer:
        """The actor as a viewer for the visibility rules."""
        return Viewer(self.party, self.is_host, self.operator)

    def require_role(self, needed: Role, what: str) -> None:
        """Raise ForbiddenRole unless the operator's role allows ``needed`` (``what`` names the
        action for the message: "file notices")."""
        if not self.role.allows(needed):
            raise ForbiddenRole(
                f"operator {self.operator} has role {self.role}: to {what} takes role "
                f"{needed}{' or admin' if needed is Role.DUTY else ''}"
            )

    def require_party(self, what: str) -> None:
        """Raise Forbidden when the host tries to do what only parties do."""
        if self.is_host:
            raise Forbidden(f"the host does not {what}; parties do")


@dataclass(frozen=True, slots=True)
class Idempotency(Generic[R]):
    """Keep the use case's result under the actor's ``key``, encoded by ``encode``, in the use
    case's own transaction (``domain/idempotency.py``)."""

    key: str
    request_sha256: str
    """Hex SHA-256 of the request that came with the key (a retry must hash the same)."""
    encode: Callable[[R], str]
    """Turns the use case's result into the text kept (the API: its answer's JSON body)."""
