"""Operators as their admins see them, and a newly issued token (``wire/v1/operators.py``)."""

from __future__ import annotations

from datetime import datetime

from sharedsky.domain.operators import OperatorRecord
from sharedsky.service.operators import IssuedToken
from sharedsky.units import from_us, to_us
from sharedsky.wire import v1


def operator_out(record: OperatorRecord, now: datetime) -> v1.OperatorOut:
    """An operator as its admins see it (never its token)."""
    return v1.OperatorOut(
        id=record.id,
        party=record.party,
        role=record.role.value,
        created_at=from_us(record.created_us),
        expires_at=None if record.expires_us is None else from_us(record.expires_us),
        revoked_at=None if record.revoked_us is None else from_us(record.revoked_us),
        cert_subject=record.cert_subject,
        active=record.active(to_us(now)),
    )


def operator_token(issued: IssuedToken, now: datetime) -> v1.OperatorToken:
    """An operator with its new token (shown once)."""
    return v1.OperatorToken(operator=operator_out(issued.operator, now), token=issued.token)
