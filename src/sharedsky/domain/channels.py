"""Channel rules: what two parties agreed about sharing, notice, acknowledgement and separation."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Sharing(StrEnum):
    """How much of a party's notices and zones a counterparty sees."""

    FULL = "full"
    """The counterparty sees the whole notice."""
    CONFLICTS_ONLY = "conflicts_only"
    """The counterparty sees only the volumes that clash with its own notices or zones."""
    HOST_ONLY = "host_only"
    """Only the host sees the notice; conflicts reach both sides without the other's details."""


class Priority(StrEnum):
    """Priority of something that awaits acknowledgement; it selects the deadline."""

    ROUTINE = "routine"
    PRIORITY = "priority"
    FLASH = "flash"


class NoticeKind(StrEnum):
    """What kind of activity a notice announces."""

    AIR_SORTIE = "air_sortie"
    UAV = "uav"
    EXERCISE = "exercise"
    GROUND_MOVEMENT = "ground_movement"
    STATIC_SITE = "static_site"
    HAZARD = "hazard"
    OTHER = "other"


class Activation(StrEnum):
    """How a notice becomes active (R-ACT-1)."""

    AT_START = "at_start"
    """By itself at the start of its window, as if activated then (the default)."""
    MANUAL = "manual"
    """Only when its owner activates it (``POST /v1/notices/{id}/activate``); a notice not
    activated ``activation_grace_s`` after its start is flagged to both sides."""


DEFAULT_EARLY_ACTIVATION_S = 1800
"""How long before its window's start a notice may be activated by default, seconds."""
DEFAULT_ACTIVATION_GRACE_S = 600
"""How long after its start a notice that waits for manual activation may stay planned before
it is flagged by default, seconds."""

DEFAULT_LATERAL_M = 9260.0
DEFAULT_VERTICAL_M = 304.8
DEFAULT_TIME_S = 300.0


@dataclass(frozen=True, slots=True)
class SeparationMinima:
    """Minimum separation between two parties' activities; all values non-negative."""

    lateral_m: float = DEFAULT_LATERAL_M
    vertical_m: float = DEFAULT_VERTICAL_M
    time_s: float = DEFAULT_TIME_S


def _default_lead() -> dict[str, int]:
    return {"default": 900}


def _default_ack() -> dict[Priority, int]:
    return {Priority.ROUTINE: 900, Priority.PRIORITY: 300, Priority.FLASH: 60}


@dataclass(frozen=True, slots=True)
class ChannelRules:
    """The rules that hold between two parties (or a party's defaults)."""

    sharing: Sharing = Sharing.FULL
    min_lead_time_s: dict[str, int] = field(default_factory=_default_lead)
    """Minimum notice lead time per notice kind; key ``default`` for kinds not listed."""
    ack_deadline_s: dict[Priority, int] = field(default_factory=_default_ack)
    """Time allowed to acknowledge, per priority."""
    separation: SeparationMinima = field(default_factory=SeparationMinima)
    activation: Activation = Activation.AT_START
    """How the notices between the two parties become active."""
    early_activation_s: int = DEFAULT_EARLY_ACTIVATION_S
    """How long before its window's start a notice may be activated (an early activation,
    sent with flash priority), seconds."""
    activation_grace_s: int = DEFAULT_ACTIVATION_GRACE_S
    """How long after its start a notice waiting for manual activation may stay planned
    before ``notice.not_activated`` flags it, seconds."""
    agreement_kinds: frozenset[NoticeKind] = frozenset()
    """The kinds of notice whose every version asks the counterparty for agreement, not only
    receipt (R-AGREE-1; the file's ``request_agreement``: true for every kind, or a list)."""

    def asks_agreement(self, kind: NoticeKind) -> bool:
        """True when a notice of ``kind`` asks the counterparty for agreement by this rule."""
        return kind in self.agreement_kinds

    def min_lead_time_for(self, kind: NoticeKind) -> int:
        """Minimum lead time in seconds for a notice of ``kind``."""
        return self.min_lead_time_s.get(str(kind), self.min_lead_time_s.get("default", 0))

    def ack_deadline_for(self, priority: Priority) -> int:
        """Seconds allowed to acknowledge an item of ``priority``."""
        return self.ack_deadline_s[priority]
