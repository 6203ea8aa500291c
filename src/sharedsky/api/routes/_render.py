"""Turning use-case results into JSON answers (shared by the routers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi.responses import Response

from sharedsky.service.idempotency import Rendered
from sharedsky.wire.v1.common import WireModel

R = TypeVar("R")


def dump(model: WireModel) -> str:
    """Compact JSON of a response model, by alias (``with``)."""
    return model.model_dump_json(by_alias=True)


def renderer(status: int, build: Callable[[R], WireModel]) -> Callable[[R], tuple[int, str]]:
    """A render function for ``run_idempotent``."""
    return lambda result: (status, dump(build(result)))


def respond(rendered: Rendered) -> Response:
    """The HTTP response of a rendered answer."""
    headers = {"Idempotent-Replayed": "true"} if rendered.replayed else None
    return Response(rendered.body, rendered.status, media_type="application/json", headers=headers)


def json_response(model: WireModel, status: int = 200) -> Response:
    """A JSON response of a model."""
    return Response(dump(model), status, media_type="application/json")
