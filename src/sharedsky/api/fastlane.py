"""The fast lane of ``POST /v1/messages``: its common case answered without FastAPI's routing.

On a busy hotline most of the server's time per message went to the framework around the
route: the router trying routes, the dependency solver, the body field machinery, three
middlewares. The lane is an ASGI middleware in front of them that answers the plain case —
an authenticated ``application/json`` message without an ``Idempotency-Key`` — with the route's
own function for it (``routes.messages.send_plain``), after the same validation of the body
(``v1.MessageIn``) and authentication (``current_actor``), so the answer is the route's answer.

Everything else goes to the app untouched, the body it read handed on: another path or
method, a request with an ``Idempotency-Key``, a body that is not JSON or does not validate,
an authentication failure. Up to that point the lane has changed nothing, so the app answers
exactly as it always did (a 401, FastAPI's 422). Once the message is submitted the lane
never hands over (that could send it twice): an expected error of the use case is answered by
the app's own handler for it (``errors.domain_error``), as the route's would be, and anything
else goes up to the server-error handler outside, as it would from the route.
"""

from __future__ import annotations

import json

from fastapi import Request
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sharedsky.api.auth import app_deps, current_actor
from sharedsky.api.errors import domain_error
from sharedsky.api.observability import LaneCount
from sharedsky.api.routes.messages import send_plain
from sharedsky.domain.errors import SharedskyError
from sharedsky.wire import v1

PATH = "/v1/messages"


class MessagesFastLane:
    """ASGI middleware: see the module docstring."""

    def __init__(self, app: ASGIApp, count: LaneCount | None = None) -> None:
        self.app = app
        self.count = LaneCount() if count is None else count

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if "idempotency-key" in headers or not _is_json(headers.get("content-type")):
            await self.app(scope, receive, send)
            return
        body, receive = await _read_body(receive)
        if body is None:  # the client left before it finished: the app sees the same
            await self.app(scope, receive, send)
            return
        request = Request(scope, _always(body))
        try:
            message = v1.MessageIn.model_validate(json.loads(body))
            actor = await current_actor(
                request, headers.get("authorization"), headers.get("sharedsky-signature")
            )
        except Exception:  # nothing happened yet: the app answers (401, 422) as it would
            await self.app(scope, receive, send)
            return
        try:
            response = await send_plain(app_deps(request), actor, message)
        except SharedskyError as exc:  # refused by the use case: as the route's refusal
            response = await domain_error(request, exc)
        else:
            self.count.answered += 1
        await response(scope, receive, send)


def _is_json(content_type: str | None) -> bool:
    return (
        content_type is not None
        and content_type.partition(";")[0].strip().lower() == "application/json"
    )


async def _read_body(receive: Receive) -> tuple[bytes | None, Receive]:
    """The whole request body (None when the client left first), and a ``receive`` that hands
    on again what was read, then what comes next."""
    read: list[Message] = []
    more = True
    while more:
        message = await receive()
        read.append(message)
        if message["type"] != "http.request":
            return None, _replaying(read, receive)
        more = message.get("more_body", False)
    body = b"".join(m.get("body", b"") for m in read)
    return body, _replaying([{"type": "http.request", "body": body, "more_body": False}], receive)


def _replaying(first: list[Message], receive: Receive) -> Receive:
    pending = list(first)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


def _always(body: bytes) -> Receive:
    """A ``receive`` for the lane's own ``Request``: the body, however often it is asked (so
    that reading it there leaves the app's ``receive`` untouched)."""

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
