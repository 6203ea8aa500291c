"""One schema for every consumer: each event type's payload has one wire model
(``wire.v1.events.EVENT_PAYLOADS``), which the domain's events fill, the ledger and the streams
carry, the OpenAPI document publishes and the console's list of types repeats."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from _event_samples import events_of
from _hypothesis import examples
from _support import Api
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger.test_projection import busy_day

from sharedsky.api.openapi import openapi_document
from sharedsky.domain import events as ev
from sharedsky.domain.events import EVENT_TYPES
from sharedsky.ledger.canonical import canonical
from sharedsky.wire.v1.events import EVENT_PAYLOADS, console_types, payload_of

_WEB = Path(__file__).resolve().parents[2] / "web" / "src"


def _fits(name: str, payload: dict[str, Any]) -> None:
    """``payload`` is an instance of its type's wire model: every key a field (no more, none
    missing), and it reads back the same after a trip through JSON."""
    model = payload_of(name, payload)
    dumped = model.model_dump(by_alias=True, exclude_unset=True)
    assert set(dumped) == set(payload), name
    assert (
        payload_of(name, json.loads(model.model_dump_json(by_alias=True, exclude_unset=True)))
        == model
    )


def test_the_wire_names_the_domain_event_types_exactly() -> None:
    assert set(EVENT_PAYLOADS) == set(EVENT_TYPES)


@given(st.data())
@settings(max_examples=examples(30))  # each example draws every event type (about 40)
def test_each_domain_event_fills_its_wire_payload_exactly(data: st.DataObject) -> None:
    """Every key of every event type, the full data added for the state tables too, is a
    field of its wire payload (drawn: each of the three kinds of tactical figures)."""
    for name, kind in EVENT_TYPES.items():
        payload = json.loads(canonical(data.draw(events_of(kind), label=name).payload()))
        _fits(name, payload)


def _one(kind: type[ev.Event]) -> dict[str, Any]:
    @given(events_of(kind))
    @settings(max_examples=1)
    def draw(event: ev.Event) -> None:
        found.append(json.loads(canonical(event.payload())))

    found: list[dict[str, Any]] = []
    draw()
    return found[0]


def test_a_payload_that_does_not_fit_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown event type"):
        payload_of("notice.exploded", {})
    good = _one(ev.NoticeCancelled)
    with pytest.raises(ValueError):  # pydantic's ValidationError is a ValueError
        payload_of("notice.cancelled", {**good, "extra": 1})
    with pytest.raises(ValueError):
        payload_of("notice.cancelled", {"notice": "ntc-1"})
    withheld = _one(ev.ConflictDetected) | {"b": ["notice", None, "bravo"]}
    assert payload_of("conflict.detected", withheld).b == ("notice", None, "bravo")


def test_every_entry_of_a_busy_day_fits_its_type(api: Api) -> None:
    busy_day(api)
    db = api.env.deps.db
    entries = db.run(lambda uow: uow.events.entries(0, 100_000), readonly=True)
    seen = set()
    for entry in entries:
        assert entry.content is not None
        _fits(entry.content.type, dict(entry.content.payload))
        seen.add(entry.content.type)
    assert len(seen) >= 13, seen


def test_every_event_a_party_streams_fits_its_type(api: Api) -> None:
    """What bravo's stream carries, cut to what it may see (withheld ids, cut lists)."""
    busy_day(api)
    from sharedsky.domain.ids import PartyId
    from sharedsky.domain.visibility import Viewer
    from sharedsky.events.streams import StreamCursor
    from sharedsky.service.stream import read_stream

    for party, least in (("alpha", 10), ("bravo", 10), ("charlie", 0)):
        cursor = StreamCursor(0, 0.0)
        page = read_stream(api.env.deps, Viewer(PartyId(party), False), cursor, 0.0, 10_000)
        assert len(page.events) >= least, party
        for event in page.events:
            _fits(event.type, dict(event.payload))


def test_the_openapi_document_publishes_each_payload() -> None:
    schemas = openapi_document()["components"]["schemas"]
    for model in set(EVENT_PAYLOADS.values()):
        assert model.__name__ in schemas, model.__name__
    listed = schemas["EventOut"]["properties"]["type"]
    assert set(listed["enum"]) == set(EVENT_PAYLOADS)


def test_the_console_lists_the_event_types_of_the_schema() -> None:
    """The console reads event types from web/src/event-types.json, which `make openapi`
    writes from the wire schema: it must be current."""
    kept = json.loads((_WEB / "event-types.json").read_text("utf-8"))
    assert kept == console_types()
    fields = {field for names in kept.values() for field in names}
    for source in _WEB.glob("*.js"):
        text = source.read_text("utf-8")
        for name in _quoted_event_types(text):
            assert name in EVENT_PAYLOADS, f"{source.name} names {name!r}, not an event type"
        for field in re.findall(r"\bpayload\.([A-Za-z_]+)", text):
            assert field in fields, f"{source.name} reads payload.{field}, in no event's payload"


def _quoted_event_types(text: str) -> set[str]:
    """Quoted names shaped like event types, but for the keys of the console's words
    (``t("tactical.gone")``: a catalogue key, not an event)."""
    pattern = (
        r"(?<!\bt\()[\"'`]((?:notice|zone|conflict|message|tactical|ack|delivery)\.[a-z_]+)[\"'`]"
    )
    return set(re.findall(pattern, text))
