"""Notices: advance notification of planned activity, versioned, with their lead time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sharedsky.domain.activation import Lifecycle
from sharedsky.domain.area import check_in_area
from sharedsky.domain.channels import Activation, NoticeKind
from sharedsky.domain.errors import InvalidInput, NoticeInThePast, StaleVersion, StateConflict
from sharedsky.domain.ids import NoticeId, PartyId
from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.priority import PriorityStatus
from sharedsky.domain.volumes import TimeWindow, Volume4D, envelope, validate_volumes
from sharedsky.geo.outlines import PolygonOutline

MAX_TITLE_CHARS = 200
MAX_TEXT_CHARS = 4000


class NoticeStatus(StrEnum):
    """Where a notice stands: planned → active (activated, or at its start) → released
    (early, by its owner) or ended (its window passed); or cancelled
    (``domain/activation.py``)."""

    PLANNED = "planned"
    ACTIVE = "active"
    RELEASED = "released"
    ENDED = "ended"
    CANCELLED = "cancelled"

    def is_current(self) -> bool:
        """True while the notice still describes activity to come or under way."""
        return self in (NoticeStatus.PLANNED, NoticeStatus.ACTIVE)


class NoticeStep(StrEnum):
    """A recorded step of a notice's activation, each its own event (and column)."""

    ACTIVATED = "activated"
    RELEASED = "released"
    NOT_ACTIVATED = "not_activated"


@dataclass(frozen=True, slots=True)
class NoticeDraft:
    """What a party submits to file or amend a notice."""

    kind: NoticeKind
    title: str
    volumes: tuple[Volume4D, ...]
    remarks: str = ""
    contact: str = ""
    outside_area: bool = False
    """The filer means volumes that lie wholly outside the mechanism's area of
    responsibility (``domain/area.py``); without it such a volume is refused."""
    record_past: bool = False
    """The notice records activity after the fact: its window may have ended already;
    without it a notice wholly in the past is refused."""
    priority_status: PriorityStatus | None = None
    """The operational priority the filer claims (``domain/priority.py``); None: none."""
    request_agreement: bool = False
    """The filer asks every counterparty told of the notice to agree, not only to
    acknowledge receipt (``domain/agreement.py``)."""


@dataclass(frozen=True, slots=True)
class Notice:
    """A filed notice at its current version."""

    id: NoticeId
    party: PartyId
    kind: NoticeKind
    title: str
    volumes: tuple[Volume4D, ...]
    remarks: str
    contact: str
    version: int
    filed_at: datetime
    """When the first version reached the server."""
    updated_at: datetime
    """When the current version reached the server."""
    lead_time_s: float
    """Seconds from the current version's submission to the earliest volume start."""
    late_for: tuple[PartyId, ...]
    """Counterparties whose channel minimum lead time the current version missed."""
    cancelled_at: datetime | None = None
    priority_status: PriorityStatus | None = None
    """The current version's operational priority (``domain/priority.py``); None: none."""
    activation: Activation = Activation.AT_START
    """How the notice becomes active: by itself at its start, or only when activated
    (its channels' rule when it was filed)."""
    activated_at: datetime | None = None
    """When its owner activated it; None: not activated (an ``at_start`` notice is active
    from its start all the same)."""
    released_at: datetime | None = None
    """When its owner released it early; its volumes end then."""
    not_activated_at: datetime | None = None
    """When it was flagged as not activated in time (``notice.not_activated``)."""
    request_agreement: bool = False
    """Its filer asks every counterparty told of it to agree, not only to acknowledge
    receipt (``domain/agreement.py``; a channel may ask for some kinds by itself)."""

    @property
    def start(self) -> datetime:
        """Earliest start of any volume."""
        return envelope(self.volumes).start

    @property
    def end(self) -> datetime:
        """Latest end of any volume."""
        end = envelope(self.volumes).end
        if end is None:  # notices always have closed windows; validated on input
            raise ValueError("a notice volume without an end")
        return end

    @property
    def recorded_after_the_fact(self) -> bool:
        """True when the current version's window had ended by the time it was filed: a
        record of past activity (filed with ``record_past``), never a notice of what is to
        come."""
        return self.released_at is None and self.end <= self.updated_at

    @property
    def late(self) -> bool:
        """True when the lead time is below the minimum of any counterparty's channel."""
        return bool(self.late_for)

    @property
    def lifecycle(self) -> Lifecycle:
        """What decides its activation status (``domain/activation.py``)."""
        return Lifecycle(self.activation, self.start, self.end, self.activated_at, self.released_at)

    def status(self, now: datetime) -> NoticeStatus:
        """The status at ``now``: cancelled, else its activation status."""
        if self.cancelled_at is not None:
            return NoticeStatus.CANCELLED
        return NoticeStatus(self.lifecycle.status(now).value)

    def activated(self, now: datetime, early_s: int) -> Notice:
        """The notice activated at ``now``; TooEarly, WindowEnded or StateConflict when it
        may not be (``Lifecycle.check_activation``, cancelled: StateConflict)."""
        self._check_live()
        self.lifecycle.check_activation(now, early_s)
        return replace(self, activated_at=now)

    def released(self, now: datetime) -> Notice:
        """The notice released at ``now``: its next version, whose volumes end at ``now``
        (those that had not begun are dropped), so it stops clashing from then on; lead time
        and late counterparties stay those of the notice given. WindowEnded or StateConflict
        when it may not be (``Lifecycle.check_release``)."""
        self._check_live()
        self.lifecycle.check_release(now)
        return replace(
            self,
            volumes=volumes_until(self.volumes, now),
            version=self.version + 1,
            updated_at=now,
            released_at=now,
        )

    def _check_live(self) -> None:
        if self.cancelled_at is not None:
            raise StateConflict("a cancelled notice cannot be activated or released")

    def check_amendable(self, expected_version: int, now: datetime) -> None:
        """Raise unless the notice is current and ``expected_version`` is its version."""
        if expected_version != self.version:
            raise StaleVersion(
                f"the notice is at version {self.version}, not {expected_version}", ("If-Match",)
            )
        if not self.status(now).is_current():
            raise StateConflict(f"a notice that is {self.status(now)} cannot be changed")


@dataclass(frozen=True, slots=True)
class NoticeFilter:
    """Filters of a notice listing; None means "any". Intervals are half-open."""

    bbox: tuple[float, float, float, float] | None = None
    """(min_lon, min_lat, max_lon, max_lat): notices whose bounding box meets it."""
    time_from: datetime | None = None
    time_to: datetime | None = None
    party: PartyId | None = None
    status: NoticeStatus | None = None
    kind: NoticeKind | None = None
    limit: int = 1000


def validate_draft(draft: NoticeDraft, now: datetime, area: PolygonOutline | None = None) -> None:
    """Raise InvalidInput/InvalidVolume when the draft breaks a rule: among them, a volume
    wholly outside the mechanism's ``area`` of responsibility (unless ``outside_area``), and a
    notice whose every window has ended by ``now`` (unless ``record_past``)."""
    if not draft.title.strip():
        raise InvalidInput("a notice needs a title", ("title",))
    if len(draft.title) > MAX_TITLE_CHARS:
        raise InvalidInput(f"the title is longer than {MAX_TITLE_CHARS} characters", ("title",))
    for name, text in (("remarks", draft.remarks), ("contact", draft.contact)):
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidInput(f"{name} is longer than {MAX_TEXT_CHARS} characters", (name,))
    validate_notice_volumes(
        draft.volumes,
        now,
        area,
        outside_area=draft.outside_area,
        record_past=draft.record_past,
    )


def validate_notice_volumes(
    volumes: tuple[Volume4D, ...],
    now: datetime,
    area: PolygonOutline | None,
    *,
    outside_area: bool = False,
    record_past: bool = False,
) -> None:
    """Raise InvalidVolume at ``volumes[i]…`` when the volumes would not make a valid filing at
    ``now``: each valid, inside the ``area`` (unless ``outside_area``), not every window
    ended (unless ``record_past``). A counter-proposal's volumes are checked so too."""
    validate_volumes(volumes, now)
    for index, volume in enumerate(volumes):
        check_in_area(area, volume.outline, ("volumes", index), outside_allowed=outside_area)
    if not record_past:
        _check_not_past(volumes, now)


def _check_not_past(volumes: tuple[Volume4D, ...], now: datetime) -> None:
    """Raise NoticeInThePast, at the end of the volume that ends last, when every volume's
    window has ended by ``now``."""
    last = max(range(len(volumes)), key=lambda i: volumes[i].time.end or now)
    end = volumes[last].time.end
    if end is not None and end <= now:
        raise NoticeInThePast(
            f"the notice's window ended at {end:%Y-%m-%d %H:%M:%S}Z, before it was filed "
            f"({now:%Y-%m-%d %H:%M:%S}Z): a notice wholly in the past gives no notice; to "
            "record past activity after the fact, set record_past: true",
            ("volumes", last, "time", "end"),
        )


def volumes_until(volumes: tuple[Volume4D, ...], at: datetime) -> tuple[Volume4D, ...]:
    """``volumes`` cut to end at ``at``: a window that ends later ends then, one that begins
    at or after it is dropped (the caller makes sure one began before)."""
    return tuple(
        replace(v, time=TimeWindow(v.time.start, at if v.time.end is None else min(v.time.end, at)))
        for v in volumes
        if v.time.start < at
    )


def lead_time_s(volumes: tuple[Volume4D, ...], submitted_at: datetime) -> float:
    """Seconds from ``submitted_at`` to the earliest volume start (negative when started)."""
    return round((envelope(volumes).start - submitted_at).total_seconds(), 3)


def late_counterparties(
    mechanism: Mechanism, party: PartyId, kind: NoticeKind, lead_s: float
) -> tuple[PartyId, ...]:
    """Counterparties whose channel requires more lead time than ``lead_s`` seconds."""
    return tuple(
        other
        for other in mechanism.counterparties(party)
        if lead_s < mechanism.channel(party, other).min_lead_time_for(kind)
    )
