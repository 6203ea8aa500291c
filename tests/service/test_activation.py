"""Activation, early release and the flag of notices not activated in time, over the in-memory
unit of work (R-ACT-1 … R-ACT-4)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from _support import T0, Env, make_env

from sharedsky.domain.acknowledgements import AckSubject
from sharedsky.domain.channels import Activation, NoticeKind, Priority
from sharedsky.domain.conflicts import ConflictState
from sharedsky.domain.errors import ForbiddenRole, NotFound, StateConflict, TooEarly, WindowEnded
from sharedsky.domain.events import StoredEvent
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft, NoticeStatus
from sharedsky.domain.operators import Role
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline
from sharedsky.rebuild import rebuild_state
from sharedsky.service.activation import activate_notice, flag_not_activated, release_notice
from sharedsky.service.context import Actor
from sharedsky.service.notices import file_notice
from sharedsky.service.queries import show_notice
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock
from sharedsky.testing.memory import MemoryDatabase

MANUAL_YAML = """\
mechanism: manual
host: {id: host, name: Coordination Cell}
parties: [{id: alpha, name: Alpha}, {id: bravo, name: Bravo}]
defaults:
  sharing: full
  ack_deadline_s: {routine: 900, priority: 300, flash: 60}
  activation: manual
  early_activation_s: 1800
  activation_grace_s: 600
"""

START = T0 + timedelta(hours=1)
END = T0 + timedelta(hours=3)


def actor(party: str, role: Role = Role.DUTY) -> Actor:
    return Actor(OperatorId(f"{party}-duty"), PartyId(party), False, role=role)


def orbit(lon: float = 36.5) -> NoticeDraft:
    volume = Volume4D(
        CircleOutline((lon, 34.8), 20_000), AltitudeBand(3000, 9000), TimeWindow(START, END)
    )
    return NoticeDraft(NoticeKind.UAV, "orbit", (volume,))


@pytest.fixture
def manual(memory: MemoryDatabase, clock: FakeClock) -> Env:
    return make_env(memory, clock, MANUAL_YAML)


def events(env: Env, type_: str) -> list[StoredEvent]:
    found = env.deps.db.run(lambda uow: uow.events.after(0), readonly=True)
    return [e for e in found if e.type == type_]


def test_a_notice_of_a_manual_channel_is_planned_until_activated(manual: Env) -> None:
    """R-ACT-1"""
    filed = file_notice(manual.deps, actor("alpha"), orbit()).notice
    assert filed.activation is Activation.MANUAL
    manual.clock.set(START + timedelta(minutes=5))
    shown = show_notice(manual.deps, actor("alpha").viewer, filed.id).view.notice
    assert shown.status(manual.clock.now()) is NoticeStatus.PLANNED
    active = activate_notice(manual.deps, actor("alpha"), filed.id)
    assert active.activated_at == manual.clock.now()
    [event] = events(manual, "notice.activated")
    assert (event.payload["early"], event.payload["priority"], event.payload["acks"]) == (
        False,
        "routine",
        [],
    )
    shown = show_notice(manual.deps, actor("bravo").viewer, filed.id).view.notice
    assert shown.status(manual.clock.now()) is NoticeStatus.ACTIVE


def test_an_early_activation_asks_the_counterparty_for_a_flash_acknowledgement(
    manual: Env,
) -> None:
    """R-ACT-2"""
    filed = file_notice(manual.deps, actor("alpha"), orbit()).notice
    manual.clock.set(START - timedelta(minutes=10))
    activate_notice(manual.deps, actor("alpha"), filed.id)
    [event] = events(manual, "notice.activated")
    assert (event.payload["early"], event.payload["priority"]) == (True, "flash")
    flash = [
        r
        for r in manual.deps.db.run(lambda uow: uow.acks.for_subject(filed.id), readonly=True)
        if r.priority is Priority.FLASH
    ]
    assert [(r.party, r.subject, r.subject_version) for r in flash] == [
        ("bravo", AckSubject.NOTICE, 1)
    ]
    assert flash[0].due_at == manual.clock.now() + timedelta(seconds=60)


def test_activation_is_refused_too_early_too_late_twice_for_others_and_for_a_viewer(
    manual: Env,
) -> None:
    """R-ACT-2, R-ACT-5"""
    filed = file_notice(manual.deps, actor("alpha"), orbit()).notice
    manual.clock.set(START - timedelta(seconds=1801))
    with pytest.raises(TooEarly):
        activate_notice(manual.deps, actor("alpha"), filed.id)
    manual.clock.set(START)
    with pytest.raises(NotFound):
        activate_notice(manual.deps, actor("bravo"), filed.id)
    with pytest.raises(ForbiddenRole):
        activate_notice(manual.deps, actor("alpha", Role.VIEWER), filed.id)
    activate_notice(manual.deps, actor("alpha"), filed.id)
    with pytest.raises(StateConflict):
        activate_notice(manual.deps, actor("alpha"), filed.id)
    manual.clock.set(END)
    with pytest.raises(WindowEnded):
        release_notice(manual.deps, actor("alpha"), filed.id)
    assert len(events(manual, "notice.activated")) == 1


def test_a_release_ends_the_notice_at_the_release_and_resolves_its_later_clashes(
    manual: Env,
) -> None:
    """R-ACT-3: bravo's notice starts after alpha releases: the clash resolves (amended)."""
    alpha = file_notice(manual.deps, actor("alpha"), orbit()).notice
    later = replace_window(orbit(36.6), START + timedelta(hours=1), END)
    bravo = file_notice(manual.deps, actor("bravo"), later)
    assert len(bravo.conflicts) == 1
    manual.clock.set(START + timedelta(minutes=10))
    with pytest.raises(StateConflict):  # planned (manual): nothing to release
        release_notice(manual.deps, actor("alpha"), alpha.id)
    activated = activate_notice(manual.deps, actor("alpha"), alpha.id).activated_at
    manual.clock.advance(300)
    with pytest.raises(NotFound):
        release_notice(manual.deps, actor("bravo"), alpha.id)
    released = release_notice(manual.deps, actor("alpha"), alpha.id)
    now = manual.clock.now()
    assert (released.notice.version, released.notice.end, released.conflicts) == (2, now, ())
    conflict = manual.deps.db.run(
        lambda uow: uow.conflicts.get(bravo.conflicts[0].id), readonly=True
    )
    assert conflict is not None and conflict.state_at(now) is not ConflictState.OPEN
    shown = show_notice(manual.deps, actor("bravo").viewer, alpha.id).view.notice
    assert (shown.status(now), shown.released_at, shown.activated_at) == (
        NoticeStatus.RELEASED,
        now,
        activated,
    )
    [event] = events(manual, "notice.released")
    assert event.payload["version"] == 2 and event.payload["acks"] == []


def replace_window(draft: NoticeDraft, start: datetime, end: datetime) -> NoticeDraft:
    [volume] = draft.volumes
    window = TimeWindow(start, end)
    return NoticeDraft(
        draft.kind, draft.title, (Volume4D(volume.outline, volume.altitude, window),)
    )


def test_a_notice_not_activated_after_its_grace_is_flagged_once(manual: Env) -> None:
    """R-ACT-4"""
    late = file_notice(manual.deps, actor("alpha"), orbit()).notice
    on_time = file_notice(manual.deps, actor("bravo"), orbit(40.0)).notice
    manual.clock.set(START + timedelta(seconds=599))
    activate_notice(manual.deps, actor("bravo"), on_time.id)
    assert flag_not_activated(manual.deps) == 0  # within the grace
    manual.clock.set(START + timedelta(seconds=600))
    assert flag_not_activated(manual.deps) == 1
    manual.clock.advance(60)
    assert flag_not_activated(manual.deps) == 0  # once
    [event] = events(manual, "notice.not_activated")
    assert (event.payload["notice"], event.payload["grace_s"]) == (late.id, 600)
    shown = show_notice(manual.deps, actor("alpha").viewer, late.id).view.notice
    assert shown.not_activated_at == START + timedelta(seconds=600)


def test_at_start_notices_are_active_from_their_start_and_never_flagged(
    memory: MemoryDatabase, clock: FakeClock
) -> None:
    """R-ACT-1: the default keeps today's behaviour."""
    env = make_env(memory, clock)
    filed = file_notice(env.deps, actor("alpha"), orbit()).notice
    assert filed.activation is Activation.AT_START
    clock.set(START + timedelta(hours=1))
    assert filed.status(clock.now()) is NoticeStatus.ACTIVE
    assert flag_not_activated(env.deps) == 0


def test_the_steps_replay_from_the_ledger_to_the_same_rows(
    database: Database, clock: FakeClock
) -> None:
    """R-LEDGER-8: activation, release and the flag are projections of their events."""
    env = make_env(database, clock, MANUAL_YAML)
    alpha = file_notice(env.deps, actor("alpha"), orbit()).notice
    bravo = file_notice(env.deps, actor("bravo"), orbit(36.6)).notice
    clock.set(START - timedelta(minutes=5))
    activate_notice(env.deps, actor("alpha"), alpha.id)
    clock.set(START + timedelta(minutes=20))
    release_notice(env.deps, actor("alpha"), alpha.id)
    assert flag_not_activated(env.deps) == 1  # bravo's
    report = rebuild_state(database, check=True)
    assert report.identical, report.differences
    shown = show_notice(env.deps, actor("alpha").viewer, bravo.id).view.notice
    assert shown.not_activated_at == clock.now()
