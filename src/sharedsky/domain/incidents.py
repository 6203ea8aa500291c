"""Incidents (R-INC-1 … R-INC-3): what a party or the host reports happened, where and when,
about which notices, zones, conflicts and tracks, with the ledger timeline of those objects
attached when it is filed. The other parties concerned (the owners of the related objects)
owe an acknowledgement, as for a notice; an incident never changes once filed.

Who sees an incident: the host, the party that filed it and the parties it concerns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sharedsky.domain.errors import InvalidInput
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.visibility import Viewer

RELATED_KINDS = ("notices", "zones", "conflicts", "tracks")
"""The kinds of related objects, as the request and the event name them."""
MAX_NARRATIVE = 4000
"""Most characters of a narrative."""


@dataclass(frozen=True, slots=True)
class IncidentDraft:
    """What the filer says: when and where it happened, what it relates to, what happened."""

    at: datetime
    position: tuple[float, float]
    """(lon, lat) in degrees, WGS84."""
    narrative: str
    notices: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    """Strategic conflicts or tactical alerts."""
    tracks: tuple[str, ...] = ()

    def related(self) -> Mapping[str, tuple[str, ...]]:
        """The related ids by kind (``RELATED_KINDS``)."""
        return {
            "notices": self.notices,
            "zones": self.zones,
            "conflicts": self.conflicts,
            "tracks": self.tracks,
        }


@dataclass(frozen=True, slots=True)
class Incident:
    """An incident as filed."""

    id: str
    party: PartyId
    """Who filed it: a party, or the host."""
    operator: OperatorId
    draft: IncidentDraft
    parties: tuple[PartyId, ...]
    """The other parties it concerns (owners of its related objects): each owes an
    acknowledgement."""
    timeline: tuple[int, ...]
    """The seqs of the ledger entries about the related objects when it was filed."""
    filed_at: datetime

    def concerns(self, viewer: Viewer) -> bool:
        """True when ``viewer`` may see it: the host, its filer, or a party it concerns."""
        return viewer.is_host or viewer.party == self.party or viewer.party in self.parties


def check_draft(draft: IncidentDraft, now: datetime) -> None:
    """InvalidInput (with the field) for a time in the future, a position off the globe, an
    empty or overlong narrative, or an id given twice."""
    if draft.at > now:
        raise InvalidInput(f"is in the future (now is {now.isoformat()})", ("time",))
    lon, lat = draft.position
    if not -180.0 <= lon <= 180.0:
        raise InvalidInput("longitude must be within -180 … 180 degrees", ("position", 0))
    if not -90.0 <= lat <= 90.0:
        raise InvalidInput("latitude must be within -90 … 90 degrees", ("position", 1))
    if not draft.narrative.strip():
        raise InvalidInput("must say what happened", ("narrative",))
    if len(draft.narrative) > MAX_NARRATIVE:
        raise InvalidInput(f"at most {MAX_NARRATIVE} characters", ("narrative",))
    for kind, ids in draft.related().items():
        for index, object_id in enumerate(ids):
            if object_id in ids[:index]:
                raise InvalidInput(f"{object_id!r} is given twice", (kind, index))


def incident_form(incident: Incident) -> dict[str, Any]:
    """The JSON form the store keeps."""
    draft = incident.draft
    return {
        "id": incident.id,
        "party": incident.party,
        "operator": incident.operator,
        "at": draft.at.isoformat(),
        "position": list(draft.position),
        "narrative": draft.narrative,
        **{kind: list(ids) for kind, ids in draft.related().items()},
        "parties": list(incident.parties),
        "timeline": list(incident.timeline),
        "filed_at": incident.filed_at.isoformat(),
    }


def incident_of(form: Mapping[str, Any]) -> Incident:
    """The incident of ``incident_form``."""
    lon, lat = form["position"]
    draft = IncidentDraft(
        datetime.fromisoformat(form["at"]),
        (float(lon), float(lat)),
        str(form["narrative"]),
        *(tuple(str(i) for i in form[kind]) for kind in RELATED_KINDS),
    )
    return Incident(
        str(form["id"]),
        PartyId(form["party"]),
        OperatorId(form["operator"]),
        draft,
        tuple(PartyId(p) for p in form["parties"]),
        tuple(int(s) for s in form["timeline"]),
        datetime.fromisoformat(form["filed_at"]),
    )
