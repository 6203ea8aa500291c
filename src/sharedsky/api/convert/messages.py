"""Hotline messages and the template catalogue: the sending request to a draft, a message
rendered in the reader's language, a template with its parameters (``wire/v1/messages.py``)."""

from __future__ import annotations

from collections.abc import Iterable

from sharedsky.api.convert.notices import ack_state
from sharedsky.domain.channels import Priority
from sharedsky.domain.ids import PartyId
from sharedsky.domain.messages import About, MessageDraft
from sharedsky.domain.templates import CATALOGUE, REPLY_WORDS_EN, AboutType, Reply, Template
from sharedsky.interop.catalogues import SOURCE_LANGUAGE, Catalogues, load_catalogues
from sharedsky.service.hotline import MessageRecord
from sharedsky.wire import v1


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


def reply_option(reply: Reply, language: str, books: Catalogues) -> v1.ReplyOption:
    """A reply with its words in ``language`` and in English."""
    return v1.ReplyOption(
        reply=reply.value, words=books.reply_words(reply, language), words_en=REPLY_WORDS_EN[reply]
    )


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
            "acknowledgement": None if ack is None else ack_state(ack),
            "delivered_at": record.delivered_at,
            "replies": [reply_option(r, chosen, books) for r in m.expected_replies],
            "reply": None
            if m.reply is None
            else {
                "reply": m.reply.reply.value,
                "words": books.reply_words(m.reply.reply, chosen),
                "replied_by": m.reply.operator,
                "replied_at": m.reply.at,
            },
        }
    )


def message_list(
    records: Iterable[MessageRecord], language: str, catalogues: Catalogues
) -> v1.MessageList:
    """The wire form of a list of messages, each rendered in ``language``."""
    return v1.MessageList(messages=[message_out(r, language, catalogues) for r in records])


def template_out(tpl: Template, language: str, books: Catalogues) -> v1.TemplateOut:
    """A template of the catalogue with its parameters, its pattern in ``language`` and in
    English."""
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
        replies=[reply_option(r, language, books) for r in tpl.replies],
    )


def template_list(language: str, books: Catalogues) -> v1.TemplateList:
    """The whole catalogue in ``language`` (one the catalogues hold), with the languages held."""
    return v1.TemplateList(
        language=language,
        languages=list(books.languages),
        templates=[template_out(t, language, books) for t in CATALOGUE.values()],
    )
