"""Use cases of notices: file, amend, cancel."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sharedsky.domain.acknowledgements import AckRequest
from sharedsky.domain.activation import activation_rules
from sharedsky.domain.conflicts import Conflict, ObjectRef, ObjectType, ResolvedReason
from sharedsky.domain.errors import NotFound
from sharedsky.domain.event_data import NoticeContent
from sharedsky.domain.events import (
    NoticeAmended,
    NoticeCancelled,
    NoticeCounterAccepted,
    NoticeFiled,
    NoticeReleased,
)
from sharedsky.domain.ids import NoticeId
from sharedsky.domain.notices import (
    Notice,
    NoticeDraft,
    late_counterparties,
    lead_time_s,
    validate_draft,
)
from sharedsky.domain.operators import Role
from sharedsky.domain.volumes import resolve_volumes
from sharedsky.service._common import agreement_requests, notice_acks, record_event, remember
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
class Filing:
    """The outcome of filing or amending a notice: its current version and open conflicts."""

    notice: Notice
    conflicts: tuple[Conflict, ...]


def _filed(
    event: type[NoticeFiled],
    notice: Notice,
    conflicts: tuple[Conflict, ...],
    acks: tuple[AckRequest, ...],
    cells: Coverings,
) -> NoticeFiled:
    return event(
        notice=notice.id,
        party=notice.party,
        version=notice.version,
        lead_time_s=notice.lead_time_s,
        late_for=tuple(notice.late_for),
        conflicts=tuple(c.id for c in conflicts),
        content=NoticeContent.of(notice),
        acks=acks,
        cells=tuple(tuple(c) for c in cells.storage),
    )


def resolved_notice_draft(deps: Deps, draft: NoticeDraft) -> NoticeDraft:
    """The draft with each band given on other datums resolved to its AMSL interval under the
    mechanism's datums (R-HEIGHT-2); InvalidVolume for a refused limit."""
    return replace(draft, volumes=resolve_volumes(draft.volumes, deps.mechanism.datums))


def new_notice(deps: Deps, actor: Actor, draft: NoticeDraft, now: datetime) -> Notice:
    """The first version of a notice of ``draft`` filed by ``actor`` at ``now`` (validated
    before; nothing stored)."""
    lead_s = lead_time_s(draft.volumes, now)
    return Notice(
        id=NoticeId(deps.ids.new("ntc")),
        party=actor.party,
        kind=draft.kind,
        title=draft.title,
        volumes=draft.volumes,
        remarks=draft.remarks,
        contact=draft.contact,
        version=1,
        filed_at=now,
        updated_at=now,
        lead_time_s=lead_s,
        late_for=late_counterparties(deps.mechanism, actor.party, draft.kind, lead_s),
        priority_status=draft.priority_status,
        activation=activation_rules(deps.mechanism, actor.party).mode,
        request_agreement=draft.request_agreement,
    )


def notice_side(notice: Notice) -> ObjectRef:
    """The notice as the side of its conflicts (the clashing volume left to detection)."""
    return ObjectRef(
        ObjectType.NOTICE, notice.id, notice.party, notice.version, 0, notice.priority_status
    )


def store_notice(
    uow: UnitOfWork, deps: Deps, actor: Actor, notice: Notice, cells: Coverings
) -> Filing:
    """Inside ``uow``: detect the new ``notice``'s conflicts, request acknowledgements and
    record it (``notice.filed``) as filed by ``actor`` at its ``filed_at``."""
    now = notice.filed_at
    subject = notice_side(notice)
    candidates = find_candidates(uow, deps, actor.party, notice.volumes, cells)
    fresh = detect(uow, deps, subject, notice.volumes, candidates, now)
    conflicts = tuple(
        sync_conflicts(uow, deps, subject, fresh, ResolvedReason.AMENDED, now, new=True)
    )
    acks = notice_acks(deps, notice, conflicts, now) + agreement_requests(
        deps, notice, conflicts, now
    )
    event = _filed(NoticeFiled, notice, conflicts, acks, cells)
    record_event(uow, now, actor.operator, event, actor.signature)
    return Filing(notice, conflicts)


def file_notice(
    deps: Deps, actor: Actor, draft: NoticeDraft, idem: Idempotency[Filing] | None = None
) -> Filing:
    """File a new notice: validate, detect conflicts, store, request acknowledgements."""
    now = deps.clock.now()
    actor.require_party("file notices")
    actor.require_role(Role.DUTY, "file notices")
    draft = resolved_notice_draft(deps, draft)
    validate_draft(draft, now, deps.mechanism.area)
    notice = new_notice(deps, actor, draft, now)
    cells = coverings(deps, actor.party, draft.volumes)

    def work(uow: UnitOfWork) -> Filing:
        filing = store_notice(uow, deps, actor, notice, cells)
        return remember(uow, actor, idem, filing, now)

    return deps.db.run(work)


@dataclass(frozen=True, slots=True)
class FilingCheck:
    """What filing (or amending) a draft now would give, with nothing stored."""

    lead_time_s: float
    late_for: tuple[str, ...]
    conflicts: tuple[Conflict, ...]


def check_notice(
    deps: Deps, actor: Actor, draft: NoticeDraft, amending: str | None = None
) -> FilingCheck:
    """The conflicts, lead time and late counterparties that filing ``draft`` (or amending the
    actor's notice ``amending`` with it) would give at this moment; stores nothing. The same
    validation as filing: a bad draft gets the same error."""
    now = deps.clock.now()
    actor.require_party("file notices")
    draft = resolved_notice_draft(deps, draft)
    validate_draft(draft, now, deps.mechanism.area)
    lead_s = lead_time_s(draft.volumes, now)
    cells = coverings(deps, actor.party, draft.volumes)

    def work(uow: UnitOfWork) -> FilingCheck:
        if amending is not None:
            current = own_notice(uow, actor, amending)
            subject = ObjectRef(
                ObjectType.NOTICE,
                current.id,
                actor.party,
                current.version + 1,
                0,
                draft.priority_status,
            )
        else:
            subject = ObjectRef(
                ObjectType.NOTICE, "(draft)", actor.party, 1, 0, draft.priority_status
            )
        candidates = find_candidates(uow, deps, actor.party, draft.volumes, cells)
        found = detect(uow, deps, subject, draft.volumes, candidates, now)
        late = late_counterparties(deps.mechanism, actor.party, draft.kind, lead_s)
        return FilingCheck(lead_s, tuple(late), tuple(found))

    return deps.db.run(work, readonly=True)


def own_notice(uow: UnitOfWork, actor: Actor, notice_id: str) -> Notice:
    """The actor's own notice ``notice_id``; NotFound for one that is absent or another
    party's (R-AUTH-1: another party's object is not shown to exist)."""
    notice = uow.notices.get(notice_id)
    if notice is None or notice.party != actor.party:
        raise NotFound(f"no notice {notice_id!r}")
    return notice


def amend_notice(
    deps: Deps, actor: Actor, notice_id: str, expected_version: int, draft: NoticeDraft
) -> Filing:
    """Replace the content of the actor's notice with ``draft`` if it is at
    ``expected_version``; re-detect, keeping unchanged conflicts and resolving vanished ones."""
    now = deps.clock.now()
    actor.require_party("amend notices")
    actor.require_role(Role.DUTY, "amend notices")
    draft = resolved_notice_draft(deps, draft)
    validate_draft(draft, now, deps.mechanism.area)
    cells = coverings(deps, actor.party, draft.volumes)
    lead_s = lead_time_s(draft.volumes, now)

    def work(uow: UnitOfWork) -> Filing:
        current = own_notice(uow, actor, notice_id)
        current.check_amendable(expected_version, now)
        notice = replace(
            current,
            kind=draft.kind,
            title=draft.title,
            volumes=draft.volumes,
            remarks=draft.remarks,
            contact=draft.contact,
            version=current.version + 1,
            updated_at=now,
            lead_time_s=lead_s,
            late_for=late_counterparties(deps.mechanism, actor.party, draft.kind, lead_s),
            priority_status=draft.priority_status,
            request_agreement=draft.request_agreement,
        )
        return store_version(uow, deps, actor, notice, cells, NoticeAmended)

    return deps.db.run(work)


def store_version(
    uow: UnitOfWork,
    deps: Deps,
    actor: Actor,
    notice: Notice,
    cells: Coverings,
    event: type[NoticeAmended],
    counter: str | None = None,
) -> Filing:
    """Inside ``uow``: re-detect the new version ``notice`` (at its ``updated_at``), keep its
    unchanged conflicts and resolve vanished ones (as amended), and record it as ``event``
    (an amendment, or the acceptance of the counter-proposal ``counter``, asks the
    counterparties to acknowledge it, and to agree when it asks for agreement; a release,
    which only shortens what they were told, asks nothing)."""
    now = notice.updated_at
    subject = notice_side(notice)
    candidates = find_candidates(uow, deps, actor.party, notice.volumes, cells)
    fresh = detect(uow, deps, subject, notice.volumes, candidates, now)
    conflicts = tuple(sync_conflicts(uow, deps, subject, fresh, ResolvedReason.AMENDED, now))
    acks: tuple[AckRequest, ...] = ()
    if not issubclass(event, NoticeReleased):
        acks = notice_acks(deps, notice, conflicts, now)
        acks += agreement_requests(deps, notice, conflicts, now)
    version = _filed(event, notice, conflicts, acks, cells)
    if counter is not None and isinstance(version, NoticeCounterAccepted):
        version = replace(version, counter=counter)
    record_event(uow, now, actor.operator, version, actor.signature)
    return Filing(notice, conflicts)


def cancel_notice(
    deps: Deps, actor: Actor, notice_id: str, idem: Idempotency[Notice] | None = None
) -> Notice:
    """Cancel the actor's notice: it stops being a candidate and its conflicts resolve."""
    now = deps.clock.now()
    actor.require_party("cancel notices")
    actor.require_role(Role.DUTY, "cancel notices")

    def work(uow: UnitOfWork) -> Notice:
        current = own_notice(uow, actor, notice_id)
        current.check_amendable(current.version, now)
        notice = replace(current, cancelled_at=now)
        subject = notice_side(notice)
        sync_conflicts(uow, deps, subject, [], ResolvedReason.CANCELLED, now)
        event = NoticeCancelled(notice.id, notice.version, now)
        record_event(uow, now, actor.operator, event, actor.signature)
        return remember(uow, actor, idem, notice, now)

    return deps.db.run(work)
