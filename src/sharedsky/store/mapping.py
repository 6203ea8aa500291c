"""Rows ↔ domain values, by explicit functions (frozen dataclasses stay free of the ORM).

Every table's row as its repository writes it (``*_values``: column name → value) and the
domain value of a row as read back (``*_from_row``: the row's columns as attributes). Pure:
no SQLAlchemy here, so that the in-memory unit of work (``testing/memory.py``) keeps its rows
in exactly this form.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sharedsky.domain.acknowledgements import AckRequest, AckStatus, AckSubject
from sharedsky.domain.agreement import AgreementReply, Answer, Position
from sharedsky.domain.channels import Activation, NoticeKind, Priority
from sharedsky.domain.conflicts import (
    Conflict,
    ConflictState,
    ObjectRef,
    ObjectType,
    ResolvedReason,
)
from sharedsky.domain.deliveries import Delivery
from sharedsky.domain.escalation import EscalationRecord
from sharedsky.domain.event_data import floats, volume_form, volume_of
from sharedsky.domain.heights import band_form, band_of
from sharedsky.domain.ids import AckId, ConflictId, NoticeId, OperatorId, PartyId, ZoneId
from sharedsky.domain.incidents import Incident, incident_form, incident_of
from sharedsky.domain.messages import About, Message, MessageId, MessageReply
from sharedsky.domain.notices import Notice
from sharedsky.domain.operators import OperatorRecord, Role
from sharedsky.domain.priority import PriorityStatus
from sharedsky.domain.schedules import Occurrence, schedule_form, schedule_of
from sharedsky.domain.tactical import AlertKey, AlertKind, Severity, StoredAlert
from sharedsky.domain.templates import AboutType, Reply
from sharedsky.domain.volumes import AltitudeBand, StoredVolume, TimeWindow, Volume4D
from sharedsky.domain.webhooks import Webhook, WebhookAttempt
from sharedsky.domain.zones import Zone, ZoneKind
from sharedsky.geo.outlines import (
    Outline,
    outline_bbox,
    outline_from_geojson,
    outline_to_geojson,
)
from sharedsky.ledger.canonical import CanonicalizationError, JsonObject, canonical
from sharedsky.ledger.chain import Content, Entry, PartySig, format_time
from sharedsky.ledger.signing import KeyEntry, StoredKey, public_key_from_b64, public_key_to_b64
from sharedsky.units import OPEN_END_US, from_us, opt_from_us, opt_to_us, to_us

outline_from_json = outline_from_geojson
"""The outline of a stored (already validated) GeoJSON-like mapping."""


def outline_to_text(outline: Outline) -> str:
    """Compact JSON of an outline, every number a float (an outline given whole numbers is
    stored as the same outline read back from an event is)."""
    return json.dumps(floats(outline_to_geojson(outline)), separators=(",", ":"))


def volume_from_row(row: Any) -> Volume4D:
    """A Volume4D from a ``volumes`` row."""
    return Volume4D(
        outline_from_json(json.loads(row.outline)),
        AltitudeBand(
            row.alt_lo_m, row.alt_hi_m, None if row.band is None else band_of(json.loads(row.band))
        ),
        TimeWindow(from_us(row.t_start_us), opt_from_us(row.t_end_us)),
        None if row.schedule is None else schedule_of(json.loads(row.schedule)),
    )


def stored_volume_from_row(row: Any) -> StoredVolume:
    """A StoredVolume (its object, owner and version with the volume) from a ``volumes`` row."""
    return StoredVolume(
        ObjectType(row.object_type),
        row.object_id,
        row.volume_index,
        PartyId(row.party_id),
        row.version,
        volume_from_row(row),
    )


def volume_values(
    volume: Volume4D, object_type: ObjectType, object_id: str, index: int, party: PartyId
) -> dict[str, Any]:
    """Column values of a ``volumes`` row (``band``: the band as filed, when not in metres
    AMSL; ``alt_lo_m``/``alt_hi_m`` hold its AMSL interval, what the index searches;
    ``schedule``: a scheduled volume's schedule, its window the envelope)."""
    filed = volume.altitude.filed
    return {
        "object_type": str(object_type),
        "object_id": object_id,
        "volume_index": index,
        "party_id": party,
        "outline": outline_to_text(volume.outline),
        "alt_lo_m": volume.altitude.lower_m,
        "alt_hi_m": volume.altitude.upper_m,
        "band": None if filed is None else json.dumps(band_form(filed), separators=(",", ":")),
        "t_start_us": to_us(volume.time.start),
        "t_end_us": opt_to_us(volume.time.end),
        "schedule": None
        if volume.schedule is None
        else json.dumps(schedule_form(volume.schedule), separators=(",", ":")),
    }


def notice_from_row(row: Any, volumes: Sequence[Volume4D]) -> Notice:
    """A Notice from a ``notices`` row and its volumes in index order."""
    return Notice(
        id=NoticeId(row.id),
        party=PartyId(row.party_id),
        kind=NoticeKind(row.kind),
        title=row.title,
        volumes=tuple(volumes),
        remarks=row.remarks,
        contact=row.contact,
        version=row.version,
        filed_at=from_us(row.filed_us),
        updated_at=from_us(row.updated_us),
        lead_time_s=row.lead_time_s,
        late_for=tuple(PartyId(p) for p in json.loads(row.late_for)),
        cancelled_at=opt_from_us(row.cancelled_us),
        priority_status=_priority(row.priority_status),
        activation=Activation(row.activation),
        activated_at=opt_from_us(row.activated_us),
        released_at=opt_from_us(row.released_us),
        not_activated_at=opt_from_us(row.not_activated_us),
        request_agreement=bool(row.request_agreement),
    )


def _priority(text: str | None) -> PriorityStatus | None:
    return None if text is None else PriorityStatus(text)


def _priority_text(status: PriorityStatus | None) -> str | None:
    return None if status is None else str(status)


def notice_values(notice: Notice) -> dict[str, Any]:
    """Column values of a ``notices`` row (its time span and bounding box over every volume)
    as a version's content sets them: not the activation steps (``activated_us``,
    ``released_us``, ``not_activated_us``), which their own events set and a new version
    keeps."""
    boxes = [outline_bbox(v.outline) for v in notice.volumes]
    return {
        "id": notice.id,
        "party_id": notice.party,
        "kind": str(notice.kind),
        "title": notice.title,
        "remarks": notice.remarks,
        "contact": notice.contact,
        "version": notice.version,
        "filed_us": to_us(notice.filed_at),
        "updated_us": to_us(notice.updated_at),
        "cancelled_us": opt_to_us(notice.cancelled_at),
        "lead_time_s": notice.lead_time_s,
        "late_for": json.dumps(list(notice.late_for)),
        "t_start_us": to_us(notice.start),
        "t_end_us": to_us(notice.end),
        "min_lon": min(b[0] for b in boxes),
        "min_lat": min(b[1] for b in boxes),
        "max_lon": max(b[2] for b in boxes),
        "max_lat": max(b[3] for b in boxes),
        "priority_status": _priority_text(notice.priority_status),
        "activation": str(notice.activation),
        "request_agreement": notice.request_agreement,
    }


def zone_values(zone: Zone) -> dict[str, Any]:
    """Column values of a ``zones`` row."""
    return {
        "id": zone.id,
        "party_id": zone.party,
        "kind": str(zone.kind),
        "title": zone.title,
        "remarks": zone.remarks,
        "version": zone.version,
        "declared_us": to_us(zone.declared_at),
        "updated_us": to_us(zone.updated_at),
        "withdrawn_us": opt_to_us(zone.withdrawn_at),
    }


def zone_from_row(row: Any, volume: Volume4D) -> Zone:
    """A Zone from a ``zones`` row and its volume."""
    return Zone(
        id=ZoneId(row.id),
        party=PartyId(row.party_id),
        kind=ZoneKind(row.kind),
        title=row.title,
        volume=volume,
        remarks=row.remarks,
        version=row.version,
        declared_at=from_us(row.declared_us),
        updated_at=from_us(row.updated_us),
        withdrawn_at=opt_from_us(row.withdrawn_us),
    )


def _ref(row: Any, side: str) -> ObjectRef:
    return ObjectRef(
        type=ObjectType(getattr(row, f"{side}_type")),
        id=getattr(row, f"{side}_id"),
        party=PartyId(getattr(row, f"{side}_party")),
        version=getattr(row, f"{side}_version"),
        volume_index=getattr(row, f"{side}_volume"),
        priority_status=_priority(getattr(row, f"{side}_priority_status")),
        occurrence=_occurrence(row, side),
    )


def _occurrence(row: Any, side: str) -> Occurrence | None:
    start = getattr(row, f"{side}_occurrence_start_us")
    end = getattr(row, f"{side}_occurrence_end_us")
    return None if start is None else Occurrence(from_us(start), from_us(end))


def _geojson(text: str) -> dict[str, object]:
    return cast(dict[str, object], json.loads(text))


def conflict_from_row(row: Any) -> Conflict:
    """A Conflict from a ``conflicts`` row."""
    return Conflict(
        id=ConflictId(row.id),
        a=_ref(row, "a"),
        b=_ref(row, "b"),
        window_start=from_us(row.window_start_us),
        window_end=opt_from_us(row.window_end_us),
        alt_lo_m=row.alt_lo_m,
        alt_hi_m=row.alt_hi_m,
        distance_m=row.distance_m,
        region=_geojson(row.region),
        region_a=None if row.region_a is None else _geojson(row.region_a),
        region_b=None if row.region_b is None else _geojson(row.region_b),
        detected_at=from_us(row.detected_us),
        expires_at=opt_from_us(row.expires_us),
        state=ConflictState(row.state),
        resolved_at=opt_from_us(row.resolved_us),
        resolved_reason=None
        if row.resolved_reason is None
        else ResolvedReason(row.resolved_reason),
        datum_margin_m=row.datum_margin_m,
    )


def _region_text(value: dict[str, object]) -> str:
    """A region's column text: compact JSON, keys sorted (as the ledger's canonical JSON sorts
    them, so that a region read back from an event stores the same text)."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _opt_json(value: dict[str, object] | None) -> str | None:
    return None if value is None else _region_text(value)


def conflict_values(conflict: Conflict) -> dict[str, Any]:
    """Column values of a ``conflicts`` row."""
    values: dict[str, Any] = {"id": conflict.id}
    for side, ref in (("a", conflict.a), ("b", conflict.b)):
        values |= {
            f"{side}_type": str(ref.type),
            f"{side}_id": ref.id,
            f"{side}_party": ref.party,
            f"{side}_version": ref.version,
            f"{side}_volume": ref.volume_index,
            f"{side}_priority_status": _priority_text(ref.priority_status),
            f"{side}_occurrence_start_us": None
            if ref.occurrence is None
            else to_us(ref.occurrence.start),
            f"{side}_occurrence_end_us": None
            if ref.occurrence is None
            else to_us(ref.occurrence.end),
        }
    return values | {
        "window_start_us": to_us(conflict.window_start),
        "window_end_us": opt_to_us(conflict.window_end),
        "alt_lo_m": conflict.alt_lo_m,
        "alt_hi_m": conflict.alt_hi_m,
        "distance_m": conflict.distance_m,
        "region": _region_text(conflict.region),
        "region_a": _opt_json(conflict.region_a),
        "region_b": _opt_json(conflict.region_b),
        "detected_us": to_us(conflict.detected_at),
        "expires_us": opt_to_us(conflict.expires_at),
        "state": str(conflict.state),
        "resolved_us": opt_to_us(conflict.resolved_at),
        "resolved_reason": None
        if conflict.resolved_reason is None
        else str(conflict.resolved_reason),
        "datum_margin_m": conflict.datum_margin_m,
    }


def ack_values(request: AckRequest) -> dict[str, Any]:
    """Column values of an ``ack_requests`` row (no due time: ``OPEN_END_US``)."""
    return {
        "id": request.id,
        "party_id": request.party,
        "subject": str(request.subject),
        "subject_id": request.subject_id,
        "subject_version": request.subject_version,
        "priority": str(request.priority),
        "requested_us": to_us(request.requested_at),
        "due_us": OPEN_END_US if request.due_at is None else to_us(request.due_at),
        "status": str(request.status),
        "acked_us": opt_to_us(request.acked_at),
        "acked_by": request.acked_by,
        "rung": request.rung,
    }


def ack_from_row(row: Any) -> AckRequest:
    """An AckRequest from an ``ack_requests`` row."""
    return AckRequest(
        id=AckId(row.id),
        party=PartyId(row.party_id),
        subject=AckSubject(row.subject),
        subject_id=row.subject_id,
        subject_version=row.subject_version,
        priority=Priority(row.priority),
        requested_at=from_us(row.requested_us),
        due_at=None if row.due_us >= OPEN_END_US else from_us(row.due_us),
        status=AckStatus(row.status),
        acked_at=opt_from_us(row.acked_us),
        acked_by=None if row.acked_by is None else OperatorId(row.acked_by),
        rung=row.rung,
    )


def answer_values(reply: AgreementReply) -> dict[str, Any]:
    """The ``ack_requests`` columns that hold the answer to a request for agreement (a
    counter-proposal's volumes as compact JSON of their event form, every number a float, so
    that a replay writes the same text)."""
    return {
        "answer": str(reply.answer),
        "reason": reply.reason or None,
        "note": reply.note or None,
        "counter": json.dumps(
            [floats(volume_form(v)) for v in reply.volumes], separators=(",", ":")
        )
        if reply.volumes
        else None,
    }


def position_from_row(row: Any) -> Position:
    """A request for agreement and its answer (None while pending) from an ``ack_requests``
    row."""
    request = ack_from_row(row)
    if row.answer is None:
        return Position(request)
    volumes = () if row.counter is None else tuple(volume_of(v) for v in json.loads(row.counter))
    return Position(
        request, AgreementReply(Answer(row.answer), row.reason or "", row.note or "", volumes)
    )


def message_values(message: Message) -> dict[str, Any]:
    """Column values of a ``messages`` row (its parameters as sorted, compact JSON)."""
    return {
        "id": message.id,
        "thread": message.thread,
        "sender_party": message.sender,
        "sender_operator": message.sender_operator,
        "recipient_party": message.recipient,
        "priority": str(message.priority),
        "template": message.template,
        "params": json.dumps(dict(message.params), separators=(",", ":"), sort_keys=True),
        "text": message.text,
        "about_type": None if message.about is None else str(message.about.type),
        "about_id": None if message.about is None else message.about.id,
        "sent_us": to_us(message.sent_at),
        **reply_values(message.reply),
    }


def reply_values(reply: MessageReply | None) -> dict[str, Any]:
    """The ``messages`` columns of a reply (each None without one)."""
    return {
        "reply": None if reply is None else reply.reply.value,
        "replied_us": None if reply is None else to_us(reply.at),
        "replied_by": None if reply is None else reply.operator,
    }


def message_from_row(row: Any) -> Message:
    """A Message from a ``messages`` row."""
    about = None
    if row.about_type is not None and row.about_id is not None:
        about = About(AboutType(row.about_type), row.about_id)
    return Message(
        id=MessageId(row.id),
        thread=row.thread,
        sender=PartyId(row.sender_party),
        sender_operator=OperatorId(row.sender_operator),
        recipient=PartyId(row.recipient_party),
        priority=Priority(row.priority),
        template=row.template,
        params=json.loads(row.params),
        text=row.text,
        about=about,
        sent_at=from_us(row.sent_us),
        reply=None
        if row.reply is None
        else MessageReply(Reply(row.reply), OperatorId(row.replied_by), from_us(row.replied_us)),
    )


def alert_values(alert: StoredAlert) -> dict[str, Any]:
    """Column values of a ``tactical_alerts`` row."""
    return {
        "id": alert.id,
        "kind": str(alert.key.kind),
        "a_party": alert.key.a_party,
        "a_track": alert.key.a_track,
        "b_type": alert.key.b_type,
        "b_id": alert.key.b_id,
        "b_party": alert.key.b_party,
        "audience": json.dumps(list(alert.audience)),
        "severity": str(alert.severity),
        "figures": figures_text(alert.figures),
        "opened_us": to_us(alert.opened_at),
        "updated_us": to_us(alert.updated_at),
        "state": alert.state,
        "cleared_us": opt_to_us(alert.cleared_at),
    }


def figures_text(figures: Mapping[str, object]) -> str:
    """An alert's figures as the ``figures`` column holds them (JSON, keys sorted)."""
    return json.dumps(figures, sort_keys=True)


def alert_from_row(row: Any) -> StoredAlert:
    """A StoredAlert from a ``tactical_alerts`` row."""
    return StoredAlert(
        id=row.id,
        key=AlertKey(
            AlertKind(row.kind),
            PartyId(row.a_party),
            row.a_track,
            row.b_type,
            row.b_id,
            PartyId(row.b_party),
        ),
        audience=tuple(PartyId(p) for p in json.loads(row.audience)),
        severity=Severity(row.severity),
        figures=json.loads(row.figures),
        opened_at=from_us(row.opened_us),
        updated_at=from_us(row.updated_us),
        state=row.state,
        cleared_at=opt_from_us(row.cleared_us),
    )


def delivery_values(delivery: Delivery) -> dict[str, Any]:
    """Column values of a ``deliveries`` row (``concerns`` is not stored)."""
    return {
        "subject": delivery.subject,
        "subject_id": delivery.subject_id,
        "party_id": delivery.party,
        "delivered_us": to_us(delivery.delivered_at),
        "via": delivery.via,
    }


def delivery_from_row(row: Any) -> Delivery:
    """A Delivery from a ``deliveries`` row."""
    return Delivery(
        row.subject, row.subject_id, PartyId(row.party_id), from_us(row.delivered_us), row.via
    )


def escalation_values(record: EscalationRecord) -> dict[str, Any]:
    """Column values of an ``escalations`` row but its ``id`` (the database numbers it)."""
    return {
        "ack_id": record.ack_id,
        "party_id": record.party,
        "rung": record.rung,
        "rung_name": record.rung_name,
        "at_us": to_us(record.at),
        "next_due_us": opt_to_us(record.next_due),
    }


def escalation_from_row(row: Any) -> EscalationRecord:
    """An EscalationRecord from an ``escalations`` row."""
    return EscalationRecord(
        row.ack_id,
        PartyId(row.party_id),
        row.rung,
        row.rung_name,
        from_us(row.at_us),
        opt_from_us(row.next_due_us),
    )


def operator_values(operator: OperatorRecord, token_sha256: str, created_us: int) -> dict[str, Any]:
    """Column values of a new ``operators`` row (not revoked; changed when created)."""
    return {
        "id": operator.id,
        "party_id": operator.party,
        "name": operator.name,
        "token_sha256": token_sha256,
        "created_us": created_us,
        "role": operator.role.value,
        "expires_us": operator.expires_us,
        "revoked_us": None,
        "cert_subject": operator.cert_subject,
        "changed_us": created_us,
    }


def operator_from_row(row: Any) -> OperatorRecord:
    """An OperatorRecord from an ``operators`` row."""
    return OperatorRecord(
        OperatorId(row.id),
        PartyId(row.party_id),
        row.name,
        Role(row.role),
        row.created_us,
        row.expires_us,
        row.revoked_us,
        row.cert_subject,
    )


def hook_values(hook: Webhook) -> dict[str, Any]:
    """Column values of a new ``webhooks`` row (active, leased to nobody)."""
    return {
        "id": hook.id,
        "party_id": hook.party,
        "url": hook.url,
        "secret": hook.secret,
        "created_us": to_us(hook.created_at),
        "disabled_us": None,
        "cursor_seq": hook.cursor_seq,
        "attempts": hook.attempts,
        "next_attempt_us": to_us(hook.next_attempt_at),
    }


def hook_from_row(row: Any) -> Webhook:
    """A Webhook from a ``webhooks`` row."""
    return Webhook(
        id=row.id,
        party=PartyId(row.party_id),
        url=row.url,
        secret=row.secret,
        created_at=from_us(row.created_us),
        disabled_at=opt_from_us(row.disabled_us),
        cursor_seq=row.cursor_seq,
        attempts=row.attempts,
        next_attempt_at=from_us(row.next_attempt_us),
    )


def attempt_values(attempt: WebhookAttempt) -> dict[str, Any]:
    """Column values of a ``webhook_deliveries`` row but its ``id`` (the database numbers it)."""
    return {
        "webhook_id": attempt.webhook_id,
        "event_seq": attempt.event_seq,
        "event_type": attempt.event_type,
        "attempt": attempt.attempt,
        "status_code": attempt.status_code,
        "error": attempt.error,
        "sent_us": to_us(attempt.sent_at),
        "ok": attempt.ok,
        "dead": attempt.dead,
    }


def attempt_from_row(row: Any) -> WebhookAttempt:
    """A WebhookAttempt from a ``webhook_deliveries`` row."""
    return WebhookAttempt(
        webhook_id=row.webhook_id,
        event_seq=row.event_seq,
        event_type=row.event_type,
        attempt=row.attempt,
        status_code=row.status_code,
        error=row.error,
        sent_at=from_us(row.sent_us),
        ok=bool(row.ok),
        dead=bool(row.dead),
        id=row.id,
    )


def key_values(
    entry: KeyEntry, created_at: datetime, private_pem: str | None = None
) -> dict[str, Any]:
    """Column values of a new ``ledger_keys`` row (``private_pem``: the server's own key)."""
    return {
        "key_id": entry.key_id,
        "public_key": public_key_to_b64(entry.public_key),
        "owner": entry.owner,
        "operator_id": entry.operator,
        "private_pem": private_pem,
        "created_us": to_us(created_at),
    }


def key_entry_from_row(row: Any) -> KeyEntry:
    """The KeyEntry of a ``ledger_keys`` row."""
    return KeyEntry(row.key_id, public_key_from_b64(row.public_key), row.owner, row.operator_id)


def stored_key_from_row(row: Any) -> StoredKey:
    """The StoredKey of a ``ledger_keys`` row (when registered, when revoked)."""
    return StoredKey(key_entry_from_row(row), from_us(row.created_us), opt_from_us(row.revoked_us))


class LedgerAppendError(ValueError):
    """An event that cannot enter the ledger (its payload has no canonical JSON form)."""


def payload_text(payload: Mapping[str, object]) -> tuple[JsonObject, str]:
    """An event payload as plain JSON and its canonical text (RFC 8785), what the ``payload``
    column holds. Values that are not JSON (a datetime, an enum) are written as their ``str``,
    as the log always did; LedgerAppendError when there is no canonical form (NaN, say)."""
    try:
        return cast(JsonObject, payload), canonical(payload).decode()
    except CanonicalizationError:
        plain = json.loads(json.dumps(payload, default=str))
        try:
            return cast(JsonObject, plain), canonical(plain).decode()
        except CanonicalizationError as error:
            raise LedgerAppendError(f"the event payload has no canonical JSON: {error}") from error


def party_sig_text(party_sig: PartySig | None) -> str | None:
    """The submitter's signature as the ``party_sig`` column holds it."""
    return None if party_sig is None else json.dumps(party_sig.to_json(), sort_keys=True)


def event_values(entry: Entry, time: datetime, payload: str) -> dict[str, object]:
    """Column values of the ``events`` row of a new ``entry`` (recorded at ``time``, its
    payload's canonical text ``payload``, as ``payload_text`` gives it)."""
    assert entry.content is not None  # a new entry is never redacted
    content = entry.content
    return {
        "seq": entry.seq,
        "time_us": to_us(time),
        "actor": content.actor,
        "type": content.type,
        "payload": payload,
        "party_sig": party_sig_text(content.party_sig),
        "prev_hash": entry.prev_hash,
        "content_hash": entry.content_hash,
        "hash": entry.hash,
        "sig": entry.sig,
    }


def entry_from_row(row: Any) -> Entry:
    """The ledger entry an ``events`` row holds (read back exactly as it was hashed)."""
    sig = None if row.party_sig is None else json.loads(row.party_sig)
    party_sig = None if sig is None else PartySig(str(sig.get("key_id")), str(sig.get("sig")))
    content = Content(
        format_time(from_us(row.time_us)), row.actor, row.type, json.loads(row.payload), party_sig
    )
    return Entry(row.seq, row.prev_hash, row.content_hash, row.hash, row.sig, content)


def incident_values(incident: Incident) -> dict[str, object]:
    """The ``incidents`` row of ``incident``."""
    return {
        "id": incident.id,
        "party_id": incident.party,
        "filed_us": to_us(incident.filed_at),
        "record": json.dumps(incident_form(incident), sort_keys=True),
    }


def incident_from_record(record: str) -> Incident:
    """The incident whose row holds ``record`` (``incident_values``)."""
    return incident_of(json.loads(record))
