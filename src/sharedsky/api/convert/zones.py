"""Zones: the declaration request to a draft; a zone as seen, and the answer to a declaration
(``wire/v1/zones.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sharedsky.api.convert.common import volume_fields, volume_in
from sharedsky.api.convert.conflicts import conflicts_seen
from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.visibility import Viewer, ZoneView
from sharedsky.domain.zones import Zone, ZoneDraft, ZoneKind
from sharedsky.service.zones import Declaration
from sharedsky.wire import v1


def zone_draft(model: v1.ZoneIn) -> ZoneDraft:
    """A zone draft from the declaration request."""
    return ZoneDraft(
        ZoneKind(model.kind),
        model.title,
        volume_in(model.volume),
        model.remarks,
        outside_area=model.outside_area,
    )


def zone_fields(view: ZoneView, now: datetime) -> dict[str, object]:
    """The wire fields of a zone as seen (a dict, so that a declaration can extend them)."""
    zone = view.zone
    return {
        "id": zone.id,
        "party": zone.party,
        "kind": str(zone.kind),
        "title": zone.title,
        "version": zone.version,
        "status": str(zone.status(now)),
        "volume": volume_fields(zone.volume),
        "remarks": zone.remarks,
        "declared_at": zone.declared_at,
        "updated_at": zone.updated_at,
        "withdrawn_at": zone.withdrawn_at,
        "redacted": view.redacted,
    }


def zone_out(view: ZoneView, now: datetime) -> v1.ZoneOut:
    """The wire form of a zone as seen."""
    return v1.ZoneOut.model_validate(zone_fields(view, now))


def own_zone_out(zone: Zone, now: datetime) -> v1.ZoneOut:
    """A zone as its owner sees it (whole)."""
    return zone_out(ZoneView(zone, redacted=False), now)


def declaration_out(
    result: Declaration, viewer: Viewer, mechanism: Mechanism, now: datetime
) -> v1.DeclarationOut:
    """The answer to a declaration or an amendment: the zone as its owner sees it, with the
    conflicts found that the owner may see."""
    body = zone_fields(ZoneView(result.zone, redacted=False), now)
    body["conflicts"] = conflicts_seen(viewer, result.conflicts, mechanism, now)
    return v1.DeclarationOut.model_validate(body)


def zone_list(views: Iterable[ZoneView], now: datetime) -> v1.ZoneList:
    """The wire form of a list of zones as seen."""
    return v1.ZoneList.model_validate({"zones": [zone_fields(v, now) for v in views]})
