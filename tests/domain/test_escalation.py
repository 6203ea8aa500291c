"""The escalation ladder climbs one rung per missed deadline, ends at the host (R-ESC-1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sharedsky.domain.escalation import Rung, next_step

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
LADDER = (Rung("commander", ("alpha-cmdr",), 600), Rung("chief of staff", ("alpha-cos",), 1200))


def test_each_missed_deadline_climbs_one_rung_then_the_host_then_nothing() -> None:
    first = next_step(LADDER, 0, NOW)
    assert first is not None
    assert (first.rung, first.name, first.operators) == (1, "commander", ("alpha-cmdr",))
    assert first.next_due == NOW + timedelta(seconds=600) and not first.to_host
    second = next_step(LADDER, 1, NOW)
    assert second is not None and second.name == "chief of staff"
    assert second.next_due == NOW + timedelta(seconds=1200)
    host = next_step(LADDER, 2, NOW)
    assert host is not None and host.to_host and host.rung == 3 and host.name == "host"
    assert next_step(LADDER, 3, NOW) is None


def test_a_party_without_a_ladder_goes_straight_to_the_host() -> None:
    step = next_step((), 0, NOW)
    assert step is not None and step.to_host and step.rung == 1
    assert next_step((), 1, NOW) is None
