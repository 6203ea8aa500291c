"""Overdue acknowledgements climb the ladder on time, exactly once, even with two schedulers
at work (R-ESC-1, R-ESC-2)."""

from __future__ import annotations

import threading
from datetime import timedelta

from _support import T0, Env, make_env

from sharedsky.domain.acknowledgements import AckSubject
from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline
from sharedsky.service.acknowledgements import acknowledge
from sharedsky.service.context import Actor
from sharedsky.service.deadlines import tick
from sharedsky.service.notices import cancel_notice, file_notice
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

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


def steps(env: Env) -> list[tuple[str, int, str]]:
    records = env.deps.db.run(lambda uow: uow.escalations.all(), readonly=True)
    return [(r.party, r.rung, r.rung_name) for r in records]


def test_the_ladder_is_climbed_rung_by_rung_on_time(database: Database, clock: FakeClock) -> None:
    env = make_env(database, clock, LADDER_YAML)
    file_notice(env.deps, actor("alpha"), orbit())
    file_notice(env.deps, actor("bravo"), orbit(36.6))  # clash: both owe a priority ack (300 s)
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
    database: Database, clock: FakeClock
) -> None:
    env = make_env(database, clock, LADDER_YAML)
    first = file_notice(env.deps, actor("alpha"), orbit())
    filing = file_notice(env.deps, actor("bravo"), orbit(36.6))
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
    records = env.deps.db.run(lambda uow: uow.escalations.all(), readonly=True)
    assert len({(r.ack_id, r.rung) for r in records}) == len(records) == 24
