"""Hypothesis strategies for every event type of ``domain/events.py``, field by field from its
annotations: the property tests of ``from_payload`` and of the wire schema draw from them."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from sharedsky.domain import events as ev
from sharedsky.domain.acknowledgements import AckRequest, AckStatus, AckSubject
from sharedsky.domain.channels import NoticeKind, Priority
from sharedsky.domain.conflicts import (
    Conflict,
    ConflictState,
    ObjectRef,
    ObjectType,
    ResolvedReason,
)
from sharedsky.domain.event_data import NoticeContent, ZoneContent
from sharedsky.domain.events import Side
from sharedsky.domain.heights import FiledBand, Height, HeightUnit, Reference, Special
from sharedsky.domain.priority import PriorityStatus
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.domain.zones import ZoneKind
from sharedsky.geo.outlines import CircleOutline, CorridorOutline, PolygonOutline
from sharedsky.ledger.chain import format_time

ids = st.text("abcdefghij-0123456789", min_size=1, max_size=12)
words = st.text(max_size=20)
metres = st.floats(-1e5, 1e5, allow_nan=False)
"""Quantities, whole ones included (the ledger's JSON writes ``5000.0`` as ``5000``)."""
times = st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC))  # noqa: DTZ001 - hypothesis takes naive bounds with a timezone strategy
lon = st.floats(-179.0, 179.0) | st.integers(-179, 179).map(float)
lat = st.floats(-80.0, 80.0) | st.integers(-80, 80).map(float)
positions = st.tuples(lon, lat)

outlines = st.one_of(
    st.lists(positions, min_size=3, max_size=6).map(
        lambda ring: PolygonOutline((tuple([*ring, ring[0]]),))
    ),
    st.builds(CircleOutline, positions, st.floats(1.0, 1e5)),
    st.builds(CorridorOutline, st.lists(positions, min_size=2, max_size=4).map(tuple),
              st.floats(1.0, 1e4)),
)  # fmt: skip
heights = st.builds(
    Height,
    metres,
    st.sampled_from([HeightUnit.M, HeightUnit.FT]),
    st.sampled_from([Reference.AMSL, Reference.AGL, Reference.W84]),
) | st.builds(
    Height, st.integers(0, 999).map(float), st.just(HeightUnit.FL), st.just(Reference.STD)
)
filed_bands = st.builds(FiledBand, heights | st.just(Special.SFC), heights | st.just(Special.UNL))
"""Bands as filed on their datums (the round trips care for the form, not the rules)."""
volumes = st.builds(
    Volume4D,
    outlines,
    st.builds(AltitudeBand, metres, metres, st.none() | filed_bands),
    st.builds(TimeWindow, times, st.none() | times),
)
acks = st.builds(
    AckRequest,
    id=ids,
    party=ids,
    subject=st.sampled_from(AckSubject),
    subject_id=ids,
    subject_version=st.integers(1, 100),
    priority=st.sampled_from(Priority),
    requested_at=times,
    due_at=st.none() | times,
    status=st.sampled_from(AckStatus),
    acked_at=st.none() | times,
    acked_by=st.none() | ids,
    rung=st.integers(0, 5),
)
priorities = st.none() | st.sampled_from(PriorityStatus)
refs = st.builds(
    ObjectRef,
    st.sampled_from(ObjectType),
    ids,
    ids,
    st.integers(1, 9),
    st.integers(0, 9),
    priorities,
)
regions = st.lists(st.lists(st.lists(lon, min_size=2, max_size=2), min_size=4, max_size=5),
                   min_size=1, max_size=1).map(
    lambda rings: {"type": "Polygon", "coordinates": rings}
)  # fmt: skip
"""A region as the detector draws it: GeoJSON whose coordinates are floats (whole ones too)."""
conflicts = st.builds(
    Conflict,
    id=ids,
    a=refs,
    b=refs,
    window_start=times,
    window_end=st.none() | times,
    alt_lo_m=metres,
    alt_hi_m=metres,
    distance_m=metres,
    region=regions,
    region_a=st.none() | regions,
    region_b=st.none() | regions,
    detected_at=times,
    expires_at=st.none() | times,
    state=st.sampled_from(ConflictState),
    resolved_at=st.none() | times,
    resolved_reason=st.none() | st.sampled_from(ResolvedReason),
    datum_margin_m=st.none() | metres,
)
notice_contents = st.builds(
    NoticeContent,
    st.sampled_from(NoticeKind),
    words,
    words,
    words,
    st.lists(volumes, min_size=1, max_size=3).map(tuple),
    times,
    times,
    priorities,
    request_agreement=st.booleans(),
)
zone_contents = st.builds(
    ZoneContent, st.sampled_from(ZoneKind), words, words, volumes, times, times
)
figures = st.one_of(
    st.fixed_dictionaries({"tcpa_s": metres, "dcpa_m": metres, "dv_m": metres,
                           "t_in_s": metres, "t_out_s": metres,
                           "a_position": st.lists(metres, min_size=3, max_size=3),
                           "b_position": st.lists(metres, min_size=3, max_size=3)}),
    st.fixed_dictionaries({"zone_kind": st.sampled_from(ZoneKind).map(str),
                           "t_entry_s": metres, "t_exit_s": metres, "distance_m": metres,
                           "a_position": st.lists(metres, min_size=3, max_size=3)}),
    st.fixed_dictionaries({"status": st.just("leaving"), "t_exit_s": metres,
                           "a_position": st.lists(metres, min_size=3, max_size=3)}),
)  # fmt: skip
"""The three kinds of tactical figures, as the service fills them (floats only)."""
params = st.dictionaries(ids, st.integers(-1000, 1000) | words | st.floats(0.5, 9.5).map(
    lambda x: x + 0.25), max_size=3)  # fmt: skip
"""Message parameters as ``validate_params`` leaves them: whole numbers are ints."""


def _for(kind: type[ev.Event], name: str, hint: Any) -> st.SearchStrategy[Any]:
    """The strategy of field ``name`` of type ``hint``."""
    if name == "figures":
        return figures
    if name == "params":
        return params
    if name == "about":
        return st.none() | st.tuples(st.sampled_from(["notice", "conflict"]), ids)
    if name == "delivered_at":
        return times.map(format_time)
    if name == "timeline":  # an incident's: ledger seqs
        return st.lists(st.integers(1, 2**40), max_size=3).map(tuple)
    if name == "position":  # an incident's: lon, lat
        return st.tuples(metres, metres)
    origin = typing.get_origin(hint)
    if origin is types.UnionType or origin is typing.Union:
        (inner,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return st.none() | _for(kind, name, inner)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        if item is int or typing.get_origin(item) is tuple:  # the cells hint
            return st.none()
        return st.lists(_for(kind, name, item), max_size=3).map(tuple)
    table: Mapping[Any, st.SearchStrategy[Any]] = {
        str: ids,
        int: st.integers(0, 2**40),
        float: metres,
        bool: st.booleans(),
        datetime: times,
        Side: st.builds(Side, ids, st.none() | ids, ids),
        NoticeContent: notice_contents,
        ZoneContent: zone_contents,
        AckRequest: acks,
        Conflict: conflicts,
        Volume4D: volumes,
    }
    return table[hint]


def events_of(kind: type[ev.Event]) -> st.SearchStrategy[ev.Event]:
    """Events of ``kind`` with every field drawn."""
    hints = typing.get_type_hints(kind)
    return st.builds(
        kind, **{f.name: _for(kind, f.name, hints[f.name]) for f in dataclasses.fields(kind)}
    )
