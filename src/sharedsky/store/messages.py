"""MessageRepository: hotline messages, by id, by thread and by party."""

from __future__ import annotations

from sqlalchemy import Connection, insert, or_, select, update

from sharedsky.domain.ids import PartyId
from sharedsky.domain.messages import Message, MessageReply
from sharedsky.store import tables as t
from sharedsky.store.mapping import message_from_row, message_values, reply_values
from sharedsky.store.pending import Pending

_INSERT = insert(t.messages)
"""One statement for every insert (values as parameters: compiled once, cached)."""


class MessageRepository:
    """Hotline messages; a message never changes once added, but for its reply."""

    def __init__(
        self,
        connection: Connection,
        pending: Pending | None = None,
    ) -> None:
        self._c = connection
        self._pending = Pending(connection) if pending is None else pending
        """Where inserts go: held with the transaction's others, or at once (the default)."""

    def add(self, message: Message) -> None:
        """Insert a message (its id must be new)."""
        row = message_values(message)
        self._pending.insert(_INSERT, [row])

    def get(self, message_id: str) -> Message | None:
        """The message with this id; None when there is none."""
        row = self._c.execute(select(t.messages).where(t.messages.c.id == message_id)).first()
        return None if row is None else message_from_row(row)

    def thread(self, thread: str, party: PartyId | None, limit: int) -> list[Message]:
        """The thread's messages sent or received by ``party`` (all of them when None), oldest
        first (ties by id), at most ``limit``; empty when there are none."""
        c = t.messages.c
        query = select(t.messages).where(c.thread == thread)
        if party is not None:
            query = query.where(or_(c.sender_party == party, c.recipient_party == party))
        query = query.order_by(c.sent_us, c.id).limit(limit)
        return [message_from_row(row) for row in self._c.execute(query)]

    def latest(self, party: PartyId | None, limit: int) -> list[Message]:
        """Messages sent or received by ``party`` (every message when None), newest first
        (ties by id, descending), at most ``limit``; empty when there are none."""
        c = t.messages.c
        query = select(t.messages)
        if party is not None:
            query = query.where(or_(c.sender_party == party, c.recipient_party == party))
        query = query.order_by(c.sent_us.desc(), c.id.desc()).limit(limit)
        return [message_from_row(row) for row in self._c.execute(query)]

    def set_reply(self, message_id: str, reply: MessageReply) -> None:
        """Record the recipient's reply to the message (nothing else of it changes); no-op
        when absent."""
        self._c.execute(
            update(t.messages).where(t.messages.c.id == message_id).values(reply_values(reply))
        )
