"""Operators on the wire: adding, listing, revoking and rotating them (admins only)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, Field

from sharedsky.wire.v1.common import WireModel

RoleName = Literal["viewer", "duty", "admin"]


class OperatorIn(WireModel):
    """An operator to add. ``party`` defaults to the caller's; only the host's admins add
    operators to another party. At most one of ``expires_at`` and ``expires_in_s``."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    party: str | None = Field(default=None, min_length=1, max_length=64)
    role: RoleName
    expires_at: AwareDatetime | None = None
    """When its token stops working (must be in the future)."""
    expires_in_s: int | None = Field(default=None, gt=0, le=10 * 366 * 86400)
    """Seconds from now after which its token stops working."""
    cert_subject: str | None = Field(default=None, min_length=1, max_length=500)
    """Under mutual TLS: the client certificate subject (RFC 4514, ``CN=alpha-duty``) its token
    must come with; its token is refused over any other certificate."""


class OperatorOut(WireModel):
    """An operator as its admins see it (never its token)."""

    id: str
    party: str
    role: RoleName
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    cert_subject: str | None
    active: bool
    """Its token works now: not revoked, not expired."""


class OperatorList(WireModel):
    """The operators the caller manages, by party then id."""

    operators: list[OperatorOut]


class OperatorToken(WireModel):
    """An operator and its new token: shown in this answer only (the server keeps its hash)."""

    operator: OperatorOut
    token: str
