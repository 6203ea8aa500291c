"""Conformance and zone intrusion inside the tactical tick: the notices and zones the live
tracks concern, through ``detect.conformance``, as alert findings.

* A track that names a notice (``notice_id``) is checked against the union of that notice's
  volumes: outside now, or predicted to leave within ``horizon_s``, is a non-conformance
  finding. A notice that does not exist, belongs to another party, was cancelled or has ended
  covers nothing: the track is outside it.
  A scheduled volume covers its occurrences only (R-SCHED-1).
* Every track is checked against the protected and red-line zones of the other parties that
  stand now: predicted inside within ``lookahead_s`` is an intrusion finding (a zone's
  scheduled volume over its whole envelope: an alert too many, never one too few).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np

from sharedsky.detect.conformance import Region, conformance, zone_intrusions
from sharedsky.detect.tracks import PressureOffsets
from sharedsky.domain.ids import PartyId
from sharedsky.domain.tactical import AlertKey, AlertKind, Finding
from sharedsky.domain.volumes import Volume4D, occurrence_volumes
from sharedsky.domain.zones import ZoneKind, ZoneStatus
from sharedsky.service._packing import pressure_offsets
from sharedsky.service.ports import Deps
from sharedsky.service.tracks import Snapshot
from sharedsky.service.uow import UnitOfWork

ALERTING_ZONES = frozenset({ZoneKind.PROTECTED, ZoneKind.RED_LINE})
"""Zone kinds whose predicted entry raises an intrusion alert."""


def region_of(volume: Volume4D, now: datetime) -> Region:
    """A volume as a region of the engines, its window in seconds from ``now``."""
    end = volume.time.end
    return Region(
        volume.outline,
        volume.altitude.lower_m,
        volume.altitude.upper_m,
        (volume.time.start - now).total_seconds(),
        math.inf if end is None else (end - now).total_seconds(),
    )


def conformance_findings(
    uow: UnitOfWork, deps: Deps, snap: Snapshot, lookahead_s: float, horizon_s: float
) -> list[Finding]:
    """Non-conformance of tracks to their notices and intrusions into other parties' zones
    (``snap`` already moved to the present)."""
    if not len(snap):
        return []
    now = deps.clock.now()
    codes: dict[PartyId, int] = {}
    for party in snap.parties:
        codes.setdefault(party, len(codes))
    pressure = pressure_offsets(deps.mechanism.datums)
    return _conformance(uow, snap, codes, now, horizon_s, pressure) + _intrusions(
        uow, snap, codes, now, lookahead_s, pressure
    )


def _conformance(
    uow: UnitOfWork,
    snap: Snapshot,
    codes: dict[PartyId, int],
    now: datetime,
    horizon_s: float,
    pressure: PressureOffsets,
) -> list[Finding]:
    flying = np.array([n is not None for n in snap.notice_ids], dtype=bool)
    if not flying.any():
        return []
    sub = snap.take(flying)
    notices = uow.notices.get_many(sorted({str(n) for n in sub.notice_ids}))
    regions: list[Sequence[Region]] = []
    index: dict[tuple[PartyId, str], int] = {}
    for party, notice_id in zip(sub.parties, sub.notice_ids, strict=True):
        pair = (party, str(notice_id))
        if pair in index:
            continue
        index[pair] = len(regions)
        notice = notices.get(pair[1])
        covers = notice is not None and notice.party == party and notice.status(now).is_current()
        # a scheduled volume covers its occurrences only (R-SCHED-1)
        volumes = (
            [w for v in notice.volumes for w in occurrence_volumes(v)] if covers and notice else []
        )
        regions.append([region_of(v, now) for v in volumes])
    pairs = [(p, str(n)) for p, n in zip(sub.parties, sub.notice_ids, strict=True)]
    result = conformance(
        sub.columns(codes),
        regions,
        [index[p] for p in pairs],
        horizon_s=horizon_s,
        pressure=pressure,
    )
    found = []
    for i in range(len(sub)):
        status = result.status_of(i)
        if not status.alerts():
            continue
        t_exit = float(result.t_exit_s[i])
        key = AlertKey(
            AlertKind.CONFORMANCE,
            sub.parties[i],
            sub.ids[i],
            "notice",
            str(sub.notice_ids[i]),
            sub.parties[i],
        )
        figures = {
            "status": str(status),
            "t_exit_s": round(t_exit, 1),
            "a_position": sub.position(i),
            **sub.callsign_figures(i),
        }
        found.append(Finding(key, t_exit, figures))
    return found


def _intrusions(
    uow: UnitOfWork,
    snap: Snapshot,
    codes: dict[PartyId, int],
    now: datetime,
    lookahead_s: float,
    pressure: PressureOffsets,
) -> list[Finding]:
    zones = [
        z
        for z in uow.zones.find()
        if z.kind in ALERTING_ZONES and z.status(now) is ZoneStatus.ACTIVE
    ]
    if not zones:
        return []
    for zone in zones:
        codes.setdefault(zone.party, len(codes))
    hits = zone_intrusions(
        snap.columns(codes),
        [region_of(z.volume, now) for z in zones],
        [codes[z.party] for z in zones],
        lookahead_s=lookahead_s,
        pressure=pressure,
    )
    found = []
    for k in range(len(hits)):
        i, z = int(hits.track[k]), int(hits.zone[k])
        zone = zones[z]
        key = AlertKey(
            AlertKind.INTRUSION, snap.parties[i], snap.ids[i], "zone", zone.id, zone.party
        )
        figures = {
            "zone_kind": str(zone.kind),
            "t_entry_s": round(float(hits.t_entry_s[k]), 1),
            "t_exit_s": round(float(hits.t_exit_s[k]), 1),
            "distance_m": round(float(hits.distance_m[k]), 1),
            "a_position": snap.position(i),
            **snap.callsign_figures(i),
        }
        found.append(Finding(key, float(hits.t_entry_s[k]), figures))
    return found
