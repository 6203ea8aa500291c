"""The status of a notice moves planned → active → released or ended, driven by its activation
and release and by the clock, and each step is refused where the rules say (R-ACT-1, R-ACT-2,
R-ACT-3)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from _hypothesis import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.domain.activation import TRANSITIONS, ActivationStatus, activation_rules
from sharedsky.domain.channels import Activation, NoticeKind
from sharedsky.domain.errors import SharedskyError, StateConflict, TooEarly, WindowEnded
from sharedsky.domain.ids import NoticeId, PartyId
from sharedsky.domain.notices import Notice, NoticeStatus
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline
from sharedsky.interop.mechanism_yaml import parse_mechanism

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
START = T0 + timedelta(hours=1)
END = T0 + timedelta(hours=3)
EARLY_S = 1800


def volume(start: datetime, end: datetime) -> Volume4D:
    return Volume4D(
        CircleOutline((36.5, 34.8), 5000), AltitudeBand(0, 3000), TimeWindow(start, end)
    )


def notice(mode: Activation = Activation.MANUAL) -> Notice:
    """A notice of two volumes: [START, START+1h) and [START+1h, END)."""
    middle = START + timedelta(hours=1)
    return Notice(
        id=NoticeId("ntc-1"),
        party=PartyId("alpha"),
        kind=NoticeKind.UAV,
        title="orbit",
        volumes=(volume(START, middle), volume(middle, END)),
        remarks="",
        contact="",
        version=1,
        filed_at=T0,
        updated_at=T0,
        lead_time_s=3600.0,
        late_for=(),
        activation=mode,
    )


def test_a_manual_notice_is_planned_until_activated_and_at_start_one_active_from_its_start() -> (
    None
):
    """R-ACT-1"""
    manual, automatic = notice(Activation.MANUAL), notice(Activation.AT_START)
    assert manual.status(START) is NoticeStatus.PLANNED
    assert automatic.status(START - timedelta(seconds=1)) is NoticeStatus.PLANNED
    assert automatic.status(START) is NoticeStatus.ACTIVE
    assert manual.activated(START, EARLY_S).status(START) is NoticeStatus.ACTIVE
    assert manual.status(END) is NoticeStatus.ENDED  # never activated: ended all the same


def test_activation_is_allowed_from_the_early_allowance_and_refused_before_or_after() -> None:
    """R-ACT-2"""
    planned = notice()
    earliest = START - timedelta(seconds=EARLY_S)
    with pytest.raises(TooEarly, match="1800 s early"):
        planned.activated(earliest - timedelta(seconds=1), EARLY_S)
    early = planned.activated(earliest, EARLY_S)
    assert (early.activated_at, early.status(earliest)) == (earliest, NoticeStatus.ACTIVE)
    assert planned.lifecycle.is_early(earliest) and not planned.lifecycle.is_early(START)
    with pytest.raises(WindowEnded):
        planned.activated(END, EARLY_S)
    with pytest.raises(StateConflict, match="already"):
        early.activated(START, EARLY_S)


def test_a_release_ends_the_volumes_at_the_release_and_makes_a_new_version() -> None:
    """R-ACT-3"""
    active = notice().activated(START, EARLY_S)
    at = START + timedelta(minutes=30)
    released = active.released(at)
    assert released.version == 2
    assert (released.released_at, released.updated_at) == (at, at)
    assert [(v.time.start, v.time.end) for v in released.volumes] == [(START, at)]  # 2nd dropped
    assert released.status(at) is NoticeStatus.RELEASED
    assert released.end == at
    assert not released.recorded_after_the_fact
    assert released.lead_time_s == active.lead_time_s


def test_a_release_is_refused_unless_active_and_begun() -> None:
    """R-ACT-3"""
    with pytest.raises(StateConflict, match="only an active"):
        notice().released(START + timedelta(minutes=1))  # manual, never activated
    early = notice().activated(START - timedelta(minutes=5), EARLY_S)
    with pytest.raises(StateConflict, match="cancel"):
        early.released(START - timedelta(minutes=1))
    with pytest.raises(WindowEnded):
        early.released(END)
    released = early.released(START + timedelta(minutes=1))
    with pytest.raises(StateConflict):
        released.released(START + timedelta(minutes=2))
    with pytest.raises(StateConflict):
        released.activated(START + timedelta(minutes=2), EARLY_S)


def test_the_party_rules_are_manual_when_any_channel_says_so_and_take_the_smallest_times() -> None:
    """R-ACT-1"""
    mechanism, _ = parse_mechanism(
        """\
mechanism: m
host: {id: host, name: Host}
parties: [{id: alpha, name: A}, {id: bravo, name: B}, {id: charlie, name: C}]
defaults: {early_activation_s: 900, activation_grace_s: 300}
channels:
  - {between: [alpha, bravo], activation: manual, activation_grace_s: 120}
"""
    )
    alpha = activation_rules(mechanism, PartyId("alpha"))
    assert (alpha.mode, alpha.early_s, alpha.grace_s) == (Activation.MANUAL, 900, 120)
    charlie = activation_rules(mechanism, PartyId("charlie"))
    assert (charlie.mode, charlie.early_s, charlie.grace_s) == (Activation.AT_START, 900, 300)


STEPS = st.one_of(
    st.tuples(st.just("advance"), st.integers(1, 3 * 3600)),
    st.tuples(st.just("activate"), st.just(0)),
    st.tuples(st.just("release"), st.just(0)),
)


@settings(max_examples=examples(40))
@given(
    mode=st.sampled_from(list(Activation)),
    steps=st.lists(STEPS, max_size=12),
    begin_s=st.integers(0, 2 * 3600),
)
def test_the_status_is_one_of_four_and_moves_only_as_allowed(
    mode: Activation, steps: list[tuple[str, int]], begin_s: int
) -> None:
    """R-ACT-1: over any sequence of clock advances, activations and releases, the status is
    planned, active, released or ended, and each change is an allowed transition; a refused
    step changes nothing."""
    current, now = notice(mode), T0 + timedelta(seconds=begin_s)
    before = ActivationStatus(current.status(now).value)
    for step, seconds in steps:
        if step == "advance":
            now += timedelta(seconds=seconds)
        else:
            try:
                current = (
                    current.activated(now, EARLY_S) if step == "activate" else current.released(now)
                )
            except SharedskyError as refused:
                assert isinstance(refused, StateConflict)
        status = ActivationStatus(current.status(now).value)
        assert status is before or status in TRANSITIONS[before], (before, step, status)
        before = status
