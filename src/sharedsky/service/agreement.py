"""Use cases of agreement (R-AGREE-1 … R-AGREE-5): a counterparty agrees to, denies or
counters a notice's version; the filer accepts a counter-proposal (an amendment to its
volumes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sharedsky.domain.agreement import (
    Agreement,
    AgreementReply,
    Answer,
    Position,
    agreement_of,
    reply,
)
from sharedsky.domain.errors import NotFound
from sharedsky.domain.events import (
    Event,
    NoticeAgreed,
    NoticeCounterAccepted,
    NoticeCountered,
    NoticeDenied,
)
from sharedsky.domain.notices import (
    Notice,
    late_counterparties,
    lead_time_s,
    validate_notice_volumes,
)
from sharedsky.domain.operators import Role
from sharedsky.domain.volumes import Volume4D, resolve_volumes
from sharedsky.service._common import record_event, remember
from sharedsky.service.context import Actor, Idempotency
from sharedsky.service.detection import coverings
from sharedsky.service.notices import Filing, own_notice, store_version
from sharedsky.service.ports import Deps
from sharedsky.service.queries import visible_notice
from sharedsky.service.uow import UnitOfWork


def answer_notice(
    deps: Deps,
    actor: Actor,
    notice_id: str,
    answer: Answer,
    *,
    reason: str = "",
    note: str = "",
    volumes: Sequence[Volume4D] = (),
    idem: Idempotency[Position] | None = None,
) -> Position:
    """The actor's party answers the request for agreement of the notice's current version:
    ``agree``, ``deny`` (with a ``reason``) or ``counter`` (``volumes`` validated as a
    filing's, and a ``note``); one ledger event (``notice.agreed``, ``.denied``,
    ``.countered``) to the filer, the party and the host; the answer is the party's position.

    NotFound when the actor may not see the notice, OwnNotice for the filer,
    AgreementNotRequested when its party is not asked (or no longer is), AlreadyAnswered for
    a second answer to one version; InvalidInput (at the field) for a denial without a reason
    or a counter-proposal's invalid volumes. Nothing is stored on a refusal."""
    now = deps.clock.now()
    actor.require_party("answer notices")
    actor.require_role(Role.DUTY, "answer notices")
    given = reply(answer, reason, note, volumes)
    if given.volumes:
        counter = resolve_volumes(given.volumes, deps.mechanism.datums)
        validate_notice_volumes(counter, now, deps.mechanism.area)
        given = replace(given, volumes=counter)

    def work(uow: UnitOfWork) -> Position:
        visible_notice(uow, deps, actor.viewer, notice_id, now)
        notice = uow.notices.get(notice_id)
        if notice is None:  # seen a moment ago in this transaction: it cannot be
            raise NotFound(f"no notice {notice_id!r}")
        after = _agreement(uow, notice).answered(actor.party, given, now, actor.operator)
        position = after.position(actor.party)
        if position is None:  # answered a moment ago: the position is there
            raise NotFound(f"no request for agreement with notice {notice_id!r}")
        event = _answer_event(notice, position, given)
        record_event(uow, now, actor.operator, event, actor.signature)
        return remember(uow, actor, idem, position, now)

    return deps.db.run(work)


def accept_counter(
    deps: Deps,
    actor: Actor,
    notice_id: str,
    counter_id: str,
    expected_version: int,
    idem: Idempotency[Filing] | None = None,
) -> Filing:
    """The filer accepts the counter-proposal ``counter_id`` of its notice, at
    ``expected_version`` (If-Match): the notice's next version carries the counter-proposal's
    volumes, detected, acknowledged and asked for agreement again as an amendment
    (``notice.counter_accepted``, R-AGREE-4).

    NotFound for another party's notice or an unknown counter-proposal; StaleVersion when the
    counter-proposal was about an earlier version or ``expected_version`` is not the
    notice's; InvalidInput when its volumes no longer make a valid filing (their window has
    passed)."""
    now = deps.clock.now()
    actor.require_party("accept counter-proposals")
    actor.require_role(Role.DUTY, "accept counter-proposals")

    def work(uow: UnitOfWork) -> Filing:
        current = own_notice(uow, actor, notice_id)
        position = _agreement(uow, current).counter(counter_id)
        current.check_amendable(expected_version, now)
        volumes = () if position.reply is None else position.reply.volumes
        validate_notice_volumes(volumes, now, None)
        lead_s = lead_time_s(volumes, now)
        notice = replace(
            current,
            volumes=volumes,
            version=current.version + 1,
            updated_at=now,
            lead_time_s=lead_s,
            late_for=late_counterparties(deps.mechanism, actor.party, current.kind, lead_s),
        )
        cells = coverings(deps, actor.party, volumes)
        filing = store_version(
            uow, deps, actor, notice, cells, NoticeCounterAccepted, counter=counter_id
        )
        return remember(uow, actor, idem, filing, now)

    return deps.db.run(work)


def _agreement(uow: UnitOfWork, notice: Notice) -> Agreement:
    return agreement_of(notice.id, notice.party, notice.version, uow.acks.positions(notice.id))


def _answer_event(notice: Notice, position: Position, given: AgreementReply) -> Event:
    """The event of ``position``'s answer ``given`` (settled at its request's time)."""
    request = position.request
    at, operator = request.acked_at, request.acked_by
    if at is None or operator is None:  # answered: settled by the answer
        raise NotFound(f"no answer to notice {notice.id!r}")
    common = (notice.id, notice.version, position.party, operator, at, request.id)
    if given.answer is Answer.DENY:
        return NoticeDenied(*common, given.reason)
    if given.answer is Answer.COUNTER:
        return NoticeCountered(*common, given.note, given.volumes)
    return NoticeAgreed(*common)
