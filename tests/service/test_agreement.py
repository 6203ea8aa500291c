"""Agreement, not only receipt: counterparties agree to, deny or counter a notice's version,
the filer accepts a counter-proposal; deadlines and escalation as for acknowledgements
(R-AGREE-1 … R-AGREE-5), over the in-memory unit of work and, for the replay, SQLite and
PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from _support import T0, Env, make_env

from sharedsky.domain.acknowledgements import AckStatus, AckSubject
from sharedsky.domain.agreement import AgreementState, Answer
from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.errors import (
    AgreementNotRequested,
    AlreadyAnswered,
    ForbiddenRole,
    InvalidInput,
    InvalidVolume,
    NotFound,
    OwnNotice,
    StaleVersion,
)
from sharedsky.domain.events import StoredEvent
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.operators import Role
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline
from sharedsky.rebuild import rebuild_state
from sharedsky.service.acknowledgements import acknowledge
from sharedsky.service.agreement import accept_counter, answer_notice
from sharedsky.service.context import Actor
from sharedsky.service.deadlines import tick
from sharedsky.service.notices import amend_notice, cancel_notice, file_notice
from sharedsky.service.queries import pending_acks, show_notice
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock
from sharedsky.testing.memory import MemoryDatabase

THREE_YAML = """\
mechanism: agreement
host: {id: host, name: Coordination Cell}
parties:
  - {id: alpha, name: Alpha}
  - {id: bravo, name: Bravo, escalation: [{rung: watch, wait_s: 300}]}
  - {id: charlie, name: Charlie}
defaults:
  sharing: full
  ack_deadline_s: {routine: 900, priority: 300, flash: 60}
channels:
  - {between: [alpha, charlie], request_agreement: [exercise]}
"""

START = T0 + timedelta(hours=2)
END = T0 + timedelta(hours=4)


def actor(party: str, role: Role = Role.DUTY) -> Actor:
    return Actor(OperatorId(f"{party}-duty"), PartyId(party), False, role=role)


def volume(lon: float = 36.5, hours: float = 0.0) -> Volume4D:
    shift = timedelta(hours=hours)
    return Volume4D(
        CircleOutline((lon, 34.8), 20_000),
        AltitudeBand(3000, 9000),
        TimeWindow(START + shift, END + shift),
    )


def draft(ask: bool = True, kind: NoticeKind = NoticeKind.UAV) -> NoticeDraft:
    return NoticeDraft(kind, "orbit", (volume(),), request_agreement=ask)


@pytest.fixture
def env(memory: MemoryDatabase, clock: FakeClock) -> Env:
    return make_env(memory, clock, THREE_YAML)


def events(env: Env, type_: str) -> list[StoredEvent]:
    found = env.deps.db.run(lambda uow: uow.events.after(0), readonly=True)
    return [e for e in found if e.type == type_]


def states(env: Env, party: str, notice_id: str) -> dict[str, AgreementState]:
    detail = show_notice(env.deps, actor(party).viewer, notice_id)
    return {p.party: p.state for p in detail.agreement}


def test_a_notice_that_asks_for_agreement_asks_every_counterparty_told_of_it(env: Env) -> None:
    """R-AGREE-1: one request of subject agreement per counterparty, due as a routine
    acknowledgement; acknowledging it is a receipt and settles none of them."""
    filed = file_notice(env.deps, actor("alpha"), draft()).notice
    assert filed.request_agreement
    assert states(env, "alpha", filed.id) == {
        "bravo": AgreementState.PENDING,
        "charlie": AgreementState.PENDING,
    }
    acknowledge(env.deps, actor("bravo"), AckSubject.NOTICE, filed.id)
    assert states(env, "alpha", filed.id)["bravo"] is AgreementState.PENDING
    owed = pending_acks(env.deps, actor("bravo").viewer)
    assert [(r.subject, r.due_at) for r in owed] == [
        (AckSubject.AGREEMENT, T0 + timedelta(seconds=900))
    ]


def test_a_channel_asks_for_agreement_for_the_kinds_it_names(env: Env) -> None:
    """R-AGREE-1: alpha–charlie asks for exercises; alpha–bravo asks for nothing."""
    exercise = file_notice(env.deps, actor("alpha"), draft(False, NoticeKind.EXERCISE)).notice
    uav = file_notice(env.deps, actor("alpha"), draft(False)).notice
    assert states(env, "alpha", exercise.id) == {"charlie": AgreementState.PENDING}
    assert states(env, "alpha", uav.id) == {}


def test_each_counterparty_answers_once_and_sees_only_its_own_position(env: Env) -> None:
    """R-AGREE-2, R-AGREE-5"""
    filed = file_notice(env.deps, actor("alpha"), draft()).notice
    agreed = answer_notice(env.deps, actor("bravo"), filed.id, Answer.AGREE)
    assert (agreed.state, agreed.request.acked_at, agreed.request.acked_by) == (
        AgreementState.AGREED,
        T0,
        "bravo-duty",
    )
    denied = answer_notice(
        env.deps, actor("charlie"), filed.id, Answer.DENY, reason="  range in use  "
    )
    assert denied.reply is not None and denied.reply.reason == "range in use"
    assert states(env, "alpha", filed.id) == {
        "bravo": AgreementState.AGREED,
        "charlie": AgreementState.DENIED,
    }
    assert states(env, "bravo", filed.id) == {"bravo": AgreementState.AGREED}
    with pytest.raises(AlreadyAnswered):
        answer_notice(env.deps, actor("bravo"), filed.id, Answer.DENY, reason="changed mind")
    [event] = events(env, "notice.denied")
    assert (event.payload["party"], event.payload["reason"]) == ("charlie", "range in use")


def test_bad_answers_are_refused_and_nothing_is_stored(env: Env) -> None:
    """R-AGREE-2: own notice 403, not asked 409, not visible 404, viewer 403, denial without a
    reason and a counter with invalid volumes 422 at the field."""
    asking = file_notice(env.deps, actor("alpha"), draft()).notice
    silent = file_notice(env.deps, actor("alpha"), draft(False)).notice
    before = len(env.deps.db.run(lambda uow: uow.events.after(0), readonly=True))
    with pytest.raises(OwnNotice):
        answer_notice(env.deps, actor("alpha"), asking.id, Answer.AGREE)
    with pytest.raises(AgreementNotRequested):
        answer_notice(env.deps, actor("bravo"), silent.id, Answer.AGREE)
    with pytest.raises(NotFound):
        answer_notice(env.deps, actor("bravo"), "ntc-nope", Answer.AGREE)
    with pytest.raises(ForbiddenRole):
        answer_notice(env.deps, actor("bravo", Role.VIEWER), asking.id, Answer.AGREE)
    with pytest.raises(InvalidInput) as blank:
        answer_notice(env.deps, actor("bravo"), asking.id, Answer.DENY, reason="  ")
    assert blank.value.path == ("reason",)
    backwards = Volume4D(
        CircleOutline((36.5, 34.8), 20_000), AltitudeBand(9000, 3000), volume().time
    )
    with pytest.raises(InvalidVolume) as bad:
        answer_notice(env.deps, actor("bravo"), asking.id, Answer.COUNTER, volumes=[backwards])
    assert bad.value.path[:2] == ("volumes", 0)
    with pytest.raises(InvalidInput) as empty:
        answer_notice(env.deps, actor("bravo"), asking.id, Answer.COUNTER, volumes=[])
    assert empty.value.path == ("volumes",)
    after = len(env.deps.db.run(lambda uow: uow.events.after(0), readonly=True))
    assert after == before
    assert states(env, "alpha", asking.id)["bravo"] is AgreementState.PENDING


def test_an_accepted_counter_proposal_amends_the_notice_and_asks_again(env: Env) -> None:
    """R-AGREE-3, R-AGREE-4: the new version carries the counter's volumes; every answer was
    about the old version, so every counterparty is pending again; the counter is stale."""
    filed = file_notice(env.deps, actor("alpha"), draft()).notice
    answer_notice(env.deps, actor("charlie"), filed.id, Answer.AGREE)
    later = volume(hours=1)
    counter = answer_notice(
        env.deps, actor("bravo"), filed.id, Answer.COUNTER, volumes=[later], note="an hour later"
    )
    assert counter.state is AgreementState.COUNTERED
    with pytest.raises(NotFound):
        accept_counter(env.deps, actor("alpha"), filed.id, "ack-nope", 1)
    with pytest.raises(NotFound):  # bravo's own counter is not bravo's to accept
        accept_counter(env.deps, actor("bravo"), filed.id, counter.request.id, 1)
    with pytest.raises(StaleVersion):
        accept_counter(env.deps, actor("alpha"), filed.id, counter.request.id, 3)
    env.clock.advance(60)
    accepted = accept_counter(env.deps, actor("alpha"), filed.id, counter.request.id, 1)
    assert accepted.notice.version == 2
    assert accepted.notice.volumes[0].time == later.time
    assert accepted.notice.request_agreement
    assert states(env, "alpha", filed.id) == {
        "bravo": AgreementState.PENDING,
        "charlie": AgreementState.PENDING,
    }
    [event] = events(env, "notice.counter_accepted")
    assert (event.payload["counter"], event.payload["version"]) == (counter.request.id, 2)
    with pytest.raises(StaleVersion):
        accept_counter(env.deps, actor("alpha"), filed.id, counter.request.id, 2)


def test_an_amendment_reopens_agreement_and_cancelling_withdraws_it(env: Env) -> None:
    """R-AGREE-4: answers were for the old version; a cancelled notice asks nothing."""
    filed = file_notice(env.deps, actor("alpha"), draft()).notice
    answer_notice(env.deps, actor("bravo"), filed.id, Answer.AGREE)
    amended = amend_notice(
        env.deps, actor("alpha"), filed.id, 1, replace(draft(), title="orbit moved")
    )
    assert amended.notice.version == 2
    assert states(env, "alpha", filed.id)["bravo"] is AgreementState.PENDING
    answer_notice(env.deps, actor("bravo"), filed.id, Answer.AGREE)
    unasked = amend_notice(env.deps, actor("alpha"), filed.id, 2, draft(False))
    assert unasked.notice.version == 3 and states(env, "alpha", filed.id) == {}
    with pytest.raises(AgreementNotRequested):
        answer_notice(env.deps, actor("bravo"), filed.id, Answer.AGREE)
    other = file_notice(env.deps, actor("alpha"), draft()).notice
    cancel_notice(env.deps, actor("alpha"), other.id)
    with pytest.raises(AgreementNotRequested):
        answer_notice(env.deps, actor("bravo"), other.id, Answer.AGREE)


def test_an_answer_not_given_by_its_deadline_escalates_up_the_ladder(env: Env) -> None:
    """R-AGREE-1: the deadline duty escalates an unanswered request as an unacknowledged
    notice's (bravo's watch, then the host); an answered one does not climb."""
    filed = file_notice(env.deps, actor("alpha"), draft()).notice
    answer_notice(env.deps, actor("charlie"), filed.id, Answer.AGREE)
    acknowledge(env.deps, actor("charlie"), AckSubject.NOTICE, filed.id)
    acknowledge(env.deps, actor("bravo"), AckSubject.NOTICE, filed.id)
    env.clock.advance(900)
    assert tick(env.deps).escalated == 1
    [step] = events(env, "ack.escalated")
    assert (step.payload["subject"], step.payload["party"], step.payload["rung_name"]) == (
        "agreement",
        "bravo",
        "watch",
    )
    env.clock.advance(300)
    assert tick(env.deps).escalated == 1
    assert events(env, "ack.escalated")[-1].payload["to_host"] is True
    answer_notice(env.deps, actor("bravo"), filed.id, Answer.AGREE)
    requests = env.deps.db.run(lambda uow: uow.acks.for_subject(filed.id), readonly=True)
    assert all(r.status is AckStatus.ACKNOWLEDGED for r in requests)


def test_every_step_replays_from_the_ledger_to_the_same_rows(
    database: Database, clock: FakeClock
) -> None:
    """R-LEDGER-8: answers, counters and the accepted counter are projections of their events."""
    env = make_env(database, clock, THREE_YAML)
    filed = file_notice(env.deps, actor("alpha"), draft()).notice
    answer_notice(env.deps, actor("charlie"), filed.id, Answer.DENY, reason="busy")
    counter = answer_notice(
        env.deps, actor("bravo"), filed.id, Answer.COUNTER, volumes=[volume(hours=1)], note="n"
    )
    clock.advance(60)
    accept_counter(env.deps, actor("alpha"), filed.id, counter.request.id, 1)
    answer_notice(env.deps, actor("bravo"), filed.id, Answer.AGREE)
    report = rebuild_state(database, check=True)
    assert report.identical, report.differences
    positions = env.deps.db.run(lambda uow: uow.acks.positions(filed.id), readonly=True)
    kept = {(p.party, p.version): p.state for p in positions}
    assert kept == {
        ("bravo", 1): AgreementState.COUNTERED,
        ("charlie", 1): AgreementState.DENIED,
        ("bravo", 2): AgreementState.AGREED,
        ("charlie", 2): AgreementState.PENDING,
    }
    [countered] = [p for p in positions if p.state is AgreementState.COUNTERED]
    assert countered.reply is not None and countered.reply.volumes == (volume(hours=1),)
