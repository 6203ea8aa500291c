"""Operators as their admins see them, and a newly issued token (``wire/v1/operators.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sharedsky.domain.errors import InvalidInput
from sharedsky.domain.operators import OperatorRecord
from sharedsky.service.operators import IssuedToken
from sharedsky.units import from_us, to_us
from sharedsky.wire import v1


def operator_expiry(body: v1.OperatorIn, now: datetime) -> datetime | None:
    """When a new operator's token is to stop working: ``expires_at``, or ``expires_in_s``
    seconds after ``now``; None: never. InvalidInput when both are given."""
    if body.expires_at is not None and body.expires_in_s is not None:
        raise InvalidInput("give expires_at or expires_in_s, not both", ("expires_in_s",))
    if body.expires_in_s is not None:
        return now + timedelta(seconds=body.expires_in_s)
    return body.expires_at


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


def operator_list(records: Iterable[OperatorRecord], now: datetime) -> v1.OperatorList:
    """The wire form of a list of operators as their admins see them."""
    return v1.OperatorList(operators=[operator_out(r, now) for r in records])


def operator_token(issued: IssuedToken, now: datetime) -> v1.OperatorToken:
    """An operator with its new token (shown once)."""
    return v1.OperatorToken(operator=operator_out(issued.operator, now), token=issued.token)
