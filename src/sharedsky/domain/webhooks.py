"""Webhooks as recorded: a party's registered URL with its place in the event log, and each
attempt to deliver one event to it (the delivery itself lives in ``events/webhooks.py`` and
``service/webhooks.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sharedsky.domain.ids import PartyId


@dataclass(frozen=True, slots=True)
class Webhook:
    """A registered webhook and its delivery state."""

    id: str
    party: PartyId
    url: str
    secret: str
    """The HMAC-SHA256 key; shown to the party once, at registration."""
    created_at: datetime
    disabled_at: datetime | None
    """When it was deleted; None while it is active."""
    cursor_seq: int
    """Every event up to this seq is handled (delivered, not visible to it, or dead)."""
    attempts: int
    """Failed attempts so far of the first event after ``cursor_seq``."""
    next_attempt_at: datetime
    """Not before this time is the next attempt made."""


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    """One attempt to deliver one event; ``id`` is 0 until stored."""

    webhook_id: str
    event_seq: int
    event_type: str
    attempt: int
    """1 for the first attempt of this event to this hook, 2 for the first retry …"""
    status_code: int | None
    """The HTTP status answered; None when no answer came."""
    error: str | None
    sent_at: datetime
    ok: bool
    """True on a 2xx answer."""
    dead: bool
    """True on the last failed attempt: the event was given up (a dead letter)."""
    id: int = 0
