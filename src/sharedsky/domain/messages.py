"""Hotline messages: party ↔ party and party ↔ host, a standard template and/or free text.

Rules (``docs/rules.md`` R-MSG-*):

* a message goes to another party of the mechanism or to the host, never to its sender;
* it carries a template of the catalogue with valid parameters, free text (at most
  ``MAX_TEXT_CHARS``), or both;
* messages about the same notice or conflict form one thread (``notice:<id>``,
  ``conflict:<id>``); the others form the thread of their two parties (``parties:<a>|<b>``,
  sorted);
* only its sender party, its recipient party and the host see a message;
* its recipient may answer a message whose template declares replies with one of them, once
  (R-MSG-5); the reply acknowledges the message too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NewType

from sharedsky.domain.channels import ChannelRules, Priority
from sharedsky.domain.errors import AlreadyReplied, Forbidden, InvalidInput
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.templates import (
    CATALOGUE,
    AboutType,
    ParamValue,
    Reply,
    check_reply,
    template,
    validate_params,
)
from sharedsky.domain.visibility import Viewer

MessageId = NewType("MessageId", str)

MAX_TEXT_CHARS = 2000
"""The longest free text of one message, in characters."""


@dataclass(frozen=True, slots=True)
class About:
    """The notice or conflict a message is about."""

    type: AboutType
    id: str


@dataclass(frozen=True, slots=True)
class MessageDraft:
    """A message as its sender asks to send it (not yet checked)."""

    to: PartyId
    priority: Priority = Priority.ROUTINE
    template: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)
    text: str = ""
    about: About | None = None


@dataclass(frozen=True, slots=True)
class MessageReply:
    """The reply that closed a message: which, by which operator of the recipient, when."""

    reply: Reply
    operator: OperatorId
    at: datetime


@dataclass(frozen=True, slots=True)
class Message:
    """A sent message, as stored; ``params`` are the checked parameters of ``template``."""

    id: MessageId
    thread: str
    sender: PartyId
    sender_operator: OperatorId
    recipient: PartyId
    priority: Priority
    template: str | None
    params: Mapping[str, ParamValue]
    text: str
    about: About | None
    sent_at: datetime
    reply: MessageReply | None = None
    """The recipient's reply; None until it replies (or when the template expects none)."""

    @property
    def expected_replies(self) -> tuple[Reply, ...]:
        """The replies its template declares (none for free text, or a template unknown)."""
        tpl = None if self.template is None else CATALOGUE.get(self.template)
        return () if tpl is None else tpl.replies


def thread_of(sender: PartyId, recipient: PartyId, about: About | None) -> str:
    """The thread of a message: its object's, or its two parties' (sorted).

    >>> thread_of(PartyId("bravo"), PartyId("alpha"), None)
    'parties:alpha|bravo'
    """
    if about is not None:
        return f"{about.type}:{about.id}"
    low, high = sorted((sender, recipient))
    return f"parties:{low}|{high}"


def check_draft(
    draft: MessageDraft, sender: PartyId, mechanism: Mechanism
) -> dict[str, ParamValue]:
    """Check a draft from ``sender`` and return its checked template parameters.

    InvalidInput with the field path: ``to`` (unknown party, or the sender itself), ``text``
    (too long, or neither template nor text), ``template`` (unknown), ``about`` (the template
    needs an object of another type) and ``("params", name)`` (see ``validate_params``).
    """
    if draft.to == sender:
        raise InvalidInput("a message cannot be sent to your own party", ("to",))
    if not (mechanism.has_party(draft.to) or mechanism.is_host(draft.to)):
        raise InvalidInput(f"no party {draft.to!r} in this mechanism", ("to",))
    if len(draft.text) > MAX_TEXT_CHARS:
        raise InvalidInput(
            f"text has {len(draft.text)} characters; at most {MAX_TEXT_CHARS}", ("text",)
        )
    if draft.template is None:
        if draft.params:
            raise InvalidInput("parameters need a template", ("params",))
        if not draft.text.strip():
            raise InvalidInput("a message needs a template, free text, or both", ("text",))
        return {}
    tpl = template(draft.template)
    if tpl.about and (draft.about is None or draft.about.type not in tpl.about):
        kinds = " or ".join(str(a) for a in tpl.about)
        raise InvalidInput(f"template {tpl.id!r} must be about a {kinds}", ("about",))
    return validate_params(tpl, draft.params)


def ack_rules(mechanism: Mechanism, sender: PartyId, recipient: PartyId) -> ChannelRules:
    """The rules whose ``ack_deadline_s`` times a message: the channel of its two parties, or
    the mechanism's defaults when the host is one of them."""
    if mechanism.is_host(sender) or mechanism.is_host(recipient):
        return mechanism.defaults
    return mechanism.channel(sender, recipient)


def may_see(viewer: Viewer, message: Message) -> bool:
    """True for the message's sender party, its recipient party and the host."""
    return viewer.is_host or viewer.party in (message.sender, message.recipient)


def check_reply_to(message: Message, party: PartyId, reply: str) -> Reply:
    """The reply ``reply`` of ``party`` to ``message``, checked: Forbidden unless ``party`` is
    its recipient; UnexpectedReply (at ``reply``) unless its template declares that reply;
    AlreadyReplied when it was replied to already."""
    if party != message.recipient:
        raise Forbidden(
            f"only the recipient ({message.recipient}) replies to message {message.id!r}"
        )
    tpl = None if message.template is None else CATALOGUE.get(message.template)
    chosen = check_reply(tpl, reply)
    if message.reply is not None:
        raise AlreadyReplied(
            f"message {message.id!r} was replied to already: {message.reply.reply.value}"
            f" at {message.reply.at.isoformat()}"
        )
    return chosen
