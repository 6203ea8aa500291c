"""Use cases of activation and early release (R-ACT-1 … R-ACT-5): activate a notice, release
it, and the periodic duty that flags notices not activated in time."""

from __future__ import annotations

from datetime import datetime, timedelta

from sharedsky.domain.acknowledgements import AckRequest
from sharedsky.domain.activation import activation_rules
from sharedsky.domain.channels import Priority
from sharedsky.domain.conflicts import ConflictFilter, ConflictState
from sharedsky.domain.events import NoticeActivated, NoticeNotActivated, NoticeReleased
from sharedsky.domain.notices import Notice
from sharedsky.domain.operators import Role
from sharedsky.service._common import SYSTEM, notice_acks, record_event, remember
from sharedsky.service.context import Actor, Idempotency
from sharedsky.service.detection import coverings
from sharedsky.service.notices import Filing, own_notice, store_version
from sharedsky.service.ports import Deps
from sharedsky.service.uow import UnitOfWork

EARLY_PRIORITY = Priority.FLASH
"""An early activation reaches the counterparties with flash priority: their acknowledgement
is due within the flash deadline of their channel."""

FLAG_BATCH = 200
"""Most notices one pass of the duty flags in one transaction."""


def activate_notice(
    deps: Deps, actor: Actor, notice_id: str, idem: Idempotency[Notice] | None = None
) -> Notice:
    """Activate the actor's notice now (``notice.activated``). Before its window's start
    (within the channels' ``early_activation_s``) the activation is early: each counterparty
    that sees the notice owes an acknowledgement by the flash deadline. TooEarly before that
    allowance, WindowEnded after the end, StateConflict when activated, released or cancelled
    already; another party's notice is NotFound."""
    now = deps.clock.now()
    actor.require_party("activate notices")
    actor.require_role(Role.DUTY, "activate notices")
    rules = activation_rules(deps.mechanism, actor.party)

    def work(uow: UnitOfWork) -> Notice:
        current = own_notice(uow, actor, notice_id)
        notice = current.activated(now, rules.early_s)
        early = current.lifecycle.is_early(now)
        acks: tuple[AckRequest, ...] = ()
        if early:
            flt = ConflictFilter(object_id=notice.id, state=ConflictState.OPEN)
            open_conflicts = uow.conflicts.find(flt, now)
            acks = notice_acks(deps, notice, open_conflicts, now, EARLY_PRIORITY)
        priority = EARLY_PRIORITY if early else Priority.ROUTINE
        event = NoticeActivated(
            notice.id, notice.party, notice.version, now, early, str(priority), acks
        )
        record_event(uow, now, actor.operator, event, actor.signature)
        return remember(uow, actor, idem, notice, now)

    return deps.db.run(work)


def release_notice(
    deps: Deps, actor: Actor, notice_id: str, idem: Idempotency[Filing] | None = None
) -> Filing:
    """Release the actor's active notice now (``notice.released``): its next version ends
    at this moment, so detection treats it as ending here and its later clashes resolve, as
    an amendment's would. WindowEnded after its end, StateConflict unless it is active with
    its window begun; another party's notice is NotFound."""
    now = deps.clock.now()
    actor.require_party("release notices")
    actor.require_role(Role.DUTY, "release notices")

    def work(uow: UnitOfWork) -> Filing:
        notice = own_notice(uow, actor, notice_id).released(now)
        cells = coverings(deps, actor.party, notice.volumes)
        filing = store_version(uow, deps, actor, notice, cells, NoticeReleased)
        return remember(uow, actor, idem, filing, now)

    return deps.db.run(work)


def flag_not_activated(deps: Deps, limit: int = FLAG_BATCH) -> int:
    """The periodic duty: flag, once each, the notices that wait for manual activation and
    were still not activated ``activation_grace_s`` after their start (``notice.not_activated``,
    to both sides); returns how many it flagged."""
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> int:
        flagged = 0
        for notice in uow.notices.awaiting_activation(now, limit):
            grace_s = activation_rules(deps.mechanism, notice.party).grace_s
            if not _overdue(notice, grace_s, now):
                continue
            event = NoticeNotActivated(
                notice.id, notice.party, notice.version, notice.start, grace_s, now
            )
            record_event(uow, now, SYSTEM, event)
            flagged += 1
        return flagged

    return deps.db.run(work)


def _overdue(notice: Notice, grace_s: int, now: datetime) -> bool:
    """True when ``notice``'s activation is more than ``grace_s`` seconds late at ``now``."""
    return now >= notice.start + timedelta(seconds=grace_s)
