"""Hotline messages in the domain: drafts, threads, deadline rules and who may see them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sharedsky.domain.channels import ChannelRules, Priority, Sharing
from sharedsky.domain.errors import AlreadyReplied, Forbidden, InvalidInput, UnexpectedReply
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.mechanism import Mechanism, Party
from sharedsky.domain.messages import (
    MAX_TEXT_CHARS,
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
from sharedsky.domain.templates import AboutType, Reply
from sharedsky.domain.visibility import Viewer

A, B, C, HOST = PartyId("alpha"), PartyId("bravo"), PartyId("charlie"), PartyId("host")
FAST = ChannelRules(
    sharing=Sharing.CONFLICTS_ONLY,
    ack_deadline_s={Priority.ROUTINE: 600, Priority.PRIORITY: 120, Priority.FLASH: 30},
)
T = datetime(2027, 1, 1, 0, 5, tzinfo=UTC)
MECH = Mechanism(
    name="test",
    host=Party(HOST, "Host", "en"),
    parties=(Party(A, "Alpha", "en"), Party(B, "Bravo", "tr"), Party(C, "Charlie", "ar")),
    channels={frozenset((A, B)): FAST},
)


def refused(draft: MessageDraft, sender: PartyId = A) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        check_draft(draft, sender, MECH)
    return caught.value


def test_a_template_message_to_a_party_or_the_host_passes() -> None:
    """R-MSG-1: parties and the host are valid recipients."""
    draft = MessageDraft(B, Priority.FLASH, "request_delay", {"minutes": 20})
    assert check_draft(draft, A, MECH) == {"minutes": 20}
    assert check_draft(MessageDraft(HOST, text="hello"), A, MECH) == {}
    assert check_draft(MessageDraft(A, template="standby"), HOST, MECH) == {}


@pytest.mark.parametrize(
    ("draft", "path"),
    [
        (MessageDraft(A, template="standby"), ("to",)),
        (MessageDraft(PartyId("zulu"), template="standby"), ("to",)),
        (MessageDraft(B), ("text",)),
        (MessageDraft(B, text="   "), ("text",)),
        (MessageDraft(B, text="x" * (MAX_TEXT_CHARS + 1)), ("text",)),
        (MessageDraft(B, params={"minutes": 3}, text="hi"), ("params",)),
        (MessageDraft(B, template="nope"), ("template",)),
        (MessageDraft(B, template="request_delay"), ("params", "minutes")),
        (MessageDraft(B, template="request_clarification"), ("about",)),
        (
            MessageDraft(
                B, template="request_clarification", about=About(AboutType.CONFLICT, "cfl-1")
            ),
            ("about",),
        ),
    ],
)
def test_each_bad_draft_is_refused_with_its_path(
    draft: MessageDraft, path: tuple[str, ...]
) -> None:
    """R-MSG-1: to oneself, outside the mechanism, empty, oversize, unknown template,
    missing parameter, a template about the wrong kind of object."""
    assert refused(draft).path == path


def test_text_of_exactly_the_limit_passes() -> None:
    """R-MSG-1: 2,000 characters are accepted."""
    assert check_draft(MessageDraft(B, text="x" * MAX_TEXT_CHARS), A, MECH) == {}


def test_threads_group_by_object_or_by_the_two_parties() -> None:
    """R-MSG-3: one thread per object; otherwise one per pair, whoever sends."""
    assert thread_of(A, B, None) == thread_of(B, A, None) == "parties:alpha|bravo"
    about = About(AboutType.NOTICE, "ntc-1")
    assert thread_of(A, B, about) == thread_of(C, A, about) == "notice:ntc-1"
    assert thread_of(B, A, About(AboutType.CONFLICT, "cfl-9")) == "conflict:cfl-9"


def test_deadlines_come_from_the_channel_or_the_defaults_with_the_host() -> None:
    """R-MSG-4: the channel's ack_deadline_s; the mechanism defaults for the host."""
    assert ack_rules(MECH, A, B) is FAST
    assert ack_rules(MECH, B, A) is FAST
    assert ack_rules(MECH, A, C) == MECH.defaults
    assert ack_rules(MECH, HOST, B) == MECH.defaults
    assert ack_rules(MECH, B, HOST) == MECH.defaults


def test_only_sender_recipient_and_host_see_a_message() -> None:
    """R-MSG-3: a third party does not see it."""
    message = Message(
        id=MessageId("msg-1"),
        thread="parties:alpha|bravo",
        sender=A,
        sender_operator=OperatorId("alpha-duty"),
        recipient=B,
        priority=Priority.ROUTINE,
        template="standby",
        params={},
        text="",
        about=None,
        sent_at=datetime(2026, 11, 24, 12, tzinfo=UTC),
    )
    assert may_see(Viewer(A, False), message)
    assert may_see(Viewer(B, False), message)
    assert may_see(Viewer(HOST, True), message)
    assert not may_see(Viewer(C, False), message)


# -- replies (R-MSG-5) ---------------------------------------------------------------------


def sent(template: str | None, reply: MessageReply | None = None) -> Message:
    return Message(
        MessageId("msg-1"),
        "parties:alpha|bravo",
        A,
        OperatorId("alpha-duty"),
        B,
        Priority.PRIORITY,
        template,
        {"minutes": 20} if template == "request_delay" else {},
        "",
        None,
        datetime(2027, 1, 1, tzinfo=UTC),
        reply,
    )


def test_the_recipient_replies_once_with_a_reply_the_template_declares() -> None:
    """R-MSG-5: the recipient's WILCO is checked; the sender is forbidden; twice conflicts."""
    message = sent("request_delay")
    assert message.expected_replies == (Reply.WILCO, Reply.UNABLE)
    assert check_reply_to(message, B, "WILCO") is Reply.WILCO
    with pytest.raises(Forbidden):
        check_reply_to(message, A, "WILCO")
    with pytest.raises(UnexpectedReply):
        check_reply_to(message, B, "NEGATIVE")
    replied = sent("request_delay", MessageReply(Reply.UNABLE, OperatorId("bravo-duty"), T))
    with pytest.raises(AlreadyReplied) as caught:
        check_reply_to(replied, B, "WILCO")
    assert "UNABLE" in caught.value.detail


def test_free_text_and_unknown_templates_expect_no_reply() -> None:
    """R-MSG-5: a message without declared replies is acknowledged, not replied to."""
    assert sent(None).expected_replies == ()
    assert sent("no_such_template").expected_replies == ()
    with pytest.raises(UnexpectedReply):
        check_reply_to(sent(None), B, "WILCO")
