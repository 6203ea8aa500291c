"""Use cases: add, list, revoke and rotate operators; and what a process knows of their tokens.

An administrator manages its own party's operators (the host's administrators manage every
party's); offline, against the database (``sharedsky operators … --db``), the host's operations
team does so with ``actor=None``. A token is shown once, when it is issued; only its SHA-256 is
stored. Each change is a ledger event (the host sees them) and bumps the operators' version, which
every ``serve`` process compares twice a second (``CredentialsWatch``): a revoked, rotated-away
or expired token is then refused by every process and its event streams are closed.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509

from sharedsky.domain.errors import Forbidden, InvalidInput, NotFound, StateConflict
from sharedsky.domain.events import OperatorAdded, OperatorRevoked, OperatorRotated
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.operators import OPERATOR_ID_PATTERN, OperatorRecord, Role, may_manage
from sharedsky.service._common import record_event
from sharedsky.service.context import Actor
from sharedsky.service.mechanism import TOKEN_BYTES, TokenCache, actor_of, token_sha256
from sharedsky.service.ports import Deps
from sharedsky.service.uow import Database, UnitOfWork
from sharedsky.units import from_us, to_us

OFFLINE = "system"
"""The ledger's actor for changes made offline, against the database."""

MAX_CERT_SUBJECT_CHARS = 500


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """An operator and its new token (shown once; only its hash is stored)."""

    operator: OperatorRecord
    token: str


def _manage(actor: Actor | None, party: PartyId, what: str) -> None:
    """Raise unless ``actor`` may manage ``party``'s operators (None: offline, the host's own
    operations team at the database)."""
    if actor is None:
        return
    actor.require_role(Role.ADMIN, what)
    if not may_manage(actor.party, actor.is_host, party):
        raise Forbidden(f"the admins of {actor.party} manage {actor.party}'s operators only")


def cert_subject_of(text: str) -> str:
    """``text`` as an RFC 4514 distinguished name in its normal form (``CN=alpha-duty,O=Alpha``);
    InvalidInput when it is not one."""
    if not text.strip() or len(text) > MAX_CERT_SUBJECT_CHARS:
        raise InvalidInput(
            f"a certificate subject has 1 to {MAX_CERT_SUBJECT_CHARS} characters", ("cert_subject",)
        )
    try:
        name = x509.Name.from_rfc4514_string(text.strip())
    except ValueError as error:
        raise InvalidInput(
            f"not an RFC 4514 distinguished name (CN=…,O=…): {error}", ("cert_subject",)
        ) from error
    if not list(name):
        raise InvalidInput("the certificate subject names nothing", ("cert_subject",))
    return name.rfc4514_string()


def add_operator(
    deps: Deps,
    actor: Actor | None,
    operator_id: str,
    party: str,
    role: Role,
    *,
    expires_at: datetime | None = None,
    cert_subject: str | None = None,
) -> IssuedToken:
    """Add an operator to ``party`` with ``role`` and issue its token. InvalidInput for a
    malformed id, an unknown party, an expiry not in the future or a malformed certificate
    subject; StateConflict when the id is taken (by any party)."""
    now = deps.clock.now()
    if not OPERATOR_ID_PATTERN.fullmatch(operator_id):
        raise InvalidInput(
            "an operator id is 1 to 64 lowercase letters, digits, - and _ (not first)", ("id",)
        )
    try:
        owner = deps.mechanism.party(PartyId(party))
    except NotFound as error:
        raise InvalidInput(f"no party {party!r} in this mechanism", ("party",)) from error
    _manage(actor, owner.id, "add operators")
    if expires_at is not None and expires_at <= now:
        raise InvalidInput(
            f"the expiry {expires_at.isoformat()} is not in the future", ("expires_at",)
        )
    subject = cert_subject_of(cert_subject) if cert_subject is not None else None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    record = OperatorRecord(
        OperatorId(operator_id),
        owner.id,
        f"{owner.name}: {operator_id}",
        role,
        to_us(now),
        None if expires_at is None else to_us(expires_at),
        None,
        subject,
    )

    def work(uow: UnitOfWork) -> IssuedToken:
        if uow.parties.operator(operator_id) is not None:
            raise StateConflict(f"operator id {operator_id!r} is already taken", ("id",))
        uow.parties.add_operator(record, token_sha256(token), to_us(now))
        event = OperatorAdded(operator_id, owner.id, role.value, expires_at, subject)
        record_event(
            uow,
            now,
            actor.operator if actor else OFFLINE,
            event,
            None if actor is None else actor.signature,
        )
        return IssuedToken(record, token)

    return deps.db.run(work)


def list_operators(deps: Deps, actor: Actor | None) -> list[OperatorRecord]:
    """The operators the actor manages (its party's; every one for the host's admins and
    offline), revoked and expired ones too."""
    if actor is not None:
        actor.require_role(Role.ADMIN, "list operators")
    found = deps.db.run(lambda uow: uow.parties.operators(), readonly=True)
    if actor is None or actor.is_host:
        return found
    return [o for o in found if o.party == actor.party]


def _target(uow: UnitOfWork, actor: Actor | None, operator_id: str, what: str) -> OperatorRecord:
    """The operator ``actor`` means to change; NotFound when there is none it may see (another
    party's operators are not visible to a party's admins)."""
    if actor is not None:
        actor.require_role(Role.ADMIN, what)
    record = uow.parties.operator(operator_id)
    if record is None or (
        actor is not None and not may_manage(actor.party, actor.is_host, record.party)
    ):
        raise NotFound(f"no operator {operator_id!r}")
    return record


def revoke_operator(deps: Deps, actor: Actor | None, operator_id: str) -> OperatorRecord:
    """Revoke an operator: its token stops working in every process within seconds.
    StateConflict when it is already revoked, or is its party's last active admin."""
    now = deps.clock.now()
    now_us = to_us(now)

    def work(uow: UnitOfWork) -> OperatorRecord:
        record = _target(uow, actor, operator_id, "revoke operators")
        if record.revoked_us is not None:
            raise StateConflict(f"operator {operator_id} is already revoked")
        if record.role is Role.ADMIN and record.active(now_us):
            admins = [
                o
                for o in uow.parties.operators()
                if o.party == record.party and o.role is Role.ADMIN and o.active(now_us)
            ]
            if len(admins) <= 1:
                raise StateConflict(
                    f"operator {operator_id} is the last admin of {record.party}: "
                    "add another admin before revoking it"
                )
        uow.parties.revoke_operator(operator_id, now_us)
        event = OperatorRevoked(operator_id, record.party)
        record_event(
            uow,
            now,
            actor.operator if actor else OFFLINE,
            event,
            None if actor is None else actor.signature,
        )
        found = uow.parties.operator(operator_id)
        assert found is not None  # just revoked
        return found

    return deps.db.run(work)


def rotate_operator(deps: Deps, actor: Actor | None, operator_id: str) -> IssuedToken:
    """Give an operator a new token; its old one stops working in every process within
    seconds. StateConflict when the operator is revoked."""
    now = deps.clock.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)

    def work(uow: UnitOfWork) -> IssuedToken:
        record = _target(uow, actor, operator_id, "rotate operators' tokens")
        if record.revoked_us is not None:
            raise StateConflict(f"operator {operator_id} is revoked: add a new operator instead")
        uow.parties.replace_token(operator_id, token_sha256(token), to_us(now))
        event = OperatorRotated(operator_id, record.party)
        record_event(
            uow,
            now,
            actor.operator if actor else OFFLINE,
            event,
            None if actor is None else actor.signature,
        )
        return IssuedToken(record, token)

    return deps.db.run(work)


def expiry_after(now: datetime, text: str) -> datetime:
    """``now`` plus a duration such as ``30d``, ``12h``, ``90m`` or ``3600s``; InvalidInput for
    anything else or for a duration that is not positive."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
    value = text.strip().lower()
    if len(value) < 2 or value[-1] not in units or not value[:-1].isdigit():
        raise InvalidInput(
            f"{text!r} is not a duration like 30d, 12h, 90m or 3600s", ("expires_in",)
        )
    seconds = int(value[:-1]) * units[value[-1]]
    if seconds <= 0:
        raise InvalidInput("an expiry must be in the future", ("expires_in",))
    return now + timedelta(seconds=seconds)


def expires_at_of(record: OperatorRecord) -> datetime | None:
    """When the operator's token stops working; None: never."""
    return None if record.expires_us is None else from_us(record.expires_us)


class CredentialsWatch:
    """What this process knows of every operator's token, kept current across processes.

    ``load`` reads every operator and fills the token cache with the active ones; ``poll``
    (twice a second in ``serve``) reads the operators' version and loads them again when it
    changed — in this process or in any other sharing the database — so that a revoked or
    rotated-away token leaves the cache at once. ``allows`` tells an open event stream whether
    its token still works (``generation`` counts the loads). Thread-safe."""

    def __init__(self, cache: TokenCache) -> None:
        self.cache = cache
        self.generation = 0
        self._version: tuple[int, int] | None = None
        self._active: dict[str, int | None] = {}
        self._lock = threading.Lock()

    def load(self, db: Database, mechanism: Mechanism) -> list[OperatorId]:
        """Read every operator; remember the active ones' tokens. Returns every operator id."""
        with self._lock:
            version, operators = db.run(
                lambda uow: (uow.parties.version(), uow.parties.operators_by_token()),
                readonly=True,
            )
            now_us = to_us(datetime.now(UTC))
            active = {s: r for s, r in operators.items() if r.active(now_us)}
            self.cache.replace_all({s: actor_of(mechanism, r) for s, r in active.items()})
            self._active = {s: r.expires_us for s, r in active.items()}
            self._version = version
            self.generation += 1
            return [r.id for r in operators.values()]

    def poll(self, db: Database, mechanism: Mechanism) -> bool:
        """Load the operators again when they changed since the last load; True when so."""
        version = db.run(lambda uow: uow.parties.version(), readonly=True)
        if version == self._version:
            return False
        self.load(db, mechanism)
        return True

    def allows(self, sha256: str, since_generation: int, now_us: int) -> bool:
        """True while the token with this hash works, for a stream opened at
        ``since_generation``: a token issued after the last load (in another process) is given
        the benefit of the doubt until the next load."""
        if sha256 not in self._active:
            return self.generation == since_generation
        expires_us = self._active[sha256]
        return expires_us is None or now_us < expires_us
