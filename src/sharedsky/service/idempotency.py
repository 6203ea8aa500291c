"""Idempotent POSTs: a retry with the same Idempotency-Key returns the first response."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from sharedsky.domain.errors import IdempotencyMismatch
from sharedsky.service.context import Actor, Idempotency
from sharedsky.service.ports import Deps
from sharedsky.store.idempotency import StoredResponse

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Rendered:
    """An HTTP answer: status, JSON body, and whether it replays an earlier one."""

    status: int
    body: str
    replayed: bool


def _stored(deps: Deps, actor: Actor, key: str) -> StoredResponse | None:
    return deps.db.run(lambda uow: uow.idempotency.get(actor.operator, key), readonly=True)


def _replay(stored: StoredResponse, request_sha256: str, key: str) -> Rendered:
    if stored.request_sha256 != request_sha256:
        raise IdempotencyMismatch(
            f"Idempotency-Key {key!r} was used before with a different request",
            ("Idempotency-Key",),
        )
    return Rendered(stored.status_code, stored.body, replayed=True)


def run_idempotent(
    deps: Deps,
    actor: Actor,
    key: str | None,
    request_sha256: str,
    render: Callable[[R], tuple[int, str]],
    call: Callable[[Idempotency[R] | None], R],
) -> Rendered:
    """Run ``call`` once per (operator, key); later calls with the key replay the first answer.

    The first answer is stored in the use case's own transaction, so it exists exactly when
    the change does. A concurrent duplicate loses on the key's primary key and replays.
    """
    if key is None:
        status, body = render(call(None))
        return Rendered(status, body, replayed=False)
    stored = _stored(deps, actor, key)
    if stored is not None:
        return _replay(stored, request_sha256, key)
    try:
        status, body = render(call(Idempotency(key, request_sha256, render)))
    except IntegrityError:
        stored = _stored(deps, actor, key)
        if stored is None:
            raise
        return _replay(stored, request_sha256, key)
    return Rendered(status, body, replayed=False)
