"""Routes of the hotline: send, list, show, acknowledge and reply to messages; the template
catalogue."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query
from fastapi.responses import Response

from sharedsky.api import convert
from sharedsky.api.auth import (
    ActorDep,
    ContainerDep,
    DepsDep,
    KeyDep,
    SubmissionDep,
    submission_openapi,
)
from sharedsky.api.routes._render import idempotent, json_response
from sharedsky.domain.visibility import Viewer
from sharedsky.interop.catalogues import load_catalogues
from sharedsky.service import receipts
from sharedsky.service.context import Actor
from sharedsky.service.hotline import (
    MAX_LIST,
    MessageRecord,
    acknowledge_message,
    list_messages,
    list_thread,
    reply_to_message,
    send_message,
    send_message_async,
    show_message,
)
from sharedsky.service.ports import Deps
from sharedsky.wire import v1

router = APIRouter(tags=["hotline"])


def language_of(deps: Deps, viewer: Viewer) -> str:
    """The language the viewer's party reads."""
    return deps.mechanism.party(viewer.party).language


@router.post(
    "/v1/messages",
    status_code=201,
    responses={201: {"model": v1.MessageOut}},
    openapi_extra=submission_openapi(),
)
async def send(body: v1.MessageIn, submitted: SubmissionDep) -> Response:
    """Send a hotline message (201); its recipient must acknowledge it by the due time of its
    priority."""
    actor, deps, rk = submitted.actor, submitted.deps, submitted.key
    if rk.key is None:
        return await send_plain(deps, actor, body)
    draft = convert.message_draft(body)
    language = language_of(deps, actor.viewer)

    def build(record: MessageRecord) -> v1.MessageOut:
        return convert.message_out(record, language)

    def once() -> Response:
        return idempotent(
            deps, actor, rk, 201, build, lambda idem: send_message(deps, actor, draft, idem)
        )

    return await anyio.to_thread.run_sync(once)


async def send_plain(deps: Deps, actor: Actor, body: v1.MessageIn) -> Response:
    """The answer to a message sent without an Idempotency-Key, the busy path: the write joins
    a shared transaction from the event loop (``send_message_async``). The fast lane in front of
    the router answers with this very function (``api/fastlane.py``)."""
    record = await send_message_async(deps, actor, convert.message_draft(body))
    return json_response(convert.message_out(record, language_of(deps, actor.viewer)), 201)


@router.get("/v1/messages", responses={200: {"model": v1.MessageList}})
def list_all(
    actor: ActorDep,
    deps: DepsDep,
    container: ContainerDep,
    thread: Annotated[str | None, Query(max_length=200, description="Only this thread.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 100,
) -> Response:
    """A thread's messages, oldest first; without ``thread``, the caller's messages (sent or
    received; the host: every message), newest first. Each rendered in the caller's language."""
    if thread is None:
        records = list_messages(deps, actor.viewer, limit)
    else:
        records = list_thread(deps, actor.viewer, thread, limit)
    read = receipts.messages_read(actor.viewer, (r.message for r in records), deps.clock.now())
    container.deliveries.note(read)  # read: delivered (R-LEAD-2)
    language = language_of(deps, actor.viewer)
    return json_response(convert.message_list(records, language, load_catalogues()))


@router.get("/v1/messages/{message_id}", responses={200: {"model": v1.MessageOut}})
def show(message_id: str, actor: ActorDep, deps: DepsDep, container: ContainerDep) -> Response:
    """One message (404 unless the caller's party sent or received it, or it is the host)."""
    record = show_message(deps, actor.viewer, message_id)
    now = deps.clock.now()
    container.deliveries.note(receipts.messages_read(actor.viewer, [record.message], now))
    return json_response(convert.message_out(record, language_of(deps, actor.viewer)))


@router.post("/v1/messages/{message_id}/ack", responses={200: {"model": v1.AckOut}})
def ack(message_id: str, actor: ActorDep, deps: DepsDep, rk: KeyDep) -> Response:
    """The recipient acknowledges a message (receipt, not approval): which operator, when."""
    return idempotent(
        deps,
        actor,
        rk,
        200,
        convert.ack_out,
        lambda idem: acknowledge_message(deps, actor, message_id, idem),
    )


@router.post("/v1/messages/{message_id}/reply", responses={200: {"model": v1.MessageOut}})
def reply(
    message_id: str, body: v1.MessageReplyIn, actor: ActorDep, deps: DepsDep, rk: KeyDep
) -> Response:
    """The recipient replies to a message with one of the replies its template declares
    (``replies``: WILCO, UNABLE, AFFIRM or NEGATIVE); the reply acknowledges the message too and
    reaches the sender (``message.replied``). 422 ``unexpected-reply`` for another reply, 409
    ``already-replied`` for a second, 403 for the message's sender, 404 for anyone else."""
    language = language_of(deps, actor.viewer)

    def build(record: MessageRecord) -> v1.MessageOut:
        return convert.message_out(record, language)

    return idempotent(
        deps,
        actor,
        rk,
        200,
        build,
        lambda idem: reply_to_message(deps, actor, message_id, body.reply, idem),
    )


@router.get("/v1/templates", responses={200: {"model": v1.TemplateList}})
def templates(
    actor: ActorDep,
    deps: DepsDep,
    lang: Annotated[
        str | None,
        Query(max_length=35, description="Language (BCP 47); default the caller's party's."),
    ] = None,
) -> Response:
    """The catalogue of standard messages: parameters and patterns in ``lang``."""
    books = load_catalogues()
    language = books.language_for(lang or language_of(deps, actor.viewer))
    return json_response(convert.template_list(language, books))
