"""Use case: load a mechanism into an empty database and issue its operators' tokens."""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from sharedsky.domain.errors import StateConflict, Unauthenticated
from sharedsky.domain.events import MechanismLoaded
from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.operators import OperatorRecord
from sharedsky.service._common import SYSTEM, record_event
from sharedsky.service._kept import Kept
from sharedsky.service.context import Actor
from sharedsky.service.ports import Clock
from sharedsky.service.uow import Database, UnitOfWork
from sharedsky.units import to_us

TOKEN_BYTES = 32
TOKEN_CACHE_S = 30.0
"""How long a server trusts a token it has already checked before it looks it up again, in
seconds (an unknown token is looked up every time)."""


def token_sha256(token: str) -> str:
    """The hex SHA-256 under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    """The tokens ``load_mechanism`` issued (shown once; only their hashes are stored)."""

    parties: dict[str, str]
    """By party id (and the host's): the token of the party's first operator."""
    operators: dict[str, str]
    """By operator id: every operator's token."""

    def file(self) -> dict[str, str]:
        """The tokens file of ``init --tokens-out``: the parties' keys, then one per operator
        (``--tokens FILE --as NAME`` takes either)."""
        return {**self.parties, **self.operators}


def load_mechanism(
    db: Database, clock: Clock, mechanism: Mechanism, mechanism_json: str
) -> IssuedTokens:
    """Store the mechanism and every operator of its parties and host (``Party.operators``)
    and issue their tokens. StateConflict when one is already loaded."""
    now = clock.now()
    issued = {
        spec.id: (party, spec, secrets.token_urlsafe(TOKEN_BYTES))
        for party in (*mechanism.parties, mechanism.host)
        for spec in party.operators
    }

    def work(uow: UnitOfWork) -> IssuedTokens:
        if uow.parties.mechanism_json() is not None:
            raise StateConflict("this database already holds a mechanism")
        uow.parties.save_mechanism(mechanism, mechanism_json)
        for operator_id, (party, spec, token) in issued.items():
            record = OperatorRecord(
                operator_id, party.id, f"{party.name}: {operator_id}", spec.role
            )
            uow.parties.add_operator(record, token_sha256(token), to_us(now))
        record_event(uow, now, SYSTEM, MechanismLoaded(mechanism.name))
        return IssuedTokens(
            parties={
                str(party.id): issued[party.operators[0].id][2]
                for party in (*mechanism.parties, mechanism.host)
            },
            operators={str(op): token for op, (_, _, token) in issued.items()},
        )

    return db.run(work)


def actor_of(mechanism: Mechanism, record: OperatorRecord) -> Actor:
    """The actor an operator's token stands for."""
    return Actor(
        record.id,
        record.party,
        mechanism.is_host(record.party),
        role=record.role,
        expires_us=record.expires_us,
        cert_subject=record.cert_subject,
    )


def authenticate(
    db: Database, mechanism: Mechanism, token: str | None, now: datetime | None = None
) -> Actor:
    """The actor whose token this is; Unauthenticated when missing, unknown, revoked or
    expired (at ``now``; the system clock's time when not given)."""
    if not token:
        raise Unauthenticated("a bearer token is required", reason="missing-token")
    record = db.run(lambda uow: uow.parties.operator_by_token(token_sha256(token)), readonly=True)
    if record is None:
        raise Unauthenticated("unknown token", reason="unknown-token")
    if record.revoked_us is not None:
        raise Unauthenticated(f"the token of operator {record.id} was revoked", reason="revoked")
    if not record.active(to_us(now or datetime.now(UTC))):
        raise Unauthenticated(f"the token of operator {record.id} has expired", reason="expired")
    return actor_of(mechanism, record)


REFRESH_AFTER = (0.5, 0.9)
"""Fractions of ``TOKEN_CACHE_S`` between which (drawn at random per token, so that tokens
remembered together are not all checked together) a token in use is checked again in the
background (``TokenCache.claim_refresh``): it seldom expires under a busy client."""


class TokenCache:
    """Tokens already authenticated, by their hash, for ``ttl_s`` seconds: a busy server would
    otherwise read the operators table on every request. Unknown tokens are never cached, so a
    token issued a moment ago works at once. A token still in use past a point within
    ``REFRESH_AFTER`` of its time is handed out for a check in the background
    (``claim_refresh``), once: checked again, it stays (``put``) or goes (``drop``), and no
    request waits for the database meanwhile (fifty clients whose tokens all lapsed at once
    queued together behind fifty reads). Thread-safe.

    A token read from the database before the operators were loaded again (``replace_all``)
    is not remembered after: a revocation committed meanwhile would come back with it until
    its next check. The reader notes ``generation`` before the read and passes it to ``put``,
    which keeps nothing when it has changed since."""

    def __init__(self, ttl_s: float = TOKEN_CACHE_S, max_entries: int = 10_000) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self.kept: Kept[str, Actor] = Kept(ttl_s, REFRESH_AFTER, max_entries)
        """The actors by token hash."""
        self.generation = 0
        """How many times ``replace_all`` replaced every actor (the operators were loaded)."""

    def get(self, token: str | None) -> Actor | None:
        """The actor of a token checked less than ``ttl_s`` seconds ago and not expired since;
        None otherwise."""
        if not token:
            return None
        sha256 = token_sha256(token)
        actor = self.kept.get(sha256)
        if actor is not None and actor.expires_us is not None:
            if to_us(datetime.now(UTC)) >= actor.expires_us:
                self.kept.drop(sha256)
                return None
        return actor

    def replace_all(self, actors: dict[str, Actor]) -> None:
        """Remember exactly these actors by token hash, forgetting every other (the operators
        changed: a revoked or rotated-away token must not outlive the change here)."""
        fresh: Kept[str, Actor] = Kept(self._ttl_s, REFRESH_AFTER, self._max_entries)
        for sha256, actor in actors.items():
            fresh.put(sha256, actor)
        with self._lock:
            self.kept = fresh
            self.generation += 1

    def claim_refresh(self, token: str | None) -> bool:
        """True, once, when a remembered token is due for its check in the background: the
        caller checks it and calls ``put`` (still valid), ``drop`` (no longer) or ``release``
        (the check could not be made)."""
        return self.kept.claim_refresh(token_sha256(token)) if token else False

    def release(self, token: str) -> None:
        """A claimed check failed to run: the next use of the token claims it again."""
        self.kept.release(token_sha256(token))

    def put(self, token: str, actor: Actor, since: int | None = None) -> bool:
        """Remember that ``token`` authenticates ``actor``, read from the database at
        ``generation`` ``since`` — unless the operators were loaded again since then (the read
        may predate a revocation that load saw). None: whenever it was read. True when kept."""
        with self._lock:
            if since is not None and since != self.generation:
                return False
            self.kept.put(token_sha256(token), actor)
            return True

    def drop(self, token: str) -> None:
        """Forget ``token`` (it no longer authenticates anyone)."""
        self.kept.drop(token_sha256(token))
