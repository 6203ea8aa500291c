"""MessageRepository: hotline messages, by id, by thread and by party."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, insert, or_, select

from sharedsky.domain.channels import Priority
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.messages import About, Message, MessageId
from sharedsky.domain.templates import AboutType
from sharedsky.store import tables as t
from sharedsky.store.journal import Journal
from sharedsky.store.pending import Pending
from sharedsky.units import from_us, to_us


def _from_row(row: Any) -> Message:
    about = None
    if row.about_type is not None and row.about_id is not None:
        about = About(AboutType(row.about_type), row.about_id)
    return Message(
        id=MessageId(row.id),
        thread=row.thread,
        sender=PartyId(row.sender_party),
        sender_operator=OperatorId(row.sender_operator),
        recipient=PartyId(row.recipient_party),
        priority=Priority(row.priority),
        template=row.template,
        params=json.loads(row.params),
        text=row.text,
        about=about,
        sent_at=from_us(row.sent_us),
    )


_INSERT = insert(t.messages)
"""One statement for every insert (values as parameters: compiled once, cached)."""


class MessageRepository:
    """Hotline messages; a message never changes once added."""

    def __init__(
        self,
        connection: Connection,
        journal: Journal | None = None,
        pending: Pending | None = None,
    ) -> None:
        self._c = connection
        self._journal = journal if journal is not None else Journal()
        self._pending = Pending(connection) if pending is None else pending
        """Where inserts go: held with the transaction's others, or at once (the default)."""

    def add(self, message: Message) -> None:
        """Insert a message (its id must be new)."""
        row = {
            "id": message.id,
            "thread": message.thread,
            "sender_party": message.sender,
            "sender_operator": message.sender_operator,
            "recipient_party": message.recipient,
            "priority": str(message.priority),
            "template": message.template,
            "params": json.dumps(dict(message.params), separators=(",", ":"), sort_keys=True),
            "text": message.text,
            "about_type": None if message.about is None else str(message.about.type),
            "about_id": None if message.about is None else message.about.id,
            "sent_us": to_us(message.sent_at),
        }
        self._journal.note_inserted(t.messages, "id", [row])
        self._pending.insert(_INSERT, [row])

    def get(self, message_id: str) -> Message | None:
        """The message with this id; None when there is none."""
        row = self._c.execute(select(t.messages).where(t.messages.c.id == message_id)).first()
        return None if row is None else _from_row(row)

    def thread(self, thread: str, party: PartyId | None, limit: int) -> list[Message]:
        """The thread's messages sent or received by ``party`` (all of them when None), oldest
        first (ties by id), at most ``limit``; empty when there are none."""
        c = t.messages.c
        query = select(t.messages).where(c.thread == thread)
        if party is not None:
            query = query.where(or_(c.sender_party == party, c.recipient_party == party))
        query = query.order_by(c.sent_us, c.id).limit(limit)
        return [_from_row(row) for row in self._c.execute(query)]

    def latest(self, party: PartyId | None, limit: int) -> list[Message]:
        """Messages sent or received by ``party`` (every message when None), newest first
        (ties by id, descending), at most ``limit``; empty when there are none."""
        c = t.messages.c
        query = select(t.messages)
        if party is not None:
            query = query.where(or_(c.sender_party == party, c.recipient_party == party))
        query = query.order_by(c.sent_us.desc(), c.id.desc()).limit(limit)
        return [_from_row(row) for row in self._c.execute(query)]
