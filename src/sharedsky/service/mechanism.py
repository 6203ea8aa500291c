"""Use case: load a mechanism into an empty database and issue its operators' tokens."""

from __future__ import annotations

import hashlib
import secrets

from sharedsky.domain.errors import StateConflict, Unauthenticated
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.mechanism import Mechanism
from sharedsky.service._kept import Kept
from sharedsky.service.context import Actor
from sharedsky.service.ports import Clock
from sharedsky.store.mapping import to_us
from sharedsky.store.parties import OperatorRecord
from sharedsky.store.uow import Database, SqlUnitOfWork

TOKEN_BYTES = 32
TOKEN_CACHE_S = 30.0
"""How long a server trusts a token it has already checked before it looks it up again, in
seconds (an unknown token is looked up every time)."""


def token_sha256(token: str) -> str:
    """The hex SHA-256 under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def load_mechanism(
    db: Database, clock: Clock, mechanism: Mechanism, mechanism_json: str
) -> dict[PartyId, str]:
    """Store the mechanism and one operator per party and for the host; return their tokens
    (shown once; only their hashes are stored). StateConflict when one is already loaded."""
    now = clock.now()
    tokens = {
        p.id: secrets.token_urlsafe(TOKEN_BYTES) for p in (*mechanism.parties, mechanism.host)
    }

    def work(uow: SqlUnitOfWork) -> dict[PartyId, str]:
        if uow.parties.mechanism_json() is not None:
            raise StateConflict("this database already holds a mechanism")
        uow.parties.save_mechanism(mechanism, mechanism_json)
        for party, token in tokens.items():
            record = OperatorRecord(OperatorId(f"{party}-duty"), party, f"{party} duty officer")
            uow.parties.add_operator(record, token_sha256(token), to_us(now))
        uow.events.append(now, "system", "mechanism.loaded", {"mechanism": mechanism.name})
        return tokens

    return db.run(work)


def authenticate(db: Database, mechanism: Mechanism, token: str | None) -> Actor:
    """The actor whose token this is; Unauthenticated when missing or unknown."""
    if not token:
        raise Unauthenticated("a bearer token is required", reason="missing-token")
    record = db.run(lambda uow: uow.parties.operator_by_token(token_sha256(token)), readonly=True)
    if record is None:
        raise Unauthenticated("unknown token", reason="unknown-token")
    return Actor(record.id, record.party, mechanism.is_host(record.party))


REFRESH_AFTER = (0.5, 0.9)
"""Fractions of ``TOKEN_CACHE_S`` between which (drawn at random per token, so that tokens
remembered together are not all checked together) a token in use is checked again in the
background (``TokenCache.claim_refresh``): it seldom expires under a busy client."""


def remember_every_token(db: Database, mechanism: Mechanism, cache: TokenCache) -> list[OperatorId]:
    """Put every operator's token (by its hash) in ``cache``, read in one query: a server
    does so as it starts, so that the first request of each client does not wait for a read
    (fifty clients connecting together queued behind fifty). Returns the operators."""
    operators = db.run(lambda uow: uow.parties.operators_by_token(), readonly=True)
    for sha256, record in operators.items():
        cache.put_hashed(sha256, Actor(record.id, record.party, mechanism.is_host(record.party)))
    return [record.id for record in operators.values()]


class TokenCache:
    """Tokens already authenticated, by their hash, for ``ttl_s`` seconds: a busy server would
    otherwise read the operators table on every request. Unknown tokens are never cached, so a
    token issued a moment ago works at once. A token still in use past a point within
    ``REFRESH_AFTER`` of its time is handed out for a check in the background
    (``claim_refresh``), once: checked again, it stays (``put``) or goes (``drop``), and no
    request waits for the database meanwhile (fifty clients whose tokens all lapsed at once
    queued together behind fifty reads). Thread-safe."""

    def __init__(self, ttl_s: float = TOKEN_CACHE_S, max_entries: int = 10_000) -> None:
        self.kept: Kept[str, Actor] = Kept(ttl_s, REFRESH_AFTER, max_entries)
        """The actors by token hash."""

    def get(self, token: str | None) -> Actor | None:
        """The actor of a token checked less than ``ttl_s`` seconds ago; None otherwise."""
        return self.kept.get(token_sha256(token)) if token else None

    def claim_refresh(self, token: str | None) -> bool:
        """True, once, when a remembered token is due for its check in the background: the
        caller checks it and calls ``put`` (still valid), ``drop`` (no longer) or ``release``
        (the check could not be made)."""
        return self.kept.claim_refresh(token_sha256(token)) if token else False

    def release(self, token: str) -> None:
        """A claimed check failed to run: the next use of the token claims it again."""
        self.kept.release(token_sha256(token))

    def put(self, token: str, actor: Actor) -> None:
        """Remember that ``token`` authenticates ``actor``."""
        self.kept.put(token_sha256(token), actor)

    def put_hashed(self, sha256: str, actor: Actor) -> None:
        """Remember that the token with this SHA-256 (hex) authenticates ``actor``."""
        self.kept.put(sha256, actor)

    def drop(self, token: str) -> None:
        """Forget ``token`` (it no longer authenticates anyone)."""
        self.kept.drop(token_sha256(token))
