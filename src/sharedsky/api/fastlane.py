"""The fast lane of ``POST /v1/messages``: its common case answered without FastAPI's routing.

On a busy hotline most of the server's time per message went to the framework around the
route: the router trying routes, the dependency solver, the body field machinery, three
middlewares. The lane is an ASGI middleware in front of them that answers the plain case —
an authenticated ``application/json`` message without an ``Idempotency-Key`` — with the very
functions the route uses (``current_actor``, ``message_draft``, ``send_message_async``,
``message_out``, ``json_response``), so the answer is the route's answer.

Everything else goes to the app untouched, the body it read handed on: another path or
method, a request with an ``Idempotency-Key``, a body that is not JSON or does not validate,
an authentication failure. Up to that point the lane has changed nothing, so the app answers
exactly as it always did (a 401, FastAPI's 422). Once the message is submitted the lane
never hands over (that could send it twice): an error of the use case is answered by the
app's own exception handler for it, as the route's would be.
"""

from __future__ import annotations

import inspect
import json
from typing import cast

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sharedsky.api.auth import app_deps, current_actor
from sharedsky.api.convert import message_draft, message_out
from sharedsky.api.observability import LaneCount
from sharedsky.api.routes._render import json_response
from sharedsky.api.routes.messages import language_of
from sharedsky.service.hotline import send_message_async
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
            draft = message_draft(v1.MessageIn.model_validate(json.loads(body)))
            actor = await current_actor(
                request, headers.get("authorization"), headers.get("sharedsky-signature")
            )
        except Exception:  # nothing happened yet: the app answers (401, 422) as it would
            await self.app(scope, receive, send)
            return
        deps = app_deps(request)
        try:
            record = await send_message_async(deps, actor, draft)
        except Exception as exc:  # the use case refused, or the write failed: as the route
            response = await _handled(request, exc)
        else:
            response = json_response(message_out(record, language_of(deps, actor.viewer)), 201)
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


async def _handled(request: Request, exc: Exception) -> Response:
    """The response of the app's exception handler for ``exc`` (the nearest class in its MRO,
    as Starlette's exception middleware picks it); re-raised when the app has none but the
    catch-all, which the server-error middleware outside the lane calls."""
    handlers = request.app.exception_handlers
    for cls in type(exc).__mro__:
        if cls is Exception:
            break
        handler = handlers.get(cls)
        if handler is not None:
            if inspect.iscoroutinefunction(handler):
                return cast(Response, await handler(request, exc))
            return cast(Response, await run_in_threadpool(handler, request, exc))
    raise exc
