"""Use cases of zones: declare, amend, withdraw."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sharedsky.domain.conflicts import Conflict, ObjectRef, ObjectType, ResolvedReason
from sharedsky.domain.errors import NotFound
from sharedsky.domain.event_data import ZoneContent
from sharedsky.domain.events import ZoneAmended, ZoneDeclared, ZoneWithdrawn
from sharedsky.domain.ids import ZoneId
from sharedsky.domain.operators import Role
from sharedsky.domain.volumes import resolve_volume
from sharedsky.domain.zones import Zone, ZoneDraft, validate_zone_draft
from sharedsky.service._common import record_event, remember
from sharedsky.service.context import Actor, Idempotency
from sharedsky.service.detection import (
    Coverings,
    coverings,
    detect,
    find_candidates,
    sync_conflicts,
)
from sharedsky.service.ports import Deps
from sharedsky.service.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Declaration:
    """The outcome of declaring or amending a zone: its current version and open conflicts."""

    zone: Zone
    conflicts: tuple[Conflict, ...]


def _store(
    uow: UnitOfWork, deps: Deps, zone: Zone, cells: Coverings, new: bool
) -> tuple[Conflict, ...]:
    now = zone.updated_at
    subject = ObjectRef(ObjectType.ZONE, zone.id, zone.party, zone.version, 0)
    candidates = find_candidates(uow, deps, zone.party, [zone.volume], cells)
    fresh = detect(uow, deps, subject, [zone.volume], candidates, now)
    return tuple(sync_conflicts(uow, deps, subject, fresh, ResolvedReason.AMENDED, now))


def _cells(cells: Coverings) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(c) for c in cells.storage)


def resolved_zone_draft(deps: Deps, draft: ZoneDraft) -> ZoneDraft:
    """The draft with its band given on other datums resolved to its AMSL interval under the
    mechanism's datums (R-HEIGHT-2); InvalidVolume for a refused limit."""
    return replace(draft, volume=resolve_volume(draft.volume, deps.mechanism.datums, ("volume",)))


def new_zone(deps: Deps, actor: Actor, draft: ZoneDraft, now: datetime) -> Zone:
    """The first version of a zone of ``draft`` declared by ``actor`` at ``now`` (validated
    before; nothing stored)."""
    return Zone(
        id=ZoneId(deps.ids.new("zon")),
        party=actor.party,
        kind=draft.kind,
        title=draft.title,
        volume=draft.volume,
        remarks=draft.remarks,
        version=1,
        declared_at=now,
        updated_at=now,
    )


def store_zone(
    uow: UnitOfWork, deps: Deps, actor: Actor, zone: Zone, cells: Coverings
) -> Declaration:
    """Inside ``uow``: detect the new ``zone``'s conflicts and record it (``zone.declared``)
    as declared by ``actor`` at its ``declared_at``."""
    conflicts = _store(uow, deps, zone, cells, new=True)
    event = ZoneDeclared(
        zone.id,
        zone.party,
        tuple(c.id for c in conflicts),
        ZoneContent.of(zone),
        _cells(cells),
    )
    record_event(uow, zone.declared_at, actor.operator, event, actor.signature)
    return Declaration(zone, conflicts)


def declare_zone(
    deps: Deps, actor: Actor, draft: ZoneDraft, idem: Idempotency[Declaration] | None = None
) -> Declaration:
    """Declare a zone and detect its conflicts with other parties' notices and zones."""
    now = deps.clock.now()
    actor.require_party("declare zones")
    actor.require_role(Role.DUTY, "declare zones")
    draft = resolved_zone_draft(deps, draft)
    validate_zone_draft(draft, now, deps.mechanism.area)
    zone = new_zone(deps, actor, draft, now)
    cells = coverings(deps, actor.party, [draft.volume])

    def work(uow: UnitOfWork) -> Declaration:
        return remember(uow, actor, idem, store_zone(uow, deps, actor, zone, cells), now)

    return deps.db.run(work)


def _own_zone(uow: UnitOfWork, actor: Actor, zone_id: str) -> Zone:
    zone = uow.zones.get(zone_id)
    if zone is None or zone.party != actor.party:
        raise NotFound(f"no zone {zone_id!r}")
    return zone


def amend_zone(
    deps: Deps, actor: Actor, zone_id: str, expected_version: int, draft: ZoneDraft
) -> Declaration:
    """Replace the actor's zone with ``draft`` if it is at ``expected_version``."""
    now = deps.clock.now()
    actor.require_party("amend zones")
    actor.require_role(Role.DUTY, "amend zones")
    draft = replace(draft, volume=resolve_volume(draft.volume, deps.mechanism.datums, ("volume",)))
    validate_zone_draft(draft, now, deps.mechanism.area)
    cells = coverings(deps, actor.party, [draft.volume])

    def work(uow: UnitOfWork) -> Declaration:
        current = _own_zone(uow, actor, zone_id)
        current.check_amendable(expected_version, now)
        zone = replace(
            current,
            kind=draft.kind,
            title=draft.title,
            volume=draft.volume,
            remarks=draft.remarks,
            version=current.version + 1,
            updated_at=now,
        )
        conflicts = _store(uow, deps, zone, cells, new=False)
        event = ZoneAmended(
            zone.id,
            zone.version,
            tuple(c.id for c in conflicts),
            zone.party,
            ZoneContent.of(zone),
            _cells(cells),
        )
        record_event(uow, now, actor.operator, event, actor.signature)
        return Declaration(zone, conflicts)

    return deps.db.run(work)


def withdraw_zone(
    deps: Deps, actor: Actor, zone_id: str, idem: Idempotency[Zone] | None = None
) -> Zone:
    """Withdraw the actor's zone: it stops being a candidate and its conflicts resolve."""
    now = deps.clock.now()
    actor.require_party("withdraw zones")
    actor.require_role(Role.DUTY, "withdraw zones")

    def work(uow: UnitOfWork) -> Zone:
        current = _own_zone(uow, actor, zone_id)
        current.check_amendable(current.version, now)
        zone = replace(current, withdrawn_at=now, updated_at=now)
        subject = ObjectRef(ObjectType.ZONE, zone.id, zone.party, zone.version, 0)
        sync_conflicts(uow, deps, subject, [], ResolvedReason.WITHDRAWN, now)
        record_event(uow, now, actor.operator, ZoneWithdrawn(zone.id, now), actor.signature)
        return remember(uow, actor, idem, zone, now)

    return deps.db.run(work)
