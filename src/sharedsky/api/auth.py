"""Bearer token → Actor, and the request's idempotency context."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Header, Request

from sharedsky.domain.errors import InvalidInput
from sharedsky.service.context import Actor
from sharedsky.service.ledger import OperatorKeyCache, check_signature
from sharedsky.service.mechanism import TokenCache, authenticate
from sharedsky.service.ports import Deps

MAX_IDEMPOTENCY_KEY_CHARS = 200


def app_deps(request: Request) -> Deps:
    """The use-case dependencies of the running app."""
    deps: Deps = request.app.state.deps
    return deps


async def deps_of(request: Request) -> Deps:
    """``app_deps`` as a dependency: a coroutine, so that FastAPI resolves it in the event loop
    instead of handing it to a worker thread (a thread hop per request on a busy server)."""
    return app_deps(request)


def token_cache(request: Request) -> TokenCache:
    """The app's cache of tokens already checked (``app.state.token_cache``)."""
    cache: TokenCache | None = getattr(request.app.state, "token_cache", None)
    if cache is None:
        cache = TokenCache()
        request.app.state.token_cache = cache
    return cache


def operator_key_cache(request: Request) -> OperatorKeyCache:
    """The app's cache of operators' signing keys (``app.state.operator_keys``)."""
    cache: OperatorKeyCache | None = getattr(request.app.state, "operator_keys", None)
    if cache is None:
        cache = OperatorKeyCache()
        request.app.state.operator_keys = cache
    return cache


_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

AuthorizationHeader = Annotated[str | None, Header()]
SignatureHeader = Annotated[
    str | None,
    Header(
        description="A party's signature of the submission: `keyId=<key id>,sig=<base64url>` "
        "(docs/ledger-format.md). Required of operators that registered a key."
    ),
]
IdempotencyKeyHeader = Annotated[str | None, Header()]
"""The request headers the dependencies below read (declared once: ``submission`` reads the
same ones as ``current_actor`` and ``request_key``)."""


async def current_actor(
    request: Request,
    authorization: AuthorizationHeader = None,
    sharedsky_signature: SignatureHeader = None,
) -> Actor:
    """The authenticated actor; 401 for a missing, malformed or unknown token, and for a
    write whose signature is bad or missing when the operator registered a key. A token
    checked in the last ``TOKEN_CACHE_S`` seconds is taken from memory (no query, no thread)."""
    token = None
    if authorization is not None:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            token = value.strip()
    cache = token_cache(request)
    actor = cache.get(token)
    if actor is None:
        deps = app_deps(request)
        actor = await anyio.to_thread.run_sync(authenticate, deps.db, deps.mechanism, token)
        if token is not None:
            cache.put(token, actor)
    keys = operator_key_cache(request)
    if request.method in _WRITES and not (
        sharedsky_signature is None and keys.unsigned_ok(actor.operator)
    ):
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


@dataclass(frozen=True, slots=True)
class RequestKey:
    """The Idempotency-Key of a POST (if any) and the hash of the request it came with."""

    key: str | None
    request_sha256: str


async def request_key(request: Request, idempotency_key: IdempotencyKeyHeader = None) -> RequestKey:
    """Read the Idempotency-Key header and hash method, path and body."""
    if idempotency_key is not None and not (0 < len(idempotency_key) <= MAX_IDEMPOTENCY_KEY_CHARS):
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


async def submission(
    request: Request,
    authorization: AuthorizationHeader = None,
    sharedsky_signature: SignatureHeader = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Submission:
    """``current_actor``, ``app_deps`` and ``request_key`` in one dependency (the same headers,
    the same answers): FastAPI's solving of each dependency costs a busy route more than what
    the three do."""
    actor = await current_actor(request, authorization, sharedsky_signature)
    return Submission(actor, app_deps(request), await request_key(request, idempotency_key))


ActorDep = Annotated[Actor, Depends(current_actor)]
DepsDep = Annotated[Deps, Depends(deps_of)]
KeyDep = Annotated[RequestKey, Depends(request_key)]
SubmissionDep = Annotated[Submission, Depends(submission)]
