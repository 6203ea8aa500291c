"""Turning use-case results into JSON answers (shared by the routers), and the one way an
idempotent POST answers (``idempotent``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi.responses import Response

from sharedsky.api.auth import RequestKey
from sharedsky.domain.errors import KeyTaken
from sharedsky.service.context import Actor, Idempotency
from sharedsky.service.idempotency import kept_result
from sharedsky.service.ports import Deps
from sharedsky.wire.v1.common import WireModel

R = TypeVar("R")

REPLAYED_HEADER = "Idempotent-Replayed"
"""Set to ``true`` on an answer that replays the result kept for an Idempotency-Key."""


def dump(model: WireModel) -> str:
    """Compact JSON of a response model, by alias (``with``)."""
    return model.model_dump_json(by_alias=True)


def json_response(model: WireModel, status: int = 200) -> Response:
    """A JSON response of a model."""
    return Response(dump(model), status, media_type="application/json")


def _replayed(body: str, status: int) -> Response:
    headers = {REPLAYED_HEADER: "true"}
    return Response(body, status, media_type="application/json", headers=headers)


def idempotent(
    deps: Deps,
    actor: Actor,
    rk: RequestKey,
    status: int,
    build: Callable[[R], WireModel],
    call: Callable[[Idempotency[R] | None], R],
) -> Response:
    """The answer of an idempotent POST: ``build`` of what ``call`` (the use case, given the
    key or None) returns, as JSON with ``status``.

    Without an Idempotency-Key the use case just runs. With one, the use case runs once per
    (operator, key): it keeps its result, as this answer's body, in its own transaction, and
    every later request with the key is answered that body again with ``status`` and
    ``Idempotent-Replayed: true`` (422 ``idempotency-mismatch`` for another request). A
    concurrent duplicate that lost the race for the key (``KeyTaken``) replays the winner's.
    """
    if rk.key is None:
        return json_response(build(call(None)), status)
    key, request_sha256 = rk.key, rk.request_sha256
    kept = kept_result(deps, actor, key, request_sha256)
    if kept is None:
        try:
            result = call(Idempotency(key, request_sha256, lambda r: dump(build(r))))
        except KeyTaken:
            kept = kept_result(deps, actor, key, request_sha256)
            if kept is None:  # kept and gone again: nothing to replay
                raise
        else:
            return json_response(build(result), status)
    return _replayed(kept, status)
