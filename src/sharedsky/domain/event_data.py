"""The full data that events carry beside their ids, and its JSON form in a ledger payload.

An event that changes the state tables carries every value its rows need (``domain/events.py``):
a notice's or zone's content, a conflict, the acknowledgement requests a write creates. Each
such value has a ``*_form`` (its JSON form: times in ISO 8601, enums as their text) and a
``*_of`` that rebuilds it exactly from that form after a trip through the ledger's canonical
JSON, which writes whole floats as integers (``5000.0`` as ``5000``): every quantity read back
is turned into a float again where the value holds floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sharedsky.domain.acknowledgements import AckRequest, AckStatus, AckSubject
from sharedsky.domain.channels import Activation, NoticeKind, Priority
from sharedsky.domain.conflicts import (
    Conflict,
    ConflictState,
    ObjectRef,
    ObjectType,
    ResolvedReason,
)
from sharedsky.domain.heights import band_form, band_of
from sharedsky.domain.ids import AckId, ConflictId, NoticeId, OperatorId, PartyId, ZoneId
from sharedsky.domain.notices import Notice
from sharedsky.domain.priority import PriorityStatus
from sharedsky.domain.schedules import Occurrence, schedule_form, schedule_of
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.domain.zones import Zone, ZoneKind
from sharedsky.geo.outlines import outline_from_geojson, outline_to_geojson


def time_form(moment: datetime | None) -> str | None:
    """A time as a payload holds it (ISO 8601); None stays None."""
    return None if moment is None else moment.isoformat()


def time_of(text: object) -> datetime | None:
    """The time of ``time_form``; None for None."""
    return None if text is None else datetime.fromisoformat(str(text))


def _time(text: object) -> datetime:
    moment = time_of(text)
    if moment is None:
        raise ValueError("a time is missing")
    return moment


def floats(value: Any) -> Any:
    """``value`` (JSON) with every number a float: what a value that holds floats only (a
    region's coordinates, an alert's figures) was before canonical JSON wrote its whole floats
    as integers."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, Mapping):
        return {k: floats(v) for k, v in value.items()}
    return [floats(v) for v in value]


# -- volumes ---------------------------------------------------------------------------------


def volume_form(volume: Volume4D) -> dict[str, object]:
    """A volume's JSON form: its outline (GeoJSON or its extensions), band and window; a band
    filed on other datums than metres AMSL adds ``band``, as filed (its AMSL interval stays in
    ``alt_lo_m``/``alt_hi_m``, so a replay needs no geoid); a scheduled volume adds
    ``schedule`` (its window, the envelope, stays in ``start``/``end``)."""
    form: dict[str, object] = {
        "outline": outline_to_geojson(volume.outline),
        "alt_lo_m": volume.altitude.lower_m,
        "alt_hi_m": volume.altitude.upper_m,
        "start": time_form(volume.time.start),
        "end": time_form(volume.time.end),
    }
    if volume.altitude.filed is not None:
        form["band"] = band_form(volume.altitude.filed)
    if volume.schedule is not None:
        form["schedule"] = schedule_form(volume.schedule)
    return form


def volume_of(form: Mapping[str, Any]) -> Volume4D:
    """The volume of ``volume_form``."""
    return Volume4D(
        outline_from_geojson(form["outline"]),
        AltitudeBand(
            float(form["alt_lo_m"]),
            float(form["alt_hi_m"]),
            None if form.get("band") is None else band_of(form["band"]),
        ),
        TimeWindow(_time(form["start"]), time_of(form["end"])),
        None if form.get("schedule") is None else schedule_of(form["schedule"]),
    )


# -- notices and zones -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoticeContent:
    """What a notice's version holds besides what its event's own keys say (id, owner,
    version, lead time, late counterparties)."""

    kind: NoticeKind
    title: str
    remarks: str
    contact: str
    volumes: tuple[Volume4D, ...]
    filed_at: datetime
    updated_at: datetime
    priority_status: PriorityStatus | None = None
    """The version's operational priority; the form holds it only when set (so a version
    without one keeps the form it had before priority statuses)."""
    activation: Activation = Activation.AT_START
    """How the notice becomes active; the form holds it only when ``manual``, so a
    mechanism that activates at the start writes what it wrote before activation existed."""
    request_agreement: bool = False
    """The filer asks for agreement; the form holds it only when true."""

    @classmethod
    def of(cls, notice: Notice) -> NoticeContent:
        """The content of ``notice``."""
        return cls(
            notice.kind,
            notice.title,
            notice.remarks,
            notice.contact,
            notice.volumes,
            notice.filed_at,
            notice.updated_at,
            notice.priority_status,
            notice.activation,
            notice.request_agreement,
        )

    def form(self) -> dict[str, object]:
        """The JSON form (``priority_status`` only when set, ``activation`` only when
        ``manual``)."""
        form: dict[str, object] = {
            "kind": str(self.kind),
            "title": self.title,
            "remarks": self.remarks,
            "contact": self.contact,
            "volumes": [volume_form(v) for v in self.volumes],
            "filed_at": time_form(self.filed_at),
            "updated_at": time_form(self.updated_at),
        }
        if self.priority_status is not None:
            form["priority_status"] = str(self.priority_status)
        if self.activation is not Activation.AT_START:
            form["activation"] = str(self.activation)
        if self.request_agreement:
            form["request_agreement"] = True
        return form

    @classmethod
    def read(cls, form: Mapping[str, Any]) -> NoticeContent:
        """The content of ``form()``."""
        return cls(
            NoticeKind(form["kind"]),
            str(form["title"]),
            str(form["remarks"]),
            str(form["contact"]),
            tuple(volume_of(v) for v in form["volumes"]),
            _time(form["filed_at"]),
            _time(form["updated_at"]),
            _priority_of(form.get("priority_status")),
            Activation(form.get("activation", Activation.AT_START)),
            bool(form.get("request_agreement", False)),
        )


def _priority_of(value: object) -> PriorityStatus | None:
    """The priority status a form holds (None when absent)."""
    return None if value is None else PriorityStatus(str(value))


def notice_of(
    content: NoticeContent,
    notice_id: str,
    party: str,
    version: int,
    lead_time_s: float,
    late_for: tuple[str, ...],
) -> Notice:
    """The notice (not cancelled) that ``content`` and its event's keys describe."""
    return Notice(
        id=NoticeId(notice_id),
        party=PartyId(party),
        kind=content.kind,
        title=content.title,
        volumes=content.volumes,
        remarks=content.remarks,
        contact=content.contact,
        version=version,
        filed_at=content.filed_at,
        updated_at=content.updated_at,
        lead_time_s=lead_time_s,
        late_for=tuple(PartyId(p) for p in late_for),
        priority_status=content.priority_status,
        activation=content.activation,
        request_agreement=content.request_agreement,
    )


@dataclass(frozen=True, slots=True)
class ZoneContent:
    """What a zone's version holds besides its id, owner and version."""

    kind: ZoneKind
    title: str
    remarks: str
    volume: Volume4D
    declared_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, zone: Zone) -> ZoneContent:
        """The content of ``zone``."""
        return cls(
            zone.kind, zone.title, zone.remarks, zone.volume, zone.declared_at, zone.updated_at
        )

    def form(self) -> dict[str, object]:
        """The JSON form."""
        return {
            "kind": str(self.kind),
            "title": self.title,
            "remarks": self.remarks,
            "volume": volume_form(self.volume),
            "declared_at": time_form(self.declared_at),
            "updated_at": time_form(self.updated_at),
        }

    @classmethod
    def read(cls, form: Mapping[str, Any]) -> ZoneContent:
        """The content of ``form()``."""
        return cls(
            ZoneKind(form["kind"]),
            str(form["title"]),
            str(form["remarks"]),
            volume_of(form["volume"]),
            _time(form["declared_at"]),
            _time(form["updated_at"]),
        )

    def zone(self, zone_id: str, party: str, version: int) -> Zone:
        """The zone (not withdrawn) of this content."""
        return Zone(
            id=ZoneId(zone_id),
            party=PartyId(party),
            kind=self.kind,
            title=self.title,
            volume=self.volume,
            remarks=self.remarks,
            version=version,
            declared_at=self.declared_at,
            updated_at=self.updated_at,
        )


# -- acknowledgement requests ----------------------------------------------------------------


def ack_form(request: AckRequest) -> dict[str, object]:
    """An acknowledgement request's JSON form."""
    return {
        "id": request.id,
        "party": request.party,
        "subject": str(request.subject),
        "subject_id": request.subject_id,
        "subject_version": request.subject_version,
        "priority": str(request.priority),
        "requested_at": time_form(request.requested_at),
        "due_at": time_form(request.due_at),
        "status": str(request.status),
        "acked_at": time_form(request.acked_at),
        "acked_by": request.acked_by,
        "rung": request.rung,
    }


def ack_of(form: Mapping[str, Any]) -> AckRequest:
    """The request of ``ack_form``."""
    acked_by = form["acked_by"]
    return AckRequest(
        id=AckId(form["id"]),
        party=PartyId(form["party"]),
        subject=AckSubject(form["subject"]),
        subject_id=str(form["subject_id"]),
        subject_version=int(form["subject_version"]),
        priority=Priority(form["priority"]),
        requested_at=_time(form["requested_at"]),
        due_at=time_of(form["due_at"]),
        status=AckStatus(form["status"]),
        acked_at=time_of(form["acked_at"]),
        acked_by=None if acked_by is None else OperatorId(acked_by),
        rung=int(form["rung"]),
    )


# -- conflicts -------------------------------------------------------------------------------


def _ref_form(ref: ObjectRef) -> dict[str, object]:
    form: dict[str, object] = {
        "type": str(ref.type),
        "id": ref.id,
        "party": ref.party,
        "version": ref.version,
        "volume_index": ref.volume_index,
    }
    if ref.priority_status is not None:
        form["priority_status"] = str(ref.priority_status)
    if ref.occurrence is not None:
        form["occurrence"] = {
            "start": time_form(ref.occurrence.start),
            "end": time_form(ref.occurrence.end),
        }
    return form


def _ref_of(form: Mapping[str, Any]) -> ObjectRef:
    return ObjectRef(
        ObjectType(form["type"]),
        str(form["id"]),
        PartyId(form["party"]),
        int(form["version"]),
        int(form["volume_index"]),
        _priority_of(form.get("priority_status")),
        _occurrence_of(form.get("occurrence")),
    )


def _occurrence_of(form: Mapping[str, Any] | None) -> Occurrence | None:
    return None if form is None else Occurrence(_time(form["start"]), _time(form["end"]))


def conflict_form(conflict: Conflict) -> dict[str, object]:
    """A conflict's JSON form (its regions as GeoJSON; ``datum_margin_m`` and a side's
    ``priority_status`` only when set)."""
    form: dict[str, object] = {
        "id": conflict.id,
        "a": _ref_form(conflict.a),
        "b": _ref_form(conflict.b),
        "window_start": time_form(conflict.window_start),
        "window_end": time_form(conflict.window_end),
        "alt_lo_m": conflict.alt_lo_m,
        "alt_hi_m": conflict.alt_hi_m,
        "distance_m": conflict.distance_m,
        "region": conflict.region,
        "region_a": conflict.region_a,
        "region_b": conflict.region_b,
        "detected_at": time_form(conflict.detected_at),
        "expires_at": time_form(conflict.expires_at),
        "state": str(conflict.state),
        "resolved_at": time_form(conflict.resolved_at),
        "resolved_reason": None
        if conflict.resolved_reason is None
        else str(conflict.resolved_reason),
    }
    if conflict.datum_margin_m is not None:
        form["datum_margin_m"] = conflict.datum_margin_m
    return form


def _region(value: Any) -> dict[str, object] | None:
    """A region read back: GeoJSON whose numbers are all floats (coordinates)."""
    return None if value is None else dict(floats(value))


def conflict_of(form: Mapping[str, Any]) -> Conflict:
    """The conflict of ``conflict_form``."""
    region = _region(form["region"])
    reason = form["resolved_reason"]
    return Conflict(
        id=ConflictId(form["id"]),
        a=_ref_of(form["a"]),
        b=_ref_of(form["b"]),
        window_start=_time(form["window_start"]),
        window_end=time_of(form["window_end"]),
        alt_lo_m=float(form["alt_lo_m"]),
        alt_hi_m=float(form["alt_hi_m"]),
        distance_m=float(form["distance_m"]),
        region={} if region is None else region,
        region_a=_region(form["region_a"]),
        region_b=_region(form["region_b"]),
        detected_at=_time(form["detected_at"]),
        expires_at=time_of(form["expires_at"]),
        state=ConflictState(form["state"]),
        resolved_at=time_of(form["resolved_at"]),
        resolved_reason=None if reason is None else ResolvedReason(reason),
        datum_margin_m=None
        if form.get("datum_margin_m") is None
        else float(form["datum_margin_m"]),
    )
