"""Operational priority: the ranks, who gives way, the higher of two statuses (R-PRIO-2)."""

from __future__ import annotations

import pytest

from sharedsky.domain.acknowledgements import conflict_priority
from sharedsky.domain.channels import Priority
from sharedsky.domain.priority import PriorityStatus, gives_way, highest, rank_of

EMERGENCY, MEDEVAC, SAR, HUM = (
    PriorityStatus.EMERGENCY,
    PriorityStatus.MEDEVAC,
    PriorityStatus.SAR,
    PriorityStatus.HUMANITARIAN,
)


def test_the_ranks_run_emergency_medevac_sar_humanitarian_none() -> None:
    """R-PRIO-2"""
    ranked = sorted([HUM, None, MEDEVAC, EMERGENCY, SAR], key=rank_of, reverse=True)
    assert ranked == [EMERGENCY, MEDEVAC, SAR, HUM, None]


@pytest.mark.parametrize(
    ("own", "other", "moves"),
    [
        (None, None, True),  # neither has a status: either side may move
        (None, MEDEVAC, True),
        (MEDEVAC, None, False),  # the medevac is never the one to move
        (HUM, MEDEVAC, True),
        (MEDEVAC, HUM, False),
        (MEDEVAC, EMERGENCY, True),
        (SAR, SAR, False),  # the same status: neither moves, the hotline decides
        (HUM, None, False),
    ],
)
def test_the_side_that_ranks_lower_gives_way(
    own: PriorityStatus | None, other: PriorityStatus | None, moves: bool
) -> None:
    """R-PRIO-2"""
    assert gives_way(own, other) is moves


def test_a_conflict_is_marked_by_the_higher_status_and_acknowledged_within_flash() -> None:
    """R-PRIO-1"""
    assert highest(None, None) is None
    assert highest(HUM, None) is HUM
    assert highest(SAR, EMERGENCY) is EMERGENCY
    assert conflict_priority(marked=True) is Priority.FLASH
    assert conflict_priority(marked=False) is Priority.PRIORITY
