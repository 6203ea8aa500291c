"""The stream's use-case side: each viewer reads the events it may see, cut as it may see them,
in seq order, and a cursor resumes exactly where it stopped (R-STREAM-1, R-VIS-1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import cast

import pytest
from _support import LEVANT_YAML, T0, THREE_PARTY_YAML, Env, make_env

from sharedsky.domain.acknowledgements import AckSubject
from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.conflicts import Conflict
from sharedsky.domain.events import Audience, StoredEvent, types_for
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.visibility import Viewer
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline
from sharedsky.interop.mechanism_yaml import parse_mechanism
from sharedsky.service.acknowledgements import acknowledge
from sharedsky.service.context import Actor
from sharedsky.service.notices import file_notice
from sharedsky.service.ports import Deps
from sharedsky.service.queries import list_conflicts
from sharedsky.service.stream import (
    Sightings,
    StreamEvent,
    deliveries_of,
    head_of_log,
    may_concern,
    open_cursor,
    read_stream,
    visible_event,
)
from sharedsky.testing.fakes import FakeClock, SequentialIds
from sharedsky.testing.memory import MemoryDatabase

HERE = (36.5, 34.8)
FAR = (40.0, 30.0)
ELSEWHERE = (20.0, 10.0)
HOST = Viewer(PartyId("host"), True)


def viewer(party: str) -> Viewer:
    return Viewer(PartyId(party), False)


def actor(party: str) -> Actor:
    return Actor(OperatorId(f"{party}-duty"), PartyId(party), False)


def draft(center: tuple[float, float]) -> NoticeDraft:
    volume = Volume4D(
        CircleOutline(center, 20_000),
        AltitudeBand(3000, 9000),
        TimeWindow(T0 + timedelta(hours=2), T0 + timedelta(hours=3)),
    )
    return NoticeDraft(NoticeKind.UAV, "orbit", (volume,))


@dataclass
class World:
    """Three parties (alpha–bravo conflicts_only, alpha–charlie host_only, bravo–charlie full)
    and what they filed: A far from anything, then A, B and C over the same place."""

    env: Env
    names: dict[str, str]
    """Object id → short name (A_far, A, B, C, A×B, A×C, B×C)."""


@pytest.fixture
def world(memory: MemoryDatabase, clock: FakeClock) -> World:
    env = make_env(memory, clock, THREE_PARTY_YAML)
    names: dict[str, str] = {}
    names[file_notice(env.deps, actor("alpha"), draft(FAR)).notice.id] = "A_far"
    for party in ("alpha", "bravo", "charlie"):
        filing = file_notice(env.deps, actor(party), draft(HERE))
        names[filing.notice.id] = party[0].upper()
    for conflict in _all_conflicts(env):
        pair = sorted(names[side.id] for side in (conflict.a, conflict.b))
        names[conflict.id] = "×".join(pair)
    b_id = next(k for k, v in names.items() if v == "B")
    acknowledge(env.deps, actor("charlie"), AckSubject.NOTICE, b_id)
    return World(env, names)


def _all_conflicts(env: Env) -> list[Conflict]:
    return [v.conflict for v in list_conflicts(env.deps, HOST, None)]


def read_all(env: Env, who: Viewer, after: int = 0) -> list[StreamEvent]:
    cursor = open_cursor(env.deps, after)
    seen: list[StreamEvent] = []
    while True:
        page = read_stream(env.deps, who, cursor, now_s=0.0, page_size=3)
        seen.extend(page.events)
        if not page.more:
            return seen


def labels(world: World, events: list[StreamEvent]) -> list[str]:
    out = []
    for e in events:
        subject = e.payload.get("notice") or e.payload.get("conflict") or ""
        out.append(f"{e.type}:{world.names.get(str(subject), subject)}")
    return out


def test_the_host_receives_every_event_whole(world: World) -> None:
    logged = world.env.deps.db.run(lambda uow: uow.events.after(0), readonly=True)
    ledger_only = types_for(Audience.LEDGER)  # records for the ledger, no stream
    everything = [e for e in logged if e.type not in ledger_only]
    seen = read_all(world.env, HOST)
    assert [e.seq for e in seen] == [e.seq for e in everything]
    assert [e.payload for e in seen] == [e.payload for e in everything]
    assert seen[0].type == "mechanism.loaded"


@pytest.mark.parametrize(
    ("party", "expected"),
    [
        (
            "alpha",
            # its own notices; B clashes with A (conflicts_only); never C (host_only)
            [
                "notice.filed:A_far",
                "notice.filed:A",
                "conflict.detected:A×B",
                "notice.filed:B",
                "conflict.detected:A×C",
            ],
        ),
        (
            "bravo",
            # A only because it clashes with B; C in full; not A×C; the ack of its notice
            [
                "notice.filed:A",
                "conflict.detected:A×B",
                "notice.filed:B",
                "conflict.detected:B×C",
                "notice.filed:C",
                "notice.acknowledged:B",
            ],
        ),
        (
            "charlie",
            [
                "notice.filed:B",
                "conflict.detected:A×C",
                "conflict.detected:B×C",
                "notice.filed:C",
                "notice.acknowledged:B",
            ],
        ),
    ],
)
def test_each_party_receives_only_what_it_may_see(
    world: World, party: str, expected: list[str]
) -> None:
    """R-STREAM-1: events about objects the viewer may not see are not sent at all."""
    seen = read_all(world.env, viewer(party))
    assert sorted(labels(world, seen)) == sorted(expected)
    assert [e.seq for e in seen] == sorted({e.seq for e in seen})
    assert all(e.type != "mechanism.loaded" for e in seen)


def test_under_host_only_the_other_sides_id_is_withheld(world: World) -> None:
    for party, other in (("alpha", "charlie"), ("charlie", "alpha")):
        seen = read_all(world.env, viewer(party))
        event = next(e for e in seen if labels(world, [e]) == ["conflict.detected:A×C"])
        refs = [cast(list[object], event.payload[side]) for side in ("a", "b")]
        sides = {str(ref[2]): ref for ref in refs}
        assert sides[other][1] is None
        assert world.names[str(sides[party][1])] == party[0].upper()


def test_conflict_lists_are_cut_to_the_conflicts_the_viewer_may_see(world: World) -> None:
    by = {
        party: next(
            e for e in read_all(world.env, viewer(party)) if labels(world, [e])[0].endswith(":B")
        )
        for party in ("alpha", "bravo", "charlie")
    }
    listed = {
        p: [world.names[c] for c in cast(list[str], e.payload["conflicts"])] for p, e in by.items()
    }
    assert listed == {"alpha": ["A×B"], "bravo": ["A×B"], "charlie": []}


def test_late_for_is_cut_to_the_viewers_own_party(world: World) -> None:
    b_id = next(k for k, v in world.names.items() if v == "B")
    notice = world.env.deps.db.run(lambda uow: uow.notices.get(b_id), readonly=True)
    assert notice is not None
    event = StoredEvent(
        99,
        T0,
        "bravo-duty",
        "notice.filed",
        {"notice": b_id, "party": "bravo", "late_for": ["alpha", "charlie"], "conflicts": []},
    )
    seen = Sightings(notices={b_id: notice})
    mech = world.env.deps.mechanism
    for who, late in (("bravo", ["alpha", "charlie"]), ("charlie", ["charlie"])):
        view = visible_event(viewer(who), event, seen, mech)
        assert view is not None
        assert view.payload["late_for"] == late


@pytest.mark.parametrize(
    ("type_", "payload", "receivers"),
    [
        ("mechanism.loaded", {"mechanism": "three-way"}, {"host"}),
        ("escalation.raised", {"party": "alpha"}, {"host"}),
        (
            "message.sent",
            {"message": "m1", "from": "alpha", "to": "bravo"},
            {"host", "alpha", "bravo"},
        ),
        (
            "message.acknowledged",
            {"message": "m1", "from": "bravo", "to": ["charlie"]},
            {"host", "bravo", "charlie"},
        ),
        (
            "message.replied",
            {"message": "m1", "from": "alpha", "to": ["bravo"], "reply": "WILCO"},
            {"host", "alpha", "bravo"},
        ),
        ("message.sent", {"message": "m2"}, {"host"}),
        ("ack.escalated", {"ack": "ack-1", "party": "bravo", "rung": 1}, {"host", "bravo"}),
        ("notice.filed", {"notice": "ntc-gone"}, {"host"}),
        ("conflict.detected", {"conflict": "cfl-gone"}, {"host"}),
    ],
)
def test_other_types_go_to_the_host_and_named_parties_only(
    world: World, type_: str, payload: dict[str, object], receivers: set[str]
) -> None:
    """Unknown types (escalation.raised here) default to the host only: safe."""
    event = StoredEvent(99, T0, "system", type_, payload)
    mech = world.env.deps.mechanism
    got = {
        name
        for name, who in (("host", HOST), *((p, viewer(p)) for p in ("alpha", "bravo", "charlie")))
        if visible_event(who, event, Sightings(), mech) is not None
    }
    assert got == receivers


def test_a_cursor_resumes_strictly_after_its_position(world: World) -> None:
    every = read_all(world.env, viewer("bravo"))
    middle = every[2].seq
    assert read_all(world.env, viewer("bravo"), after=middle) == every[3:]


def test_the_head_of_the_log_is_zero_when_empty_then_the_newest_seq(
    memory: MemoryDatabase, clock: FakeClock
) -> None:
    """Where a stream that starts "now" begins (``open_cursor(deps, None)``)."""
    mechanism, _ = parse_mechanism(LEVANT_YAML)
    deps = Deps(memory, clock, SequentialIds(), mechanism)
    assert head_of_log(deps) == 0
    seqs = memory.run(
        lambda uow: [uow.events.append(T0, "system", f"test.{n}", {}) for n in range(2)]
    )
    assert head_of_log(deps) == seqs[-1] > 0


def test_a_cursor_opened_without_a_position_starts_at_the_newest_event(world: World) -> None:
    cursor = open_cursor(world.env.deps, None)
    assert read_stream(world.env.deps, HOST, cursor, now_s=0.0).events == ()
    file_notice(world.env.deps, actor("bravo"), draft(ELSEWHERE))
    page = read_stream(world.env.deps, HOST, cursor, now_s=0.0)
    assert [e.type for e in page.events] == ["notice.filed"]
    assert read_stream(world.env.deps, HOST, cursor, now_s=0.0).events == ()


_PAYLOADS: list[dict[str, object]] = [
    {"from": "alpha", "to": "bravo", "message": "msg-1"},
    {"from": "bravo", "to": "host", "message": "msg-2"},
    {"from": "host", "to": ["alpha", "charlie"], "message": "msg-3"},
    {"party": "alpha", "ack": "ack-1"},
    {"party": "charlie", "ack": "ack-2"},
    {"party": "alpha", "ack": "ack-3", "operators": ["alpha-commander"]},
    {"party": "alpha", "ack": "ack-4", "operators": []},
    {"notice": "ntc-1", "conflicts": []},
    {},
]


@pytest.mark.parametrize(
    "kind",
    [
        "message.sent",
        "message.acknowledged",
        "message.replied",
        "ack.escalated",
        "notice.filed",
        "zone.declared",
        "conflict.detected",
        "notice.acknowledged",
        "mechanism.loaded",
        "some.future.type",
    ],
)
def test_a_stream_is_never_left_asleep_for_an_event_it_may_receive(kind: str) -> None:
    """``may_concern`` says False only where ``visible_event`` can send nothing, whatever the
    objects the event is about: for types decided by the payload alone the two agree."""
    mechanism, _json = parse_mechanism(THREE_PARTY_YAML)
    viewers = [HOST] + [Viewer(PartyId(p), False) for p in ("alpha", "bravo", "charlie")]
    viewers += [
        Viewer(PartyId("alpha"), False, OperatorId(o)) for o in ("alpha-duty", "alpha-commander")
    ]
    by_payload_alone = kind in {
        "message.sent",
        "message.acknowledged",
        "message.replied",
        "ack.escalated",
    }
    for payload in _PAYLOADS:
        event = StoredEvent(1, T0, "x", kind, payload)
        for viewer in viewers:
            sent = visible_event(viewer, event, Sightings(), mechanism)
            if sent is not None:
                assert may_concern(viewer, event), (viewer, payload)
            if by_payload_alone or viewer.is_host:
                assert may_concern(viewer, event) == (sent is not None), (viewer, payload)


def test_only_the_others_receiving_a_notice_or_message_count_as_deliveries() -> None:
    """A party's stream carrying back its own notice or message is no delivery (its lead time
    and the ledger's delivery entries concern the counterparties); both sides of a conflict
    are told of it."""
    alpha, bravo = Viewer(PartyId("alpha"), False), Viewer(PartyId("bravo"), False)
    sent = StreamEvent(
        1, T0, "message.sent", "alpha-duty", {"message": "m1", "from": "alpha", "to": "bravo"}
    )
    filed = StreamEvent(2, T0, "notice.filed", "alpha-duty", {"notice": "n1", "party": "alpha"})
    clash = StreamEvent(
        3, T0, "conflict.detected", "system",
        {"conflict": "c1", "a": ["notice", "n1", "alpha"], "b": ["notice", "n2", "bravo"]},
    )  # fmt: skip
    assert [d.subject_id for d in deliveries_of(alpha, [sent, filed, clash], T0)] == ["c1"]
    to_bravo = deliveries_of(bravo, [sent, filed, clash], T0)
    assert [(d.subject_id, d.party, d.concerns) for d in to_bravo] == [
        ("m1", "bravo", ("alpha",)),
        ("n1", "bravo", ("alpha",)),
        ("c1", "bravo", ("alpha",)),
    ]


def test_an_escalation_that_names_operators_reaches_them_and_the_host_only(world: World) -> None:
    """A rung naming operators (``alpha-commander``) reaches those operators and the host, not
    the party's other operators; an escalation naming none (to the host) reaches them all."""
    mech = world.env.deps.mechanism
    named = StoredEvent(
        9, T0, "system", "ack.escalated",
        {"ack": "ack-1", "party": "alpha", "rung": 1, "operators": ["alpha-commander"]},
    )  # fmt: skip
    to_all = StoredEvent(
        10, T0, "system", "ack.escalated",
        {"ack": "ack-1", "party": "alpha", "rung": 2, "operators": [], "to_host": True},
    )  # fmt: skip
    duty = Viewer(PartyId("alpha"), False, OperatorId("alpha-duty"))
    commander = Viewer(PartyId("alpha"), False, OperatorId("alpha-commander"))
    bravo = Viewer(PartyId("bravo"), False, OperatorId("bravo-duty"))
    for who, expected in ((HOST, True), (commander, True), (duty, False), (bravo, False)):
        assert (visible_event(who, named, Sightings(), mech) is not None) is expected, who
        assert may_concern(who, named) is expected, who
    for who, expected in ((HOST, True), (commander, True), (duty, True), (bravo, False)):
        assert (visible_event(who, to_all, Sightings(), mech) is not None) is expected, who
