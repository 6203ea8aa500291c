"""Routes of the hotline: send, list, show and acknowledge messages; the template catalogue."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query
from fastapi.responses import Response

from sharedsky.api import convert
from sharedsky.api.auth import ActorDep, DepsDep, KeyDep, SubmissionDep, submission_openapi
from sharedsky.api.routes._render import json_response, renderer, respond
from sharedsky.domain.acknowledgements import AckRequest
from sharedsky.domain.channels import Priority
from sharedsky.domain.ids import PartyId
from sharedsky.domain.messages import About, MessageDraft
from sharedsky.domain.templates import CATALOGUE, AboutType, Template
from sharedsky.domain.visibility import Viewer
from sharedsky.interop.catalogues import SOURCE_LANGUAGE, Catalogues, load_catalogues
from sharedsky.service.hotline import (
    MAX_LIST,
    MessageRecord,
    acknowledge_message,
    list_messages,
    list_thread,
    send_message,
    send_message_async,
    show_message,
)
from sharedsky.service.idempotency import run_idempotent
from sharedsky.service.ports import Deps
from sharedsky.wire import v1

router = APIRouter(tags=["hotline"])


def message_draft(body: v1.MessageIn) -> MessageDraft:
    """The domain draft of a wire message."""
    return MessageDraft(
        to=PartyId(body.to),
        priority=Priority(body.priority),
        template=body.template,
        params=dict(body.params),
        text=body.text,
        about=None if body.about is None else About(AboutType(body.about.type), body.about.id),
    )


def language_of(deps: Deps, viewer: Viewer) -> str:
    """The language the viewer's party reads."""
    return deps.mechanism.party(viewer.party).language


def message_out(
    record: MessageRecord, language: str, catalogues: Catalogues | None = None
) -> v1.MessageOut:
    """The wire form of a message, rendered in ``language`` (a BCP 47 tag) and in English."""
    books = load_catalogues() if catalogues is None else catalogues
    m = record.message
    tpl = None if m.template is None else CATALOGUE.get(m.template)
    chosen = books.language_for(language)
    ack = record.ack
    return v1.MessageOut.model_validate(
        {
            "id": m.id,
            "thread": m.thread,
            "from": m.sender,
            "to": m.recipient,
            "sent_by": m.sender_operator,
            "priority": m.priority.value,
            "template": m.template,
            "params": dict(m.params),
            "text": m.text,
            "about": None if m.about is None else {"type": m.about.type.value, "id": m.about.id},
            "rendered": None if tpl is None else books.render(tpl, m.params, chosen),
            "rendered_en": None if tpl is None else books.render(tpl, m.params, SOURCE_LANGUAGE),
            "language": chosen,
            "sent_at": m.sent_at,
            "acknowledgement": None if ack is None else convert.ack_state(ack),
            "delivered_at": record.delivered_at,
        }
    )


def _template_out(tpl: Template, language: str, books: Catalogues) -> v1.TemplateOut:
    return v1.TemplateOut(
        id=tpl.id,
        params=[
            v1.ParamSpecOut(
                name=p.name,
                type=p.kind.value,
                minimum=p.minimum,
                maximum=p.maximum,
                max_chars=p.max_chars,
                unit=p.unit,
            )
            for p in tpl.params
        ],
        about=[a.value for a in tpl.about],
        pattern=books.pattern(tpl.id, language),
        pattern_en=tpl.pattern_en,
    )


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
    draft = message_draft(body)
    language = language_of(deps, actor.viewer)

    def build(record: MessageRecord) -> v1.MessageOut:
        return message_out(record, language)

    if rk.key is None:  # the busy path: the write joins a shared transaction from the loop
        record = await send_message_async(deps, actor, draft)
        return json_response(build(record), 201)

    def idempotent() -> Response:
        return respond(
            run_idempotent(
                deps,
                actor,
                rk.key,
                rk.request_sha256,
                renderer(201, build),
                lambda idem: send_message(deps, actor, draft, idem),
            )
        )

    return await anyio.to_thread.run_sync(idempotent)


@router.get("/v1/messages", responses={200: {"model": v1.MessageList}})
def list_all(
    actor: ActorDep,
    deps: DepsDep,
    thread: Annotated[str | None, Query(max_length=200, description="Only this thread.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 100,
) -> Response:
    """A thread's messages, oldest first; without ``thread``, the caller's messages (sent or
    received; the host: every message), newest first. Each rendered in the caller's language."""
    if thread is None:
        records = list_messages(deps, actor.viewer, limit)
    else:
        records = list_thread(deps, actor.viewer, thread, limit)
    language = language_of(deps, actor.viewer)
    books = load_catalogues()
    return json_response(
        v1.MessageList(messages=[message_out(r, language, books) for r in records])
    )


@router.get("/v1/messages/{message_id}", responses={200: {"model": v1.MessageOut}})
def show(message_id: str, actor: ActorDep, deps: DepsDep) -> Response:
    """One message (404 unless the caller's party sent or received it, or it is the host)."""
    record = show_message(deps, actor.viewer, message_id)
    return json_response(message_out(record, language_of(deps, actor.viewer)))


@router.post("/v1/messages/{message_id}/ack", responses={200: {"model": v1.AckOut}})
def ack(message_id: str, actor: ActorDep, deps: DepsDep, rk: KeyDep) -> Response:
    """The recipient acknowledges a message (receipt, not approval): which operator, when."""

    def build(request: AckRequest) -> v1.AckOut:
        return convert.ack_out(request)

    return respond(
        run_idempotent(
            deps,
            actor,
            rk.key,
            rk.request_sha256,
            renderer(200, build),
            lambda idem: acknowledge_message(deps, actor, message_id, idem),
        )
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
    return json_response(
        v1.TemplateList(
            language=language,
            languages=list(books.languages),
            templates=[_template_out(t, language, books) for t in CATALOGUE.values()],
        )
    )
