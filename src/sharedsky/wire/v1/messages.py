"""Hotline messages and the template catalogue on the wire."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, ConfigDict, Field

from sharedsky.wire.v1.common import WireModel
from sharedsky.wire.v1.notices import AckState

MessagePriority = Literal["routine", "priority", "flash"]
ReplyCode = Literal["WILCO", "UNABLE", "AFFIRM", "NEGATIVE"]
"""A standard reply that closes a message (its template declares which)."""
ParamValue = int | float | str
"""A template parameter: a whole number, a number or a string (see the template's spec)."""


class AboutRef(WireModel):
    """The notice or conflict a message is about."""

    type: Literal["notice", "conflict"]
    id: str = Field(min_length=1, max_length=40)


class MessageIn(WireModel):
    """A message to send: a template with its parameters, free text, or both."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"to": "bravo", "priority": "priority", "text": "Call us"}]}
    )

    to: str = Field(min_length=1, max_length=64)
    """The recipient: another party of the mechanism, or the host."""
    priority: MessagePriority = "routine"
    template: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    """The template's parameters; checked against its spec (``GET /v1/templates``)."""
    text: str = ""
    """Free text (at most 2,000 characters), not translated."""
    about: AboutRef | None = None


class ReplyOption(WireModel):
    """A reply a template declares: its code and what it says in the reader's language."""

    reply: ReplyCode
    words: str
    """In the listing's or message's ``language``."""
    words_en: str


class MessageReplyIn(WireModel):
    """The recipient's reply to a message: one of the replies its template declares."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"reply": "WILCO"}]})

    reply: str = Field(min_length=1, max_length=16)
    """``WILCO``, ``UNABLE``, ``AFFIRM`` or ``NEGATIVE``, as the message's ``replies`` offer
    (another is refused: ``422 unexpected-reply``)."""


class MessageReplyOut(WireModel):
    """The reply a message received: which, by which operator of the recipient, when."""

    reply: ReplyCode
    words: str
    """What the reply says in the reader's language."""
    replied_by: str
    replied_at: AwareDatetime


class MessageOut(WireModel):
    """A message as its reader sees it: ``rendered`` is the template in the reader's
    ``language`` (null without a template), ``rendered_en`` the same in English."""

    id: str
    thread: str
    from_: str = Field(alias="from")
    to: str
    sent_by: str
    """The sender's operator."""
    priority: MessagePriority
    template: str | None
    params: dict[str, ParamValue]
    text: str
    about: AboutRef | None
    rendered: str | None
    rendered_en: str | None
    language: str
    """The language of ``rendered`` (English when the reader's has no catalogue)."""
    sent_at: AwareDatetime
    delivered_at: AwareDatetime | None = None
    """When the message first reached the recipient party (its stream, a webhook or a read of
    it); null until."""
    acknowledgement: AckState | None
    """The recipient's acknowledgement: pending with its due time, or who acknowledged when."""
    replies: list[ReplyOption] = Field(default_factory=list)
    """The replies its template declares (empty: it expects none; an acknowledgement closes
    it); the recipient answers with one (``POST /v1/messages/{id}/reply``)."""
    reply: MessageReplyOut | None = None
    """The recipient's reply; null until it replies."""

    model_config = WireModel.model_config | {"populate_by_name": True, "serialize_by_alias": True}


class MessageList(WireModel):
    """A list of messages (oldest first for a thread, newest first otherwise)."""

    messages: list[MessageOut]


class ParamSpecOut(WireModel):
    """One parameter of a template."""

    name: str
    type: Literal["int", "float", "text", "utc_time"]
    minimum: float | None
    maximum: float | None
    max_chars: int | None
    unit: str


class TemplateOut(WireModel):
    """A standard message: its parameters and its pattern (``{name}`` placeholders)."""

    id: str
    params: list[ParamSpecOut]
    about: list[Literal["notice", "conflict"]]
    """When not empty, a message of this template must be about one of these."""
    pattern: str
    """The pattern in the listing's language."""
    pattern_en: str
    replies: list[ReplyOption] = Field(default_factory=list)
    """The replies that close a message of this template (empty: none; it is acknowledged)."""


class TemplateList(WireModel):
    """The catalogue in one language."""

    language: str
    """The language of ``pattern`` (English when the one asked for has no catalogue)."""
    languages: list[str]
    """Every language with a catalogue."""
    templates: list[TemplateOut]
