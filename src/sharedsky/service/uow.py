"""The unit of work the use cases talk to, as Protocols: one transaction with every repository
(``UnitOfWork``), the ``Database`` that runs use cases in such transactions, and each repository
with exactly the methods the use cases call.

The SQL implementation is ``store/uow.py`` (``Database``, ``SqlUnitOfWork`` and the repositories
of ``store/``); the composition root (``bootstrap.py``) hands it to the use cases in ``Deps``.
Nothing here may import the store or SQLAlchemy: the use cases must run as well over an
in-memory unit of work. The records the repositories take and return are domain values (and
the ledger's ``Entry``, ``Link``, keys and signer); times are aware UTC datetimes, or integer
microseconds since the epoch where a name ends in ``_us`` (``units.OPEN_END_US`` for "no end").

Semantics every implementation keeps: ``Database.run`` runs ``work`` in one transaction and
commits it whole or not at all (``work`` may be run again after a serialization failure, so it
must have no effect outside the transaction); a read that finds nothing returns None or an
empty collection, never an exception; a write of something that is absent does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from sharedsky.domain.acknowledgements import AckBacklog, AckRequest
from sharedsky.domain.agreement import AgreementReply, Position
from sharedsky.domain.conflicts import Conflict, ConflictFilter, ObjectType, ResolvedReason
from sharedsky.domain.deliveries import Delivery
from sharedsky.domain.escalation import EscalationRecord, EscalationStep
from sharedsky.domain.events import StoredEvent
from sharedsky.domain.idempotency import KeptResult
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.incidents import Incident
from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.messages import Message, MessageReply
from sharedsky.domain.notices import Notice, NoticeFilter, NoticeStep
from sharedsky.domain.operators import OperatorRecord
from sharedsky.domain.tactical import Severity, StoredAlert
from sharedsky.domain.volumes import StoredVolume, Volume4D
from sharedsky.domain.webhooks import Webhook, WebhookAttempt
from sharedsky.domain.zones import Zone, ZoneKind
from sharedsky.ledger.chain import Entry, Link, PartySig
from sharedsky.ledger.signing import KeyEntry, KeyRing, Signer, StoredKey

T = TypeVar("T")


class Parties(Protocol):
    """The mechanism, its parties and their operators (tokens stored as SHA-256 hex)."""

    def save_mechanism(self, mechanism: Mechanism, mechanism_json: str) -> None:
        """Store the mechanism (its canonical JSON) and its parties; fails when one is loaded."""
        ...

    def mechanism_json(self) -> str | None:
        """The stored mechanism's JSON; None when the database holds none yet."""
        ...

    def add_operator(self, operator: OperatorRecord, token_sha256: str, created_us: int) -> None:
        """Register an operator with its token's hash; fails when its id is taken."""
        ...

    def operator(self, operator_id: str) -> OperatorRecord | None:
        """The operator with this id (revoked or expired too); None when there is none."""
        ...

    def operators(self) -> list[OperatorRecord]:
        """Every operator (revoked and expired ones too), by party then id."""
        ...

    def revoke_operator(self, operator_id: str, now_us: int) -> None:
        """Mark the operator revoked at ``now_us``; nothing when revoked already or absent."""
        ...

    def replace_token(self, operator_id: str, token_sha256: str, now_us: int) -> None:
        """Give the operator a new token (by its hash): the old one stops working."""
        ...

    def version(self) -> tuple[int, int]:
        """(latest change, number of operators): differs whenever an operator changed since."""
        ...

    def operator_by_token(self, token_sha256: str) -> OperatorRecord | None:
        """The operator whose token hashes to ``token_sha256``; None when nobody's does."""
        ...

    def operators_by_token(self) -> dict[str, OperatorRecord]:
        """Every operator (revoked and expired too), by its token's SHA-256 (hex)."""
        ...


class Notices(Protocol):
    """Notices at their current version (their volumes go through ``Volumes``)."""

    def add(self, notice: Notice) -> None:
        """Insert a new notice (its id must be new)."""
        ...

    def replace(self, notice: Notice) -> None:
        """Overwrite the notice of ``notice.id`` with this version; nothing when absent."""
        ...

    def cancel(self, notice_id: str, at: datetime) -> None:
        """Mark the notice cancelled at ``at`` (nothing else of it changes); nothing when absent."""
        ...

    def mark(self, notice_id: str, step: NoticeStep, at: datetime) -> None:
        """Record the activation step ``step`` of the notice at ``at`` (nothing else of it
        changes); nothing when absent."""
        ...

    def awaiting_activation(self, now: datetime, limit: int) -> list[Notice]:
        """Live ``manual`` notices started by ``now`` and not ended, neither activated nor
        released nor flagged yet, by start then id (at most ``limit``)."""
        ...

    def get(self, notice_id: str) -> Notice | None:
        """The notice with this id at its current version; None when there is none."""
        ...

    def get_many(self, notice_ids: Sequence[str]) -> dict[str, Notice]:
        """The notices with these ids, by id; ids that match nothing are absent."""
        ...

    def find(self, flt: NoticeFilter, now: datetime) -> list[Notice]:
        """Notices matching every filter (status judged at ``now``), by start then id."""
        ...


class Volumes(Protocol):
    """The index of the notices' and zones' volumes: H3 cells × time window × band."""

    def put(
        self,
        object_type: ObjectType,
        object_id: str,
        party: PartyId,
        version: int,
        volumes: Sequence[Volume4D],
        cells: Sequence[Sequence[int]],
        *,
        new: bool = False,
    ) -> None:
        """Index ``volumes`` (``cells[i]`` covering volume i) in place of the object's own."""
        ...

    def unindex(self, object_type: ObjectType, object_id: str) -> None:
        """Make the object no candidate any more (its volumes stay readable); nothing if none."""
        ...

    def candidates(
        self,
        cells: Sequence[int],
        t_lo_us: int,
        t_hi_us: int,
        alt_lo_m: float,
        alt_hi_m: float,
        exclude_party: PartyId,
    ) -> list[StoredVolume]:
        """Other parties' volumes with a cell in ``cells``, meeting both open intervals."""
        ...


class Zones(Protocol):
    """Zones at their current version (their volume goes through ``Volumes``)."""

    def add(self, zone: Zone) -> None:
        """Insert a new zone (its id must be new)."""
        ...

    def replace(self, zone: Zone) -> None:
        """Overwrite the zone of ``zone.id`` with this version; nothing when absent."""
        ...

    def withdraw(self, zone_id: str, at: datetime) -> None:
        """Mark the zone withdrawn (and updated) at ``at``; nothing when absent."""
        ...

    def get(self, zone_id: str) -> Zone | None:
        """The zone with this id; None when there is none."""
        ...

    def get_many(self, zone_ids: Sequence[str]) -> dict[str, Zone]:
        """The zones with these ids, by id; ids that match nothing are absent."""
        ...

    def find(
        self, party: PartyId | None = None, kind: ZoneKind | None = None, withdrawn: bool = False
    ) -> list[Zone]:
        """Zones of ``party`` and ``kind`` (any when None), withdrawn ones when asked, by id."""
        ...


class Conflicts(Protocol):
    """Strategic conflicts between notices and zones."""

    def add_many(self, conflicts: Sequence[Conflict]) -> None:
        """Insert new conflicts; nothing for an empty list."""
        ...

    def get(self, conflict_id: str) -> Conflict | None:
        """The conflict with this id; None when there is none."""
        ...

    def open_involving(self, object_type: ObjectType, object_id: str) -> list[Conflict]:
        """Stored-open conflicts with the object on either side (expiry not applied)."""
        ...

    def resolve(self, conflict_id: str, reason: ResolvedReason, at: datetime) -> None:
        """Mark the conflict resolved for ``reason`` at ``at``; nothing when absent."""
        ...

    def find(self, flt: ConflictFilter, now: datetime) -> list[Conflict]:
        """Conflicts matching the filter (``state`` judged at ``now``), newest first."""
        ...

    def clashing_volumes(
        self, viewer: PartyId, object_ids: Sequence[str], now: datetime
    ) -> dict[str, frozenset[int]]:
        """Per object id, its volumes in a conflict open at ``now`` with ``viewer``'s own."""
        ...


class Alerts(Protocol):
    """Tactical alerts: opened, changed in severity and cleared by the tactical tick."""

    def add_many(self, alerts: Sequence[StoredAlert]) -> None:
        """Insert new alerts; nothing for an empty list."""
        ...

    def update_severity(
        self, alert_id: str, severity: Severity, figures: Mapping[str, object], at: datetime
    ) -> None:
        """Record the alert's new severity and the figures that caused it, at ``at``."""
        ...

    def clear(self, alert_id: str, at: datetime) -> None:
        """Mark the alert cleared at ``at``."""
        ...

    def get(self, alert_id: str) -> StoredAlert | None:
        """The alert with this id; None when there is none."""
        ...

    def open_alerts(self) -> list[StoredAlert]:
        """Every open alert, oldest first."""
        ...

    def find(self, state: str | None, limit: int = 1000) -> list[StoredAlert]:
        """Alerts in ``state`` (``open``, ``cleared``; any when None), newest first."""
        ...


class Acks(Protocol):
    """Acknowledgement requests: what each party owes, by when, and its escalation rung."""

    def add(self, request: AckRequest) -> None:
        """Insert a request (its id must be new)."""
        ...

    def add_many(self, requests: Sequence[AckRequest]) -> None:
        """Insert requests; nothing for an empty list."""
        ...

    def for_subject(self, subject_id: str, party: PartyId | None = None) -> list[AckRequest]:
        """Every request about the subject (of ``party`` only, when given), oldest first."""
        ...

    def pending(self, party: PartyId) -> list[AckRequest]:
        """The party's pending requests, earliest due first."""
        ...

    def backlog(self, now_us: int) -> list[AckBacklog]:
        """Per party with a pending request: pending, overdue at ``now_us`` and escalated."""
        ...

    def acknowledge(self, request_id: str, operator: OperatorId, at: datetime) -> None:
        """Record ``operator``'s acknowledgement of a pending request; nothing otherwise."""
        ...

    def answer(
        self, request_id: str, reply: AgreementReply, operator: OperatorId, at: datetime
    ) -> None:
        """Record ``operator``'s answer to a pending request for agreement (settling it);
        nothing otherwise."""
        ...

    def positions(self, subject_id: str) -> list[Position]:
        """The requests for agreement with the notice (every version), oldest first, with
        their answers; empty when it never asked."""
        ...

    def supersede(self, subject_id: str) -> None:
        """Mark every pending request about the subject superseded."""
        ...

    def supersede_for(self, subject_id: str, parties: Sequence[str]) -> None:
        """Mark the pending requests of ``parties`` about the subject superseded."""
        ...

    def due(self, now_us: int, limit: int, *, lock: bool) -> list[AckRequest]:
        """Pending requests due at or before ``now_us``, earliest first (``lock``: skip held)."""
        ...

    def climb(self, request_id: str, rung: int, due_us: int) -> None:
        """Move a pending request to ``rung``, due at ``due_us``; nothing otherwise."""
        ...

    def lapse(self, request_id: str) -> None:
        """Mark a pending request superseded (its subject needs no answer any more)."""
        ...


class Messages(Protocol):
    """Hotline messages."""

    def add(self, message: Message) -> None:
        """Insert a message (its id must be new)."""
        ...

    def get(self, message_id: str) -> Message | None:
        """The message with this id; None when there is none."""
        ...

    def thread(self, thread: str, party: PartyId | None, limit: int) -> list[Message]:
        """The thread's messages of ``party`` (all when None), oldest first, at most ``limit``."""
        ...

    def latest(self, party: PartyId | None, limit: int) -> list[Message]:
        """Messages of ``party`` (every one when None), newest first, at most ``limit``."""
        ...

    def set_reply(self, message_id: str, reply: MessageReply) -> None:
        """Record the recipient's reply to the message (nothing else of it changes); nothing
        when absent."""
        ...


class Incidents(Protocol):
    """Incidents (R-INC-1); an incident never changes once added."""

    def add(self, incident: Incident) -> None:
        """Insert an incident (its id must be new)."""
        ...

    def get(self, incident_id: str) -> Incident | None:
        """The incident with this id; None when there is none."""
        ...

    def latest(self, limit: int) -> list[Incident]:
        """Every incident, newest filed first (ties by id, descending), at most ``limit``."""
        ...


class Events(Protocol):
    """The ledger: events appended in order, chained and signed by the server."""

    def append(
        self,
        time: datetime,
        actor: str,
        type_: str,
        payload: Mapping[str, object],
        party_sig: PartySig | None = None,
    ) -> int:
        """Append one event (with the submitter's verified signature, if any); its seq."""
        ...

    def append_many(
        self, time: datetime, actor: str, events: Sequence[tuple[str, Mapping[str, object]]]
    ) -> None:
        """Append (type, payload) events in order; nothing for an empty list."""
        ...

    def after(
        self, seq: int, limit: int = 1000, bare: frozenset[str] = frozenset()
    ) -> list[StoredEvent]:
        """Events above ``seq``, in order, at most ``limit``; the types in ``bare`` payload-less."""
        ...

    def entries(self, after: int, limit: int = 1000) -> list[Entry]:
        """Ledger entries above seq ``after``, in order, content included, at most ``limit``."""
        ...

    def entries_naming(self, text_: str, after: int, upto: int, limit: int = 10_000) -> list[Entry]:
        """Entries in (``after``, ``upto``] whose payload holds the string ``text_``, in order."""
        ...

    def head(self) -> Link | None:
        """The newest entry as committed; None when the ledger is empty."""
        ...


class Keys(Protocol):
    """The public keys operators registered to sign their submissions."""

    def add_operator_key(self, entry: KeyEntry, now: datetime) -> bool:
        """Register ``entry`` at ``now``; False when its key id is registered already."""
        ...

    def revoke(self, key_id: str, now: datetime) -> bool:
        """Revoke a key at ``now`` (it still verifies what it signed); False when not active."""
        ...

    def all(self) -> list[StoredKey]:
        """Every key ever registered, the server's too, oldest first (revoked ones included)."""
        ...

    def keyring(self) -> KeyRing:
        """Every key (revoked ones too) as a verifier's key ring."""
        ...

    def active_for(self, operator_id: str) -> list[KeyEntry]:
        """The keys ``operator_id`` may sign with now."""
        ...

    def all_active(self) -> dict[str, list[KeyEntry]]:
        """The keys each operator that holds any may sign with now, by operator."""
        ...


class Escalations(Protocol):
    """The escalation log: each rung a late acknowledgement climbed."""

    def add(self, record: EscalationRecord) -> None:
        """Record a step; a second record of one (request, rung) fails."""
        ...

    def steps(self, party: PartyId | None, limit: int = 500) -> list[EscalationStep]:
        """The steps of ``party``'s requests (every party's when None), newest first."""
        ...


class Deliveries(Protocol):
    """When each notice, conflict and message first reached each party."""

    def record(self, deliveries: Sequence[Delivery]) -> list[Delivery]:
        """Record the first deliveries among ``deliveries`` and return them, in order."""
        ...

    def of(self, subject: str, subject_ids: Sequence[str]) -> list[Delivery]:
        """The recorded deliveries of these subjects; empty when none reached anyone."""
        ...


class IdempotencyKeys(Protocol):
    """The result first kept for each (operator, Idempotency-Key)."""

    def get(self, operator: str, key: str) -> KeptResult | None:
        """The result kept for the key; None when this key is new for this operator."""
        ...

    def put(self, operator: str, key: str, kept: KeptResult, created_us: int) -> None:
        """Keep ``kept`` under the key; KeyTaken (domain/errors) when one is kept already."""
        ...


class Webhooks(Protocol):
    """Webhooks, their delivery state and lease, and their delivery attempts."""

    def add(self, hook: Webhook) -> None:
        """Insert a new hook (its id must be new)."""
        ...

    def get(self, hook_id: str) -> Webhook | None:
        """The active hook with this id; None when there is none or it was deleted."""
        ...

    def active(self, party: PartyId | None) -> list[Webhook]:
        """The active hooks of ``party`` (every party's when None), oldest first."""
        ...

    def due(self, now_us: int) -> list[Webhook]:
        """Active hooks due at ``now_us`` whose cursor is below the newest event, oldest first."""
        ...

    def disable(self, hook_id: str, now_us: int) -> bool:
        """Delete (disable) an active hook at ``now_us``; False when it was not active."""
        ...

    def claim(self, hook_id: str, owner: str, now_us: int, until_us: int) -> bool:
        """Lease the hook to ``owner`` until ``until_us`` unless another holds it; held now?"""
        ...

    def release(self, hook_id: str, owner: str) -> None:
        """Give up ``owner``'s lease of the hook, if it still holds one."""
        ...

    def advance(
        self,
        hook_id: str,
        owner: str,
        cursor_seq: int,
        attempts: int,
        next_attempt_us: int,
        lease_until_us: int,
    ) -> bool:
        """Set the delivery state of a hook ``owner`` leases (cursor never back); False if lost."""
        ...

    def record(self, attempt: WebhookAttempt) -> None:
        """Store one delivery attempt."""
        ...

    def attempts_of(
        self, hook_id: str, limit: int, dead_only: bool = False
    ) -> list[WebhookAttempt]:
        """The hook's attempts (only dead letters when ``dead_only``), newest first."""
        ...

    def owner_of(self, hook_id: str) -> PartyId | None:
        """The party of the hook with this id, deleted or not; None when there is none."""
        ...


class UnitOfWork(Protocol):
    """Every repository, bound to one open transaction (``Database.run`` hands it to a use
    case): what they write commits together, or not at all."""

    @property
    def parties(self) -> Parties:
        """The mechanism, its parties and their operators."""
        ...

    @property
    def notices(self) -> Notices:
        """Notices."""
        ...

    @property
    def volumes(self) -> Volumes:
        """The volume index of notices and zones."""
        ...

    @property
    def zones(self) -> Zones:
        """Zones."""
        ...

    @property
    def conflicts(self) -> Conflicts:
        """Strategic conflicts."""
        ...

    @property
    def tactical(self) -> Alerts:
        """Tactical alerts."""
        ...

    @property
    def acks(self) -> Acks:
        """Acknowledgement requests."""
        ...

    @property
    def messages(self) -> Messages:
        """Hotline messages."""
        ...

    @property
    def incidents(self) -> Incidents:
        """Incidents."""
        ...

    @property
    def events(self) -> Events:
        """The ledger."""
        ...

    @property
    def ledger_keys(self) -> Keys:
        """The operators' signing keys."""
        ...

    @property
    def escalations(self) -> Escalations:
        """The escalation log."""
        ...

    @property
    def deliveries(self) -> Deliveries:
        """First deliveries."""
        ...

    @property
    def idempotency(self) -> IdempotencyKeys:
        """Results kept under idempotency keys."""
        ...

    @property
    def webhooks(self) -> Webhooks:
        """Webhooks and their attempts."""
        ...

    def server_signer(self, now: datetime) -> Signer:
        """The server's ledger signing key; made and stored at ``now`` when there is none."""
        ...


class Database(Protocol):
    """Runs use cases in transactions, one ``UnitOfWork`` each."""

    def run(self, work: Callable[[UnitOfWork], T], *, readonly: bool = False) -> T:
        """Run ``work`` in one transaction and commit; ``readonly``: it writes nothing."""
        ...

    async def run_async(self, work: Callable[[UnitOfWork], T]) -> T:
        """``run(work)`` for a coroutine, without a thread of the event loop's pool."""
        ...

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each commit that appended events (quick, never raising)."""
        ...

    @property
    def skips_locked_rows(self) -> bool:
        """True when concurrent transactions share a queue by skipping locked rows."""
        ...

    @property
    def dialect(self) -> str:
        """The kind of database: ``sqlite`` or ``postgresql`` (streams wait gaps out by it)."""
        ...

    def schema_revisions(self) -> frozenset[str]:
        """The schema revision(s) the database is at; empty when never migrated."""
        ...

    @property
    def events_appended(self) -> int:
        """Ledger entries this process committed since it opened the database."""
        ...

    def connections_in_use(self) -> int:
        """Connections checked out of the pool now (0 when none are counted)."""
        ...
