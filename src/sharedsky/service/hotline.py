"""Use cases of the hotline: send a message, acknowledge it, reply to it; list a thread or one's
messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sharedsky.domain.acknowledgements import AckRequest, AckStatus, AckSubject, due_at
from sharedsky.domain.errors import InvalidInput, NotFound, StateConflict
from sharedsky.domain.events import MessageAcknowledged, MessageReplied, MessageSent
from sharedsky.domain.ids import AckId
from sharedsky.domain.messages import (
    About,
    Message,
    MessageDraft,
    MessageId,
    MessageReply,
    ack_rules,
    check_draft,
    check_reply_to,
    may_see,
    thread_of,
)
from sharedsky.domain.operators import Role
from sharedsky.domain.templates import AboutType
from sharedsky.domain.visibility import Viewer
from sharedsky.service._common import record_event, remember
from sharedsky.service.acknowledgements import settle
from sharedsky.service.context import Actor, Idempotency
from sharedsky.service.ports import Deps
from sharedsky.service.queries import visible_conflict, visible_notice
from sharedsky.service.uow import Messages, UnitOfWork

MAX_LIST = 1000
"""The most messages one listing returns."""


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """A message with its recipient's acknowledgement request."""

    message: Message
    ack: AckRequest | None
    """None only for a message stored without one (none is, today)."""
    delivered_at: datetime | None = None
    """When the message first reached the recipient party (stream or webhook)."""


def _messages(uow: UnitOfWork) -> Messages:
    return uow.messages


def _check_about(
    uow: UnitOfWork, deps: Deps, actor: Actor, draft: MessageDraft, now: datetime
) -> None:
    """NotFound when the sender may not see the object; InvalidInput at ``to`` when the
    recipient may not see it (the message would tell it what it must not learn)."""
    about = draft.about
    if about is None:
        return

    def see(viewer: Viewer) -> None:
        if about.type is AboutType.NOTICE:
            visible_notice(uow, deps, viewer, about.id, now)
        else:
            visible_conflict(uow, deps, viewer, about.id, now)

    see(actor.viewer)
    recipient = Viewer(draft.to, deps.mechanism.is_host(draft.to))
    try:
        see(recipient)
    except NotFound as exc:
        raise InvalidInput(
            f"{draft.to!r} may not see {about.type} {about.id!r}, so a message about it cannot"
            " go to that party",
            ("to",),
        ) from exc


def _sent(message: Message, ack: AckRequest) -> MessageSent:
    about = message.about
    return MessageSent(
        message=message.id,
        thread=message.thread,
        sender=message.sender,
        recipient=message.recipient,
        priority=str(message.priority),
        template=message.template,
        params=dict(message.params),
        text=message.text,
        about=None if about is None else (str(about.type), about.id),
        ack=ack.id,
        due_at=ack.due_at,
        operator=message.sender_operator,
        at=message.sent_at,
    )


def send_message(
    deps: Deps, actor: Actor, draft: MessageDraft, idem: Idempotency[MessageRecord] | None = None
) -> MessageRecord:
    """Send a message and ask its recipient to acknowledge it by the due time of its priority.

    InvalidInput (see ``domain.messages.check_draft``; also ``to`` when the recipient may not
    see the object the message is about); NotFound when the sender may not see that object.
    """
    return deps.db.run(_sending(deps, actor, draft, idem))


async def send_message_async(deps: Deps, actor: Actor, draft: MessageDraft) -> MessageRecord:
    """``send_message`` from a coroutine (no idempotency key): the write joins the next shared
    transaction without a thread of the loop's pool."""
    return await deps.db.run_async(_sending(deps, actor, draft, None))


def _sending(
    deps: Deps, actor: Actor, draft: MessageDraft, idem: Idempotency[MessageRecord] | None
) -> Callable[[UnitOfWork], MessageRecord]:
    """The write that sends ``draft`` (checked first: InvalidInput before any write)."""
    actor.require_role(Role.DUTY, "send messages")
    now = deps.clock.now()
    mech = deps.mechanism
    params = check_draft(draft, actor.party, mech)
    message = Message(
        id=MessageId(deps.ids.new("msg")),
        thread=thread_of(actor.party, draft.to, draft.about),
        sender=actor.party,
        sender_operator=actor.operator,
        recipient=draft.to,
        priority=draft.priority,
        template=draft.template,
        params=params,
        text=draft.text,
        about=draft.about,
        sent_at=now,
    )
    ack = AckRequest(
        id=AckId(deps.ids.new("ack")),
        party=draft.to,
        subject=AckSubject.MESSAGE,
        subject_id=message.id,
        subject_version=1,
        priority=draft.priority,
        requested_at=now,
        due_at=due_at(ack_rules(mech, actor.party, draft.to), draft.priority, now),
    )

    def work(uow: UnitOfWork) -> MessageRecord:
        _check_about(uow, deps, actor, draft, now)
        record_event(uow, now, actor.operator, _sent(message, ack), actor.signature)
        return remember(uow, actor, idem, MessageRecord(message, ack), now)

    return work


def _visible(uow: UnitOfWork, viewer: Viewer, message_id: str) -> Message:
    message = _messages(uow).get(message_id)
    if message is None or not may_see(viewer, message):
        raise NotFound(f"no message {message_id!r}")
    return message


def _record(uow: UnitOfWork, message: Message) -> MessageRecord:
    requests = uow.acks.for_subject(message.id, message.recipient)
    delivered = [
        d.delivered_at
        for d in uow.deliveries.of("message", [message.id])
        if d.party == message.recipient
    ]
    return MessageRecord(
        message, requests[-1] if requests else None, min(delivered) if delivered else None
    )


def acknowledge_message(
    deps: Deps, actor: Actor, message_id: str, idem: Idempotency[AckRequest] | None = None
) -> AckRequest:
    """The recipient acknowledges a message: which operator, when. Acknowledging again
    returns the first acknowledgement. NotFound when the actor may not see the message;
    StateConflict for its sender (only the recipient acknowledges)."""
    actor.require_role(Role.DUTY, "acknowledge")
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> AckRequest:
        message = _visible(uow, actor.viewer, message_id)
        if actor.party != message.recipient:
            raise StateConflict(
                f"only the recipient ({message.recipient}) acknowledges message {message_id!r}"
            )
        settled = settle(
            uow,
            actor,
            idem,
            uow.acks.for_subject(message.id, actor.party),
            now,
            lambda _latest, settled: MessageAcknowledged(
                message.id,
                message.thread,
                message.sender,
                message.recipient,
                actor.party,
                actor.operator,
                now,
                settled,
            ),
        )
        if settled is None:
            raise StateConflict(f"message {message_id!r} awaits no acknowledgement")
        return settled

    return deps.db.run(work)


def reply_to_message(
    deps: Deps,
    actor: Actor,
    message_id: str,
    reply: str,
    idem: Idempotency[MessageRecord] | None = None,
) -> MessageRecord:
    """The recipient replies to a message with one of the replies its template declares
    (R-MSG-5): one ``message.replied`` event records the reply and acknowledges the message
    (its pending requests; none when it was acknowledged before), and reaches the sender on its
    stream. NotFound when the actor may not see the message; Forbidden for anyone but its
    recipient; UnexpectedReply for a reply the template does not declare (or a message that
    expects none); AlreadyReplied for a second reply."""
    actor.require_role(Role.DUTY, "reply to messages")
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> MessageRecord:
        message = _visible(uow, actor.viewer, message_id)
        chosen = check_reply_to(message, actor.party, reply)
        requests = uow.acks.for_subject(message.id, actor.party)
        pending = tuple(r.id for r in requests if r.status is AckStatus.PENDING)
        event = MessageReplied(
            message.id,
            message.thread,
            message.sender,
            message.recipient,
            chosen.value,
            actor.party,
            actor.operator,
            now,
            pending,
        )
        record_event(uow, now, actor.operator, event, actor.signature)
        replied = replace(message, reply=MessageReply(chosen, actor.operator, now))
        return remember(uow, actor, idem, _record(uow, replied), now)

    return deps.db.run(work)


def show_message(deps: Deps, viewer: Viewer, message_id: str) -> MessageRecord:
    """One message; NotFound when absent or not the viewer's (the host sees every one)."""

    def work(uow: UnitOfWork) -> MessageRecord:
        return _record(uow, _visible(uow, viewer, message_id))

    return deps.db.run(work, readonly=True)


def list_thread(
    deps: Deps, viewer: Viewer, thread: str, limit: int = MAX_LIST
) -> list[MessageRecord]:
    """The thread's messages the viewer may see, oldest first; empty when there are none."""
    party = None if viewer.is_host else viewer.party

    def work(uow: UnitOfWork) -> list[MessageRecord]:
        found = _messages(uow).thread(thread, party, min(limit, MAX_LIST))
        return [_record(uow, m) for m in found if may_see(viewer, m)]

    return deps.db.run(work, readonly=True)


def list_messages(deps: Deps, viewer: Viewer, limit: int = 100) -> list[MessageRecord]:
    """The viewer's messages, sent or received (the host: every message), newest first."""
    party = None if viewer.is_host else viewer.party

    def work(uow: UnitOfWork) -> list[MessageRecord]:
        found = _messages(uow).latest(party, min(limit, MAX_LIST))
        return [_record(uow, m) for m in found if may_see(viewer, m)]

    return deps.db.run(work, readonly=True)


__all__ = [
    "About",
    "MessageDraft",
    "MessageRecord",
    "acknowledge_message",
    "list_messages",
    "list_thread",
    "reply_to_message",
    "send_message",
    "show_message",
]
