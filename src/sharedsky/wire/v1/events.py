"""The data of one Server-Sent Event of ``GET /v1/events``, and the payload of each event type.

``EventOut`` is what a stream, a webhook and the SDK carry; its ``payload`` is one of the models
below, chosen by ``type`` (``EVENT_PAYLOADS``). The same payloads are the ledger entries'
content (``GET /v1/ledger``). A payload is cut to what the receiver may see: a conflict's or an
alert's other side may come with its id withheld (``null``), and a notice's or zone's
``conflicts`` and ``late_for`` with the entries the receiver may not see left out.
"""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

from sharedsky.wire.v1.common import WireModel

Side = tuple[str, str | None, str]
"""One side of a conflict or alert: ``[type, id, party]``; the id is null where withheld."""
Position = tuple[float, float, float]
"""A track's position when the alert was raised: ``[lon_deg, lat_deg, alt_m]``."""


class Payload(BaseModel):
    """Base of the payloads: unknown fields are refused, ``from`` is spelled as on the wire."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


Record = dict[str, Any]
"""A value an event carries whole for the state tables (``domain/event_data.py``: times in ISO
8601, quantities with their unit in their name). A receiver gets it only when it may see all of
it; otherwise it is cut, as the reads cut, or left out."""

_AT = Field(None, description="When the change took effect (server clock, UTC).")
_ACKS = Field(
    None,
    description="The acknowledgement requests the change creates (a party: only its own).",
)
_SETTLED = Field(
    None, description="The ids of the acknowledgement requests settled (the acknowledging party's)."
)
_OPERATOR = Field(None, description="The operator who acted (the acting party's own view).")


class NoticeFiledPayload(Payload):
    """``notice.filed``, ``notice.amended`` and ``notice.released`` (its owner released it
    early: the new version's volumes end at the release): a notice's new version and its
    open conflicts."""

    notice: str
    party: str
    version: int
    lead_time_s: float
    late_for: list[str]
    """Counterparties for which the notice came later than their minimum lead time (a
    counterparty sees only itself here)."""
    conflicts: list[str]
    content: Record | None = Field(
        None,
        description="The version's kind, title, remarks, contact, volumes (a recurring one "
        "with its schedule), filed_at, "
        "updated_at, priority_status (only when set) and activation (only when manual): for "
        "the owner, the host and a counterparty that sees the whole notice.",
    )
    acks: list[Record] | None = _ACKS


class NoticeActivatedPayload(Payload):
    """``notice.activated``: the owner activated its notice; an early activation (before the
    window's start) comes with ``flash`` priority and asks each counterparty that sees the
    notice to acknowledge it by the flash deadline."""

    notice: str
    party: str
    version: int
    at: AwareDatetime
    early: bool
    priority: str
    acks: list[Record] | None = _ACKS


class NoticeNotActivatedPayload(Payload):
    """``notice.not_activated``: a notice that waits for manual activation was still not
    activated ``grace_s`` seconds after its ``start`` (sent once, to both sides)."""

    notice: str
    party: str
    version: int
    start: AwareDatetime
    grace_s: int
    at: AwareDatetime


class NoticeCancelledPayload(Payload):
    """``notice.cancelled``."""

    notice: str
    version: int
    at: AwareDatetime | None = _AT


class NoticeAcknowledgedPayload(Payload):
    """``notice.acknowledged``: a counterparty acknowledged a notice's version."""

    notice: str
    version: int
    party: str
    operator: str | None = _OPERATOR
    at: AwareDatetime | None = _AT
    acknowledged: list[str] | None = _SETTLED
    receipt: Record | None = Field(
        None, description="The receipt given unasked (the acknowledging party's own view)."
    )


class NoticeAgreedPayload(Payload):
    """``notice.agreed``, ``notice.denied`` (with ``reason``) and ``notice.countered`` (with
    the counter-proposal's ``volumes`` and ``note``; its id is ``request``): a counterparty's
    answer to a notice's request for agreement, for the filer, that counterparty and the
    host."""

    notice: str
    version: int
    party: str
    operator: str
    at: AwareDatetime
    request: str
    reason: str | None = None
    note: str | None = None
    volumes: list[Record] | None = None


class NoticeCounterAcceptedPayload(NoticeFiledPayload):
    """``notice.counter_accepted``: the filer accepted the counter-proposal ``counter``: the
    notice's new version carries its volumes (as an amendment)."""

    counter: str


class ZoneDeclaredPayload(Payload):
    """``zone.declared``."""

    zone: str
    party: str
    conflicts: list[str]
    content: Record | None = Field(
        None,
        description="The zone's kind, title, remarks, volume, declared_at and updated_at: for "
        "the owner, the host and a counterparty that sees the whole zone.",
    )


class ZoneAmendedPayload(Payload):
    """``zone.amended``."""

    zone: str
    version: int
    conflicts: list[str]
    party: str | None = None
    content: Record | None = Field(None, description="As for ``zone.declared``.")


class ZoneWithdrawnPayload(Payload):
    """``zone.withdrawn``."""

    zone: str
    at: AwareDatetime | None = _AT


class ConflictDetectedPayload(Payload):
    """``conflict.detected``: two volumes clash from ``window_start_us`` (µs since the epoch)."""

    conflict: str
    a: Side
    b: Side
    window_start_us: int
    record: Record | None = Field(
        None,
        description="The whole conflict (sides with versions, volumes, priority statuses "
        "and occurrences of a scheduled volume (each only when set), window, band, distance, "
        "regions): withheld where the other side's id is.",
    )
    acks: list[Record] | None = _ACKS


class ConflictAcknowledgedPayload(Payload):
    """``conflict.acknowledged``."""

    conflict: str
    version: int
    party: str
    operator: str | None = _OPERATOR
    at: AwareDatetime | None = _AT
    acknowledged: list[str] | None = _SETTLED


class ConflictResolvedPayload(Payload):
    """``conflict.resolved``: ``reason`` is amended, cancelled, withdrawn or expired."""

    conflict: str
    reason: str
    at: AwareDatetime | None = _AT


class AboutOut(Payload):
    """The object a message is about."""

    type: str
    id: str


class MessageSentPayload(Payload):
    """``message.sent``: the recipient owes acknowledgement ``ack`` by ``due_at``."""

    message: str
    thread: str
    sender: str = Field(alias="from")
    to: str
    priority: str
    template: str | None
    params: dict[str, Any]
    text: str | None
    about: AboutOut | None
    ack: str
    due_at: AwareDatetime | None
    operator: str | None = Field(None, description="The sender's operator.")
    at: AwareDatetime | None = _AT


class MessageAcknowledgedPayload(Payload):
    """``message.acknowledged``."""

    message: str
    thread: str
    sender: str = Field(alias="from")
    to: str
    party: str
    operator: str
    at: AwareDatetime | None = _AT
    acknowledged: list[str] | None = _SETTLED


class MessageRepliedPayload(Payload):
    """``message.replied``: the recipient answered with ``reply`` (one its template declares),
    which acknowledged the message too."""

    message: str
    thread: str
    sender: str = Field(alias="from")
    to: str
    reply: str
    """``WILCO``, ``UNABLE``, ``AFFIRM`` or ``NEGATIVE``."""
    party: str
    operator: str
    at: AwareDatetime | None = _AT
    acknowledged: list[str] | None = _SETTLED


class TacticalPayload(Payload):
    """``tactical.detected`` and ``tactical.updated``: a live clash and its figures. Which
    figures come depends on ``kind``: separation (two tracks: ``tcpa_s``, ``dcpa_m``, ``dv_m``,
    ``t_in_s``, ``t_out_s``, both positions), intrusion (a track and a zone: ``zone_kind``,
    ``t_entry_s``, ``t_exit_s``, ``distance_m``) or conformance (a track and its own notice:
    ``status``, ``t_exit_s``); each track side's callsign when its feed gave one (withheld with
    the side's id)."""

    conflict: str
    kind: str
    severity: str
    a: Side
    b: Side
    to: list[str]
    tcpa_s: float | None = None
    dcpa_m: float | None = None
    dv_m: float | None = None
    t_in_s: float | None = None
    t_out_s: float | None = None
    zone_kind: str | None = None
    t_entry_s: float | None = None
    t_exit_s: float | None = None
    distance_m: float | None = None
    status: str | None = None
    a_position: Position | None = None
    b_position: Position | None = None
    a_callsign: str | None = Field(
        None, description="The callsign of side a's track, when its feed gave one."
    )
    b_callsign: str | None = Field(
        None, description="The callsign of side b's track (separation), when known."
    )
    datum_margin_m: float | None = Field(
        None,
        description="Separation of tracks on different datums found only by widening their"
        " vertical gap over the QNH range: the least gap at the nominal QNH during the loss.",
    )
    at: AwareDatetime | None = _AT
    acks: list[Record] | None = _ACKS
    superseded: list[str] | None = Field(
        None, description="Parties whose pending requests a rise to warning superseded."
    )


class TacticalClearedPayload(Payload):
    """``tactical.cleared``."""

    conflict: str
    kind: str
    a: Side
    b: Side
    to: list[str]
    at: AwareDatetime | None = _AT


class TacticalAcknowledgedPayload(Payload):
    """``tactical.acknowledged``: the parties the alert went to see who acknowledged it."""

    conflict: str
    version: int
    party: str
    to: list[str]
    operator: str | None = _OPERATOR
    at: AwareDatetime | None = _AT
    acknowledged: list[str] | None = _SETTLED


class AckEscalatedPayload(Payload):
    """``ack.escalated``: an acknowledgement came late and climbed a rung of its party's ladder
    (times in µs since the epoch)."""

    ack: str
    subject: str
    subject_id: str
    party: str
    rung: int
    rung_name: str
    operators: list[str]
    to_host: bool
    due_was_us: int | None
    next_due_us: int | None
    at: AwareDatetime | None = _AT


class AckLapsedPayload(Payload):
    """``ack.lapsed`` (ledger only): an overdue request is owed no more."""

    ack: str
    party: str


class AckParkedPayload(Payload):
    """``ack.parked`` (ledger only): an overdue request at the top of its ladder stays
    pending with no further due time."""

    ack: str
    party: str
    rung: int


class DeliveryRecordedPayload(Payload):
    """``delivery.recorded`` (ledger only): an object first reached a party."""

    subject: str
    id: str
    party: str
    via: str
    delivered_at: AwareDatetime
    concerns: list[str]


class MechanismLoadedPayload(Payload):
    """``mechanism.loaded`` (the host's)."""

    mechanism: str


class OperatorAddedPayload(Payload):
    """``operator.added`` (the host's)."""

    operator: str
    party: str
    role: str
    expires_at: AwareDatetime | None
    cert_subject: str | None


class OperatorChangedPayload(Payload):
    """``operator.revoked`` and ``operator.rotated`` (the host's)."""

    operator: str
    party: str


class KeyRegisteredPayload(Payload):
    """``ledger.key_registered`` (the host's)."""

    key_id: str
    public_key: str
    party: str
    operator: str
    by: str


class KeyRevokedPayload(Payload):
    """``ledger.key_revoked`` (the host's)."""

    key_id: str
    party: str
    operator: str
    by: str


class WebhookChangedPayload(Payload):
    """``webhook.registered`` and ``webhook.deleted`` (the host's)."""

    webhook: str
    party: str


class IncidentFiledPayload(Payload):
    """``incident.filed``: a party (or the host, ``from``) filed an incident that happened at
    ``at`` at ``position`` ([lon, lat]), about the related notices, zones, conflicts and
    tracks; ``timeline`` lists the seqs of the ledger entries about them; each party in
    ``to`` owes an acknowledgement."""

    incident: str
    sender: str = Field(alias="from")
    to: list[str]
    operator: str
    at: AwareDatetime
    position: list[float]
    narrative: str
    notices: list[str]
    zones: list[str]
    conflicts: list[str]
    tracks: list[str]
    timeline: list[int]
    filed_at: AwareDatetime
    acks: list[Record] | None = _ACKS


class IncidentAcknowledgedPayload(Payload):
    """``incident.acknowledged``: ``party``, one the incident was sent to, acknowledged it."""

    incident: str
    sender: str = Field(alias="from")
    to: list[str]
    party: str
    operator: str
    at: AwareDatetime
    acknowledged: list[str]


class ReportPublishedPayload(Payload):
    """``report.published`` (the host's): the review of ``[start, end)`` was published; the
    report file hashes to ``sha256``, read the ledger up to ``head_seq`` and is signed by the
    server key ``key_id`` (``sig``)."""

    sha256: str
    start: AwareDatetime
    end: AwareDatetime
    head_seq: int
    key_id: str
    sig: str
    format: str


EVENT_PAYLOADS: dict[str, type[Payload]] = {
    "notice.filed": NoticeFiledPayload,
    "notice.amended": NoticeFiledPayload,
    "notice.cancelled": NoticeCancelledPayload,
    "notice.acknowledged": NoticeAcknowledgedPayload,
    "notice.activated": NoticeActivatedPayload,
    "notice.released": NoticeFiledPayload,
    "notice.not_activated": NoticeNotActivatedPayload,
    "notice.agreed": NoticeAgreedPayload,
    "notice.denied": NoticeAgreedPayload,
    "notice.countered": NoticeAgreedPayload,
    "notice.counter_accepted": NoticeCounterAcceptedPayload,
    "zone.declared": ZoneDeclaredPayload,
    "zone.amended": ZoneAmendedPayload,
    "zone.withdrawn": ZoneWithdrawnPayload,
    "conflict.detected": ConflictDetectedPayload,
    "conflict.resolved": ConflictResolvedPayload,
    "conflict.acknowledged": ConflictAcknowledgedPayload,
    "message.sent": MessageSentPayload,
    "message.acknowledged": MessageAcknowledgedPayload,
    "message.replied": MessageRepliedPayload,
    "tactical.detected": TacticalPayload,
    "tactical.updated": TacticalPayload,
    "tactical.cleared": TacticalClearedPayload,
    "tactical.acknowledged": TacticalAcknowledgedPayload,
    "ack.escalated": AckEscalatedPayload,
    "ack.lapsed": AckLapsedPayload,
    "ack.parked": AckParkedPayload,
    "delivery.recorded": DeliveryRecordedPayload,
    "mechanism.loaded": MechanismLoadedPayload,
    "operator.added": OperatorAddedPayload,
    "operator.revoked": OperatorChangedPayload,
    "operator.rotated": OperatorChangedPayload,
    "ledger.key_registered": KeyRegisteredPayload,
    "ledger.key_revoked": KeyRevokedPayload,
    "webhook.registered": WebhookChangedPayload,
    "webhook.deleted": WebhookChangedPayload,
    "incident.filed": IncidentFiledPayload,
    "incident.acknowledged": IncidentAcknowledgedPayload,
    "report.published": ReportPublishedPayload,
}
"""The payload of each event type: the wire's contract, which ``domain.events`` fills (a test
holds the two to each other) and the console's ``web/src/event-types.json`` lists."""


class EventOut(WireModel):
    """One event as the receiving operator may see it; the SSE ``id`` repeats ``seq``."""

    seq: int
    """Global sequence number: increases along a stream, with gaps where events were withheld."""
    time: AwareDatetime
    """When the change was committed (server clock, UTC)."""
    type: str = Field(json_schema_extra={"enum": list[JsonValue](sorted(EVENT_PAYLOADS))})
    """The event type, as in the SSE ``event`` field: a key of ``EVENT_PAYLOADS``."""
    actor: str
    """The operator who caused the event, or ``system``."""
    payload: dict[str, Any]
    """The event's payload (the model ``EVENT_PAYLOADS[type]``), cut to what the receiver may
    see."""


def payload_of(event_type: str, payload: dict[str, Any]) -> Payload:
    """The typed payload of an event of ``event_type``; ValueError for a type not listed,
    pydantic's ValidationError for a payload that does not fit."""
    model = EVENT_PAYLOADS.get(event_type)
    if model is None:
        raise ValueError(f"unknown event type {event_type!r}")
    return model.model_validate(payload)


def console_types() -> dict[str, list[str]]:
    """Each event type with its payload's fields (wire names), for the console
    (``web/src/event-types.json``, written by ``make openapi``)."""
    return {
        name: sorted(f.alias or key for key, f in model.model_fields.items())
        for name, model in EVENT_PAYLOADS.items()
    }
