"""Zones: the declaration request to a draft, a zone as seen to its wire fields
(``wire/v1/zones.py``)."""

from __future__ import annotations

from datetime import datetime

from sharedsky.api.convert.common import volume_fields, volume_in
from sharedsky.domain.visibility import ZoneView
from sharedsky.domain.zones import ZoneDraft, ZoneKind
from sharedsky.wire import v1


def zone_draft(model: v1.ZoneIn) -> ZoneDraft:
    """A zone draft from the declaration request."""
    return ZoneDraft(ZoneKind(model.kind), model.title, volume_in(model.volume), model.remarks)


def zone_out(view: ZoneView, now: datetime) -> dict[str, object]:
    """The wire fields of a zone as seen."""
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
