"""Use case: the tactical tick — the live picture through the engines, alerts in the ledger.

Once a second ``serve`` moves every fresh track to the present, predicts losses of separation
between tracks of different parties (each channel's own minima), conformance of tracks to the
notices they fly under and intrusions into other parties' protected and red-line zones, and
steps the alert board (``domain/tactical.py``: severity, 30 s hysteresis). An alert that opens,
changes severity or clears is a ledger entry (``tactical.detected`` / ``tactical.updated`` /
``tactical.cleared``) on the streams of the parties told, written in one transaction with the
alert row and the acknowledgements it asks for. The tick never dies: a failure is logged and the
next tick starts afresh.

Only the process holding the periodic duties ticks (``service/duties.py``), so an alert is
raised once however many processes serve. Over PostgreSQL its tick also writes each open
alert's latest figures (``LiveTables``), and every other process keeps its board a copy of
the open alerts and those figures (``follow``, once a tick), so that what
``GET /v1/conflicts?kind=tactical`` and ``GET /v1/tracks`` read of the board is the same
whichever process answers.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import combinations

import numpy as np

from sharedsky.detect.tactical import detect_conflicts
from sharedsky.domain.acknowledgements import AckRequest, AckStatus, AckSubject, due_at
from sharedsky.domain.channels import Priority, Sharing
from sharedsky.domain.conflicts import ObjectType
from sharedsky.domain.events import Side, TacticalCleared, TacticalDetected, TacticalUpdated
from sharedsky.domain.ids import AckId, PartyId
from sharedsky.domain.tactical import (
    CLEARED,
    AlertKey,
    AlertKind,
    BoardStep,
    Finding,
    LiveFigures,
    OpenAlert,
    Severity,
    step_board,
)
from sharedsky.service._common import SYSTEM, record_event
from sharedsky.service._packing import pressure_offsets
from sharedsky.service.conformance import conformance_findings
from sharedsky.service.ports import Deps, LiveTables
from sharedsky.service.tracks import Picture, Snapshot
from sharedsky.service.uow import UnitOfWork
from sharedsky.units import from_us, to_us

log = logging.getLogger("sharedsky.tactical")


@dataclass(slots=True)
class TacticalBoard:
    """The open alerts between ticks (rebuilt from the database when a server starts)."""

    alerts: dict[AlertKey, OpenAlert] = field(default_factory=dict)
    audiences: dict[str, tuple[PartyId, ...]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    loaded: bool = False

    def current(self) -> list[OpenAlert]:
        """The open alerts with their latest figures."""
        with self.lock:
            return list(self.alerts.values())

    def reset(self) -> None:
        """Forget everything: the next tick takes the open alerts up from the database."""
        with self.lock:
            self.alerts = {}
            self.audiences = {}
            self.loaded = False


@dataclass(frozen=True, slots=True)
class TickReport:
    """What one tick saw and did."""

    tracks: int
    findings: int
    opened: int
    changed: int
    cleared: int


def separation_findings(deps: Deps, snap: Snapshot, lookahead_s: float) -> list[Finding]:
    """Predicted losses of separation between tracks of different parties, each pair of
    parties with its channel's minima (``snap`` already moved to the present)."""
    found: list[Finding] = []
    parties = sorted(set(snap.parties))
    party_of = np.array(snap.parties, dtype=object)
    pressure = pressure_offsets(deps.mechanism.datums)
    for pa, pb in combinations(parties, 2):
        minima = deps.mechanism.channel(pa, pb).separation
        if minima.lateral_m <= 0 or minima.vertical_m <= 0:
            continue
        pair = snap.take((party_of == pa) | (party_of == pb))
        hits = detect_conflicts(
            pair.columns({pa: 0, pb: 1}),
            lookahead_s=lookahead_s,
            lateral_m=minima.lateral_m,
            vertical_m=minima.vertical_m,
            pressure=pressure,
        )
        for k in range(len(hits)):
            i, j = int(hits.i[k]), int(hits.j[k])
            if (pair.parties[i], pair.ids[i]) > (pair.parties[j], pair.ids[j]):
                i, j = j, i
            key = AlertKey(
                AlertKind.SEPARATION,
                pair.parties[i],
                pair.ids[i],
                "track",
                pair.ids[j],
                pair.parties[j],
            )
            figures = {
                "tcpa_s": round(float(hits.tcpa_s[k]), 1),
                "dcpa_m": round(float(hits.dcpa_m[k]), 1),
                "dv_m": round(float(hits.dv_m[k]), 1),
                "t_in_s": round(float(hits.t_in_s[k]), 1),
                "t_out_s": round(float(hits.t_out_s[k]), 1),
                "a_position": pair.position(i),
                "b_position": pair.position(j),
                **pair.callsign_figures(i, j),
                **_datum_figures(float(hits.datum_margin_m[k])),
            }
            found.append(Finding(key, float(hits.t_in_s[k]), figures))
    return found


def _datum_figures(margin_m: float) -> dict[str, float]:
    """``datum_margin_m`` (metres, rounded to 0.1 m) of a pair found only because its datums
    were widened over the QNH range; nothing for any other pair (NaN)."""
    return {} if math.isnan(margin_m) else {"datum_margin_m": round(margin_m, 1)}


def tick(
    deps: Deps, picture: Picture, board: TacticalBoard, live: LiveTables | None = None
) -> TickReport:
    """One detection tick at the clock's now; with ``live`` (the processes over one
    PostgreSQL), the open alerts' figures are also written there for the other processes."""
    now = deps.clock.now()
    if not board.loaded:
        _load(deps, board)
    picture.prune(now.timestamp())
    snap = picture.snapshot(now.timestamp()).at(now.timestamp())
    config = picture.config
    findings = separation_findings(deps, snap, config.lookahead_s)
    try:
        findings += deps.db.run(
            lambda uow: conformance_findings(uow, deps, snap, config.lookahead_s, config.horizon_s),
            readonly=True,
        )
    except Exception:  # keep the separation alerts going; hold the others as they stand
        log.exception("conformance and intrusion failed this tick")
        findings += _held(board, {AlertKind.CONFORMANCE, AlertKind.INTRUSION})
    with board.lock:
        step = step_board(board.alerts, findings, now, lambda: deps.ids.new("tac"))
        if step.opened or step.changed or step.cleared:
            audiences = deps.db.run(lambda uow: _record(uow, deps, step, board.audiences, now))
            board.audiences.update(audiences)
        for alert in step.cleared:
            board.audiences.pop(alert.id, None)
        board.alerts = {a.key: a for a in step.current}
    if live is not None:
        figures = {
            a.id: LiveFigures(str(a.severity), a.figures, to_us(a.last_found)) for a in step.current
        }
        live.replace_figures(figures)
    return TickReport(
        len(snap), len(findings), len(step.opened), len(step.changed), len(step.cleared)
    )


_LOSS_OF = {Severity.WARNING: 0.0, Severity.CAUTION: 60.0, Severity.ADVISORY: 181.0}


def _held(board: TacticalBoard, kinds: set[AlertKind]) -> list[Finding]:
    """The open alerts of ``kinds`` found again as they stand: a stage that failed must not
    clear what it could not look at."""
    with board.lock:
        return [
            Finding(a.key, _LOSS_OF[a.severity], a.figures)
            for a in board.alerts.values()
            if a.key.kind in kinds
        ]


def _load(deps: Deps, board: TacticalBoard) -> None:
    """Take up the alerts a previous server process left open."""
    stored = deps.db.run(lambda uow: uow.tactical.open_alerts(), readonly=True)
    with board.lock:
        for alert in stored:
            board.alerts[alert.key] = OpenAlert(
                alert.id,
                alert.key,
                alert.severity,
                alert.opened_at,
                alert.updated_at,
                alert.figures,
                ((alert.updated_at, alert.severity),),
            )
            board.audiences[alert.id] = alert.audience
        board.loaded = True


def follow(deps: Deps, board: TacticalBoard, live: LiveTables) -> int:
    """Make ``board`` a copy of the open alerts in the database, with the figures the duty
    holder's last tick wrote (the stored ones where it wrote none yet): the board of a process
    that does not tick. Returns how many alerts are open."""
    stored = deps.db.run(lambda uow: uow.tactical.open_alerts(), readonly=True)
    figures = live.all_figures()
    alerts: dict[AlertKey, OpenAlert] = {}
    for alert in stored:
        found = figures.get(alert.id)
        severity = alert.severity if found is None else Severity(found.severity)
        last_found = alert.updated_at if found is None else from_us(found.found_us)
        alerts[alert.key] = OpenAlert(
            alert.id,
            alert.key,
            severity,
            alert.opened_at,
            last_found,
            alert.figures if found is None else found.figures,
            ((last_found, severity),),
        )
    with board.lock:
        board.alerts = alerts
        board.audiences = {a.id: a.audience for a in stored}
        board.loaded = False  # a process that takes the duties loads its board afresh
    return len(alerts)


def audience_of(uow: UnitOfWork, deps: Deps, key: AlertKey) -> tuple[PartyId, ...]:
    """The parties an alert goes to: both sides of a separation or an intrusion; for a
    non-conformance the track's own party and the counterparties concerned under the sharing
    policy (``full`` sharing, or ``conflicts_only`` with an open conflict with the notice)."""
    if key.kind is not AlertKind.CONFORMANCE:
        return tuple(sorted({key.a_party, key.b_party}))
    told = {key.a_party}
    mech = deps.mechanism
    clashing = {
        party
        for c in uow.conflicts.open_involving(ObjectType.NOTICE, key.b_id)
        for party in (c.a.party, c.b.party)
    }
    for other in mech.counterparties(key.a_party):
        sharing = mech.channel(key.a_party, other).sharing
        if sharing is Sharing.FULL or (sharing is Sharing.CONFLICTS_ONLY and other in clashing):
            told.add(other)
    return tuple(sorted(told))


def _sides(alert: OpenAlert) -> tuple[Side, Side]:
    key = alert.key
    return Side("track", key.a_track, key.a_party), Side(key.b_type, key.b_id, key.b_party)


def _told(
    event: type[TacticalDetected],
    alert: OpenAlert,
    audience: Sequence[PartyId],
    now: datetime,
    acks: Sequence[AckRequest] = (),
    superseded: Sequence[str] = (),
) -> TacticalDetected:
    a, b = _sides(alert)
    return event(
        conflict=alert.id,
        kind=str(alert.key.kind),
        severity=str(alert.severity),
        a=a,
        b=b,
        to=tuple(audience),
        figures=alert.figures,
        at=now,
        acks=tuple(acks),
        superseded=tuple(superseded),
    )


def _record(
    uow: UnitOfWork,
    deps: Deps,
    step: BoardStep,
    audiences: Mapping[str, tuple[PartyId, ...]],
    now: datetime,
) -> dict[str, tuple[PartyId, ...]]:
    new: dict[str, tuple[PartyId, ...]] = {
        alert.id: audience_of(uow, deps, alert.key) for alert in step.opened
    }
    for alert in step.opened:
        audience = new[alert.id]
        acks = [_ack_request(deps, alert, party, now) for party in audience]
        record_event(uow, now, SYSTEM, _told(TacticalDetected, alert, audience, now, acks))
    for alert in step.changed:
        audience = audiences.get(alert.id, ())
        superseded: list[str] = []
        acks = []
        if alert.severity is Severity.WARNING:
            superseded, acks = _demand_flash(uow, deps, alert, audience, now)
        event = _told(TacticalUpdated, alert, audience, now, acks, superseded)
        record_event(uow, now, SYSTEM, event)
    for alert in step.cleared:
        audience = audiences.get(alert.id, ())
        a, b = _sides(alert)
        cleared = TacticalCleared(alert.id, str(alert.key.kind), a, b, tuple(audience), now)
        record_event(uow, now, SYSTEM, cleared)
    return new


def _ack_request(deps: Deps, alert: OpenAlert, party: PartyId, now: datetime) -> AckRequest:
    key = alert.key
    other = key.b_party if party != key.b_party else key.a_party
    mech = deps.mechanism
    rules = mech.channel(party, other) if other != party else mech.defaults
    priority = Priority.FLASH if alert.severity is Severity.WARNING else Priority.PRIORITY
    return AckRequest(
        id=AckId(deps.ids.new("ack")),
        party=party,
        subject=AckSubject.CONFLICT,
        subject_id=alert.id,
        subject_version=1,
        priority=priority,
        requested_at=now,
        due_at=due_at(rules, priority, now),
    )


def _demand_flash(
    uow: UnitOfWork,
    deps: Deps,
    alert: OpenAlert,
    audience: Sequence[PartyId],
    now: datetime,
) -> tuple[list[str], list[AckRequest]]:
    """An alert that rose to warning is owed a fresh acknowledgement within the flash
    deadline by every party told, even one that acknowledged it at a lower severity: the
    parties whose pending requests are superseded, and the new requests."""
    requests = uow.acks.for_subject(alert.id)
    owed = {
        r.party for r in requests if r.status is AckStatus.PENDING and r.priority is Priority.FLASH
    }
    version = max((r.subject_version for r in requests), default=0) + 1
    pending = [r for r in requests if r.status is AckStatus.PENDING and r.party not in owed]
    superseded = sorted({str(r.party) for r in pending})
    fresh = [
        replace(_ack_request(deps, alert, party, now), subject_version=version)
        for party in audience
        if party not in owed
    ]
    return superseded, fresh


def is_open(uow: UnitOfWork, alert_id: str) -> bool:
    """True while the tactical alert is open."""
    alert = uow.tactical.get(alert_id)
    return alert is not None and alert.state != CLEARED


class TacticalTicker:
    """Runs ``tick`` every ``tick_s`` seconds in a background thread (inside ``serve``, in the
    process holding the duties); ``on_tick`` is told how long each tick took, in seconds (the
    metrics), failed ones too; ``live``: see ``tick``."""

    def __init__(
        self,
        deps: Deps,
        picture: Picture,
        board: TacticalBoard,
        tick_s: float,
        on_tick: Callable[[float], None] | None = None,
        live: LiveTables | None = None,
    ):
        self._deps = deps
        self._picture = picture
        self._board = board
        self._live = live
        self._tick_s = tick_s
        self._on_tick = on_tick
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tactical-tick", daemon=True)
        self.ticks = 0

    def start(self) -> None:
        """Start ticking."""
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current tick."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self._tick_s):
            started_s = time.perf_counter()
            try:
                tick(self._deps, self._picture, self._board, self._live)
            except Exception:  # the tick must never die; the next one starts afresh
                log.exception("tactical tick failed")
            if self._on_tick is not None:
                self._on_tick(time.perf_counter() - started_s)
            self.ticks += 1


class BoardFollower:
    """Runs ``follow`` every ``tick_s`` seconds in a background thread while ``standby()`` is
    true (this process does not hold the duties): the board of a process over PostgreSQL that
    does not tick."""

    def __init__(
        self,
        deps: Deps,
        board: TacticalBoard,
        live: LiveTables,
        tick_s: float,
        standby: Callable[[], bool],
    ) -> None:
        self._deps = deps
        self._board = board
        self._live = live
        self._tick_s = tick_s
        self._standby = standby
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start following."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="board-follower", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop after the current read."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._tick_s):
            if not self._standby():
                continue
            try:
                follow(self._deps, self._board, self._live)
            except Exception:  # the board keeps its last copy; the next read starts afresh
                log.exception("the tactical board could not be read from the database")
