"""The events a write produces: one frozen dataclass per event type, with its data and its
audience.

A use case decides what happened and says it as events; the unit of work appends each to the
ledger with ``payload()`` as the entry's payload (its JSON form, exactly as the ledger and the
streams carry it). ``TYPE`` is the name the ledger, the streams (SSE ``event``) and the
webhooks use; ``AUDIENCE`` is the rule that says who receives the event on a stream
(``service/stream.py`` applies it with ``domain.visibility``). Nothing else spells an event
type's name: the stream, the statistics and the clients ask this module.

An event that changes the state tables carries every value its rows need (``DETAIL``: the
payload keys that hold them, beside the keys each type had before them), so that applying it
(``service/projection.py``) gives the rows, and ``from_payload`` rebuilds the event exactly from
its ledger payload. A stream cuts or drops the ``DETAIL`` keys as its viewer may see them
(``service/stream.py``).

A *side* of a conflict or tactical alert travels as a three-item list ``[type, id, party]``;
``Side`` reads and writes that form.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, NamedTuple, Self

from sharedsky.domain.acknowledgements import AckRequest
from sharedsky.domain.conflicts import Conflict
from sharedsky.domain.event_data import (
    NoticeContent,
    ZoneContent,
    ack_form,
    ack_of,
    conflict_form,
    conflict_of,
    floats,
    volume_form,
    volume_of,
)
from sharedsky.domain.volumes import Volume4D


class Audience(StrEnum):
    """Who receives an event on a stream (the host receives every event but ``LEDGER``)."""

    NOTICE = "notice"
    """Whoever may see the notice (``see_notice``); its conflicts and ``late_for`` are cut to
    what the viewer may see."""
    NOTICE_PARTIES = "notice-parties"
    """The notice's owner and the party that acknowledged it (``party``)."""
    ZONE = "zone"
    """Whoever may see the zone (``see_zone``); its conflicts are cut as for a notice."""
    CONFLICT = "conflict"
    """Whoever may see the conflict (``see_conflict``); under ``host_only`` the other side's
    id is withheld."""
    NAMED = "named"
    """The parties named in ``from`` and ``to``."""
    NAMED_SIDES = "named-sides"
    """The parties named in ``to``; the other side's id is withheld from a party whose channel
    with its owner is ``host_only``."""
    OWN_PARTY = "own-party"
    """The party the event is about (``party``): the operators it names (``operators``), or
    all of the party's operators when it names none."""
    HOST = "host"
    """The host alone."""
    LEDGER = "ledger"
    """No stream (the host's neither): kept for the ledger and its export."""


class Side(NamedTuple):
    """One side of a conflict or tactical alert: what it is, its id and its owner. The id is
    None where it is withheld from the viewer."""

    type: str
    id: str | None
    party: str

    @classmethod
    def read(cls, value: object) -> Side | None:
        """The side a payload holds as ``[type, id, party]``; None for anything else."""
        if isinstance(value, list) and len(value) == 3:
            kind, id_, party = value
            if (
                isinstance(kind, str)
                and isinstance(party, str)
                and (id_ is None or isinstance(id_, str))
            ):
                return cls(kind, id_, party)
        return None

    def form(self) -> list[str | None]:
        """The payload's form of this side."""
        return [self.type, self.id, self.party]

    def withheld(self) -> Side:
        """This side with its id withheld."""
        return self._replace(id=None)


@dataclass(frozen=True, slots=True)
class Event:
    """What every event has: its type's name and audience, and its payload."""

    TYPE: ClassVar[str]
    AUDIENCE: ClassVar[Audience]
    DELIVERS: ClassVar[str | None] = None
    """The payload key of the object whose first delivery to a party is recorded (the lead
    time and the ledger's proof of notice count it); None: none."""
    ORIGINATOR: ClassVar[str | None] = None
    """The payload key of the party that made the object: its own receipt is no delivery."""

    KEYS: ClassVar[Mapping[str, str]] = {}
    """Payload keys that differ from the field's name (``from`` is a Python keyword)."""
    DETAIL: ClassVar[frozenset[str]] = frozenset()
    """The payload keys of the full data the state tables need, added beside the keys the
    streams carried before them; a stream cuts them to what its viewer may see."""

    def payload(self) -> dict[str, object]:
        """The event's data as the ledger entry's payload: each field under its name (or its
        ``KEYS`` entry), in its JSON form (a side or tuple as a list, a time in ISO 8601, a
        record in its form of ``domain/event_data.py``); fields marked ``payload=False`` (a
        hint computed before the transaction) are left out."""
        return {
            self.KEYS.get(f.name, f.name): _plain(getattr(self, f.name))
            for f in fields(self)
            if f.metadata.get("payload", True)
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """The event whose ``payload()`` is ``payload`` (read back from the ledger): equal to
        the event that wrote it. KeyError or ValueError for a payload of another shape."""
        hints = _field_types(cls)
        values = {
            f.name: _read(hints[f.name], payload[cls.KEYS.get(f.name, f.name)])
            for f in fields(cls)
            if f.metadata.get("payload", True)
        }
        return cls(**values)


_FIELD_TYPES: dict[type[Event], dict[str, Any]] = {}


def _field_types(kind: type[Event]) -> dict[str, Any]:
    """The resolved type of each field of ``kind``, worked out once per event type
    (``typing.get_type_hints`` evaluates every annotation's string again at each call: three
    quarters of a replay's reading of its payloads)."""
    found = _FIELD_TYPES.get(kind)
    if found is None:
        found = _FIELD_TYPES[kind] = typing.get_type_hints(kind)
    return found


def _hint() -> Any:
    """A field that the ledger does not carry: a value computed before the transaction from the
    event's own data, which ``apply`` recomputes when it is absent (a replay)."""
    return field(default=None, compare=False, repr=False, metadata={"payload": False})


def _plain(value: object) -> object:
    """A field's value as the payload holds it."""
    if isinstance(value, Side):
        return value.form()
    if isinstance(value, NoticeContent | ZoneContent):
        return value.form()
    if isinstance(value, AckRequest):
        return ack_form(value)
    if isinstance(value, Volume4D):
        return volume_form(value)
    if isinstance(value, Conflict):
        return conflict_form(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _read(hint: Any, value: Any) -> Any:
    """The field value of type ``hint`` whose payload form is ``value``."""
    origin = typing.get_origin(hint)
    if origin is types.UnionType or origin is typing.Union:
        if value is None:
            return None
        (kind,) = [a for a in typing.get_args(hint) if a is not type(None)]
        return _read(kind, value)
    if origin is tuple:
        args = typing.get_args(hint)
        item = args[0]
        return tuple(_read(item, v) for v in value)
    if origin is not None and issubclass(origin, Mapping):
        return dict(value)
    if hint is Side:
        side = Side.read(value)
        if side is None:
            raise ValueError(f"not a side: {value!r}")
        return side
    if hint is float:
        return float(value)
    if hint is datetime:
        return datetime.fromisoformat(value)
    if hint is NoticeContent or hint is ZoneContent:
        return hint.read(value)
    if hint is AckRequest:
        return ack_of(value)
    if hint is Volume4D:
        return volume_of(value)
    if hint is Conflict:
        return conflict_of(value)
    return value


# -- notices ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoticeFiled(Event):
    """A party filed a notice (version 1) and these conflicts opened with it; its content is
    ``content`` and ``acks`` the acknowledgements it asks of the counterparties."""

    TYPE = "notice.filed"
    AUDIENCE = Audience.NOTICE
    DELIVERS = "notice"
    ORIGINATOR = "party"
    DETAIL = frozenset({"content", "acks"})

    notice: str
    party: str
    version: int
    lead_time_s: float
    late_for: tuple[str, ...]
    conflicts: tuple[str, ...]
    content: NoticeContent
    acks: tuple[AckRequest, ...]
    cells: tuple[tuple[int, ...], ...] | None = _hint()
    """The H3 cells of each volume's outline (``geo.cells.storage_cells``), computed before
    the transaction; not in the payload."""


@dataclass(frozen=True, slots=True)
class NoticeAmended(NoticeFiled):
    """A party replaced its notice's content (a new version); its open conflicts are these.
    The requests of the versions before it that are still pending are superseded."""

    TYPE = "notice.amended"


@dataclass(frozen=True, slots=True)
class NoticeReleased(NoticeAmended):
    """Its owner released an active notice early: a new version whose volumes end at the
    release (its ``content.updated_at``), so it clashes no more from then on; conflicts
    resolve as for an amendment (R-ACT-3)."""

    TYPE = "notice.released"


@dataclass(frozen=True, slots=True)
class NoticeCounterAccepted(NoticeAmended):
    """The filer accepted the counter-proposal ``counter`` of a counterparty: a new version
    whose volumes are the counter-proposal's, detected and acknowledged as an amendment; the
    counterparties are asked to agree again (R-AGREE-4)."""

    TYPE = "notice.counter_accepted"

    counter: str = ""


@dataclass(frozen=True, slots=True)
class NoticeAgreed(Event):
    """A counterparty (``party``, its ``operator``) agreed at ``at`` to version ``version``
    of a notice that asked it to: its request for agreement ``request`` is settled
    (R-AGREE-2). The filer, that counterparty and the host receive it."""

    TYPE = "notice.agreed"
    AUDIENCE = Audience.NOTICE_PARTIES

    notice: str
    version: int
    party: str
    operator: str
    at: datetime
    request: str


@dataclass(frozen=True, slots=True)
class NoticeDenied(NoticeAgreed):
    """A counterparty denied its agreement to a notice's version, for ``reason``
    (R-AGREE-2)."""

    TYPE = "notice.denied"

    reason: str


@dataclass(frozen=True, slots=True)
class NoticeCountered(NoticeAgreed):
    """A counterparty answered a notice's version with a counter-proposal: the ``volumes`` it
    would agree to, with a ``note``; the proposal's id is ``request`` (R-AGREE-3)."""

    TYPE = "notice.countered"

    note: str
    volumes: tuple[Volume4D, ...]


@dataclass(frozen=True, slots=True)
class NoticeActivated(Event):
    """Its owner activated a notice at ``at``; ``early`` when before its window's start, and
    then with ``flash`` priority: ``acks`` ask each counterparty that sees the notice to
    acknowledge it by the flash deadline (R-ACT-2)."""

    TYPE = "notice.activated"
    AUDIENCE = Audience.NOTICE
    DETAIL = frozenset({"acks"})

    notice: str
    party: str
    version: int
    at: datetime
    early: bool
    priority: str
    acks: tuple[AckRequest, ...]


@dataclass(frozen=True, slots=True)
class NoticeNotActivated(Event):
    """A notice that waits for manual activation was still not activated ``grace_s``
    seconds after its ``start``: flagged once, at ``at``, to both sides (R-ACT-4)."""

    TYPE = "notice.not_activated"
    AUDIENCE = Audience.NOTICE

    notice: str
    party: str
    version: int
    start: datetime
    grace_s: int
    at: datetime


@dataclass(frozen=True, slots=True)
class NoticeCancelled(Event):
    """A party cancelled its notice at ``at``; its conflicts resolve (their own events)."""

    TYPE = "notice.cancelled"
    AUDIENCE = Audience.NOTICE
    DETAIL = frozenset({"at"})

    notice: str
    version: int
    at: datetime


@dataclass(frozen=True, slots=True)
class NoticeAcknowledged(Event):
    """A counterparty acknowledged receipt of a notice's version: ``operator`` settled its
    pending requests ``acknowledged`` at ``at``, or, asked nothing, gave the ``receipt``."""

    TYPE = "notice.acknowledged"
    AUDIENCE = Audience.NOTICE_PARTIES
    DETAIL = frozenset({"operator", "at", "acknowledged", "receipt"})

    notice: str
    version: int
    party: str
    operator: str
    at: datetime
    acknowledged: tuple[str, ...]
    receipt: AckRequest | None


# -- zones -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ZoneDeclared(Event):
    """A party declared a zone (version 1, ``content``) and these conflicts opened with it."""

    TYPE = "zone.declared"
    AUDIENCE = Audience.ZONE
    DETAIL = frozenset({"content"})

    zone: str
    party: str
    conflicts: tuple[str, ...]
    content: ZoneContent
    cells: tuple[tuple[int, ...], ...] | None = _hint()
    """The H3 cells of the zone's outline, computed before the transaction; not in the
    payload."""


@dataclass(frozen=True, slots=True)
class ZoneAmended(Event):
    """A party replaced its zone's content; its open conflicts are these."""

    TYPE = "zone.amended"
    AUDIENCE = Audience.ZONE
    DETAIL = frozenset({"party", "content"})

    zone: str
    version: int
    conflicts: tuple[str, ...]
    party: str
    content: ZoneContent
    cells: tuple[tuple[int, ...], ...] | None = _hint()
    """As ``ZoneDeclared.cells``."""


@dataclass(frozen=True, slots=True)
class ZoneWithdrawn(Event):
    """A party withdrew its zone at ``at``; its conflicts resolve (their own events)."""

    TYPE = "zone.withdrawn"
    AUDIENCE = Audience.ZONE
    DETAIL = frozenset({"at"})

    zone: str
    at: datetime


# -- strategic conflicts ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConflictDetected(Event):
    """Two volumes clash: a new conflict between sides ``a`` and ``b`` (``record``: the whole
    conflict), and ``acks``, each side's request to acknowledge it."""

    TYPE = "conflict.detected"
    AUDIENCE = Audience.CONFLICT
    DELIVERS = "conflict"
    DETAIL = frozenset({"record", "acks"})

    conflict: str
    a: Side
    b: Side
    window_start_us: int
    record: Conflict
    acks: tuple[AckRequest, ...]


@dataclass(frozen=True, slots=True)
class ConflictResolved(Event):
    """A conflict closed at ``at``, for ``reason`` (amended, cancelled, withdrawn…); its
    pending requests are superseded."""

    TYPE = "conflict.resolved"
    AUDIENCE = Audience.CONFLICT
    DETAIL = frozenset({"at"})

    conflict: str
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ConflictAcknowledged(Event):
    """A party acknowledged a conflict (at the version of its request): ``operator`` settled
    its pending requests ``acknowledged`` at ``at``."""

    TYPE = "conflict.acknowledged"
    AUDIENCE = Audience.CONFLICT
    DETAIL = frozenset({"operator", "at", "acknowledged"})

    conflict: str
    version: int
    party: str
    operator: str
    at: datetime
    acknowledged: tuple[str, ...]


_SENDER_RECIPIENT: Mapping[str, str] = {"sender": "from", "recipient": "to"}
_SENDER_RECIPIENTS: Mapping[str, str] = {"sender": "from", "recipients": "to"}

# -- hotline ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MessageSent(Event):
    """``operator`` of a party sent a message at ``at``; its recipient owes an
    acknowledgement (``ack``) by ``due_at``."""

    TYPE = "message.sent"
    AUDIENCE = Audience.NAMED
    DELIVERS = "message"
    ORIGINATOR = "from"
    KEYS = _SENDER_RECIPIENT
    DETAIL = frozenset({"operator", "at"})

    message: str
    thread: str
    sender: str
    recipient: str
    priority: str
    template: str | None
    params: Mapping[str, object]
    text: str | None
    about: tuple[str, str] | None
    """(type, id) of the object the message is about."""
    ack: str
    due_at: datetime | None
    operator: str
    at: datetime

    def payload(self) -> dict[str, object]:
        out = Event.payload(self)
        out["about"] = (
            None if self.about is None else dict(zip(("type", "id"), self.about, strict=True))
        )
        return out

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        about = payload["about"]
        plain = {**payload, "about": None if about is None else [about["type"], about["id"]]}
        return super(MessageSent, cls).from_payload(plain)


@dataclass(frozen=True, slots=True)
class MessageAcknowledged(Event):
    """A message's recipient acknowledged it: ``operator`` settled the requests
    ``acknowledged`` at ``at``."""

    TYPE = "message.acknowledged"
    AUDIENCE = Audience.NAMED
    KEYS = _SENDER_RECIPIENT
    DETAIL = frozenset({"at", "acknowledged"})

    message: str
    thread: str
    sender: str
    recipient: str
    party: str
    operator: str
    at: datetime
    acknowledged: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MessageReplied(Event):
    """A message's recipient replied to it with ``reply`` (one its template declares):
    ``operator`` replied at ``at``, and the reply settled its pending acknowledgement requests
    ``acknowledged`` (none when it was acknowledged before)."""

    TYPE = "message.replied"
    AUDIENCE = Audience.NAMED
    KEYS = _SENDER_RECIPIENT
    DETAIL = frozenset({"at", "acknowledged"})

    message: str
    thread: str
    sender: str
    recipient: str
    reply: str
    party: str
    operator: str
    at: datetime
    acknowledged: tuple[str, ...]


# -- tactical alerts -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TacticalDetected(Event):
    """A live clash (a track with a track, zone or notice) opened at ``at``, sent to the
    parties ``to``; ``figures`` are its closest-approach figures (``dcpa_m``, ``tcpa_s``…),
    ``acks`` the requests to acknowledge it. A ``tactical.updated`` also names the parties
    whose pending requests it ``superseded`` (a detection names none)."""

    TYPE = "tactical.detected"
    AUDIENCE = Audience.NAMED_SIDES
    DELIVERS: ClassVar[str | None] = "conflict"
    DETAIL = frozenset({"at", "acks", "superseded"})

    conflict: str
    kind: str
    severity: str
    a: Side
    b: Side
    to: tuple[str, ...]
    figures: Mapping[str, object]
    at: datetime
    acks: tuple[AckRequest, ...]
    superseded: tuple[str, ...]

    def payload(self) -> dict[str, object]:
        out = Event.payload(self)
        del out["figures"]
        return {**out, **self.figures}  # the figures are the payload's own keys

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        own = {f.name for f in fields(cls)}
        figures = {k: floats(v) for k, v in payload.items() if k not in own}
        return super(TacticalDetected, cls).from_payload({**payload, "figures": figures})


@dataclass(frozen=True, slots=True)
class TacticalUpdated(TacticalDetected):
    """An open live clash changed severity or figures."""

    TYPE = "tactical.updated"
    DELIVERS = None


@dataclass(frozen=True, slots=True)
class TacticalCleared(Event):
    """A live clash ended at ``at``."""

    TYPE = "tactical.cleared"
    AUDIENCE = Audience.NAMED_SIDES
    DETAIL = frozenset({"at"})

    conflict: str
    kind: str
    a: Side
    b: Side
    to: tuple[str, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class TacticalAcknowledged(Event):
    """A party the alert was sent to acknowledged it; the others see who did. ``operator``
    settled its pending requests ``acknowledged`` at ``at``."""

    TYPE = "tactical.acknowledged"
    AUDIENCE = Audience.NAMED_SIDES
    DETAIL = frozenset({"operator", "at", "acknowledged"})

    conflict: str
    version: int
    party: str
    to: tuple[str, ...]
    operator: str
    at: datetime
    acknowledged: tuple[str, ...]


# -- deadlines and deliveries ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AckEscalated(Event):
    """An acknowledgement was not given in time: it climbed, at ``at``, to rung ``rung`` of
    its party's ladder (``operators``: the operators of that rung)."""

    TYPE = "ack.escalated"
    AUDIENCE = Audience.OWN_PARTY
    DETAIL = frozenset({"at"})

    ack: str
    subject: str
    subject_id: str
    party: str
    rung: int
    rung_name: str
    operators: tuple[str, ...]
    to_host: bool
    due_was_us: int | None
    next_due_us: int | None
    at: datetime


@dataclass(frozen=True, slots=True)
class AckLapsed(Event):
    """An overdue acknowledgement is owed no more (its subject resolved, ended or was
    cancelled): the request is superseded."""

    TYPE = "ack.lapsed"
    AUDIENCE = Audience.LEDGER

    ack: str
    party: str


@dataclass(frozen=True, slots=True)
class AckParked(Event):
    """An overdue acknowledgement at the top of its ladder (the host) stays pending at rung
    ``rung`` with no further due time."""

    TYPE = "ack.parked"
    AUDIENCE = Audience.LEDGER

    ack: str
    party: str
    rung: int


@dataclass(frozen=True, slots=True)
class DeliveryRecorded(Event):
    """An object (``subject`` ``id``) first reached ``party`` at ``delivered_at``, ``via`` a
    stream or webhook; ``concerns``: the other parties it belongs to."""

    TYPE = "delivery.recorded"
    AUDIENCE = Audience.LEDGER

    subject: str
    id: str
    party: str
    via: str
    delivered_at: str
    """As the ledger formats times (``ledger.chain.format_time``)."""
    concerns: tuple[str, ...]


# -- configuration (the host's alone) --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MechanismLoaded(Event):
    """The mechanism file was loaded into a new database."""

    TYPE = "mechanism.loaded"
    AUDIENCE = Audience.HOST

    mechanism: str


@dataclass(frozen=True, slots=True)
class OperatorAdded(Event):
    """An operator was added to ``party`` with ``role``."""

    TYPE = "operator.added"
    AUDIENCE = Audience.HOST

    operator: str
    party: str
    role: str
    expires_at: datetime | None
    cert_subject: str | None


@dataclass(frozen=True, slots=True)
class OperatorRevoked(Event):
    """An operator's token was revoked."""

    TYPE = "operator.revoked"
    AUDIENCE = Audience.HOST

    operator: str
    party: str


@dataclass(frozen=True, slots=True)
class OperatorRotated(OperatorRevoked):
    """An operator's token was replaced by a new one."""

    TYPE = "operator.rotated"


@dataclass(frozen=True, slots=True)
class KeyRegistered(Event):
    """An operator's signing key was registered (by ``by``)."""

    TYPE = "ledger.key_registered"
    AUDIENCE = Audience.HOST

    key_id: str
    public_key: str
    party: str
    operator: str
    by: str


@dataclass(frozen=True, slots=True)
class KeyRevoked(Event):
    """An operator's signing key was revoked (by ``by``); it still verifies what it signed."""

    TYPE = "ledger.key_revoked"
    AUDIENCE = Audience.HOST

    key_id: str
    party: str
    operator: str
    by: str


@dataclass(frozen=True, slots=True)
class WebhookRegistered(Event):
    """A party registered a webhook."""

    TYPE = "webhook.registered"
    AUDIENCE = Audience.HOST

    webhook: str
    party: str


@dataclass(frozen=True, slots=True)
class WebhookDeleted(WebhookRegistered):
    """A party deleted its webhook."""

    TYPE = "webhook.deleted"


# -- incidents -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncidentFiled(Event):
    """A party (or the host), ``sender``, filed an incident that happened at ``at`` at
    ``position`` (lon, lat in degrees), about the related notices, zones, conflicts and
    tracks; ``timeline`` holds the seqs of the ledger entries about them, attached when it
    was filed at ``filed_at``; each of the other parties concerned (``recipients``) owes an
    acknowledgement (``acks``) (R-INC-1, R-INC-2)."""

    TYPE = "incident.filed"
    AUDIENCE = Audience.NAMED
    KEYS = _SENDER_RECIPIENTS

    incident: str
    sender: str
    recipients: tuple[str, ...]
    operator: str
    at: datetime
    position: tuple[float, ...]
    narrative: str
    notices: tuple[str, ...]
    zones: tuple[str, ...]
    conflicts: tuple[str, ...]
    tracks: tuple[str, ...]
    timeline: tuple[int, ...]
    filed_at: datetime
    acks: tuple[AckRequest, ...]


@dataclass(frozen=True, slots=True)
class IncidentAcknowledged(Event):
    """A party the incident was sent to acknowledged it: ``operator`` settled its pending
    requests ``acknowledged`` at ``at``."""

    TYPE = "incident.acknowledged"
    AUDIENCE = Audience.NAMED
    KEYS = _SENDER_RECIPIENTS

    incident: str
    sender: str
    recipients: tuple[str, ...]
    party: str
    operator: str
    at: datetime
    acknowledged: tuple[str, ...]


# -- the periodic review ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportPublished(Event):
    """The host published the review of ``[start, end)``: the report file hashes to ``sha256``,
    read the ledger up to ``head_seq`` and is signed by the server key ``key_id`` (``sig``,
    ``ledger/reports.py``) (R-REVIEW-2)."""

    TYPE = "report.published"
    AUDIENCE = Audience.HOST

    sha256: str
    start: datetime
    end: datetime
    head_seq: int
    key_id: str
    sig: str
    format: str
    """``pdf`` or ``html``."""


STATE_RECORDED = "state.recorded"
"""The type of the entries of after-images that ledgers written before the typed events hold
(``store/legacy_state.py``): no event writes it any more; the ledger only, no stream."""

EVENT_TYPES: Mapping[str, type[Event]] = {
    kind.TYPE: kind
    for kind in (
        NoticeFiled,
        NoticeAmended,
        NoticeCancelled,
        NoticeAcknowledged,
        NoticeActivated,
        NoticeReleased,
        NoticeNotActivated,
        NoticeAgreed,
        NoticeDenied,
        NoticeCountered,
        NoticeCounterAccepted,
        ZoneDeclared,
        ZoneAmended,
        ZoneWithdrawn,
        ConflictDetected,
        ConflictResolved,
        ConflictAcknowledged,
        MessageSent,
        MessageAcknowledged,
        MessageReplied,
        TacticalDetected,
        TacticalUpdated,
        TacticalCleared,
        TacticalAcknowledged,
        AckEscalated,
        AckLapsed,
        AckParked,
        DeliveryRecorded,
        MechanismLoaded,
        OperatorAdded,
        OperatorRevoked,
        OperatorRotated,
        KeyRegistered,
        KeyRevoked,
        WebhookRegistered,
        WebhookDeleted,
        IncidentFiled,
        IncidentAcknowledged,
        ReportPublished,
    )
}
"""Every event type, by name."""


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event as the ledger holds it (what the streams, the webhooks and the export read)."""

    seq: int
    """Its place in the ledger: 1, 2, … without gaps once committed."""
    time: datetime
    actor: str
    """The operator that caused it, or ``system``."""
    type: str
    """Its ``TYPE`` (``notice.filed`` …), or ``state.recorded``."""
    payload: dict[str, object]


def audience_of(type_: str) -> Audience:
    """Who receives events of type ``type_``: the host alone for a type not known here, the
    ledger alone for the state entries."""
    if type_ == STATE_RECORDED:
        return Audience.LEDGER
    kind = EVENT_TYPES.get(type_)
    return Audience.HOST if kind is None else kind.AUDIENCE


def types_for(*audiences: Audience) -> frozenset[str]:
    """The names of the event types whose audience is one of ``audiences``."""
    found = {name for name, kind in EVENT_TYPES.items() if kind.AUDIENCE in audiences}
    if Audience.LEDGER in audiences:
        found.add(STATE_RECORDED)
    return frozenset(found)
