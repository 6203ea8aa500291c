"""Acknowledgements: a party's receipt of a notice, conflict or message, never an approval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sharedsky.domain.channels import ChannelRules, Priority
from sharedsky.domain.ids import AckId, OperatorId, PartyId


class AckSubject(StrEnum):
    """What an acknowledgement is about."""

    NOTICE = "notice"
    CONFLICT = "conflict"
    MESSAGE = "message"
    AGREEMENT = "agreement"
    """A request for agreement with a notice's version (``domain/agreement.py``): answered
    by agreeing, denying or countering, never by acknowledging."""
    INCIDENT = "incident"


class AckStatus(StrEnum):
    """Pending until acknowledged; superseded when the subject changed or went away."""

    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    SUPERSEDED = "superseded"


NOTICE_PRIORITY = Priority.ROUTINE
"""A counterparty's notice is acknowledged within the routine deadline."""
CONFLICT_PRIORITY = Priority.PRIORITY
"""A conflict is acknowledged within the priority deadline."""
PRIORITY_CONFLICT_PRIORITY = Priority.FLASH
"""A conflict with a notice that has a priority status (medevac, sar…: ``domain/priority.py``)
is acknowledged within the flash deadline."""


def conflict_priority(marked: bool) -> Priority:
    """The priority of a conflict's acknowledgement: flash when the conflict is ``marked``
    (a side has a priority status), else ``CONFLICT_PRIORITY``."""
    return PRIORITY_CONFLICT_PRIORITY if marked else CONFLICT_PRIORITY


@dataclass(frozen=True, slots=True)
class AckRequest:
    """A party's obligation to acknowledge one version of a subject by ``due_at``."""

    id: AckId
    party: PartyId
    subject: AckSubject
    subject_id: str
    subject_version: int
    priority: Priority
    requested_at: datetime
    due_at: datetime | None
    """When the next escalation happens if nobody acknowledges (stored for the scheduler);
    None once the request has climbed to the host, the top of the ladder."""
    status: AckStatus = AckStatus.PENDING
    acked_at: datetime | None = None
    acked_by: OperatorId | None = None
    rung: int = 0
    """How far up the party's escalation ladder the request has climbed (0: not escalated)."""


@dataclass(frozen=True, slots=True)
class AckBacklog:
    """One party's pending acknowledgement requests, counted."""

    party: PartyId
    pending: int
    overdue: int
    """Pending requests whose due time has passed (escalated or about to be)."""
    escalated: int
    """Pending requests already one rung or more up the party's ladder."""


def due_at(rules: ChannelRules, priority: Priority, requested_at: datetime) -> datetime:
    """The deadline for acknowledging an item of ``priority`` requested at ``requested_at``."""
    return requested_at + timedelta(seconds=rules.ack_deadline_for(priority))
