"""The read side: every read goes through domain.visibility before it leaves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sharedsky.domain.acknowledgements import AckRequest, AckSubject
from sharedsky.domain.agreement import Position, agreement_of
from sharedsky.domain.conflicts import Conflict, ConflictFilter, ConflictState
from sharedsky.domain.errors import NotFound
from sharedsky.domain.escalation import EscalationStep
from sharedsky.domain.ids import PartyId
from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.notices import Notice, NoticeFilter
from sharedsky.domain.tactical import OPEN, StoredAlert
from sharedsky.domain.visibility import (
    ConflictView,
    NoticeView,
    Viewer,
    ZoneView,
    see_conflict,
    see_notice,
    see_zone,
)
from sharedsky.domain.zones import ZoneKind
from sharedsky.geo.outlines import outline_bbox
from sharedsky.service.ports import Deps
from sharedsky.service.uow import UnitOfWork

__all__ = ["NoticeDetail", "NoticeFilter"]


@dataclass(frozen=True, slots=True)
class NoticeDetail:
    """A notice as a viewer sees it, with its open conflicts and acknowledgements."""

    view: NoticeView
    conflicts: tuple[ConflictView, ...]
    acks: tuple[AckRequest, ...]
    agreement: tuple[Position, ...] = ()
    """The requests for agreement with the current version, with their answers: every
    counterparty's for the filer and the host, the viewer's own for a counterparty."""


def visible_notice(
    uow: UnitOfWork, deps: Deps, viewer: Viewer, notice_id: str, now: datetime
) -> NoticeView:
    """The notice as ``viewer`` sees it; NotFound when absent or invisible to the viewer."""
    notice = uow.notices.get(notice_id)
    view = None if notice is None else notice_seen(uow, deps.mechanism, viewer, notice, now)
    if view is None:
        raise NotFound(f"no notice {notice_id!r}")
    return view


def notice_seen(
    uow: UnitOfWork, mechanism: Mechanism, viewer: Viewer, notice: Notice, now: datetime
) -> NoticeView | None:
    """What ``viewer`` sees of the stored ``notice`` at ``now`` (its volumes in an open clash
    with the viewer's own decide under ``conflicts_only``); None when nothing."""
    clashing = uow.conflicts.clashing_volumes(viewer.party, [notice.id], now)
    return see_notice(viewer, notice, mechanism, clashing.get(notice.id, frozenset()))


def visible_tactical(uow: UnitOfWork, viewer: Viewer, alert_id: str) -> StoredAlert | None:
    """The tactical alert if ``viewer`` may see it (the host, or a party it was sent to);
    None when there is no such alert; NotFound when it exists but is not the viewer's."""
    alert = uow.tactical.get(alert_id)
    if alert is None:
        return None
    if not viewer.is_host and not alert.told(viewer.party):
        raise NotFound(f"no conflict {alert_id!r}")
    return alert


def list_tactical(deps: Deps, viewer: Viewer, state: str | None) -> list[StoredAlert]:
    """The tactical alerts the viewer may see, newest first; ``state`` open, cleared or any."""

    def work(uow: UnitOfWork) -> list[StoredAlert]:
        found = uow.tactical.find(state)
        return [a for a in found if viewer.is_host or a.told(viewer.party)]

    return deps.db.run(work, readonly=True)


def show_tactical(deps: Deps, viewer: Viewer, alert_id: str) -> StoredAlert | None:
    """The tactical alert as ``visible_tactical`` decides, in its own read transaction."""
    return deps.db.run(lambda uow: visible_tactical(uow, viewer, alert_id), readonly=True)


def visible_conflict(
    uow: UnitOfWork, deps: Deps, viewer: Viewer, conflict_id: str, now: datetime
) -> ConflictView:
    """The conflict as ``viewer`` sees it; NotFound when absent or invisible."""
    conflict = uow.conflicts.get(conflict_id)
    view = None if conflict is None else see_conflict(viewer, conflict, deps.mechanism)
    if view is None:
        raise NotFound(f"no conflict {conflict_id!r}")
    return view


def _visible_acks(acks: list[AckRequest], viewer: Viewer, owner: PartyId) -> tuple[AckRequest, ...]:
    if viewer.is_host or viewer.party == owner:
        return tuple(acks)
    return tuple(a for a in acks if a.party == viewer.party)


def visible_agreement(uow: UnitOfWork, viewer: Viewer, notice: Notice) -> tuple[Position, ...]:
    """The positions on the notice's current version that ``viewer`` may see: all of them
    for its owner and the host, its own for a counterparty (R-AGREE-5)."""
    current = agreement_of(notice.id, notice.party, notice.version, uow.acks.positions(notice.id))
    if viewer.is_host or viewer.party == notice.party:
        return current.current()
    return tuple(p for p in current.current() if p.party == viewer.party)


def show_notice(deps: Deps, viewer: Viewer, notice_id: str) -> NoticeDetail:
    """One notice with the conflicts and acknowledgements the viewer may see."""
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> NoticeDetail:
        view = visible_notice(uow, deps, viewer, notice_id, now)
        flt = ConflictFilter(object_id=notice_id, state=ConflictState.OPEN)
        conflicts = [see_conflict(viewer, c, deps.mechanism) for c in uow.conflicts.find(flt, now)]
        owner = view.notice.party
        requests = uow.acks.for_subject(notice_id)
        receipts = [a for a in requests if a.subject is not AckSubject.AGREEMENT]
        acks = _visible_acks(receipts, viewer, owner)
        agreement = visible_agreement(uow, viewer, view.notice)
        return NoticeDetail(view, tuple(c for c in conflicts if c is not None), acks, agreement)

    return deps.db.run(work, readonly=True)


def list_notices(deps: Deps, viewer: Viewer, flt: NoticeFilter) -> list[NoticeView]:
    """Notices matching ``flt`` that the viewer may see, as the viewer sees them."""
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> list[NoticeView]:
        notices = uow.notices.find(flt, now)
        clashing = uow.conflicts.clashing_volumes(viewer.party, [n.id for n in notices], now)
        views = (
            see_notice(viewer, n, deps.mechanism, clashing.get(n.id, frozenset())) for n in notices
        )
        return [v for v in views if v is not None and _matches_as_seen(v, flt)]

    return deps.db.run(work, readonly=True)


def _matches_as_seen(view: NoticeView, flt: NoticeFilter) -> bool:
    """Whether a redacted view still matches the filter's box and window through the volumes
    it shows. The store matched each notice's whole extent, hidden volumes included: answering
    on those would let a ``conflicts_only`` or ``host_only`` counterparty find, box by box and
    hour by hour, where and when the parts it may not see lie."""
    if not view.redacted or (flt.bbox is None and flt.time_from is None and flt.time_to is None):
        return True
    for volume in view.notice.volumes:
        start, end = volume.time.start, volume.time.end
        if flt.time_from is not None and end is not None and end <= flt.time_from:
            continue
        if flt.time_to is not None and start >= flt.time_to:
            continue
        if flt.bbox is not None:
            min_lon, min_lat, max_lon, max_lat = outline_bbox(volume.outline)
            w, s, e, n = flt.bbox
            if max_lon < w or min_lon > e or max_lat < s or min_lat > n:
                continue
        return True
    return False


def show_zone(deps: Deps, viewer: Viewer, zone_id: str) -> ZoneView:
    """One zone as the viewer sees it; NotFound when absent or invisible."""
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> ZoneView:
        zone = uow.zones.get(zone_id)
        if zone is None:
            raise NotFound(f"no zone {zone_id!r}")
        clashing = uow.conflicts.clashing_volumes(viewer.party, [zone.id], now)
        view = see_zone(viewer, zone, deps.mechanism, zone.id in clashing)
        if view is None:
            raise NotFound(f"no zone {zone_id!r}")
        return view

    return deps.db.run(work, readonly=True)


def list_zones(
    deps: Deps,
    viewer: Viewer,
    party: PartyId | None = None,
    kind: ZoneKind | None = None,
    withdrawn: bool = False,
) -> list[ZoneView]:
    """Zones the viewer may see, optionally of one party or kind."""
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> list[ZoneView]:
        zones = uow.zones.find(party, kind, withdrawn)
        clashing = uow.conflicts.clashing_volumes(viewer.party, [z.id for z in zones], now)
        views = (see_zone(viewer, z, deps.mechanism, z.id in clashing) for z in zones)
        return [v for v in views if v is not None]

    return deps.db.run(work, readonly=True)


def show_conflict(
    deps: Deps, viewer: Viewer, conflict_id: str
) -> tuple[ConflictView, tuple[AckRequest, ...]]:
    """One conflict and its acknowledgements as the viewer sees them."""
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> tuple[ConflictView, tuple[AckRequest, ...]]:
        view = visible_conflict(uow, deps, viewer, conflict_id, now)
        return view, tuple(uow.acks.for_subject(conflict_id))

    return deps.db.run(work, readonly=True)


def list_conflicts(
    deps: Deps, viewer: Viewer, state: ConflictState | None, object_id: str | None = None
) -> list[ConflictView]:
    """Conflicts the viewer may see, optionally only open or resolved, or of one object."""
    now = deps.clock.now()
    party = None if viewer.is_host else viewer.party

    def work(uow: UnitOfWork) -> list[ConflictView]:
        found: list[Conflict] = uow.conflicts.find(
            ConflictFilter(party=party, object_id=object_id, state=state), now
        )
        views = (see_conflict(viewer, c, deps.mechanism) for c in found)
        return [v for v in views if v is not None]

    return deps.db.run(work, readonly=True)


def escalations(deps: Deps, viewer: Viewer) -> list[EscalationStep]:
    """The escalation steps of the viewer's party (the host: every party's), newest first."""
    party = None if viewer.is_host else viewer.party
    return deps.db.run(lambda uow: uow.escalations.steps(party), readonly=True)


def pending_acks(deps: Deps, viewer: Viewer) -> list[AckRequest]:
    """What the viewer's party still has to acknowledge, earliest due first.

    Leaves out requests whose subject no longer needs an answer: a conflict resolved (also by
    expiry) or a notice that ended or was cancelled.
    """
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> list[AckRequest]:
        owed = uow.acks.pending(viewer.party)
        return [r for r in owed if still_owed(uow, deps.mechanism, r, now)]

    return deps.db.run(work, readonly=True)


def still_owed(uow: UnitOfWork, mechanism: Mechanism, request: AckRequest, now: datetime) -> bool:
    """True while the request's subject still needs an answer at ``now``: a conflict not
    resolved (nor expired), a notice (to acknowledge, or to agree to) not ended nor
    cancelled and still in the party's sight (a ``conflicts_only`` counterparty loses sight
    of it when their clash is resolved: it can no longer read nor acknowledge it), a message
    until answered."""
    if request.subject is AckSubject.CONFLICT:
        conflict = uow.conflicts.get(request.subject_id)
        if conflict is None:
            alert = uow.tactical.get(request.subject_id)
            return alert is not None and alert.state == OPEN
        return conflict.state_at(now).needs_ack()
    if request.subject in (AckSubject.NOTICE, AckSubject.AGREEMENT):
        notice = uow.notices.get(request.subject_id)
        if notice is None or not notice.status(now).is_current():
            return False
        viewer = Viewer(request.party, is_host=False)
        return notice_seen(uow, mechanism, viewer, notice, now) is not None
    return True
