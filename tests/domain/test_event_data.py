"""The JSON forms of the full data events carry (``domain/event_data.py``): each rebuilt exactly
after the ledger's canonical JSON, which writes whole floats as integers."""

from __future__ import annotations

import json

from _event_samples import acks, conflicts, notice_contents, volumes, zone_contents
from hypothesis import given

from sharedsky.domain.acknowledgements import AckRequest
from sharedsky.domain.conflicts import Conflict
from sharedsky.domain.event_data import (
    NoticeContent,
    ZoneContent,
    ack_form,
    ack_of,
    conflict_form,
    conflict_of,
    floats,
    volume_form,
    volume_of,
)
from sharedsky.domain.volumes import Volume4D
from sharedsky.ledger.canonical import canonical


def _trip(form: object) -> dict[str, object]:
    return json.loads(canonical(form))  # type: ignore[arg-type]


def test_floats_turns_every_number_back_into_a_float_and_leaves_the_rest() -> None:
    assert floats({"a": [1, 2.5, True, None, "x"], "b": 3}) == {
        "a": [1.0, 2.5, True, None, "x"],
        "b": 3.0,
    }
    assert type(floats({"b": 3})["b"]) is float


@given(volumes)
def test_a_volume_is_rebuilt_exactly(volume: Volume4D) -> None:
    assert volume_of(_trip(volume_form(volume))) == volume


@given(acks)
def test_an_acknowledgement_request_is_rebuilt_exactly(request: AckRequest) -> None:
    assert ack_of(_trip(ack_form(request))) == request


@given(conflicts)
def test_a_conflict_is_rebuilt_exactly(conflict: Conflict) -> None:
    assert conflict_of(_trip(conflict_form(conflict))) == conflict


@given(notice_contents, zone_contents)
def test_notice_and_zone_contents_are_rebuilt_exactly(
    notice: NoticeContent, zone: ZoneContent
) -> None:
    assert NoticeContent.read(_trip(notice.form())) == notice
    assert ZoneContent.read(_trip(zone.form())) == zone
