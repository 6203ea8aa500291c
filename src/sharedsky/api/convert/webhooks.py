"""Webhooks and their delivery attempts, never a hook's secret but at registration
(``wire/v1/webhooks.py``)."""

from __future__ import annotations

from collections.abc import Iterable

from sharedsky.domain.webhooks import Webhook, WebhookAttempt
from sharedsky.service.webhooks import Registration
from sharedsky.wire import v1


def webhook_created(registration: Registration) -> v1.WebhookCreated:
    """The answer to a registration: the new hook with its secret (the one time it is shown)."""
    hook = registration.hook
    return v1.WebhookCreated(
        id=hook.id, url=hook.url, secret=registration.secret, created_at=hook.created_at
    )


def webhook_out(hook: Webhook) -> v1.WebhookOut:
    """The wire form of a hook, without its secret."""
    return v1.WebhookOut(
        id=hook.id,
        party=hook.party,
        url=hook.url,
        created_at=hook.created_at,
        cursor_seq=hook.cursor_seq,
        attempts=hook.attempts,
        next_attempt_at=hook.next_attempt_at,
    )


def webhook_list(hooks: Iterable[Webhook]) -> v1.WebhookList:
    """The wire form of a list of hooks, without their secrets."""
    return v1.WebhookList(webhooks=[webhook_out(h) for h in hooks])


def delivery_out(attempt: WebhookAttempt) -> v1.WebhookDeliveryOut:
    """The wire form of one delivery attempt."""
    return v1.WebhookDeliveryOut(
        id=attempt.id,
        event_seq=attempt.event_seq,
        event_type=attempt.event_type,
        attempt=attempt.attempt,
        status_code=attempt.status_code,
        error=attempt.error,
        sent_at=attempt.sent_at,
        ok=attempt.ok,
        dead=attempt.dead,
    )


def delivery_list(attempts: Iterable[WebhookAttempt]) -> v1.WebhookDeliveryList:
    """The wire form of a list of delivery attempts."""
    return v1.WebhookDeliveryList(deliveries=[delivery_out(a) for a in attempts])
