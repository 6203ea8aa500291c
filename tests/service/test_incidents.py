"""Incidents over the in-memory unit of work (R-INC-1 … R-INC-3): filing attaches the ledger
timeline and asks the other parties to acknowledge; bad input changes nothing; the requests
escalate like a notice's; the rows replay from the ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from _support import LEVANT_YAML, T0, THREE_PARTY_YAML, Env, make_env

from sharedsky.domain.acknowledgements import AckStatus, AckSubject
from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.errors import ForbiddenRole, InvalidInput, NotFound, StateConflict
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.incidents import IncidentDraft
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.operators import Role
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline
from sharedsky.rebuild import rebuild_state
from sharedsky.service.context import Actor
from sharedsky.service.deadlines import tick
from sharedsky.service.incidents import (
    acknowledge_incident,
    file_incident,
    list_incidents,
    show_incident,
)
from sharedsky.service.notices import file_notice
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock
from sharedsky.testing.memory import MemoryDatabase

HOST = Actor(OperatorId("host"), PartyId("host"), True)


def actor(party: str, role: Role = Role.DUTY) -> Actor:
    return Actor(OperatorId(f"{party}-duty"), PartyId(party), False, role=role)


def orbit(lon: float = 36.5) -> NoticeDraft:
    window = TimeWindow(T0 + timedelta(hours=1), T0 + timedelta(hours=3))
    volume = Volume4D(CircleOutline((lon, 34.8), 20_000), AltitudeBand(3000, 9000), window)
    return NoticeDraft(NoticeKind.UAV, "orbit", (volume,))


def draft(**related: tuple[str, ...]) -> IncidentDraft:
    return IncidentDraft(T0 - timedelta(minutes=5), (36.5, 34.8), "near miss", **related)


@pytest.fixture
def three(memory: MemoryDatabase, clock: FakeClock) -> Env:
    return make_env(memory, clock, THREE_PARTY_YAML)


def test_an_incident_attaches_the_timeline_and_asks_the_owners_to_acknowledge(
    three: Env,
) -> None:
    """R-INC-1: the seqs of every entry naming a related object; R-INC-2: each other owner
    owes an acknowledgement by the priority deadline."""
    alpha = file_notice(three.deps, actor("alpha"), orbit()).notice
    filing = file_notice(three.deps, actor("bravo"), orbit(36.6))
    [conflict] = filing.conflicts
    incident = file_incident(
        three.deps, actor("alpha"), draft(notices=(alpha.id,), conflicts=(conflict.id,))
    )
    assert incident.parties == ("bravo",)
    entries = three.deps.db.run(lambda uow: uow.events.entries(0, 100), readonly=True)
    naming = [
        e.seq
        for e in entries
        if e.content is not None
        and e.content.type != "incident.filed"
        and (alpha.id in str(e.content.payload) or conflict.id in str(e.content.payload))
    ]
    assert list(incident.timeline) == naming and naming
    detail = show_incident(three.deps, actor("bravo").viewer, incident.id)
    [ack] = detail.acks
    assert (ack.party, ack.subject, ack.status) == ("bravo", AckSubject.INCIDENT, "pending")
    assert ack.due_at == three.clock.now() + timedelta(seconds=300)


def test_the_incident_is_seen_by_its_parties_and_the_host_only(three: Env) -> None:
    alpha = file_notice(three.deps, actor("alpha"), orbit()).notice
    incident = file_incident(three.deps, actor("alpha"), draft(notices=(alpha.id,)))
    assert incident.parties == ()  # alpha's own notice: nobody else to ask
    for viewer in (actor("alpha").viewer, HOST.viewer):
        assert [d.incident.id for d in list_incidents(three.deps, viewer)] == [incident.id]
    assert list_incidents(three.deps, actor("bravo").viewer) == []
    with pytest.raises(NotFound):
        show_incident(three.deps, actor("charlie").viewer, incident.id)


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"at": T0 + timedelta(seconds=1)}, ("time",)),
        ({"position": (181.0, 34.0)}, ("position", 0)),
        ({"position": (36.0, -91.0)}, ("position", 1)),
        ({"narrative": "  "}, ("narrative",)),
        ({"notices": ("ntc-none",)}, ("notices", 0)),
        ({"zones": ("zon-none",)}, ("zones", 0)),
        ({"conflicts": ("cfl-none",)}, ("conflicts", 0)),
        ({"tracks": ("T9",)}, ("tracks", 0)),
    ],
)
def test_bad_input_is_refused_at_its_field_and_changes_nothing(
    three: Env, changes: dict[str, object], path: tuple[object, ...]
) -> None:
    """R-INC-3."""
    from dataclasses import replace

    before = three.deps.db.run(lambda uow: uow.events.head(), readonly=True)
    with pytest.raises(InvalidInput) as caught:
        file_incident(three.deps, actor("alpha"), replace(draft(), **changes))  # type: ignore[arg-type]
    assert caught.value.path == path
    assert three.deps.db.run(lambda uow: uow.events.head(), readonly=True) == before


def test_a_notice_the_filer_may_not_see_is_unknown(three: Env) -> None:
    """alpha ↔ charlie is host_only: charlie's notice is as good as absent to alpha."""
    hidden = file_notice(three.deps, actor("charlie"), orbit(20.0)).notice
    with pytest.raises(InvalidInput) as caught:
        file_incident(three.deps, actor("alpha"), draft(notices=(hidden.id,)))
    assert caught.value.path == ("notices", 0)
    hosted = file_incident(three.deps, HOST, draft(notices=(hidden.id,)))
    assert hosted.parties == ("charlie",)


def test_a_viewer_may_not_file(three: Env) -> None:
    with pytest.raises(ForbiddenRole):
        file_incident(three.deps, actor("alpha", Role.VIEWER), draft())


def clash(env: Env) -> str:
    """Alpha's and bravo's notices clash: the conflict's id (both see it)."""
    file_notice(env.deps, actor("alpha"), orbit())
    [conflict] = file_notice(env.deps, actor("bravo"), orbit(36.6)).conflicts
    return conflict.id


def test_acknowledging_settles_once_and_the_filer_owes_nothing(three: Env) -> None:
    incident = file_incident(three.deps, actor("alpha"), draft(conflicts=(clash(three),)))
    first = acknowledge_incident(three.deps, actor("bravo"), incident.id)
    assert first.status is AckStatus.ACKNOWLEDGED
    again = acknowledge_incident(three.deps, actor("bravo"), incident.id)
    assert again == first
    with pytest.raises(StateConflict):
        acknowledge_incident(three.deps, actor("alpha"), incident.id)
    with pytest.raises(NotFound):
        acknowledge_incident(three.deps, actor("charlie"), incident.id)


def test_an_unacknowledged_incident_escalates(three: Env) -> None:
    incident = file_incident(three.deps, actor("alpha"), draft(conflicts=(clash(three),)))
    three.clock.advance(301)
    assert tick(three.deps).escalated >= 1
    [ack] = show_incident(three.deps, HOST.viewer, incident.id).acks
    assert ack.rung == 1


def test_incidents_replay_from_the_ledger_to_the_same_rows(
    database: Database, clock: FakeClock
) -> None:
    """R-LEDGER-8: incident.filed and incident.acknowledged are projections."""
    env = make_env(database, clock, LEVANT_YAML)
    conflict = clash(env)
    incident = file_incident(env.deps, actor("alpha"), draft(conflicts=(conflict,)))
    acknowledge_incident(env.deps, actor("bravo"), incident.id)
    file_incident(env.deps, HOST, draft(conflicts=(conflict,)))
    report = rebuild_state(database, check=True)
    assert report.identical, report.differences
    assert report.rows["incidents"] == 2
