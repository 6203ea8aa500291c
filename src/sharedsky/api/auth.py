"""Bearer token → Actor, the request's idempotency context, and the dependencies that hand out
the app's ``Container`` (``app.state.container``) and its parts."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, replace
from functools import partial
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, Header, Request

from sharedsky.api.tls import peer_subject
from sharedsky.bootstrap import Container
from sharedsky.domain.errors import InvalidInput, Unauthenticated
from sharedsky.service.context import Actor
from sharedsky.service.ledger import OperatorKeyCache, check_signature
from sharedsky.service.mechanism import TokenCache, authenticate
from sharedsky.service.ports import Deps

log = logging.getLogger("sharedsky.api.auth")

MAX_IDEMPOTENCY_KEY_CHARS = 200


def container_of(request: Request) -> Container:
    """The parts of the running app (``app.state.container``, its one attribute)."""
    container: Container = request.app.state.container
    return container


async def _container(request: Request) -> Container:
    return container_of(request)


def app_deps(request: Request) -> Deps:
    """The use-case dependencies of the running app."""
    return container_of(request).deps


async def deps_of(request: Request) -> Deps:
    """``app_deps`` as a dependency: a coroutine, so that FastAPI resolves it in the event loop
    instead of handing it to a worker thread (a thread hop per request on a busy server)."""
    return app_deps(request)


def token_cache(request: Request) -> TokenCache:
    """The app's cache of tokens already checked (``Container.tokens``)."""
    return container_of(request).tokens


def operator_key_cache(request: Request) -> OperatorKeyCache:
    """The app's cache of operators' signing keys (``Container.operator_keys``)."""
    return container_of(request).operator_keys


async def credentials_changed(request: Request) -> None:
    """After this process changed an operator: load the operators now, and wake the streams
    (those of a token no longer valid close)."""
    container = container_of(request)
    deps = container.deps
    await anyio.to_thread.run_sync(container.credentials.load, deps.db, deps.mechanism)
    container.feed.poke_all()


def token_of(authorization: str | None) -> str | None:
    """The bearer token of an ``Authorization`` header value; None when there is none."""
    if authorization is None:
        return None
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_SIGNATURE = (
    "A party's signature of the submission: `keyId=<key id>,sig=<base64url>` "
    "(docs/ledger-format.md). Required of operators that registered a key."
)
AuthorizationHeader = Annotated[str | None, Header()]
SignatureHeader = Annotated[str | None, Header(description=_SIGNATURE)]
IdempotencyKeyHeader = Annotated[str | None, Header()]
"""The request headers the dependencies below read (``submission`` reads the same ones itself,
and ``submission_openapi`` documents them as FastAPI documents these)."""


async def current_actor(
    request: Request,
    authorization: AuthorizationHeader = None,
    sharedsky_signature: SignatureHeader = None,
) -> Actor:
    """The authenticated actor; 401 for a missing, malformed or unknown token, and for a
    write whose signature is bad or missing when the operator registered a key. A token
    checked in the last ``TOKEN_CACHE_S`` seconds is taken from memory (no query, no thread);
    one in use for a while is checked again in the background (``TokenCache``). A token read
    while the operators were loaded again is not remembered (the read may predate a
    revocation)."""
    token = token_of(authorization)
    cache = token_cache(request)
    actor = cache.get(token)
    if actor is None:
        deps = app_deps(request)
        since = cache.generation
        actor = await anyio.to_thread.run_sync(
            authenticate, deps.db, deps.mechanism, token, deps.clock.now()
        )
        if token is not None:
            cache.put(token, actor, since)
    elif cache.claim_refresh(token):
        assert token is not None  # only a remembered token is claimed
        _check_in_background(app_deps(request), cache, token)
    if actor.cert_subject is not None and peer_subject(request) != actor.cert_subject:
        raise Unauthenticated(
            f"operator {actor.operator}'s token is bound to the client certificate "
            f"{actor.cert_subject}: present that certificate (mutual TLS)",
            reason="certificate-mismatch",
        )
    keys = operator_key_cache(request)
    unsigned_ok = sharedsky_signature is None and keys.unsigned_ok(actor.operator)
    if unsigned_ok and keys.claim_refresh(actor.operator):
        _read_keys_in_background(app_deps(request), keys, actor.operator)
    if request.method in _WRITES and not unsigned_ok:
        deps = app_deps(request)
        body = await request.body()
        signature = await anyio.to_thread.run_sync(
            check_signature,
            deps,
            keys,
            actor,
            sharedsky_signature,
            request.method,
            request.url.path,
            body,
        )
        if signature is not None:
            actor = replace(actor, signature=signature)
    return actor


_CHECKS: set[asyncio.Task[None]] = set()
"""Background checks of remembered tokens and keys now running (held: the loop keeps only
weak references to its tasks)."""


def _check_in_background(deps: Deps, cache: TokenCache, token: str) -> None:
    """Check a remembered token again without making its request wait: it stays remembered
    for another ``TOKEN_CACHE_S`` seconds, or is forgotten when it no longer authenticates
    (its next request gets a 401 at once). Read while the operators were loaded again, it is
    not remembered from that read: the load decided."""

    async def check() -> None:
        since = cache.generation
        try:
            actor = await anyio.to_thread.run_sync(
                authenticate, deps.db, deps.mechanism, token, deps.clock.now()
            )
        except Unauthenticated:
            cache.drop(token)
        except Exception:  # the database did not answer: the token's next use tries again
            log.warning("a remembered token could not be checked again", exc_info=True)
            cache.release(token)
        else:
            cache.put(token, actor, since)

    _in_background(check())


def _read_keys_in_background(deps: Deps, keys: OperatorKeyCache, operator: str) -> None:
    """Read an operator's keys again without making its submission wait (a key registered
    through another process is required from then on)."""

    async def read() -> None:
        try:
            await anyio.to_thread.run_sync(partial(keys.get, deps, operator, fresh=True))
        except Exception:  # the database did not answer: the next submission tries again
            log.warning("an operator's keys could not be read again", exc_info=True)
            keys.release(operator)

    _in_background(read())


def _in_background(work: Coroutine[None, None, None]) -> None:
    task = asyncio.get_running_loop().create_task(work)
    _CHECKS.add(task)
    task.add_done_callback(_CHECKS.discard)


@dataclass(frozen=True, slots=True)
class RequestKey:
    """The Idempotency-Key of a POST (if any) and the hash of the request it came with."""

    key: str | None
    request_sha256: str
    """Hex SHA-256 of method, path and body; empty without a key (there is nothing stored to
    compare it with)."""


async def request_key(request: Request, idempotency_key: IdempotencyKeyHeader = None) -> RequestKey:
    """Read the Idempotency-Key header and, when there is one, hash method, path and body."""
    if idempotency_key is None:
        return RequestKey(None, "")
    if not 0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY_CHARS:
        raise InvalidInput(
            f"Idempotency-Key must have 1 to {MAX_IDEMPOTENCY_KEY_CHARS} characters",
            ("Idempotency-Key",),
        )
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b" ")
    digest.update(request.url.path.encode())
    digest.update(b"\n")
    digest.update(await request.body())
    return RequestKey(idempotency_key, digest.hexdigest())


@dataclass(frozen=True, slots=True)
class Submission:
    """What a busy write route needs of its request, solved as one dependency."""

    actor: Actor
    deps: Deps
    key: RequestKey


async def submission(request: Request) -> Submission:
    """``current_actor``, ``app_deps`` and ``request_key`` in one dependency, with the same
    headers and the same answers. It reads the headers itself: FastAPI's solving of each
    dependency and its extraction of each declared header cost a busy route more than what the
    three do. A route that takes it declares ``openapi_extra=submission_openapi()``."""
    headers = request.headers
    actor = await current_actor(
        request, headers.get("authorization"), headers.get("sharedsky-signature")
    )
    key = await request_key(request, headers.get("idempotency-key"))
    return Submission(actor, app_deps(request), key)


def _header(name: str, description: str | None = None) -> dict[str, Any]:
    """An optional text header as FastAPI documents one declared ``str | None``."""
    about = {} if description is None else {"description": description}
    schema = {"anyOf": [{"type": "string"}, {"type": "null"}], **about, "title": name.title()}
    return {"name": name, "in": "header", "required": False, "schema": schema, **about}


def submission_openapi() -> dict[str, Any]:
    """The OpenAPI of the headers ``submission`` reads, for the ``openapi_extra`` of a route
    that takes it: as FastAPI documents the same headers declared (``current_actor``,
    ``request_key``)."""
    return {
        "parameters": [
            _header("authorization"),
            _header("sharedsky-signature", _SIGNATURE),
            _header("idempotency-key"),
        ]
    }


ContainerDep = Annotated[Container, Depends(_container)]
ActorDep = Annotated[Actor, Depends(current_actor)]
DepsDep = Annotated[Deps, Depends(deps_of)]
KeyDep = Annotated[RequestKey, Depends(request_key)]
SubmissionDep = Annotated[Submission, Depends(submission)]
KeysDep = Annotated[OperatorKeyCache, Depends(operator_key_cache)]
