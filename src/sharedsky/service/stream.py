"""The event stream's use-case side: the events after a seq that one viewer may see.

``visible_event`` is the one place that decides whether a viewer receives an event and what of
its payload. Each event type names its audience (``domain.events.Audience``); this applies it
with ``domain.visibility`` to the objects the event is about, as they stand when the stream
reads the event:

* the host receives every event whole;
* ``notice.*`` and ``zone.*`` go to whoever may see the notice or zone (``see_notice``,
  ``see_zone``); the ``conflicts`` they list are cut to the conflicts the viewer may see and
  ``late_for`` to the viewer's own party (the owner keeps the whole list);
* ``notice.acknowledged`` goes to the notice's owner and to the acknowledging party;
* ``conflict.*`` goes to whoever may see the conflict (``see_conflict``); under ``host_only``
  the other side's id is withheld (``null``);
* ``message.sent``, ``message.acknowledged`` and ``message.replied`` go to the parties named
  in ``from`` and ``to``;
* ``tactical.*`` goes to the parties the alert was sent to (``to``); the other side's track or
  zone id is withheld (``null``) from a party whose channel with its owner is ``host_only``;
* ``ack.escalated`` goes to the party whose acknowledgement is late (``party``): to the
  operators it names (``operators``, those of the rung reached), or to all of the party's
  operators when it names none;
* ``mechanism.loaded`` and every type not listed here go to the host only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sharedsky.domain.channels import Sharing
from sharedsky.domain.conflicts import Conflict
from sharedsky.domain.deliveries import Delivery
from sharedsky.domain.events import (
    EVENT_TYPES,
    Audience,
    DeliveryRecorded,
    Side,
    StoredEvent,
    audience_of,
    types_for,
)
from sharedsky.domain.ids import PartyId
from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.notices import Notice
from sharedsky.domain.visibility import (
    Viewer,
    late_for_seen,
    see_conflict,
    see_notice,
    see_zone,
)
from sharedsky.domain.zones import Zone
from sharedsky.events.streams import StreamCursor, gap_grace_s
from sharedsky.ledger.chain import format_time
from sharedsky.service._common import SYSTEM, record_events
from sharedsky.service.ports import Deps
from sharedsky.service.uow import UnitOfWork

PAGE_SIZE = 500
"""Events read from the log per query."""

_NOTICE_TYPES = types_for(Audience.NOTICE)
_ZONE_TYPES = types_for(Audience.ZONE)
_CONFLICT_TYPES = types_for(Audience.CONFLICT)
_LEDGER_ONLY = types_for(Audience.LEDGER)
"""Events kept for the ledger and its export, sent on no stream (the host's neither): a stream
would otherwise carry a record of each of its own deliveries."""
_SIGHTED_TYPES = types_for(
    Audience.NOTICE, Audience.NOTICE_PARTIES, Audience.ZONE, Audience.CONFLICT
)
"""Event types whose visibility depends on the objects they are about."""
_NOTICE_ABOUT = types_for(Audience.NOTICE, Audience.NOTICE_PARTIES)
"""Event types about a notice (``payload.notice``)."""
_NAMED_TYPES = types_for(Audience.NAMED, Audience.NAMED_SIDES)
"""Event types that go to the parties their payload names in ``from`` and ``to``."""


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One event as a viewer may see it."""

    seq: int
    """The event's global sequence number: the stream's event id."""
    time: datetime
    type: str
    actor: str
    payload: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class StreamPage:
    """What one read of the log gave a stream."""

    events: tuple[StreamEvent, ...]
    """The events the viewer may see, in seq order (possibly none)."""
    more: bool
    """True when the read filled its page: read again before waiting."""


@dataclass(frozen=True, slots=True)
class Sightings:
    """The objects a batch of events is about, and which of them clash with the viewer's own."""

    notices: Mapping[str, Notice] = field(default_factory=dict)
    zones: Mapping[str, Zone] = field(default_factory=dict)
    conflicts: Mapping[str, Conflict] = field(default_factory=dict)
    clashing: Mapping[str, frozenset[int]] = field(default_factory=dict)
    """Object id → indexes of its volumes in an open conflict with one of the viewer's."""


def open_cursor(deps: Deps, after: int | None) -> StreamCursor:
    """A cursor that starts strictly after seq ``after``, or after the newest event when
    ``after`` is None (a stream that starts "now")."""
    if after is None:
        after = head_of_log(deps)
    return StreamCursor(after, gap_grace_s(deps.db.dialect))


def read_stream(
    deps: Deps, viewer: Viewer, cursor: StreamCursor, now_s: float, page_size: int = PAGE_SIZE
) -> StreamPage:
    """The next events after ``cursor`` that ``viewer`` may see, read from the log with the
    objects they are about in one read transaction; advances the cursor over every event it
    settled (seen or not). ``now_s`` is a monotonic time in seconds (gap grace)."""
    now = deps.clock.now()
    position = cursor.position

    def work(uow: UnitOfWork) -> tuple[list[StoredEvent], Sightings]:
        raw = uow.events.after(position, page_size, _LEDGER_ONLY)
        return raw, (
            sightings_in(uow, viewer, raw, now) if needs_sightings(viewer, raw) else Sightings()
        )

    raw, seen = deps.db.run(work, readonly=True)
    return page_of(deps.mechanism, viewer, cursor, raw, seen, now_s, page_size)


def page_of(
    mechanism: Mechanism,
    viewer: Viewer,
    cursor: StreamCursor,
    raw: Sequence[StoredEvent],
    seen: Sightings,
    now_s: float,
    page_size: int = PAGE_SIZE,
) -> StreamPage:
    """What ``viewer`` receives of ``raw`` (events just read after ``cursor``, at most
    ``page_size``), given the objects they are about; advances the cursor over every event it
    settled. Pure: no database, so a stream can run it in the event loop."""
    settled = raw[: cursor.settle([e.seq for e in raw], now_s)]
    views = (visible_event(viewer, e, seen, mechanism) for e in settled)
    return StreamPage(
        tuple(v for v in views if v is not None),
        more=len(raw) == page_size and len(settled) == len(raw),
    )


def may_concern(viewer: Viewer, event: StoredEvent) -> bool:
    """False only when ``viewer`` certainly receives nothing of ``event`` whatever the objects
    it is about (a message between two other parties, another party's escalation): its stream
    need not even wake for it. True otherwise."""
    kind = event.type
    if kind in _LEDGER_ONLY:
        return False
    if viewer.is_host:
        return True
    if kind in _NAMED_TYPES:
        return _names(event.payload, viewer.party)
    if audience_of(kind) is Audience.OWN_PARTY:
        return _own(event.payload, viewer)
    return kind in _SIGHTED_TYPES


def needs_sightings(viewer: Viewer, events: Iterable[StoredEvent]) -> bool:
    """True when what ``viewer`` may see of ``events`` depends on the objects they are about
    (``load_sightings`` must be read first); the host sees everything whole."""
    return not viewer.is_host and any(e.type in _SIGHTED_TYPES for e in events)


def load_sightings(deps: Deps, viewer: Viewer, events: Sequence[StoredEvent]) -> Sightings:
    """The objects ``events`` are about, as they stand now, in one read transaction."""
    now = deps.clock.now()
    return deps.db.run(lambda uow: sightings_in(uow, viewer, events, now), readonly=True)


def fetch_events(deps: Deps, seq: int, limit: int) -> list[StoredEvent]:
    """Up to ``limit`` events after ``seq`` from the log."""
    return deps.db.run(lambda uow: uow.events.after(seq, limit, _LEDGER_ONLY), readonly=True)


def head_of_log(deps: Deps) -> int:
    """The newest seq committed to the log (0 when empty)."""
    head = deps.db.run(lambda uow: uow.events.head(), readonly=True)
    return 0 if head is None else head.seq


def _ids(events: Iterable[StoredEvent], types: frozenset[str], key: str) -> list[str]:
    found: set[str] = set()
    for event in events:
        if event.type in types:
            value = event.payload.get(key)
            if isinstance(value, str):
                found.add(value)
            listed = event.payload.get("conflicts")
            if key == "conflict" and isinstance(listed, list):
                found.update(c for c in listed if isinstance(c, str))
    return sorted(found)


def sightings_in(
    uow: UnitOfWork, viewer: Viewer, events: Sequence[StoredEvent], now: datetime
) -> Sightings:
    """Load what ``events`` are about, in the caller's read transaction."""
    notice_ids = _ids(events, _NOTICE_ABOUT, "notice")
    zone_ids = _ids(events, _ZONE_TYPES, "zone")
    conflict_ids = _ids(events, _CONFLICT_TYPES | _NOTICE_TYPES | _ZONE_TYPES, "conflict")
    conflicts = {}
    for conflict_id in conflict_ids:
        conflict = uow.conflicts.get(conflict_id)
        if conflict is not None:
            conflicts[conflict_id] = conflict
    return Sightings(
        notices=uow.notices.get_many(notice_ids) if notice_ids else {},
        zones=uow.zones.get_many(zone_ids) if zone_ids else {},
        conflicts=conflicts,
        clashing=uow.conflicts.clashing_volumes(viewer.party, notice_ids + zone_ids, now),
    )


def visible_event(
    viewer: Viewer, event: StoredEvent, seen: Sightings, mechanism: Mechanism
) -> StreamEvent | None:
    """What ``viewer`` receives of ``event``; None when it must not be sent at all."""
    payload = _visible_payload(viewer, event, seen, mechanism)
    if payload is None:
        return None
    return StreamEvent(event.seq, event.time, event.type, event.actor, payload)


def _visible_payload(
    viewer: Viewer, event: StoredEvent, seen: Sightings, mechanism: Mechanism
) -> Mapping[str, object] | None:
    payload = _visible_keys(viewer, event, seen, mechanism)
    if payload is None or viewer.is_host:
        return payload
    kind = EVENT_TYPES.get(event.type)
    if kind is None or not kind.DETAIL:
        return payload
    return _cut_detail(viewer, event.type, kind.DETAIL, payload, seen, mechanism)


def _cut_detail(
    viewer: Viewer,
    event_type: str,
    detail: frozenset[str],
    payload: Mapping[str, object],
    seen: Sightings,
    mechanism: Mechanism,
) -> Mapping[str, object]:
    """``payload`` (as a party may see its original keys) with the full data added beside
    them (``detail``) cut exactly as the reads cut, or left out where a cut could show more
    than the reads show. The acknowledgement requests of a notice: all of them to its owner,
    a counterparty's own to it (those of a conflict, an alert or a message: to every party
    that sees it, as its reads show them). A notice's or zone's ``content`` only whole, to its
    owner or a counterparty that sees the whole object: a ``conflicts_only`` counterparty
    gets none, since the volumes of that version need not be those that clash now. A
    conflict's ``record`` only where no id is withheld (``host_only``: none)."""
    out = dict(payload)
    for key in detail & out.keys():
        value = out[key]
        if key == "acks" and event_type in _NOTICE_TYPES and isinstance(value, list):
            notice = seen.notices.get(str(payload.get("notice")))
            if notice is None or notice.party != viewer.party:
                out[key] = [
                    r for r in value if isinstance(r, dict) and r.get("party") == viewer.party
                ]
        elif key == "content" and not _whole_object(viewer, payload, seen, mechanism):
            del out[key]
        elif key == "record" and not _whole_conflict(viewer, payload, seen, mechanism):
            del out[key]
    return out


def _whole_object(
    viewer: Viewer, payload: Mapping[str, object], seen: Sightings, mechanism: Mechanism
) -> bool:
    """True when ``viewer`` sees the whole notice or zone the payload is about."""
    notice = seen.notices.get(str(payload.get("notice")))
    if notice is not None:
        clashing = seen.clashing.get(notice.id, frozenset())
        view = see_notice(viewer, notice, mechanism, clashing)
        return view is not None and not view.redacted
    zone = seen.zones.get(str(payload.get("zone")))
    if zone is not None:
        zone_view = see_zone(viewer, zone, mechanism, zone.id in seen.clashing)
        return zone_view is not None and not zone_view.redacted
    return False


def _whole_conflict(
    viewer: Viewer, payload: Mapping[str, object], seen: Sightings, mechanism: Mechanism
) -> bool:
    """True when ``viewer`` sees the conflict the payload is about with nothing withheld."""
    conflict = seen.conflicts.get(str(payload.get("conflict")))
    view = None if conflict is None else see_conflict(viewer, conflict, mechanism)
    return view is not None and not view.other_id_hidden


def _visible_keys(
    viewer: Viewer, event: StoredEvent, seen: Sightings, mechanism: Mechanism
) -> Mapping[str, object] | None:
    """What ``viewer`` may see of the keys the event types had before the full data."""
    audience = audience_of(event.type)
    if audience is Audience.LEDGER:
        return None
    if viewer.is_host:
        return event.payload
    payload = event.payload
    match audience:
        case Audience.NOTICE:
            notice = seen.notices.get(str(payload.get("notice")))
            if notice is None:
                return None
            clashing = seen.clashing.get(notice.id, frozenset())
            if see_notice(viewer, notice, mechanism, clashing) is None:
                return None
            return _cut_lists(viewer, notice.party, payload, seen, mechanism)
        case Audience.NOTICE_PARTIES:
            notice = seen.notices.get(str(payload.get("notice")))
            if notice is None or viewer.party not in (notice.party, payload.get("party")):
                return None
            return payload
        case Audience.ZONE:
            zone = seen.zones.get(str(payload.get("zone")))
            if zone is None or see_zone(viewer, zone, mechanism, zone.id in seen.clashing) is None:
                return None
            return _cut_lists(viewer, zone.party, payload, seen, mechanism)
        case Audience.CONFLICT:
            return _conflict_payload(viewer, payload, seen, mechanism)
        case Audience.NAMED:
            return payload if _names(payload, viewer.party) else None
        case Audience.NAMED_SIDES:
            return _tactical_payload(viewer, payload, mechanism)
        case Audience.OWN_PARTY:
            return payload if _own(payload, viewer) else None
    return None


def _own(payload: Mapping[str, object], viewer: Viewer) -> bool:
    """An event about the viewer's party's own obligation that reaches this viewer: the
    operators it names, or every operator of the party when it names none."""
    if payload.get("party") != viewer.party:
        return False
    named = payload.get("operators")
    if not isinstance(named, list) or not named or viewer.operator is None:
        return True
    return viewer.operator in named


def _cut_lists(
    viewer: Viewer,
    owner: PartyId,
    payload: Mapping[str, object],
    seen: Sightings,
    mechanism: Mechanism,
) -> Mapping[str, object]:
    """The payload of a notice or zone event with the conflicts the viewer may not see left
    out and, for a counterparty, ``late_for`` cut to its own party."""
    out = dict(payload)
    listed = payload.get("conflicts")
    if isinstance(listed, list):
        out["conflicts"] = [
            c
            for c in listed
            if (conflict := seen.conflicts.get(str(c))) is not None
            and see_conflict(viewer, conflict, mechanism) is not None
        ]
    late = payload.get("late_for")
    if isinstance(late, list):
        out["late_for"] = list(late_for_seen(viewer, owner, [PartyId(str(p)) for p in late]))
    return out


def _conflict_payload(
    viewer: Viewer, payload: Mapping[str, object], seen: Sightings, mechanism: Mechanism
) -> Mapping[str, object] | None:
    conflict = seen.conflicts.get(str(payload.get("conflict")))
    view = None if conflict is None else see_conflict(viewer, conflict, mechanism)
    if view is None:
        return None
    if not view.other_id_hidden:
        return payload
    out = dict(payload)
    for key in ("a", "b"):
        side = Side.read(payload.get(key))
        if side is not None and side.party != viewer.party:
            out[key] = side.withheld().form()
    return out


def _tactical_payload(
    viewer: Viewer, payload: Mapping[str, object], mechanism: Mechanism
) -> Mapping[str, object] | None:
    if not _names(payload, viewer.party):
        return None
    out = dict(payload)
    for key in ("a", "b"):
        side = Side.read(payload.get(key))
        if side is not None and side.party != viewer.party:
            if mechanism.channel(viewer.party, PartyId(side.party)).sharing is Sharing.HOST_ONLY:
                out[key] = side.withheld().form()
                out.pop(f"{key}_callsign", None)  # names the aircraft as its id does
    return out


def _names(payload: Mapping[str, object], party: str) -> bool:
    """Whether ``party`` is named in the payload's ``from`` or ``to`` (a party or a list of
    parties): ``party in _named_parties(payload)``, without building the set (it runs for
    every stream and every event)."""
    for key in ("from", "to"):
        value = payload.get(key)
        if value == party or (type(value) is list and party in value):
            return True
    return False


def _named_parties(payload: Mapping[str, object]) -> set[object]:
    named: set[object] = set()
    for key in ("from", "to"):
        value = payload.get(key)
        if isinstance(value, list):
            named.update(value)
        elif value is not None:
            named.add(value)
    return named


def deliveries_of(
    viewer: Viewer, events: Sequence[StreamEvent], at: datetime, via: str = "stream"
) -> list[Delivery]:
    """The first deliveries these events make to the viewer's party (or the host) at ``at``:
    the notices, conflicts and messages they carry (not a party's own notices and messages)."""
    found = []
    for event in events:
        kind = EVENT_TYPES.get(event.type)
        if kind is None or kind.DELIVERS is None:
            continue
        maker = kind.ORIGINATOR
        if maker is not None and event.payload.get(maker) == viewer.party:
            continue  # a party's own notice or message reaching it back tells it nothing
        object_id = event.payload.get(kind.DELIVERS)
        if isinstance(object_id, str):
            concerns = tuple(sorted(p for p in _concerned(event.payload) if p != viewer.party))
            found.append(Delivery(kind.DELIVERS, object_id, viewer.party, at, via, concerns))
    return found


def _concerned(payload: Mapping[str, object]) -> set[str]:
    """The parties an event's object belongs to: a notice's owner, a message's sender and
    recipients, a conflict's two sides (as far as the viewer's payload names them)."""
    found = {str(p) for p in _named_parties(payload) if isinstance(p, str)}
    owner = payload.get("party")
    if isinstance(owner, str):
        found.add(owner)
    for key in ("a", "b"):
        side = Side.read(payload.get(key))
        if side is not None:
            found.add(side.party)
    return found


def store_deliveries(uow: UnitOfWork, deliveries: Sequence[Delivery], now: datetime) -> None:
    """Record one ``delivery.recorded`` event for each of ``deliveries`` that is the first of
    its object to its party (R-LEDGER-3): the ledger proves when each party was told. Those
    recorded before, and repeats within ``deliveries``, change nothing."""
    subjects: dict[str, set[str]] = {}
    for d in deliveries:
        subjects.setdefault(d.subject, set()).add(d.subject_id)
    known = {
        (d.subject, d.subject_id, d.party)
        for subject, ids in subjects.items()
        for d in uow.deliveries.of(subject, sorted(ids))
    }
    first = []
    for d in deliveries:
        key = (d.subject, d.subject_id, d.party)
        if key not in known:
            known.add(key)
            first.append(d)
    record_events(
        uow,
        now,
        SYSTEM,
        [
            DeliveryRecorded(
                d.subject, d.subject_id, d.party, d.via, format_time(d.delivered_at), d.concerns
            )
            for d in first
        ],
    )


def record_deliveries(deps: Deps, viewer: Viewer, events: Sequence[StreamEvent]) -> int:
    """Record that these events' notices, conflicts and messages reached the viewer's party
    (now, by its stream); the first delivery counts, later ones change nothing. Returns how
    many were offered."""
    found = deliveries_of(viewer, events, deps.clock.now())
    if found:
        deps.db.run(lambda uow: store_deliveries(uow, found, deps.clock.now()))
    return len(found)


WRITTEN_KEPT = 200_000
"""Deliveries a ``DeliveryBuffer`` remembers having written (a few tens of megabytes at most);
one forgotten is offered again and the database keeps its first."""


class DeliveryBuffer:
    """First deliveries collected from many streams, written in one transaction per flush
    (a busy server would otherwise add one write per stream read to the single writer)."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._lock = threading.Lock()
        self._pending: list[Delivery] = []
        self._written: OrderedDict[tuple[str, str, str], None] = OrderedDict()
        """(subject, id, party) of the deliveries this process wrote, newest last, at most
        ``WRITTEN_KEPT``: a first delivery is written once, a later one would change nothing."""

    def add(self, viewer: Viewer, events: Sequence[StreamEvent]) -> None:
        """Note the deliveries of ``events`` to ``viewer``, timed now."""
        self.note(deliveries_of(viewer, events, self._deps.clock.now()))

    def note(self, found: Sequence[Delivery]) -> None:
        """Note ``found`` (``service/receipts.py``: deliveries by reading); those this process
        wrote already are left out, so that a list read again and again costs no write."""
        if not found:
            return
        with self._lock:
            self._pending.extend(
                d for d in found if (d.subject, d.subject_id, d.party) not in self._written
            )

    def flush(self) -> int:
        """Write what was noted; returns how many deliveries were offered."""
        with self._lock:
            pending, self._pending = self._pending, []
        if pending:
            now = self._deps.clock.now()
            self._deps.db.run(lambda uow: store_deliveries(uow, pending, now))
            with self._lock:
                for d in pending:
                    self._written[(d.subject, d.subject_id, d.party)] = None
                while len(self._written) > WRITTEN_KEPT:
                    self._written.popitem(last=False)
        return len(pending)
