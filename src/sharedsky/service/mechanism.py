"""Use case: load a mechanism into an empty database and issue its operators' tokens."""

from __future__ import annotations

import hashlib
import secrets

from sharedsky.domain.errors import StateConflict, Unauthenticated
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.mechanism import Mechanism
from sharedsky.service.context import Actor
from sharedsky.service.ports import Clock
from sharedsky.store.mapping import to_us
from sharedsky.store.parties import OperatorRecord
from sharedsky.store.uow import Database, SqlUnitOfWork

TOKEN_BYTES = 32


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
        raise Unauthenticated("a bearer token is required")
    record = db.run(lambda uow: uow.parties.operator_by_token(token_sha256(token)), readonly=True)
    if record is None:
        raise Unauthenticated("unknown token")
    return Actor(record.id, record.party, mechanism.is_host(record.party))
