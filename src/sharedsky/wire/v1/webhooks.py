"""Webhooks on the wire: registration, listing, and the record of delivery attempts."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from sharedsky.wire.v1.common import WireModel


class WebhookIn(WireModel):
    """A URL to register: absolute ``http``/``https``, without a user name or password."""

    url: str = Field(min_length=1, max_length=2000)


class WebhookCreated(WireModel):
    """A registered webhook with its signing ``secret``: this answer is the only time the
    secret is shown (deliveries carry ``Sharedsky-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of
    "<t>.<body>">``)."""

    id: str
    url: str
    secret: str
    created_at: AwareDatetime


class WebhookOut(WireModel):
    """A registered webhook and where its delivery stands (never its secret)."""

    id: str
    party: str
    url: str
    created_at: AwareDatetime
    cursor_seq: int
    """Every event up to this seq is handled: delivered, not visible to the party, or dead."""
    attempts: int
    """Failed attempts so far of the next event."""
    next_attempt_at: AwareDatetime


class WebhookList(WireModel):
    """Webhooks, oldest first."""

    webhooks: list[WebhookOut]


class WebhookDeliveryOut(WireModel):
    """One attempt to deliver one event; ``dead`` marks the last attempt of an event that was
    given up after the maximum number of attempts (a dead letter)."""

    id: int
    event_seq: int
    event_type: str
    attempt: int
    """1 for the first attempt of the event, 2 for the first retry …"""
    status_code: int | None
    """The HTTP status answered; null when no answer came (see ``error``)."""
    error: str | None
    sent_at: AwareDatetime
    ok: bool
    dead: bool


class WebhookDeliveryList(WireModel):
    """Attempts, newest first."""

    deliveries: list[WebhookDeliveryOut]
