"""The after-image of a row just inserted is taken from the row itself only when it is exactly
what reading the row back gives: the state entries are the same either way (R-LEDGER-8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from _hypothesis import examples
from _support import T0
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection

from sharedsky.domain.acknowledgements import AckRequest, AckStatus, AckSubject
from sharedsky.domain.channels import Priority
from sharedsky.domain.ids import AckId, OperatorId, PartyId
from sharedsky.domain.messages import About, Message, MessageId
from sharedsky.domain.templates import AboutType
from sharedsky.store import tables as t
from sharedsky.store.acks import AckRepository
from sharedsky.store.journal import Journal
from sharedsky.store.messages import MessageRepository
from sharedsky.store.uow import Database

TEXTS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)


def _message(n: int, text: str, about: bool) -> Message:
    return Message(
        id=MessageId(f"msg-{n}"),
        thread="parties:alpha|bravo",
        sender=PartyId("alpha"),
        sender_operator=OperatorId("alpha-duty"),
        recipient=PartyId("bravo"),
        priority=Priority.FLASH,
        template=None if about else "request_delay",
        params={} if about else {"minutes": n, "note": text},
        text=text,
        about=About(AboutType.NOTICE, "ntc-1") if about else None,
        sent_at=T0 + timedelta(microseconds=n),
    )


def _ack(n: int, open_end: bool) -> AckRequest:
    return AckRequest(
        id=AckId(f"ack-{n}"),
        party=PartyId("bravo"),
        subject=AckSubject.MESSAGE,
        subject_id=f"msg-{n}",
        subject_version=1,
        priority=Priority.FLASH,
        requested_at=T0,
        due_at=None if open_end else T0 + timedelta(seconds=60),
    )


def _written(connection: Connection, journal: Journal, texts: list[str]) -> None:
    messages = MessageRepository(connection, journal)
    acks = AckRepository(connection, journal)
    for n, text in enumerate(texts):
        messages.add(_message(n, text, about=n % 2 == 1))
        acks.add_many([_ack(n, open_end=n % 3 == 0)])


def _state(database: Database, texts: list[str], *, read_back: bool) -> object:
    """The state payload of writing ``texts`` as messages, with images from the inserted rows,
    or (``read_back``) with every row read back as it stands; rolled back."""
    with database.engine.connect() as connection:
        transaction = connection.begin()
        journal = Journal()
        if read_back:  # a note of each table first: every row of it is read back
            journal.note(t.messages, "id", "msg-none")
            journal.note(t.ack_requests, "id", "ack-none")
        _written(connection, journal, texts)
        state = journal.take(connection)
        transaction.rollback()
    assert state is not None
    changes = state["changes"]
    assert isinstance(changes, list)
    return [c for c in changes if not str(c["value"]).endswith("-none")]


@settings(
    max_examples=examples(15),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(texts=st.lists(TEXTS, min_size=1, max_size=4))  # each example rolls back
def test_images_of_inserted_rows_equal_the_rows_read_back(
    database: Database, texts: list[str]
) -> None:
    assert _state(database, texts, read_back=False) == _state(database, texts, read_back=True)


def test_a_row_changed_after_its_insert_is_read_back(database: Database) -> None:
    with database.engine.connect() as connection, connection.begin():
        journal = Journal()
        _written(connection, journal, ["first"])
        AckRepository(connection, journal).acknowledge("ack-0", OperatorId("bravo-duty"), T0)
        state = journal.take(connection)
    assert state is not None
    changes = state["changes"]
    assert isinstance(changes, list)
    (ack,) = [c for c in changes if c["table"] == "ack_requests"]
    assert ack["rows"][0]["status"] == str(AckStatus.ACKNOWLEDGED)
    assert ack["rows"][0]["acked_by"] == "bravo-duty"


GOOD_ACK_ROW: dict[str, object] = {
    "id": "x",
    "party_id": "bravo",
    "subject": "message",
    "subject_id": "m",
    "subject_version": 1,
    "priority": "flash",
    "requested_us": 1,
    "due_us": 2,
    "status": "pending",
    "acked_us": None,
    "acked_by": None,
    "rung": 0,
}


def test_a_row_exactly_as_read_back_is_its_own_image() -> None:
    journal = Journal()
    journal.note_inserted(t.ack_requests, "id", [GOOD_ACK_ROW])
    assert list(journal._images.values()) == [GOOD_ACK_ROW]


@pytest.mark.parametrize(
    "row",
    [
        {"id": "x"},  # columns missing
        {**GOOD_ACK_ROW, "subject_version": True},  # a bool for an integer
        {**GOOD_ACK_ROW, "subject_version": "1"},  # text for an integer
        {**GOOD_ACK_ROW, "due_us": 2.0},  # a float for an integer
    ],
)
def test_a_row_not_exactly_as_read_back_is_not_its_own_image(row: dict[str, object]) -> None:
    journal = Journal()
    journal.note_inserted(t.ack_requests, "id", [row])
    assert journal._images == {}
    assert journal


def _noted(journal: Journal, connection: Connection, steps: list[tuple[str, int]]) -> None:
    """("add", n): message n and its acknowledgement request inserted; ("ack", n): request n
    acknowledged (a ``note`` of the table: its rows are read back from then on)."""
    for step, n in steps:
        if step == "add":
            _written_one(connection, journal, n)
        else:
            AckRepository(connection, journal).acknowledge(f"ack-{n}", OperatorId("b"), T0)


def _written_one(connection: Connection, journal: Journal, n: int) -> None:
    MessageRepository(connection, journal).add(_message(n, f"text {n}", about=False))
    AckRepository(connection, journal).add_many([_ack(n, open_end=False)])


@pytest.mark.parametrize("split", range(6))
def test_a_journal_that_absorbs_a_later_one_records_what_one_journal_would(
    database: Database, split: int
) -> None:
    """The writes of a shared transaction note apart, each absorbed as its savepoint is
    released: the state entry is the one a single journal of every write gives."""
    steps = [("add", 0), ("add", 1), ("ack", 0), ("add", 2), ("ack", 2), ("add", 3)]
    with database.engine.connect() as connection:
        transaction = connection.begin()
        one = Journal()
        _noted(one, connection, steps)
        expected = one.take(connection)
        transaction.rollback()
        transaction = connection.begin()
        first, later = Journal(), Journal()
        _noted(first, connection, steps[:split])
        _noted(later, connection, steps[split:])
        first.absorb(later)
        assert first.take(connection) == expected
        transaction.rollback()
