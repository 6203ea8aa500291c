"""Idempotent use cases: the result a use case kept under an Idempotency-Key, read back.

A use case that takes an ``Idempotency`` keeps its encoded result under the key in its own
transaction (``service/_common.remember``); a concurrent duplicate loses on the key
(``KeyTaken``, nothing of it stays). What a retry answers, and how, is the caller's:
``api/routes/_render.idempotent``.
"""

from __future__ import annotations

from sharedsky.service.context import Actor
from sharedsky.service.ports import Deps


def kept_result(deps: Deps, actor: Actor, key: str, request_sha256: str) -> str | None:
    """The result kept under the actor's ``key``, as encoded; None when the key is new.
    IdempotencyMismatch when the key came with another request than ``request_sha256``."""
    kept = deps.db.run(lambda uow: uow.idempotency.get(actor.operator, key), readonly=True)
    return None if kept is None else kept.replay(key, request_sha256)
