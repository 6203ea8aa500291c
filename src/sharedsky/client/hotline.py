"""SDK calls of the hotline: functions over a ``Client``, and a mixin that offers them as methods.

The functions take any `HotlineMixin` (a ``Client`` is one): ``send_message(client, body)``.
"""

from __future__ import annotations

from sharedsky.client.transport import Transport, segment
from sharedsky.wire import v1


def send_message(
    client: HotlineMixin, message: v1.MessageIn, idempotency_key: str | None = None
) -> v1.MessageOut:
    """Send a hotline message; the answer is rendered in the caller's language."""
    return client._transport.post(v1.MessageOut, "/v1/messages", message, idempotency_key)


def list_messages(
    client: HotlineMixin, thread: str | None = None, limit: int = 100
) -> list[v1.MessageOut]:
    """A thread's messages (oldest first), or without ``thread`` the caller's messages, sent or
    received (newest first)."""
    params = {"limit": str(limit)}
    if thread is not None:
        params["thread"] = thread
    return client._transport.call(v1.MessageList, "GET", "/v1/messages", params=params).messages


def get_message(client: HotlineMixin, message_id: str) -> v1.MessageOut:
    """One message (NotFoundError unless the caller's party sent or received it)."""
    return client._transport.call(v1.MessageOut, "GET", f"/v1/messages/{segment(message_id)}")


def ack_message(
    client: HotlineMixin, message_id: str, idempotency_key: str | None = None
) -> v1.AckOut:
    """Acknowledge a message addressed to the caller's party."""
    path = f"/v1/messages/{segment(message_id)}/ack"
    return client._transport.post(v1.AckOut, path, None, idempotency_key)


def reply_message(
    client: HotlineMixin, message_id: str, reply: str, idempotency_key: str | None = None
) -> v1.MessageOut:
    """Reply to a message addressed to the caller's party with one of the replies its template
    declares (``WILCO``, ``UNABLE``, ``AFFIRM``, ``NEGATIVE``: the message's ``replies``); the
    reply acknowledges it too. ClientError with ``code`` ``unexpected-reply`` (422) for another
    reply, ``already-replied`` (409) for a second one."""
    path = f"/v1/messages/{segment(message_id)}/reply"
    body = v1.MessageReplyIn(reply=reply)
    return client._transport.post(v1.MessageOut, path, body, idempotency_key)


def list_templates(client: HotlineMixin, lang: str | None = None) -> v1.TemplateList:
    """The catalogue of standard messages in ``lang`` (default: the caller's language)."""
    params = {} if lang is None else {"lang": lang}
    return client._transport.call(v1.TemplateList, "GET", "/v1/templates", params=params)


class HotlineMixin:
    """The hotline calls as methods, for ``class Client(HotlineMixin, …)``."""

    _transport: Transport
    """Set by the class that mixes this in (``Client``)."""

    def send_message(
        self, message: v1.MessageIn, idempotency_key: str | None = None
    ) -> v1.MessageOut:
        """Send a hotline message; the answer is rendered in the caller's language."""
        return send_message(self, message, idempotency_key)

    def list_messages(self, thread: str | None = None, limit: int = 100) -> list[v1.MessageOut]:
        """A thread's messages, or the caller's messages (see ``list_messages``)."""
        return list_messages(self, thread, limit)

    def get_message(self, message_id: str) -> v1.MessageOut:
        """One message."""
        return get_message(self, message_id)

    def ack_message(self, message_id: str, idempotency_key: str | None = None) -> v1.AckOut:
        """Acknowledge a message addressed to the caller's party."""
        return ack_message(self, message_id, idempotency_key)

    def reply_message(
        self, message_id: str, reply: str, idempotency_key: str | None = None
    ) -> v1.MessageOut:
        """Reply to a message addressed to the caller's party (see ``reply_message``)."""
        return reply_message(self, message_id, reply, idempotency_key)

    def list_templates(self, lang: str | None = None) -> v1.TemplateList:
        """The catalogue of standard messages."""
        return list_templates(self, lang)
