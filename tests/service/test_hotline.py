"""The hotline's use cases: send, acknowledge, threads, visibility."""

from __future__ import annotations

from datetime import timedelta

import pytest
from _support import T0, THREE_PARTY_YAML, Env, make_env

from sharedsky.domain.acknowledgements import AckStatus, AckSubject
from sharedsky.domain.channels import NoticeKind, Priority
from sharedsky.domain.errors import (
    AlreadyReplied,
    Forbidden,
    ForbiddenRole,
    InvalidInput,
    NotFound,
    StateConflict,
    UnexpectedReply,
)
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.messages import About, MessageDraft, MessageReply
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.operators import Role
from sharedsky.domain.templates import AboutType, Reply
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline
from sharedsky.rebuild import rebuild_state
from sharedsky.service import queries
from sharedsky.service.context import Actor
from sharedsky.service.hotline import (
    acknowledge_message,
    list_messages,
    list_thread,
    reply_to_message,
    send_message,
    show_message,
)
from sharedsky.service.notices import file_notice
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock
from sharedsky.testing.memory import MemoryDatabase


def actor(party: str) -> Actor:
    return Actor(OperatorId(f"{party}-duty"), PartyId(party), party == "host")


ALPHA, BRAVO, CHARLIE, HOST = actor("alpha"), actor("bravo"), actor("charlie"), actor("host")


@pytest.fixture
def env3(memory: MemoryDatabase, clock: FakeClock) -> Env:
    """alpha (en), bravo (tr), charlie (ar); alpha–bravo conflicts_only, alpha–charlie
    host_only, bravo–charlie full."""
    return make_env(memory, clock, THREE_PARTY_YAML)


def event_types(env: Env) -> list[str]:
    """The types of the events in the log, without the ledger's state records."""
    events = env.deps.db.run(lambda uow: uow.events.after(0), readonly=True)
    return [e.type for e in events]


def bravo_notice(env: Env) -> str:
    volume = Volume4D(
        CircleOutline((36.5, 34.8), 20_000),
        AltitudeBand(3000, 9000),
        TimeWindow(T0 + timedelta(hours=2), T0 + timedelta(hours=3)),
    )
    filing = file_notice(env.deps, BRAVO, NoticeDraft(NoticeKind.UAV, "orbit", (volume,)))
    return filing.notice.id


def test_a_message_reaches_its_recipient_and_the_host_but_no_one_else(env3: Env) -> None:
    """R-MSG-3: sender, recipient and host see a message; a third party gets NotFound."""
    sent = send_message(
        env3.deps,
        ALPHA,
        MessageDraft(PartyId("bravo"), Priority.FLASH, "request_delay", {"minutes": 20}),
    )
    message = sent.message
    assert message.thread == "parties:alpha|bravo"
    assert message.sent_at == T0 and message.sender_operator == "alpha-duty"
    for viewer in (ALPHA, BRAVO, HOST):
        assert show_message(env3.deps, viewer.viewer, message.id).message == message
        assert [r.message.id for r in list_messages(env3.deps, viewer.viewer)] == [message.id]
    with pytest.raises(NotFound):
        show_message(env3.deps, CHARLIE.viewer, message.id)
    assert list_messages(env3.deps, CHARLIE.viewer) == []
    assert list_thread(env3.deps, CHARLIE.viewer, message.thread) == []


def test_the_due_time_follows_the_priority(env3: Env) -> None:
    """R-MSG-4: routine 900 s, priority 300 s, flash 60 s (the channel's ack_deadline_s)."""
    for priority, seconds in (
        (Priority.ROUTINE, 900),
        (Priority.PRIORITY, 300),
        (Priority.FLASH, 60),
    ):
        sent = send_message(env3.deps, ALPHA, MessageDraft(PartyId("bravo"), priority, "standby"))
        assert sent.ack is not None
        assert sent.ack.party == "bravo" and sent.ack.subject is AckSubject.MESSAGE
        assert sent.ack.priority is priority
        assert sent.ack.due_at == T0 + timedelta(seconds=seconds)


def test_acknowledging_records_operator_and_time_and_clears_the_inbox(env3: Env) -> None:
    """R-MSG-4: the recipient acknowledges; who and when are recorded; the inbox empties."""
    sent = send_message(env3.deps, ALPHA, MessageDraft(PartyId("bravo"), text="radio check"))
    pending = queries.pending_acks(env3.deps, BRAVO.viewer)
    assert [(r.subject, r.subject_id) for r in pending] == [(AckSubject.MESSAGE, sent.message.id)]
    env3.clock.advance(42)
    with pytest.raises(StateConflict):
        acknowledge_message(env3.deps, ALPHA, sent.message.id)
    with pytest.raises(NotFound):
        acknowledge_message(env3.deps, CHARLIE, sent.message.id)
    done = acknowledge_message(env3.deps, BRAVO, sent.message.id)
    assert done.status is AckStatus.ACKNOWLEDGED
    assert done.acked_by == "bravo-duty" and done.acked_at == T0 + timedelta(seconds=42)
    assert queries.pending_acks(env3.deps, BRAVO.viewer) == []
    env3.clock.advance(10)
    assert acknowledge_message(env3.deps, BRAVO, sent.message.id) == done
    shown = show_message(env3.deps, ALPHA.viewer, sent.message.id)
    assert shown.ack is not None and shown.ack.acked_by == "bravo-duty"
    assert event_types(env3)[-2:] == ["message.sent", "message.acknowledged"]


def test_the_host_sends_and_receives_with_the_default_deadlines(env3: Env) -> None:
    """R-MSG-4: the host may send and receive; it acknowledges what reaches it."""
    down = send_message(
        env3.deps, HOST, MessageDraft(PartyId("charlie"), Priority.PRIORITY, "communications_check")
    )
    assert down.message.thread == "parties:charlie|host"
    assert down.ack is not None and down.ack.due_at == T0 + timedelta(seconds=300)
    up = send_message(env3.deps, CHARLIE, MessageDraft(PartyId("host"), text="all clear"))
    assert [r.subject_id for r in queries.pending_acks(env3.deps, HOST.viewer)] == [up.message.id]
    assert acknowledge_message(env3.deps, HOST, up.message.id).acked_by == "host-duty"
    assert acknowledge_message(env3.deps, CHARLIE, down.message.id).acked_by == "charlie-duty"


def test_messages_about_a_notice_form_its_thread_and_need_it_visible(env3: Env) -> None:
    """R-MSG-3: one thread per notice; the sender must see the notice (else NotFound), the
    recipient too (else InvalidInput at ``to``)."""
    notice_id = bravo_notice(env3)
    about = About(AboutType.NOTICE, notice_id)
    first = send_message(
        env3.deps,
        CHARLIE,
        MessageDraft(PartyId("bravo"), template="request_clarification", about=about),
    )
    env3.clock.advance(5)
    second = send_message(
        env3.deps,
        BRAVO,
        MessageDraft(PartyId("charlie"), template="will_proceed_as_notified", about=about),
    )
    assert first.message.thread == second.message.thread == f"notice:{notice_id}"
    with pytest.raises(NotFound):  # alpha may not see bravo's notice (conflicts_only)
        send_message(env3.deps, ALPHA, MessageDraft(PartyId("bravo"), text="?", about=about))
    with pytest.raises(InvalidInput) as caught:
        send_message(env3.deps, BRAVO, MessageDraft(PartyId("alpha"), text="!", about=about))
    assert caught.value.path == ("to",)
    host_note = send_message(
        env3.deps, HOST, MessageDraft(PartyId("bravo"), text="noted", about=about)
    )
    thread = f"notice:{notice_id}"
    seen = [r.message.id for r in list_thread(env3.deps, CHARLIE.viewer, thread)]
    assert seen == [first.message.id, second.message.id]
    everything = [r.message.id for r in list_thread(env3.deps, HOST.viewer, thread)]
    assert everything == [first.message.id, second.message.id, host_note.message.id]
    newest = [r.message.id for r in list_messages(env3.deps, BRAVO.viewer)]
    assert newest == [host_note.message.id, second.message.id, first.message.id]


def test_a_message_about_an_unknown_conflict_is_not_found(env3: Env) -> None:
    """R-MSG-3: an object the sender cannot see is answered as absent."""
    about = About(AboutType.CONFLICT, "cfl-nope")
    with pytest.raises(NotFound):
        send_message(env3.deps, ALPHA, MessageDraft(PartyId("bravo"), text="?", about=about))


def test_a_refused_message_stores_nothing(env3: Env) -> None:
    """R-MSG-1: nothing is stored and no event appended for bad input."""
    before = event_types(env3)
    with pytest.raises(InvalidInput):
        send_message(env3.deps, ALPHA, MessageDraft(PartyId("alpha"), text="me"))
    with pytest.raises(InvalidInput):
        send_message(env3.deps, ALPHA, MessageDraft(PartyId("bravo"), template="request_delay"))
    assert event_types(env3) == before
    assert list_messages(env3.deps, HOST.viewer) == []


# -- replies (R-MSG-5) ---------------------------------------------------------------------


def test_a_reply_closes_the_message_and_acknowledges_it_in_one_event(env3: Env) -> None:
    """R-MSG-5: bravo answers WILCO: the reply and the acknowledgement are recorded, once."""
    draft = MessageDraft(PartyId("bravo"), Priority.FLASH, "cease_activity", {"area": "Box 7"})
    sent = send_message(env3.deps, ALPHA, draft)
    env3.clock.advance(30)
    record = reply_to_message(env3.deps, BRAVO, sent.message.id, "WILCO")
    assert record.message.reply == MessageReply(
        Reply.WILCO, OperatorId("bravo-duty"), T0 + timedelta(seconds=30)
    )
    assert record.ack is not None and record.ack.status is AckStatus.ACKNOWLEDGED
    assert record.ack.acked_at == T0 + timedelta(seconds=30)
    assert queries.pending_acks(env3.deps, BRAVO.viewer) == []
    assert show_message(env3.deps, ALPHA.viewer, sent.message.id).message.reply == (
        record.message.reply
    )
    assert event_types(env3)[-2:] == ["message.sent", "message.replied"]
    with pytest.raises(AlreadyReplied):
        reply_to_message(env3.deps, BRAVO, sent.message.id, "UNABLE")
    assert event_types(env3)[-1] == "message.replied"


def test_a_reply_after_an_acknowledgement_settles_nothing_more(env3: Env) -> None:
    """R-MSG-5: acknowledged first, replied later: the reply names no request it settled."""
    sent = send_message(
        env3.deps, ALPHA, MessageDraft(PartyId("bravo"), template="request_deconfliction_call",
                                       params={"time": "14:30"}),
    )  # fmt: skip
    acknowledge_message(env3.deps, BRAVO, sent.message.id)
    record = reply_to_message(env3.deps, BRAVO, sent.message.id, "NEGATIVE")
    assert record.message.reply is not None and record.message.reply.reply is Reply.NEGATIVE
    events = env3.deps.db.run(lambda uow: uow.events.after(0), readonly=True)
    assert events[-1].payload["acknowledged"] == [] and events[-1].payload["from"] == "alpha"


def test_refused_replies_change_nothing(env3: Env) -> None:
    """R-MSG-5: another reply 422, the sender 403, a third party 404, a viewer its role."""
    sent = send_message(env3.deps, ALPHA, MessageDraft(PartyId("bravo"), template="standby"))
    delay = send_message(
        env3.deps, ALPHA, MessageDraft(PartyId("bravo"), template="request_delay",
                                       params={"minutes": 5}),
    )  # fmt: skip
    before = event_types(env3)
    with pytest.raises(UnexpectedReply):
        reply_to_message(env3.deps, BRAVO, sent.message.id, "WILCO")
    with pytest.raises(UnexpectedReply):
        reply_to_message(env3.deps, BRAVO, delay.message.id, "AFFIRM")
    with pytest.raises(Forbidden):
        reply_to_message(env3.deps, ALPHA, delay.message.id, "WILCO")
    with pytest.raises(Forbidden):
        reply_to_message(env3.deps, HOST, delay.message.id, "WILCO")
    with pytest.raises(NotFound):
        reply_to_message(env3.deps, CHARLIE, delay.message.id, "WILCO")
    with pytest.raises(NotFound):
        reply_to_message(env3.deps, BRAVO, "msg-none", "WILCO")
    viewer = Actor(OperatorId("bravo-watch"), PartyId("bravo"), False, role=Role.VIEWER)
    with pytest.raises(ForbiddenRole):
        reply_to_message(env3.deps, viewer, delay.message.id, "WILCO")
    assert event_types(env3) == before
    assert show_message(env3.deps, BRAVO.viewer, delay.message.id).message.reply is None


def test_replies_replay_from_the_ledger_to_the_same_rows(
    database: Database, clock: FakeClock
) -> None:
    """R-LEDGER-8: a reply (and the acknowledgement it settled) is a projection of its event."""
    env = make_env(database, clock, THREE_PARTY_YAML)
    draft = MessageDraft(PartyId("bravo"), Priority.PRIORITY, "hold_position")
    first = send_message(env.deps, ALPHA, draft)
    second = send_message(env.deps, ALPHA, draft)
    clock.advance(20)
    reply_to_message(env.deps, BRAVO, first.message.id, "UNABLE")
    acknowledge_message(env.deps, BRAVO, second.message.id)
    reply_to_message(env.deps, BRAVO, second.message.id, "WILCO")
    report = rebuild_state(database, check=True)
    assert report.identical, report.differences
    shown = show_message(env.deps, ALPHA.viewer, first.message.id)
    assert shown.message.reply is not None and shown.message.reply.reply is Reply.UNABLE
    assert shown.ack is not None and shown.ack.status is AckStatus.ACKNOWLEDGED
