"""The agreement state machine: one answer per counterparty per version, a denial needs a
reason, only a live counter-proposal may be accepted, a new version asks again
(R-AGREE-2 … R-AGREE-4)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from _hypothesis import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.domain.acknowledgements import AckRequest, AckStatus, AckSubject
from sharedsky.domain.agreement import (
    Agreement,
    AgreementReply,
    AgreementState,
    Answer,
    Position,
    agreement_of,
    reply,
)
from sharedsky.domain.channels import Priority
from sharedsky.domain.errors import (
    AgreementNotRequested,
    AlreadyAnswered,
    InvalidInput,
    NotFound,
    OwnNotice,
    SharedskyError,
    StaleVersion,
)
from sharedsky.domain.ids import AckId, OperatorId, PartyId
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
OWNER = PartyId("alpha")
COUNTERPARTIES = (PartyId("bravo"), PartyId("charlie"))
VOLUME = Volume4D(
    CircleOutline((36.5, 34.8), 5000),
    AltitudeBand(0, 3000),
    TimeWindow(T0 + timedelta(hours=1), T0 + timedelta(hours=2)),
)


def request(party: PartyId, version: int, n: int) -> AckRequest:
    return AckRequest(
        id=AckId(f"ack-{n}"),
        party=party,
        subject=AckSubject.AGREEMENT,
        subject_id="ntc-1",
        subject_version=version,
        priority=Priority.ROUTINE,
        requested_at=T0,
        due_at=T0 + timedelta(minutes=15),
    )


def asked(
    version: int, first: int, parties: tuple[PartyId, ...] = COUNTERPARTIES
) -> list[AckRequest]:
    return [request(p, version, first + i) for i, p in enumerate(parties)]


def fresh() -> Agreement:
    return agreement_of("ntc-1", OWNER, 1, [Position(r) for r in asked(1, 0)])


def test_a_denial_needs_a_reason_and_a_counter_needs_volumes() -> None:
    """R-AGREE-2, R-AGREE-3"""
    with pytest.raises(InvalidInput) as blank:
        reply(Answer.DENY, reason=" \n ")
    assert blank.value.path == ("reason",)
    with pytest.raises(InvalidInput) as empty:
        reply(Answer.COUNTER)
    assert empty.value.path == ("volumes",)
    with pytest.raises(InvalidInput) as long:
        reply(Answer.COUNTER, note="x" * 4001, volumes=[VOLUME])
    assert long.value.path == ("note",)
    assert reply(Answer.AGREE, reason="ignored") == AgreementReply(Answer.AGREE)
    assert reply(Answer.DENY, reason=" busy ") == AgreementReply(Answer.DENY, reason="busy")
    assert reply(Answer.COUNTER, note=" later ", volumes=[VOLUME]) == AgreementReply(
        Answer.COUNTER, note="later", volumes=(VOLUME,)
    )


def test_the_owner_the_unasked_and_a_second_answer_are_refused() -> None:
    """R-AGREE-2"""
    agreement = fresh()
    with pytest.raises(OwnNotice):
        agreement.check_answer(OWNER)
    with pytest.raises(AgreementNotRequested):
        agreement.check_answer(PartyId("delta"))
    once = agreement.answered(COUNTERPARTIES[0], AgreementReply(Answer.AGREE), T0, OperatorId("b"))
    assert once.position(COUNTERPARTIES[0]) is not None
    with pytest.raises(AlreadyAnswered):
        once.answered(COUNTERPARTIES[0], AgreementReply(Answer.AGREE), T0, OperatorId("b"))


def test_a_superseded_request_no_longer_asks() -> None:
    """R-AGREE-4: a notice that ended or was cancelled asks nothing more."""
    [first, second] = asked(1, 0)
    gone = Position(replace(first, status=AckStatus.SUPERSEDED))
    agreement = agreement_of("ntc-1", OWNER, 1, [gone, Position(second)])
    with pytest.raises(AgreementNotRequested):
        agreement.check_answer(first.party)


def test_only_a_live_counter_proposal_is_accepted() -> None:
    """R-AGREE-4"""
    agreement = fresh().answered(
        COUNTERPARTIES[0], AgreementReply(Answer.COUNTER, volumes=(VOLUME,)), T0, OperatorId("b")
    )
    assert agreement.counter("ack-0").state is AgreementState.COUNTERED
    with pytest.raises(NotFound):
        agreement.counter("ack-1")  # pending, no counter
    with pytest.raises(NotFound):
        agreement.counter("ack-99")
    with pytest.raises(StaleVersion):
        agreement.next_version(asked(2, 10)).counter("ack-0")


# -- the property: random sequences of answers, amendments and accepts --------------------------


@dataclass(frozen=True)
class Step:
    """One step: ``party`` (an index; 0 is the owner) answers ``answer``; or the owner amends;
    or the owner accepts the counter-proposal of index ``pick`` among every one made."""

    kind: str
    party: int = 0
    answer: Answer = Answer.AGREE
    pick: int = 0


steps = st.one_of(
    st.builds(
        Step,
        st.just("answer"),
        st.integers(0, len(COUNTERPARTIES)),
        st.sampled_from(list(Answer)),
    ),
    st.builds(Step, st.just("amend")),
    st.builds(Step, st.just("accept"), pick=st.integers(0, 5)),
)


@settings(max_examples=examples(200))
@given(st.lists(steps, max_size=25))
def test_any_sequence_keeps_one_answer_per_party_per_version(script: list[Step]) -> None:
    """R-AGREE-2 … R-AGREE-4: whatever happens, each counterparty holds at most one answer per
    version; an answer is accepted exactly when the party was asked and had not answered; an
    accepted counter is one of the current version; every new version starts all pending."""
    agreement = fresh()
    next_id = 10
    counters: list[str] = []
    parties = (OWNER, *COUNTERPARTIES)
    for step in script:
        if step.kind == "answer":
            party = parties[step.party]
            given_ = AgreementReply(
                step.answer,
                reason="r" if step.answer is Answer.DENY else "",
                volumes=(VOLUME,) if step.answer is Answer.COUNTER else (),
            )
            before = agreement.position(party)
            may = party != OWNER and before is not None and before.reply is None
            try:
                agreement = agreement.answered(party, given_, T0, OperatorId("op"))
            except SharedskyError:
                assert not may
                continue
            assert may
            after = agreement.position(party)
            assert after is not None and after.reply == given_
            assert after.request.status is AckStatus.ACKNOWLEDGED
            if step.answer is Answer.COUNTER:
                counters.append(after.request.id)
            continue
        if step.kind == "accept":
            if not counters:
                continue
            counter_id = counters[step.pick % len(counters)]
            live = any(
                p.request.id == counter_id and p.is_live_counter(agreement.version)
                for p in agreement.positions
            )
            try:
                agreement.counter(counter_id)
            except (StaleVersion, NotFound):
                assert not live
                continue
            assert live  # accepting it makes the next version, as an amendment does
        agreement = agreement.next_version(asked(agreement.version + 1, next_id))
        next_id += len(COUNTERPARTIES)
        assert all(p.state is AgreementState.PENDING for p in agreement.current())
        assert {p.party for p in agreement.current()} == set(COUNTERPARTIES)
    answered = [(p.party, p.version) for p in agreement.positions if p.reply is not None]
    assert len(answered) == len(set(answered))
    assert all(
        p.request.status is not AckStatus.PENDING
        for p in agreement.positions
        if p.version < agreement.version
    )
