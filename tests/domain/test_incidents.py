"""Incident values and their checks (R-INC-1, R-INC-3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from sharedsky.domain.errors import InvalidInput
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.incidents import (
    MAX_NARRATIVE,
    Incident,
    IncidentDraft,
    check_draft,
    incident_form,
    incident_of,
)
from sharedsky.domain.visibility import Viewer

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
DRAFT = IncidentDraft(NOW, (36.2, 34.6), "near miss", notices=("ntc-1",), tracks=("A1",))


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"at": NOW + timedelta(microseconds=1)}, ("time",)),
        ({"position": (-180.5, 0.0)}, ("position", 0)),
        ({"position": (0.0, 90.5)}, ("position", 1)),
        ({"narrative": "\n"}, ("narrative",)),
        ({"narrative": "x" * (MAX_NARRATIVE + 1)}, ("narrative",)),
        ({"zones": ("zon-1", "zon-2", "zon-1")}, ("zones", 2)),
    ],
)
def test_a_bad_draft_is_refused_at_its_field(
    changes: dict[str, object], path: tuple[object, ...]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_draft(replace(DRAFT, **changes), NOW)  # type: ignore[arg-type]
    assert caught.value.path == path


def test_a_draft_of_now_at_the_poles_and_the_antimeridian_is_accepted() -> None:
    check_draft(replace(DRAFT, position=(180.0, -90.0)), NOW)


def test_the_stored_form_reads_back_and_says_who_sees_it() -> None:
    incident = Incident(
        "inc-1", PartyId("alpha"), OperatorId("alpha-duty"), DRAFT, (PartyId("bravo"),),
        (2, 3), NOW,
    )  # fmt: skip
    assert incident_of(incident_form(incident)) == incident
    assert DRAFT.related() == {
        "notices": ("ntc-1",), "zones": (), "conflicts": (), "tracks": ("A1",)
    }  # fmt: skip
    assert incident.concerns(Viewer(PartyId("alpha"), False))
    assert incident.concerns(Viewer(PartyId("bravo"), False))
    assert incident.concerns(Viewer(PartyId("host"), True))
    assert not incident.concerns(Viewer(PartyId("charlie"), False))
