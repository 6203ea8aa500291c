"""What a viewer sees of a notice, a zone or a conflict, written out as one table (R-VIS-1).

Three mechanisms of the same three parties. Each holds one channel of each policy; they differ
in which channel holds which, so the counterparty (alpha) and the third party (charlie) meet
every policy of their channel with the owner (bravo)::

    mechanism   bravo–alpha      bravo–charlie    alpha–charlie
    FULL        full             conflicts_only   host_only
    CO          conflicts_only   host_only        full
    HO          host_only        full             conflicts_only

bravo owns the notice (three volumes), the zone and one side of both conflicts:

    K_AB   a: bravo's notice, volume 1   b: alpha's zone
    K_BC   a: charlie's notice           b: bravo's notice, volume 2 (no own region kept)

Viewers: the owner (bravo), the counterparty (alpha, also as one of its operators), the third
party (charlie), the host, and delta (no party of the mechanism). The ``clashing`` input is what
the store reports for that viewer; the expected answers below are written by hand, never
computed by the code under test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from sharedsky.domain.channels import ChannelRules, NoticeKind, Sharing
from sharedsky.domain.conflicts import Conflict, ObjectRef, ObjectType
from sharedsky.domain.ids import ConflictId, NoticeId, OperatorId, PartyId, ZoneId
from sharedsky.domain.mechanism import Mechanism, Party
from sharedsky.domain.notices import Notice
from sharedsky.domain.visibility import Viewer, see_conflict, see_notice, see_zone
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.domain.zones import Zone, ZoneKind
from sharedsky.geo.outlines import CircleOutline

A, B, C, HOST = PartyId("alpha"), PartyId("bravo"), PartyId("charlie"), PartyId("host")
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
FULL, CO, HO = Sharing.FULL, Sharing.CONFLICTS_ONLY, Sharing.HOST_ONLY


def _mechanism(ab: Sharing, bc: Sharing, ac: Sharing) -> Mechanism:
    return Mechanism(
        name="three-way",
        host=Party(HOST, "Host", "en"),
        parties=(Party(A, "Alpha", "en"), Party(B, "Bravo", "tr"), Party(C, "Charlie", "ar")),
        channels={
            frozenset((A, B)): ChannelRules(sharing=ab),
            frozenset((B, C)): ChannelRules(sharing=bc),
            frozenset((A, C)): ChannelRules(sharing=ac),
        },
    )


MECHANISMS = {
    "FULL": _mechanism(ab=FULL, bc=CO, ac=HO),
    "CO": _mechanism(ab=CO, bc=HO, ac=FULL),
    "HO": _mechanism(ab=HO, bc=FULL, ac=CO),
}
VIEWERS = {
    "bravo": Viewer(B, is_host=False),
    "alpha": Viewer(A, is_host=False),
    "alpha-duty": Viewer(A, is_host=False, operator=OperatorId("alpha-duty")),
    "charlie": Viewer(C, is_host=False),
    "host": Viewer(HOST, is_host=True),
    "delta": Viewer(PartyId("delta"), is_host=False),
}


def _volume(lon: float, hours: int) -> Volume4D:
    start = NOW + timedelta(hours=hours)
    return Volume4D(
        CircleOutline((lon, 34.0), 5_000.0),
        AltitudeBand(3000.0, 9000.0),
        TimeWindow(start, start + timedelta(hours=1)),
    )


VOLUMES = (_volume(35.0, 3), _volume(36.0, 4), _volume(37.0, 5))
NOTICE = Notice(
    id=NoticeId("ntc-bravo"),
    party=B,
    kind=NoticeKind.AIR_SORTIE,
    title="strike package north",
    volumes=VOLUMES,
    remarks="tankers on station at FL250",
    contact="bravo duty line 2",
    version=3,
    filed_at=NOW,
    updated_at=NOW,
    lead_time_s=10_800.0,
    late_for=(A, C),
)
ZONE = Zone(
    id=ZoneId("zon-bravo"),
    party=B,
    kind=ZoneKind.PROTECTED,
    title="field hospital",
    volume=Volume4D(
        CircleOutline((35.5, 34.0), 2_000.0), AltitudeBand(0.0, 3000.0), TimeWindow(NOW, None)
    ),
    remarks="red crescent convoy",
    version=1,
    declared_at=NOW,
    updated_at=NOW,
)


def _region(name: str, lon: float) -> dict[str, object]:
    ring = [[lon, 34.0], [lon + 0.1, 34.0], [lon + 0.1, 34.1], [lon, 34.0]]
    return {"type": "Polygon", "coordinates": [ring], "name": name}


WHOLE_AB, PART_BRAVO_AB, PART_ALPHA_AB = (
    _region("whole", 36.0),
    _region("bravo", 36.0),
    _region("alpha", 36.05),
)
WHOLE_BC, PART_CHARLIE_BC = _region("whole", 37.0), _region("charlie", 37.05)
EMPTY = {"type": "MultiPolygon", "coordinates": []}
K_AB = Conflict(
    id=ConflictId("cfl-ab"),
    a=ObjectRef(ObjectType.NOTICE, NOTICE.id, B, 3, 1),
    b=ObjectRef(ObjectType.ZONE, "zon-alpha", A, 1, 0),
    window_start=NOW + timedelta(hours=4),
    window_end=NOW + timedelta(hours=5),
    alt_lo_m=3000.0,
    alt_hi_m=3000.0,
    distance_m=0.0,
    region=WHOLE_AB,
    region_a=PART_BRAVO_AB,
    region_b=PART_ALPHA_AB,
    detected_at=NOW,
    expires_at=NOW + timedelta(hours=5, minutes=5),
)
K_BC = Conflict(
    id=ConflictId("cfl-bc"),
    a=ObjectRef(ObjectType.NOTICE, "ntc-charlie", C, 2, 0),
    b=ObjectRef(ObjectType.NOTICE, NOTICE.id, B, 3, 2),
    window_start=NOW + timedelta(hours=5),
    window_end=NOW + timedelta(hours=6),
    alt_lo_m=3000.0,
    alt_hi_m=9000.0,
    distance_m=1200.0,
    region=WHOLE_BC,
    region_a=PART_CHARLIE_BC,
    region_b=None,
    detected_at=NOW,
    expires_at=NOW + timedelta(hours=6, minutes=5),
)

# ---- the expected answers ----------------------------------------------------------------

ALL = "all"
"""The notice or zone whole: not redacted, every volume (0, 1, 2), title and remarks kept."""
NOT = "-"
"""Nothing: the function answers None."""
RED = "redacted"
"""A zone without title and remarks."""
WHOLE = "whole"
"""A conflict as it is, the other side's id shown."""


LATE_SEEN = {
    "bravo": (A, C),
    "alpha": (A,),
    "alpha-duty": (A,),
    "charlie": (C,),
    "host": (A, C),
    "delta": (),
}
"""Whom the notice (late for alpha and charlie) is said to be late for, wherever it is seen: a
counterparty is told only about itself."""


def shows(*indexes: int) -> tuple[int, ...]:
    """A notice redacted to these volumes (title and remarks emptied)."""
    return indexes


NOTICE_SEEN: dict[tuple[str, str], tuple[object, object, object]] = {
    # (mechanism, viewer)     clashing: none     {1}          {0, 2}
    ("FULL", "bravo"): (ALL, ALL, ALL),
    ("FULL", "alpha"): (ALL, ALL, ALL),
    ("FULL", "alpha-duty"): (ALL, ALL, ALL),
    ("FULL", "charlie"): (NOT, shows(1), shows(0, 2)),
    ("FULL", "host"): (ALL, ALL, ALL),
    ("FULL", "delta"): (NOT, NOT, NOT),
    ("CO", "bravo"): (ALL, ALL, ALL),
    ("CO", "alpha"): (NOT, shows(1), shows(0, 2)),
    ("CO", "alpha-duty"): (NOT, shows(1), shows(0, 2)),
    ("CO", "charlie"): (NOT, NOT, NOT),
    ("CO", "host"): (ALL, ALL, ALL),
    ("CO", "delta"): (NOT, NOT, NOT),
    ("HO", "bravo"): (ALL, ALL, ALL),
    ("HO", "alpha"): (NOT, NOT, NOT),
    ("HO", "alpha-duty"): (NOT, NOT, NOT),
    ("HO", "charlie"): (ALL, ALL, ALL),
    ("HO", "host"): (ALL, ALL, ALL),
    ("HO", "delta"): (NOT, NOT, NOT),
}
CLASHES = (frozenset[int](), frozenset({1}), frozenset({0, 2}))

ZONE_SEEN: dict[tuple[str, str], tuple[str, str]] = {
    # (mechanism, viewer)     not clashing   clashing
    ("FULL", "bravo"): (ALL, ALL),
    ("FULL", "alpha"): (ALL, ALL),
    ("FULL", "alpha-duty"): (ALL, ALL),
    ("FULL", "charlie"): (NOT, RED),
    ("FULL", "host"): (ALL, ALL),
    ("FULL", "delta"): (NOT, NOT),
    ("CO", "bravo"): (ALL, ALL),
    ("CO", "alpha"): (NOT, RED),
    ("CO", "alpha-duty"): (NOT, RED),
    ("CO", "charlie"): (NOT, NOT),
    ("CO", "host"): (ALL, ALL),
    ("CO", "delta"): (NOT, NOT),
    ("HO", "bravo"): (ALL, ALL),
    ("HO", "alpha"): (NOT, NOT),
    ("HO", "alpha-duty"): (NOT, NOT),
    ("HO", "charlie"): (ALL, ALL),
    ("HO", "host"): (ALL, ALL),
    ("HO", "delta"): (NOT, NOT),
}

CONFLICT_SEEN: dict[tuple[str, str], tuple[object, object]] = {
    # (mechanism, viewer)     K_AB (bravo × alpha)   K_BC (charlie × bravo)
    # a dict: the other side's id hidden and the region cut to this one
    ("FULL", "bravo"): (WHOLE, WHOLE),
    ("FULL", "alpha"): (WHOLE, NOT),
    ("FULL", "alpha-duty"): (WHOLE, NOT),
    ("FULL", "charlie"): (NOT, WHOLE),
    ("FULL", "host"): (WHOLE, WHOLE),
    ("FULL", "delta"): (NOT, NOT),
    ("CO", "bravo"): (WHOLE, EMPTY),
    ("CO", "alpha"): (WHOLE, NOT),
    ("CO", "alpha-duty"): (WHOLE, NOT),
    ("CO", "charlie"): (NOT, PART_CHARLIE_BC),
    ("CO", "host"): (WHOLE, WHOLE),
    ("CO", "delta"): (NOT, NOT),
    ("HO", "bravo"): (PART_BRAVO_AB, WHOLE),
    ("HO", "alpha"): (PART_ALPHA_AB, NOT),
    ("HO", "alpha-duty"): (PART_ALPHA_AB, NOT),
    ("HO", "charlie"): (NOT, WHOLE),
    ("HO", "host"): (WHOLE, WHOLE),
    ("HO", "delta"): (NOT, NOT),
}


def _cases(
    table: Mapping[tuple[str, str], tuple[object, ...]], inputs: tuple[object, ...]
) -> list[object]:
    return [
        pytest.param(mech, viewer, given, expected, id=f"{mech}-{viewer}-{column}")
        for (mech, viewer), row in table.items()
        for column, (given, expected) in enumerate(zip(inputs, row, strict=True))
    ]


def test_the_tables_cover_every_mechanism_and_viewer() -> None:
    every = {(m, v) for m in MECHANISMS for v in VIEWERS}
    assert set(NOTICE_SEEN) == set(ZONE_SEEN) == set(CONFLICT_SEEN) == every


@pytest.mark.parametrize(("mech", "viewer", "clashing", "expected"), _cases(NOTICE_SEEN, CLASHES))
def test_a_notice_is_seen_as_the_table_says(
    mech: str, viewer: str, clashing: frozenset[int], expected: object
) -> None:
    """R-VIS-1: whole, nothing, or only the clashing volumes without title and remarks; a
    counterparty is told whether the notice was late for itself, not for the others."""
    view = see_notice(VIEWERS[viewer], NOTICE, MECHANISMS[mech], clashing)
    if expected == NOT:
        assert view is None
        return
    assert view is not None
    late_for = LATE_SEEN[viewer]
    if expected == ALL:
        assert not view.redacted
        assert view.volume_indexes == (0, 1, 2)
        assert view.notice == replace(NOTICE, late_for=late_for)
        return
    assert isinstance(expected, tuple)
    assert view.redacted
    assert view.volume_indexes == expected
    assert view.notice.volumes == tuple(VOLUMES[i] for i in expected)
    assert (view.notice.title, view.notice.remarks) == ("", "")
    # everything else as filed: the counterparty still knows whom to call
    assert view.notice == replace(
        NOTICE,
        title="",
        remarks="",
        volumes=tuple(VOLUMES[i] for i in expected),
        late_for=late_for,
    )
    assert view.notice.contact == "bravo duty line 2"


@pytest.mark.parametrize(
    ("mech", "viewer", "clashing", "expected"), _cases(ZONE_SEEN, (False, True))
)
def test_a_zone_is_seen_as_the_table_says(
    mech: str, viewer: str, clashing: bool, expected: str
) -> None:
    """R-VIS-1: whole, nothing, or (while it clashes) without title and remarks."""
    view = see_zone(VIEWERS[viewer], ZONE, MECHANISMS[mech], clashing)
    if expected == NOT:
        assert view is None
    elif expected == ALL:
        assert view is not None and not view.redacted and view.zone == ZONE
    else:
        assert view is not None and view.redacted
        assert view.zone == replace(ZONE, title="", remarks="")
        assert view.zone.volume == ZONE.volume


@pytest.mark.parametrize(
    ("mech", "viewer", "conflict", "expected"), _cases(CONFLICT_SEEN, (K_AB, K_BC))
)
def test_a_conflict_is_seen_as_the_table_says(
    mech: str, viewer: str, conflict: Conflict, expected: object
) -> None:
    """R-VIS-1: a side's owner and the host see it; under host_only a side sees the other's
    id withheld and only its own part of the region (an empty one when none was kept)."""
    view = see_conflict(VIEWERS[viewer], conflict, MECHANISMS[mech])
    if expected == NOT:
        assert view is None
    elif expected == WHOLE:
        assert view is not None and view.other_id_hidden is False and view.conflict == conflict
    else:
        assert isinstance(expected, dict)
        assert view is not None and view.other_id_hidden is True
        assert view.conflict == replace(conflict, region=expected)
        assert view.conflict.region != conflict.region


def test_the_clashing_volumes_of_a_full_or_host_only_channel_change_nothing() -> None:
    """The clashing indexes matter under conflicts_only only; out-of-range ones show nothing."""
    alpha = VIEWERS["alpha"]
    for mech, expected in (("FULL", (0, 1, 2)), ("HO", None)):
        view = see_notice(alpha, NOTICE, MECHANISMS[mech], frozenset({7}))
        assert (None if view is None else view.volume_indexes) == expected
    odd = see_notice(alpha, NOTICE, MECHANISMS["CO"], frozenset({2, 7}))
    assert odd is not None and odd.volume_indexes == (2,)
