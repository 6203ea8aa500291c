"""The typed events: one class per type, each named once, with its audience and payload."""

from __future__ import annotations

import dataclasses
import inspect
import json
from datetime import UTC, datetime

import pytest
from _event_samples import events_of
from _hypothesis import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.domain import events as ev
from sharedsky.domain.events import EVENT_TYPES, Audience, Side, audience_of, types_for
from sharedsky.ledger.canonical import canonical


def _event_classes() -> list[type[ev.Event]]:
    return [
        obj
        for _, obj in inspect.getmembers(ev, inspect.isclass)
        if issubclass(obj, ev.Event) and obj is not ev.Event
    ]


def test_every_event_class_is_registered_once_under_its_own_name() -> None:
    classes = _event_classes()
    assert sorted(c.__name__ for c in classes) == sorted(c.__name__ for c in EVENT_TYPES.values())
    names = [c.TYPE for c in classes]
    assert len(set(names)) == len(names)
    for name, kind in EVENT_TYPES.items():
        assert kind.TYPE == name
        assert name.count(".") == 1 and name == name.lower()


_AT = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def test_events_are_frozen_values() -> None:
    event = ev.NoticeCancelled("ntc-1", 2, _AT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.version = 3  # type: ignore[misc]
    assert event == ev.NoticeCancelled("ntc-1", 2, _AT)
    filed = ev.NoticeFiled("n", "p", 1, 0.0, (), (), None, ())  # type: ignore[arg-type]
    assert ev.NoticeAmended(*dataclasses.astuple(filed)) != filed


@given(st.data())
@settings(max_examples=examples(30))  # each example draws every event type (about 40)
def test_every_event_is_rebuilt_exactly_from_its_ledger_payload(data: st.DataObject) -> None:
    """``from_payload`` reads back what ``payload()`` wrote, after the trip through the
    ledger's canonical JSON (whole floats written as integers), for every event type."""
    for kind in EVENT_TYPES.values():
        event = data.draw(events_of(kind), label=kind.TYPE)
        stored = json.loads(canonical(event.payload()))
        assert kind.from_payload(stored) == event
        assert kind.from_payload(stored).payload() == stored | {
            k: v for k, v in event.payload().items() if k not in stored
        }


def test_hints_computed_before_the_transaction_stay_out_of_the_payload_and_equality() -> None:
    filed = ev.NoticeFiled("n", "p", 1, 0.0, (), (), None, (), cells=((1, 2),))  # type: ignore[arg-type]
    assert "cells" not in filed.payload()
    assert filed == dataclasses.replace(filed, cells=None)


def test_payloads_are_the_ledger_form() -> None:
    due = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    sent = ev.MessageSent(
        message="msg-1",
        thread="thr-1",
        sender="alpha",
        recipient="bravo",
        priority="urgent",
        template=None,
        params={"n": 1},
        text="hello",
        about=("notice", "ntc-1"),
        ack="ack-1",
        due_at=due,
        operator="alpha-duty",
        at=due,
    )
    assert sent.payload() == {
        "message": "msg-1",
        "thread": "thr-1",
        "from": "alpha",
        "to": "bravo",
        "priority": "urgent",
        "template": None,
        "params": {"n": 1},
        "text": "hello",
        "about": {"type": "notice", "id": "ntc-1"},
        "ack": "ack-1",
        "due_at": "2026-12-05T12:00:00+00:00",
        "operator": "alpha-duty",
        "at": "2026-12-05T12:00:00+00:00",
    }
    detected = ev.TacticalDetected(
        "tac-1",
        "track-track",
        "warning",
        Side("track", "t1", "alpha"),
        Side("track", "t2", "bravo"),
        ("alpha", "bravo"),
        {"dcpa_m": 120.5, "tcpa_s": 30.0},
        due,
        (),
        (),
    )
    assert detected.payload() == {
        "conflict": "tac-1",
        "kind": "track-track",
        "severity": "warning",
        "a": ["track", "t1", "alpha"],
        "b": ["track", "t2", "bravo"],
        "to": ["alpha", "bravo"],
        "dcpa_m": 120.5,
        "tcpa_s": 30.0,
        "at": "2026-12-05T12:00:00+00:00",
        "acks": [],
        "superseded": [],
    }
    assert ev.TacticalUpdated(*dataclasses.astuple(detected)).payload() == detected.payload()
    assert ev.OperatorAdded("alpha-x", "alpha", "duty", None, None).payload()["expires_at"] is None


def test_audiences() -> None:
    assert audience_of("notice.filed") is Audience.NOTICE
    assert audience_of("notice.acknowledged") is Audience.NOTICE_PARTIES
    assert audience_of("message.sent") is Audience.NAMED
    assert audience_of("tactical.cleared") is Audience.NAMED_SIDES
    assert audience_of("ack.escalated") is Audience.OWN_PARTY
    assert audience_of("delivery.recorded") is Audience.LEDGER
    assert audience_of("state.recorded") is Audience.LEDGER
    assert audience_of("operator.added") is Audience.HOST
    assert audience_of("no.such-type") is Audience.HOST  # unknown: the host alone
    assert types_for(Audience.LEDGER) == {
        "delivery.recorded",
        "state.recorded",
        "ack.lapsed",
        "ack.parked",
    }
    assert types_for(Audience.ZONE) == {"zone.declared", "zone.amended", "zone.withdrawn"}


def test_deliveries_are_counted_for_first_news_only() -> None:
    delivering = {name: k.DELIVERS for name, k in EVENT_TYPES.items() if k.DELIVERS is not None}
    assert delivering == {
        "notice.filed": "notice",
        "notice.amended": "notice",
        "notice.released": "notice",
        "notice.counter_accepted": "notice",
        "conflict.detected": "conflict",
        "tactical.detected": "conflict",
        "message.sent": "message",
    }
    for name in delivering:  # the object's id is under the key it is delivered as
        kind = EVENT_TYPES[name]
        assert kind.DELIVERS in {f.name for f in dataclasses.fields(kind)}


@pytest.mark.parametrize(
    "value",
    [
        None,
        "track",
        ["track", "t1"],
        ["track", "t1", "alpha", "x"],
        [1, "t1", "alpha"],
        ["track", 5, "alpha"],
        ["track", "t1", None],
        ("track", "t1", "alpha"),
    ],
)
def test_a_side_reads_only_its_three_item_list(value: object) -> None:
    assert Side.read(value) is None


def test_a_side_round_trips_and_withholds_its_id() -> None:
    side = Side("zone", "zon-1", "bravo")
    assert Side.read(side.form()) == side
    assert side.withheld().form() == ["zone", None, "bravo"]
    assert Side.read(["zone", None, "bravo"]) == Side("zone", None, "bravo")
