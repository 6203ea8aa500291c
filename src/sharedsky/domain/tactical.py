"""Tactical alerts: predicted losses of separation, non-conformance and zone intrusions between
live tracks, with severity and hysteresis.

The alert board is a pure state machine. Each detection tick hands it what the engines found now
(``Finding``s keyed by the pair they concern); it answers with the alerts to open, the open
alerts whose severity changes, and the alerts to clear. Two rules keep it from flapping:

* **Clearing needs 30 s of calm.** An open alert whose condition is no longer found stays open;
  only when it has gone unfound for ``clear_after_s`` without a break is it cleared. Found again
  within that time, it simply continues. So a pair that clears has stayed clear for 30 s, and
  it can alert again only after that.
* **Severity follows the worst of the last 30 s.** An alert's severity rises at once, and falls
  only when the lower level has held for ``clear_after_s``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from sharedsky.domain.ids import PartyId

CLEAR_AFTER_S = 30.0
WARNING_BELOW_S = 60.0
CAUTION_BELOW_S = 180.0


class AlertKind(StrEnum):
    """What a tactical alert is about."""

    SEPARATION = "separation"
    """Two tracks of different parties predicted to lose separation."""
    CONFORMANCE = "conformance"
    """A track has left, or is predicted to leave, the volumes of the notice it flies under."""
    INTRUSION = "intrusion"
    """A track predicted to enter another party's protected or red-line zone."""


class Severity(StrEnum):
    """How soon the loss of separation (or the exit, or the entry) comes."""

    ADVISORY = "advisory"
    CAUTION = "caution"
    WARNING = "warning"

    @property
    def rank(self) -> int:
        """0 for advisory, 1 caution, 2 warning."""
        return _RANKS[self]


_RANKS = {Severity.ADVISORY: 0, Severity.CAUTION: 1, Severity.WARNING: 2}


def severity_for(time_to_loss_s: float) -> Severity:
    """Warning under 60 s, caution from 60 to 180 s, advisory beyond."""
    if time_to_loss_s < WARNING_BELOW_S:
        return Severity.WARNING
    if time_to_loss_s <= CAUTION_BELOW_S:
        return Severity.CAUTION
    return Severity.ADVISORY


@dataclass(frozen=True, slots=True, order=True)
class AlertKey:
    """What makes two findings the same alert: kind, the track and what it clashes with."""

    kind: AlertKind
    a_party: PartyId
    a_track: str
    b_type: str
    """``track``, ``zone`` or ``notice``."""
    b_id: str
    b_party: PartyId


@dataclass(frozen=True, slots=True)
class Finding:
    """One condition found by this tick, with the figures to report."""

    key: AlertKey
    time_to_loss_s: float
    """Seconds until separation is lost (the track leaves, enters): 0 when it already is."""
    figures: Mapping[str, object] = field(default_factory=dict)

    @property
    def severity(self) -> Severity:
        """The severity this finding alone would have."""
        return severity_for(self.time_to_loss_s)


@dataclass(frozen=True, slots=True)
class OpenAlert:
    """An alert the board holds open."""

    id: str
    key: AlertKey
    severity: Severity
    opened_at: datetime
    last_found: datetime
    figures: Mapping[str, object]
    peaks: tuple[tuple[datetime, Severity], ...] = ()
    """(time, severity) found over the last ``clear_after_s``, for the severity hysteresis."""


OPEN = "open"
"""The ``state`` of a stored alert the board holds open."""
CLEARED = "cleared"
"""The ``state`` of a stored alert the board has cleared."""


@dataclass(frozen=True, slots=True)
class StoredAlert:
    """A tactical alert as recorded: opened, updated, perhaps cleared, and who was told."""

    id: str
    key: AlertKey
    audience: tuple[PartyId, ...]
    """The parties this alert was sent to."""
    severity: Severity
    figures: Mapping[str, object]
    opened_at: datetime
    updated_at: datetime
    state: str
    """``OPEN`` or ``CLEARED``."""
    cleared_at: datetime | None

    def told(self, party: PartyId) -> bool:
        """True when ``party`` is among the parties this alert was sent to."""
        return party in self.audience


@dataclass(frozen=True, slots=True)
class BoardStep:
    """What one tick changes."""

    opened: list[OpenAlert]
    changed: list[OpenAlert]
    """Open alerts whose severity rose or fell."""
    cleared: list[OpenAlert]
    current: list[OpenAlert]
    """Every alert still open after the step, with this tick's figures."""


def step_board(
    board: Mapping[AlertKey, OpenAlert],
    findings: Iterable[Finding],
    now: datetime,
    new_id: Callable[[], str],
    clear_after_s: float = CLEAR_AFTER_S,
) -> BoardStep:
    """Advance ``board`` (open alerts by key) by the ``findings`` of the tick at ``now``."""
    calm = timedelta(seconds=clear_after_s)
    found: dict[AlertKey, Finding] = {}
    for each in findings:
        earlier = found.get(each.key)
        if earlier is None or each.time_to_loss_s < earlier.time_to_loss_s:
            found[each.key] = each
    opened: list[OpenAlert] = []
    changed: list[OpenAlert] = []
    cleared: list[OpenAlert] = []
    current: list[OpenAlert] = []
    for key, alert in board.items():
        finding: Finding | None = found.pop(key, None)
        if finding is None:
            if now - alert.last_found >= calm:
                cleared.append(alert)
                continue
            peaks = _recent(alert.peaks, now, calm)
            figures = alert.figures
        else:
            peaks = (*_recent(alert.peaks, now, calm), (now, finding.severity))
            figures = finding.figures
        severity = max((s for _, s in peaks), key=lambda s: s.rank, default=alert.severity)
        updated = replace(
            alert,
            severity=severity,
            last_found=now if finding is not None else alert.last_found,
            figures=figures,
            peaks=peaks,
        )
        if severity is not alert.severity:
            changed.append(updated)
        current.append(updated)
    for key in sorted(found):
        finding = found[key]
        alert = OpenAlert(
            id=new_id(),
            key=key,
            severity=finding.severity,
            opened_at=now,
            last_found=now,
            figures=finding.figures,
            peaks=((now, finding.severity),),
        )
        opened.append(alert)
        current.append(alert)
    return BoardStep(opened, changed, cleared, current)


def _recent(
    peaks: tuple[tuple[datetime, Severity], ...], now: datetime, calm: timedelta
) -> tuple[tuple[datetime, Severity], ...]:
    return tuple((at, s) for at, s in peaks if now - at < calm)


@dataclass(frozen=True, slots=True)
class LiveFigures:
    """An open alert's latest figures, as the duty holder's last tick found them."""

    severity: str
    figures: Mapping[str, object]
    found_us: int
    """When that tick ran, in microseconds since the epoch."""
