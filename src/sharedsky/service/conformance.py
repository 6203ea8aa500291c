"""Conformance and zone intrusion inside the tactical tick: the notices and zones the live
tracks concern, through ``detect.conformance``, as alert findings."""

from __future__ import annotations

from sharedsky.domain.tactical import Finding
from sharedsky.service.ports import Deps
from sharedsky.service.tracks import Snapshot
from sharedsky.store.uow import SqlUnitOfWork


def conformance_findings(
    uow: SqlUnitOfWork, deps: Deps, snap: Snapshot, lookahead_s: float, horizon_s: float
) -> list[Finding]:
    """Non-conformance of tracks to their notices and intrusions into other parties' zones."""
    return []
