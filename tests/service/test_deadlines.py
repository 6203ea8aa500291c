"""Overdue acknowledgements climb the ladder on time, exactly once, even with two schedulers
at work (R-ESC-1, R-ESC-2); over the in-memory unit of work, but for the schedulers at work
together and the row locks they ask for, which are about the SQL backends."""

from __future__ import annotations

import logging
import operator
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from _support import T0, Env, make_env

from sharedsky.domain.acknowledgements import AckRequest, AckSubject
from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.escalation import EscalationRecord
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.visibility import Viewer
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline
from sharedsky.interop.mechanism_yaml import parse_mechanism
from sharedsky.service import deadlines
from sharedsky.service.acknowledgements import acknowledge
from sharedsky.service.context import Actor
from sharedsky.service.deadlines import DeadlineScheduler, TickResult, tick
from sharedsky.service.notices import Filing, amend_notice, cancel_notice, file_notice
from sharedsky.service.ports import Deps
from sharedsky.service.queries import pending_acks
from sharedsky.service.uow import UnitOfWork
from sharedsky.store.acks import AckRepository
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock
from sharedsky.testing.memory import MemoryDatabase
from sharedsky.units import from_us, to_us

LADDER_YAML = """\
mechanism: ladders
host: {id: host, name: Coordination Cell}
parties:
  - id: alpha
    name: Alpha
    escalation:
      - {rung: commander, operators: [alpha-cmdr], wait_s: 600}
  - {id: bravo, name: Bravo, language: tr}
defaults:
  ack_deadline_s: {routine: 900, priority: 300, flash: 60}
"""


def actor(party: str) -> Actor:
    return Actor(OperatorId(f"{party}-duty"), PartyId(party), False)


def orbit(lon: float = 36.5) -> NoticeDraft:
    volume = Volume4D(
        CircleOutline((lon, 34.8), 20_000),
        AltitudeBand(3000, 9000),
        TimeWindow(T0 + timedelta(hours=2), T0 + timedelta(hours=3)),
    )
    return NoticeDraft(NoticeKind.UAV, "orbit", (volume,))


def file_the_clash(env: Env) -> tuple[Filing, Filing]:
    """Alpha's orbit and bravo's beside it: each owes the other's notice (routine, 900 s) and
    the conflict (priority, 300 s) an acknowledgement."""
    return (
        file_notice(env.deps, actor("alpha"), orbit()),
        file_notice(env.deps, actor("bravo"), orbit(36.6)),
    )


def records(env: Env) -> list[EscalationRecord]:
    """Every escalation step, in the order taken (the log's steps, oldest first)."""
    found = env.deps.db.run(lambda uow: uow.escalations.steps(None, 10_000), readonly=True)
    return [step.record for step in reversed(found)]


def steps(env: Env) -> list[tuple[str, int, str]]:
    return [(r.party, r.rung, r.rung_name) for r in records(env)]


def test_the_ladder_is_climbed_rung_by_rung_on_time(
    memory: MemoryDatabase, clock: FakeClock
) -> None:
    env = make_env(memory, clock, LADDER_YAML)
    file_the_clash(env)  # both owe a priority ack (300 s)
    clock.advance(299)
    assert tick(env.deps).escalated == 0
    clock.advance(1)  # exactly due
    tick(env.deps)
    first = sorted(steps(env))
    assert ("alpha", 1, "commander") in first  # alpha's ladder
    assert ("bravo", 1, "host") in first  # no ladder: straight to the host
    assert tick(env.deps).escalated == 0  # nothing twice
    clock.advance(600)
    tick(env.deps)
    assert ("alpha", 2, "host") in steps(env)
    clock.advance(3600)  # the routine notice acknowledgements (900 s) have climbed meanwhile
    tick(env.deps)
    before = len(steps(env))
    clock.advance(86_400)
    tick(env.deps)
    assert len(steps(env)) == before  # everything has reached the host: nothing above it
    assert sorted(steps(env)).count(("alpha", 2, "host")) == 2  # the conflict and bravo's notice
    events = [
        e
        for e in env.deps.db.run(lambda uow: uow.events.after(0), readonly=True)
        if e.type == "ack.escalated"
    ]
    assert len(events) == before
    assert all(e.payload["party"] in ("alpha", "bravo") for e in events)


def test_an_acknowledged_or_resolved_request_does_not_escalate(
    memory: MemoryDatabase, clock: FakeClock
) -> None:
    env = make_env(memory, clock, LADDER_YAML)
    first, filing = file_the_clash(env)
    conflict = filing.conflicts[0]
    acknowledge(env.deps, actor("alpha"), AckSubject.CONFLICT, conflict.id)
    acknowledge(env.deps, actor("alpha"), AckSubject.NOTICE, filing.notice.id)
    # cancelling resolves the conflict and withdraws alpha's notice: bravo owes nothing now
    cancel_notice(env.deps, actor("alpha"), first.notice.id)
    clock.advance(3600)
    tick(env.deps)
    assert steps(env) == []


def test_two_schedulers_at_once_escalate_each_request_exactly_once(
    database: Database, clock: FakeClock
) -> None:
    """On SQL: concurrent transactions (SQLite's one writer, PostgreSQL's SKIP LOCKED)."""
    env = make_env(database, clock, LADDER_YAML)
    for k in range(12):
        file_notice(env.deps, actor("alpha"), orbit(30.0 + k))
        file_notice(env.deps, actor("bravo"), orbit(30.05 + k))
    clock.advance(301)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            tick(env.deps, limit=5)
            tick(env.deps, limit=5)
            tick(env.deps, limit=50)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    taken = records(env)
    assert len({(r.ack_id, r.rung) for r in taken}) == len(taken) == 24


def pending(env: Env) -> list[AckRequest]:
    def read(uow: UnitOfWork) -> list[AckRequest]:
        return uow.acks.pending(PartyId("alpha")) + uow.acks.pending(PartyId("bravo"))

    return env.deps.db.run(read, readonly=True)


def escalated_events(env: Env) -> list[dict[str, object]]:
    events = env.deps.db.run(lambda uow: uow.events.after(0), readonly=True)
    return [e.payload for e in events if e.type == "ack.escalated"]


def test_each_escalation_says_exactly_who_what_and_until_when(
    memory: MemoryDatabase, clock: FakeClock
) -> None:
    env = make_env(memory, clock, LADDER_YAML)
    file_the_clash(env)
    before = {r.id: r for r in pending(env)}
    #   each owes an answer to the other's notice (routine: 900 s) and to the conflict
    #   (priority: 300 s)
    assert sorted((r.party, r.subject, r.due_at) for r in before.values()) == [
        ("alpha", AckSubject.CONFLICT, T0 + timedelta(seconds=300)),
        ("alpha", AckSubject.NOTICE, T0 + timedelta(seconds=900)),
        ("bravo", AckSubject.CONFLICT, T0 + timedelta(seconds=300)),
        ("bravo", AckSubject.NOTICE, T0 + timedelta(seconds=900)),
    ]
    clock.advance(300)
    assert tick(env.deps) == TickResult(escalated=2, lapsed=0)
    clock.advance(600)  # the notices' requests fall due, and alpha's commander's 600 s end
    assert tick(env.deps) == TickResult(escalated=3, lapsed=0)
    expected = []
    for r in before.values():
        due_us = to_us(r.due_at)
        if r.party == "alpha":  # alpha's ladder: its commander, who has 600 s, then the host
            rung = {"rung": 1, "rung_name": "commander", "operators": ["alpha-cmdr"]}
            expected.append(
                {"ack": r.id, "subject": str(r.subject), "subject_id": r.subject_id}
                | {"party": r.party, "due_was_us": due_us}
                | rung
                | {"to_host": False, "next_due_us": due_us + 600_000_000}
            )
            if r.subject is AckSubject.CONFLICT:
                expected.append(
                    {"ack": r.id, "subject": str(r.subject), "subject_id": r.subject_id}
                    | {"party": r.party, "due_was_us": due_us + 600_000_000}
                    | {"rung": 2, "rung_name": "host", "operators": []}
                    | {"to_host": True, "next_due_us": None}
                )
        else:  # bravo has no ladder: straight to the host, nothing due after it
            expected.append(
                {"ack": r.id, "subject": str(r.subject), "subject_id": r.subject_id}
                | {"party": r.party, "due_was_us": due_us}
                | {"rung": 1, "rung_name": "host", "operators": []}
                | {"to_host": True, "next_due_us": None}
            )
    key = operator.itemgetter("ack", "rung")
    found = escalated_events(env)
    for event in found:  # each climbed at the tick that found it due, its due time here
        assert datetime.fromisoformat(str(event.pop("at"))) == from_us(int(event["due_was_us"]))
    assert sorted(found, key=key) == sorted(expected, key=key)
    events = env.deps.db.run(lambda uow: uow.events.after(0), readonly=True)
    assert {e.actor for e in events if e.type == "ack.escalated"} == {"system"}
    taken = records(env)
    assert sorted((r.ack_id, r.rung, r.rung_name, r.at, r.next_due) for r in taken) == sorted(
        (
            e["ack"],
            e["rung"],
            e["rung_name"],
            T0 + timedelta(seconds=300 if e["due_was_us"] == to_us(T0) + 300_000_000 else 900),
            None
            if e["next_due_us"] is None
            else T0 + timedelta(microseconds=e["next_due_us"] - to_us(T0)),
        )
        for e in expected
    )
    assert sorted((r.party, str(r.subject), r.rung, r.due_at) for r in pending(env)) == [
        ("alpha", "conflict", 2, None),
        ("alpha", "notice", 1, T0 + timedelta(seconds=1500)),
        ("bravo", "conflict", 1, None),
        ("bravo", "notice", 1, None),
    ]
    # the host is the top: requests there are never taken again
    clock.advance(600)
    assert tick(env.deps) == TickResult(escalated=1, lapsed=0)
    clock.advance(86_400 * 30)  # the notices have ended, but nothing is due to lapse
    assert tick(env.deps) == TickResult(escalated=0, lapsed=0)


def test_a_tick_takes_at_most_its_batch_earliest_first(
    memory: MemoryDatabase, clock: FakeClock
) -> None:
    env = make_env(memory, clock, LADDER_YAML)
    for k in range(4):
        file_notice(env.deps, actor("alpha"), orbit(30.0 + k))
        file_notice(env.deps, actor("bravo"), orbit(30.05 + k))
        clock.advance(10)  # each pair's requests fall due 10 s after the previous pair's
    earliest = sorted(pending(env), key=lambda r: (r.due_at, r.id))
    clock.advance(900)
    assert tick(env.deps, limit=5) == TickResult(escalated=5, lapsed=0)
    climbed = {r.id for r in pending(env) if r.rung == 1}
    assert climbed == {r.id for r in earliest[:5]}
    assert tick(env.deps, limit=100).escalated == len(earliest) - 5


def test_requests_whose_subject_ended_lapse_instead_of_escalating(
    memory: MemoryDatabase, clock: FakeClock
) -> None:
    env = make_env(memory, clock, LADDER_YAML)
    file_the_clash(env)
    clock.advance(4 * 3600)  # nobody ticked while both notices ran their course (T0+2 h..3 h)
    assert tick(env.deps) == TickResult(escalated=0, lapsed=4)
    assert pending(env) == []
    assert steps(env) == [] and escalated_events(env) == []
    assert tick(env.deps) == TickResult(escalated=0, lapsed=0)


class _Ticks:
    """What a scheduler's ticks reported, with a way to wait for the n-th."""

    def __init__(self) -> None:
        self.seen: list[TickResult] = []
        self._cond = threading.Condition()

    def __call__(self, result: TickResult) -> None:
        with self._cond:
            self.seen.append(result)
            self._cond.notify_all()

    def wait_for(self, n: int, timeout_s: float = 20.0) -> list[TickResult]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.seen) >= n, timeout_s), self.seen
            return list(self.seen)


def test_the_scheduler_ticks_at_once_then_every_interval(
    memory: MemoryDatabase, clock: FakeClock
) -> None:
    env = make_env(memory, clock, LADDER_YAML)
    file_the_clash(env)
    clock.advance(300)
    ticks = _Ticks()
    scheduler = DeadlineScheduler(env.deps, interval_s=0.05, on_tick=ticks)
    scheduler.start()
    scheduler.start()  # a second start does not start a second thread
    try:
        #   one named thread, a daemon: a server that dies without stopping it still exits
        running = [t for t in threading.enumerate() if t.name == "deadlines"]
        assert len(running) == 1 and running[0].daemon
        assert ticks.wait_for(3)[:3] == [
            TickResult(2, 0),  # at once: what fell due while it was not running
            TickResult(0, 0),
            TickResult(0, 0),
        ]
    finally:
        scheduler.stop()
    threads = [t.name for t in threading.enumerate()]
    assert "deadlines" not in threads
    settled = len(ticks.seen)
    time.sleep(0.2)
    assert len(ticks.seen) == settled  # stopped means stopped
    assert sorted(steps(env)) == [("alpha", 1, "commander"), ("bravo", 1, "host")]


def test_a_full_batch_ticks_again_at_once(
    memory: MemoryDatabase, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_env(memory, clock, LADDER_YAML)
    file_the_clash(env)
    clock.advance(300)
    monkeypatch.setattr(deadlines, "TICK_BATCH", 2)  # the first tick escalates a full batch
    ticks = _Ticks()
    scheduler = DeadlineScheduler(env.deps, interval_s=30.0, on_tick=ticks)
    scheduler.start()
    try:
        assert ticks.wait_for(2) == [TickResult(2, 0), TickResult(0, 0)]
    finally:
        scheduler.stop()  # interrupts the 30 s wait
    assert ticks.seen == [TickResult(2, 0), TickResult(0, 0)]


def test_a_failing_tick_is_logged_and_the_scheduler_carries_on(
    memory: MemoryDatabase,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    env = make_env(memory, clock, LADDER_YAML)
    real = deadlines.tick
    calls: list[int] = []

    def flaky(deps: Deps, limit: int = deadlines.TICK_BATCH) -> TickResult:
        calls.append(limit)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real(deps, limit)

    monkeypatch.setattr(deadlines, "tick", flaky)
    ticks = _Ticks()
    scheduler = DeadlineScheduler(env.deps, interval_s=0.05, on_tick=ticks)
    with caplog.at_level(logging.ERROR, logger="sharedsky.deadlines"):
        scheduler.start()
        try:
            assert ticks.wait_for(1) == [TickResult(0, 0)]
        finally:
            scheduler.stop()
    assert calls[:2] == [deadlines.TICK_BATCH, deadlines.TICK_BATCH]
    failures = [r for r in caplog.records if r.name == "sharedsky.deadlines"]
    assert failures and failures[0].exc_info is not None
    assert failures[0].getMessage() == "deadline tick failed; retrying at the next interval"


def test_stopping_a_scheduler_that_never_started_is_harmless(
    memory: MemoryDatabase, clock: FakeClock
) -> None:
    env = make_env(memory, clock, LADDER_YAML)
    DeadlineScheduler(env.deps, interval_s=0.05).stop()


def test_a_notice_that_went_out_of_sight_is_no_longer_owed(
    memory: MemoryDatabase, clock: FakeClock
) -> None:
    #   conflicts_only (the Levant mechanism): alpha sees bravo's notice only while it clashes;
    #   once alpha moves its own away, alpha can neither read nor acknowledge bravo's, so it
    #   must not be asked to (nor escalated for not doing so)
    env = make_env(memory, clock)
    mine, filing = file_the_clash(env)
    owed = {(r.party, r.subject, r.subject_id) for r in pending(env)}
    assert ("alpha", AckSubject.NOTICE, filing.notice.id) in owed
    amend_notice(env.deps, actor("alpha"), mine.notice.id, 1, orbit(40.0))  # far away
    alpha = Viewer(PartyId("alpha"), is_host=False)
    assert [r.subject_id for r in pending_acks(env.deps, alpha)] == []
    clock.advance(3600)
    result = tick(env.deps)
    assert all(record.party != "alpha" for record in records(env))
    assert result.lapsed >= 1


TWO_RUNGS_YAML = LADDER_YAML.replace(
    "      - {rung: commander, operators: [alpha-cmdr], wait_s: 600}\n",
    "      - {rung: commander, operators: [alpha-cmdr], wait_s: 600}\n"
    "      - {rung: chief, operators: [alpha-chief], wait_s: 600}\n",
)


def test_requests_above_a_shortened_ladder_are_parked_not_escalated(
    memory: MemoryDatabase, clock: FakeClock
) -> None:
    #   alpha's ladder had two rungs when its requests climbed; the mechanism file now gives it
    #   none: a request already above where the host would be is parked (never due again),
    #   every one of them in the same tick, and nothing is sent
    env = make_env(memory, clock, TWO_RUNGS_YAML)
    file_the_clash(env)
    clock.advance(300)
    tick(env.deps)
    clock.advance(600)
    tick(env.deps)
    alpha = sorted((str(r.subject), r.rung) for r in pending(env) if r.party == "alpha")
    assert alpha == [("conflict", 2), ("notice", 1)]
    before = len(steps(env))
    clock.advance(600)  # both of alpha's are due
    no_ladder = parse_mechanism(
        LADDER_YAML.replace(
            "    escalation:\n      - {rung: commander, operators: [alpha-cmdr], wait_s: 600}\n", ""
        )
    )[0]
    assert no_ladder.party(PartyId("alpha")).ladder == ()
    shortened = replace(env.deps, mechanism=no_ladder)
    assert tick(shortened) == TickResult(escalated=0, lapsed=0)
    assert sorted(
        (str(r.subject), r.rung, r.due_at) for r in pending(env) if r.party == "alpha"
    ) == [
        ("conflict", 2, None),
        ("notice", 1, None),
    ]
    assert len(steps(env)) == before


def test_a_tick_asks_for_locked_rows_exactly_when_the_backend_skips_them(
    database: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQL: whether the backend skips locked rows (PostgreSQL does, SQLite does not)."""
    env = make_env(database, clock, LADDER_YAML)
    asked: list[object] = []
    real = AckRepository.due

    def due(self: AckRepository, now_us: int, limit: int, *, lock: bool) -> list[AckRequest]:
        asked.append(lock)
        return real(self, now_us, limit, lock=lock)

    monkeypatch.setattr(AckRepository, "due", due)
    tick(env.deps)
    assert asked == [database.skips_locked_rows]
    assert type(asked[0]) is bool


def test_a_full_batch_of_lapsed_requests_ticks_again_at_once(
    memory: MemoryDatabase, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_env(memory, clock, LADDER_YAML)
    file_the_clash(env)
    clock.advance(4 * 3600)  # all four requests lapse in the first tick
    monkeypatch.setattr(deadlines, "TICK_BATCH", 4)
    ticks = _Ticks()
    scheduler = DeadlineScheduler(env.deps, interval_s=30.0, on_tick=ticks)
    scheduler.start()
    try:
        assert ticks.wait_for(2) == [TickResult(0, 4), TickResult(0, 0)]
    finally:
        scheduler.stop()


def test_a_stopped_scheduler_starts_again(memory: MemoryDatabase, clock: FakeClock) -> None:
    env = make_env(memory, clock, LADDER_YAML)
    ticks = _Ticks()
    scheduler = DeadlineScheduler(env.deps, interval_s=0.05, on_tick=ticks)
    scheduler.start()
    ticks.wait_for(1)
    scheduler.stop()
    seen = len(ticks.seen)
    scheduler.start()
    try:
        ticks.wait_for(seen + 2)  # ticking at its interval again, not once and done
    finally:
        scheduler.stop()
