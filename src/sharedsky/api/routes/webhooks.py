"""Routes of webhooks: register (the secret is shown once), list, delete, and the attempts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from sharedsky.api import convert
from sharedsky.api.auth import ActorDep, DepsDep, KeyDep
from sharedsky.api.routes._render import idempotent, json_response
from sharedsky.domain.operators import Role
from sharedsky.service.webhooks import (
    MAX_LIST,
    delete_webhook,
    list_deliveries,
    list_webhooks,
    register_webhook,
)
from sharedsky.wire import v1

router = APIRouter(tags=["webhooks"])


@router.post("/v1/webhooks", status_code=201, responses={201: {"model": v1.WebhookCreated}})
def register(body: v1.WebhookIn, actor: ActorDep, deps: DepsDep, rk: KeyDep) -> Response:
    """Register a URL for the caller's party (201): it receives, signed, every event the party
    may see from now on. The answer holds the signing secret — the only time it is shown."""
    return idempotent(
        deps,
        actor,
        rk,
        201,
        convert.webhook_created,
        lambda idem: register_webhook(deps, actor, body.url, idem),
    )


@router.get("/v1/webhooks", responses={200: {"model": v1.WebhookList}})
def list_all(actor: ActorDep, deps: DepsDep) -> Response:
    """The caller's party's webhooks (the host: every party's), oldest first."""
    actor.require_role(Role.ADMIN, "list webhooks")
    hooks = list_webhooks(deps, actor.viewer)
    return json_response(convert.webhook_list(hooks))


@router.delete("/v1/webhooks/{webhook_id}", status_code=204)
def delete(webhook_id: str, actor: ActorDep, deps: DepsDep) -> Response:
    """Delete one of the party's webhooks (204); nothing more is delivered to it."""
    delete_webhook(deps, actor, webhook_id)
    return Response(status_code=204)


@router.get(
    "/v1/webhooks/{webhook_id}/deliveries", responses={200: {"model": v1.WebhookDeliveryList}}
)
def deliveries(
    webhook_id: str,
    actor: ActorDep,
    deps: DepsDep,
    dead: Annotated[bool, Query(description="Only the dead letters.")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 100,
) -> Response:
    """The delivery attempts of a webhook, newest first, with status, error and attempt number;
    ``dead: true`` marks an event given up after the maximum attempts (a dead letter)."""
    actor.require_role(Role.ADMIN, "list webhook deliveries")
    attempts = list_deliveries(deps, actor.viewer, webhook_id, limit, dead_only=dead)
    return json_response(convert.delivery_list(attempts))
