"""The tactical alert board: severity bands and the 30 s hysteresis, as a pure state machine."""

from __future__ import annotations

import itertools
from datetime import timedelta

from _hypothesis import examples
from _support import T0
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.domain.ids import PartyId
from sharedsky.domain.tactical import (
    AlertKey,
    AlertKind,
    Finding,
    OpenAlert,
    Severity,
    severity_for,
    step_board,
)

KEY = AlertKey(AlertKind.SEPARATION, PartyId("alpha"), "A1", "track", "B1", PartyId("bravo"))


def test_severity_bands() -> None:
    """R-TACT-2: warning under 60 s, caution 60–180 s, advisory beyond."""
    assert severity_for(0) is Severity.WARNING
    assert severity_for(59.9) is Severity.WARNING
    assert severity_for(60) is Severity.CAUTION
    assert severity_for(180) is Severity.CAUTION
    assert severity_for(180.1) is Severity.ADVISORY


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=300)), min_size=1, max_size=120),
    st.sampled_from([1, 2, 5]),
)
def test_no_flapping_over_any_sequence(ticks: list[float | None], step_s: int) -> None:
    """R-TACT-3: an alert clears only after 30 s unfound; no pair opens again within 30 s of
    its last finding; severity never falls below the worst of the last 30 s."""
    board: dict[AlertKey, OpenAlert] = {}
    ids = (f"tac-{n}" for n in itertools.count())
    last_found = None
    found_at: list[tuple[float, Severity]] = []
    opened = cleared = 0
    for n, time_to_loss in enumerate(ticks):
        now = T0 + timedelta(seconds=n * step_s)
        findings = [] if time_to_loss is None else [Finding(KEY, time_to_loss)]
        step = step_board(board, findings, now, lambda: next(ids))
        if time_to_loss is not None:
            found_at.append((n * step_s, severity_for(time_to_loss)))
        for _alert in step.opened:
            assert last_found is None or (now - last_found) >= timedelta(seconds=30)
            opened += 1
        for alert in step.cleared:
            assert now - alert.last_found >= timedelta(seconds=30)
            cleared += 1
        for alert in step.current:
            recent = [s.rank for at, s in found_at if n * step_s - at < 30]
            assert alert.severity.rank == max(recent)
        if time_to_loss is not None:
            last_found = now
        board = {a.key: a for a in step.current}
    assert opened - cleared == len(board)
