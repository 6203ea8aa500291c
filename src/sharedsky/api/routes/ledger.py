"""Routes of the ledger: public keys, operator keys, checkpoints and the JSONL export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from sharedsky.api import convert
from sharedsky.api.auth import ActorDep, DepsDep, operator_key_cache
from sharedsky.api.routes._render import json_response
from sharedsky.ledger.canonical import canonical
from sharedsky.service.ledger import (
    checkpoint,
    export_about,
    export_lines,
    keyring,
    operator_keys,
    register_operator_key,
    revoke_operator_key,
)
from sharedsky.wire.v1.ledger import (
    CheckpointOut,
    LedgerKeyRing,
    OperatorKeyIn,
    OperatorKeyOut,
)

router = APIRouter(tags=["ledger"])

MAX_SEQ = 2**31 - 1
"""The largest sequence number a ledger holds (its column is a 32-bit integer on every backend):
a larger ``after`` is refused with 422 rather than sent to the database."""

JSONL = "application/jsonl"


@router.get("/v1/ledger/keys", responses={200: {"model": LedgerKeyRing}})
def ledger_keys(_actor: ActorDep, deps: DepsDep) -> Response:
    """The key ring of the mechanism: the server's keys and every key operators registered
    (revoked ones too: they verify what they signed). Save it as the ``--keys`` file of
    ``sharedsky ledger verify``."""
    return json_response(convert.key_ring_out(keyring(deps.db)))


@router.get("/v1/ledger/checkpoint", responses={200: {"model": CheckpointOut}})
def ledger_checkpoint(_actor: ActorDep, deps: DepsDep) -> Response:
    """A signed checkpoint of the newest entry, made now: keep it as a receipt."""
    return json_response(convert.checkpoint_out(checkpoint(deps)))


@router.get(
    "/v1/ledger",
    response_class=StreamingResponse,
    responses={200: {"content": {JSONL: {}}, "description": "One entry per line, then a trailer."}},
)
def ledger_export(
    actor: ActorDep,
    deps: DepsDep,
    after: Annotated[
        int, Query(ge=0, le=MAX_SEQ, description="Export the entries after this seq.")
    ] = 0,
    about: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="Only the entries whose payload names this id (a notice, zone, "
            "conflict, message, tactical alert or track), as this operator may read them "
            "whole: an object's timeline. Not a chain: each entry verifies on its own.",
        ),
    ] = None,
) -> StreamingResponse:
    """The ledger after seq ``after`` as JSON Lines (docs/ledger-format.md): one canonical
    JSON entry per line, entries this operator may not see redacted to their hashes and
    signature, and a signed trailer ``{"checkpoint": …}`` as the last line. An export after
    seq N starts with entry N (its anchor) so that entry N + 1 on is authenticated. With
    ``about``, only the entries that name that object and that this operator may read."""
    viewer = actor.viewer

    def lines() -> Iterator[bytes]:
        objects = (
            export_lines(deps, viewer, after)
            if about is None
            else export_about(deps, viewer, about, after)
        )
        for obj in objects:
            yield canonical(obj) + b"\n"

    return StreamingResponse(lines(), media_type=JSONL)


@router.get("/v1/ledger/operator-keys", responses={200: {"model": list[OperatorKeyOut]}})
def list_operator_keys(actor: ActorDep, deps: DepsDep) -> Response:
    """The signing keys this operator registered."""
    keys = operator_keys(deps, actor)
    body = "[" + ",".join(convert.operator_key_out(k).model_dump_json() for k in keys) + "]"
    return Response(body, media_type="application/json")


@router.post(
    "/v1/ledger/operator-keys", status_code=201, responses={201: {"model": OperatorKeyOut}}
)
async def add_operator_key(
    request: Request, body: OperatorKeyIn, actor: ActorDep, deps: DepsDep
) -> Response:
    """Register an Ed25519 public key for this operator. From then on every submission of the
    operator must carry a valid ``Sharedsky-Signature`` (401 otherwise); the registration
    itself is an entry of the ledger."""
    key = await anyio.to_thread.run_sync(
        register_operator_key, deps, actor, body.public_key, body.operator
    )
    if key.entry.operator is not None:
        operator_key_cache(request).forget(key.entry.operator)
    return json_response(convert.operator_key_out(key), 201)


@router.delete("/v1/ledger/operator-keys/{key_id}", status_code=204)
async def delete_operator_key(
    request: Request, key_id: str, actor: ActorDep, deps: DepsDep
) -> Response:
    """Revoke one of this operator's keys (it still verifies what it signed before)."""
    holder = await anyio.to_thread.run_sync(revoke_operator_key, deps, actor, key_id)
    operator_key_cache(request).forget(holder)
    return Response(status_code=204)
