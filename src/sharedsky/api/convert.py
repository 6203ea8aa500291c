"""The only place that maps wire.v1 models ↔ domain values."""

from __future__ import annotations

from datetime import UTC, datetime

from sharedsky.domain.acknowledgements import AckRequest
from sharedsky.domain.channels import NoticeKind, Sharing
from sharedsky.domain.conflicts import ConflictState
from sharedsky.domain.errors import Forbidden
from sharedsky.domain.escalation import EscalationStep
from sharedsky.domain.ids import PartyId
from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.operators import OperatorRecord
from sharedsky.domain.tactical import OpenAlert, StoredAlert
from sharedsky.domain.tracks import TrackBatch, batch_of
from sharedsky.domain.visibility import ConflictView, NoticeView, Viewer, ZoneView
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.domain.zones import ZoneDraft, ZoneKind
from sharedsky.geo import outlines as geo
from sharedsky.geo.outlines import outline_to_geojson
from sharedsky.service.operators import IssuedToken
from sharedsky.units import from_us, to_us
from sharedsky.wire import v1


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def outline_in(model: v1.PolygonOutline | v1.CircleOutline | v1.CorridorOutline) -> geo.Outline:
    """A geo outline from its wire form."""
    if isinstance(model, v1.PolygonOutline):
        return geo.PolygonOutline(
            tuple(tuple((p[0], p[1]) for p in ring) for ring in model.coordinates)
        )
    if isinstance(model, v1.CircleOutline):
        return geo.CircleOutline(model.center, model.radius_m)
    return geo.CorridorOutline(tuple(model.path), model.half_width_m)


def volume_in(model: v1.Volume) -> Volume4D:
    """A Volume4D from its wire form (times converted to UTC)."""
    end = model.time.end
    return Volume4D(
        outline_in(model.outline),
        AltitudeBand(model.altitude.lower_m, model.altitude.upper_m),
        TimeWindow(_utc(model.time.start), None if end is None else _utc(end)),
    )


def notice_draft(model: v1.NoticeIn) -> NoticeDraft:
    """A notice draft from the filing request."""
    return NoticeDraft(
        kind=NoticeKind(model.kind),
        title=model.title,
        volumes=tuple(volume_in(v) for v in model.volumes),
        remarks=model.remarks,
        contact=model.contact,
    )


def zone_draft(model: v1.ZoneIn) -> ZoneDraft:
    """A zone draft from the declaration request."""
    return ZoneDraft(ZoneKind(model.kind), model.title, volume_in(model.volume), model.remarks)


def volume_out(volume: Volume4D) -> v1.Volume:
    """The wire form of a volume."""
    return v1.Volume.model_validate(_volume_dict(volume))


def _volume_dict(volume: Volume4D) -> dict[str, object]:
    return {
        "outline": outline_to_geojson(volume.outline),
        "altitude": {"lower_m": volume.altitude.lower_m, "upper_m": volume.altitude.upper_m},
        "time": {"start": volume.time.start, "end": volume.time.end},
    }


def notice_out(view: NoticeView, now: datetime) -> dict[str, object]:
    """The wire fields of a notice as seen (a dict, so subclasses can extend it)."""
    notice = view.notice
    return {
        "id": notice.id,
        "party": notice.party,
        "kind": str(notice.kind),
        "title": notice.title,
        "version": notice.version,
        "status": str(notice.status(now)),
        "filed_at": notice.filed_at,
        "updated_at": notice.updated_at,
        "cancelled_at": notice.cancelled_at,
        "lead_time_s": notice.lead_time_s,
        "late": notice.late,
        "late_for": list(notice.late_for),
        "volumes": [
            _volume_dict(v) | {"index": i}
            for i, v in zip(view.volume_indexes, notice.volumes, strict=True)
        ],
        "remarks": notice.remarks,
        "contact": notice.contact,
        "redacted": view.redacted,
    }


def conflict_out(view: ConflictView, viewer: Viewer, now: datetime) -> v1.ConflictOut:
    """The wire form of a conflict as ``viewer`` sees it (``with`` = the other side)."""
    conflict = view.conflict
    if viewer.is_host or not conflict.involves(viewer.party):
        own, other = conflict.a, conflict.b
    else:
        own, other = conflict.side_of(viewer.party), conflict.other_side(viewer.party)
    state = conflict.state_at(now)
    reason = conflict.reason_at(now)
    return v1.ConflictOut.model_validate(
        {
            "id": conflict.id,
            "state": str(state),
            "resolved_reason": None if reason is None else str(reason),
            "with": {
                "type": str(other.type),
                "id": None if view.other_id_hidden else other.id,
                "party": other.party,
            },
            "own": {
                "type": str(own.type),
                "id": own.id,
                "party": own.party,
                "version": own.version,
                "volume_index": own.volume_index,
            },
            "window": {"start": conflict.window_start, "end": conflict.window_end},
            "altitude": {"lower_m": conflict.alt_lo_m, "upper_m": conflict.alt_hi_m},
            "distance_m": round(conflict.distance_m, 3),
            "region": conflict.region,
            "detected_at": conflict.detected_at,
            "resolved_at": conflict.resolved_at
            if state is ConflictState.RESOLVED and conflict.resolved_at
            else (conflict.expires_at if state is ConflictState.RESOLVED else None),
        }
    )


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
        "volume": _volume_dict(zone.volume),
        "remarks": zone.remarks,
        "declared_at": zone.declared_at,
        "updated_at": zone.updated_at,
        "withdrawn_at": zone.withdrawn_at,
        "redacted": view.redacted,
    }


def ack_out(request: AckRequest) -> v1.AckOut:
    """The wire form of an acknowledgement request."""
    return v1.AckOut(
        subject=request.subject.value,
        subject_id=request.subject_id,
        version=request.subject_version,
        party=request.party,
        status=request.status.value,
        priority=request.priority.value,
        requested_at=request.requested_at,
        due_at=request.due_at,
        acked_at=request.acked_at,
        acked_by=request.acked_by,
        rung=request.rung,
    )


def ack_state(request: AckRequest) -> v1.AckState:
    """The short wire form of an acknowledgement shown with its subject."""
    return v1.AckState(
        party=request.party,
        version=request.subject_version,
        status=request.status.value,
        priority=request.priority.value,
        requested_at=request.requested_at,
        due_at=request.due_at,
        acked_at=request.acked_at,
        acked_by=request.acked_by,
    )


_NOT_OWN = "a party reports its own tracks only, not those of {!r}"


def track_batch_in(party: PartyId, body: v1.TracksIn) -> tuple[TrackBatch, bool]:
    """The batch of a POST /v1/tracks body, and whether it came in columns; Forbidden when a
    state names another party."""
    if body.columns is not None:
        c = body.columns
        for index, named in enumerate(c.party or []):
            if named != party:
                raise Forbidden(_NOT_OWN.format(named), ("columns", "party", index))
        n = len(c.id)
        columns = {
            "lat": c.lat,
            "lon": c.lon,
            "alt_m": c.alt_m,
            "gs_mps": c.gs_mps,
            "trk_deg": c.trk_deg,
            "vs_mps": c.vs_mps if c.vs_mps is not None else [0.0] * n,
        }
        times = [t.timestamp() for t in c.time]
        return batch_of(party, c.id, times, columns, c.notice_id), True
    states = body.tracks or []
    for index, state in enumerate(states):
        if state.party is not None and state.party != party:
            raise Forbidden(_NOT_OWN.format(state.party), ("tracks", index, "party"))
    columns = {
        "lat": [s.lat for s in states],
        "lon": [s.lon for s in states],
        "alt_m": [s.alt_m for s in states],
        "gs_mps": [s.gs_mps for s in states],
        "trk_deg": [s.trk_deg for s in states],
        "vs_mps": [s.vs_mps for s in states],
    }
    ids = [s.id for s in states]
    times = [s.time.timestamp() for s in states]
    return batch_of(party, ids, times, columns, [s.notice_id for s in states]), False


def tactical_out(
    alert: StoredAlert, live: OpenAlert | None, viewer: Viewer, mechanism: Mechanism
) -> v1.TacticalConflictOut:
    """A tactical alert as ``viewer`` sees it, with the latest figures when it is live; the
    other side's id is withheld where the viewer's channel with its owner is ``host_only``."""
    key = alert.key

    def side(kind: str, object_id: str, party: PartyId) -> v1.TacticalSide:
        hidden = (
            not viewer.is_host
            and party != viewer.party
            and mechanism.channel(viewer.party, party).sharing is Sharing.HOST_ONLY
        )
        return v1.TacticalSide(type=kind, id=None if hidden else object_id, party=party)

    return v1.TacticalConflictOut(
        id=alert.id,
        category=str(key.kind),
        severity=str(live.severity if live is not None else alert.severity),
        state=alert.state,
        a=side("track", key.a_track, key.a_party),
        b=side(key.b_type, key.b_id, key.b_party),
        figures=dict(live.figures if live is not None else alert.figures),
        opened_at=_utc(alert.opened_at),
        updated_at=_utc(live.last_found if live is not None else alert.updated_at),
        cleared_at=None if alert.cleared_at is None else _utc(alert.cleared_at),
    )


def escalation_out(step: EscalationStep) -> v1.EscalationOut:
    """The wire form of an escalation step (a step with no next due time reached the host)."""
    record = step.record
    return v1.EscalationOut(
        ack=record.ack_id,
        subject=step.subject,
        subject_id=step.subject_id,
        party=record.party,
        rung=record.rung,
        rung_name=record.rung_name,
        to_host=record.next_due is None,
        requested_at=_utc(step.requested_at),
        at=_utc(record.at),
        next_due_at=None if record.next_due is None else _utc(record.next_due),
    )


def operator_out(record: OperatorRecord, now: datetime) -> v1.OperatorOut:
    """An operator as its admins see it (never its token)."""
    return v1.OperatorOut(
        id=record.id,
        party=record.party,
        role=record.role.value,
        created_at=from_us(record.created_us),
        expires_at=None if record.expires_us is None else from_us(record.expires_us),
        revoked_at=None if record.revoked_us is None else from_us(record.revoked_us),
        cert_subject=record.cert_subject,
        active=record.active(to_us(now)),
    )


def operator_token(issued: IssuedToken, now: datetime) -> v1.OperatorToken:
    """An operator with its new token (shown once)."""
    return v1.OperatorToken(operator=operator_out(issued.operator, now), token=issued.token)
