"""Operators and their roles: who may read, who may act for a party, who manages its operators.

A party's (and the host's) operators are declared in the mechanism file with a role; more can
be added, revoked and rotated while the mechanism runs. The rules are pure: ``Role.allows``
orders the roles, ``roster`` turns what a party declared into its operators, and
``may_manage`` says whose operators an administrator manages.

::

    viewer  reads and streams
    duty    viewer + files, amends, cancels, acknowledges, sends messages, reports tracks
    admin   duty + manages its own party's operators, signing keys and webhooks
            (the host's admins manage every party's operators)
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from sharedsky.domain.ids import OperatorId, PartyId

OPERATOR_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
"""What an operator id looks like (as a party id): lowercase letters, digits, ``-`` and ``_``."""


class Role(enum.StrEnum):
    """What an operator may do; each role may do all that the roles before it may."""

    VIEWER = "viewer"
    DUTY = "duty"
    ADMIN = "admin"

    def allows(self, needed: Role) -> bool:
        """True when this role may do what ``needed`` may."""
        return _RANK[self] >= _RANK[needed]


_RANK = {Role.VIEWER: 0, Role.DUTY: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    """An operator declared in the mechanism file: its id and role."""

    id: OperatorId
    role: Role


@dataclass(frozen=True, slots=True)
class OperatorRecord:
    """An operator as the mechanism records it (its token itself is never stored)."""

    id: OperatorId
    party: PartyId
    name: str
    role: Role = Role.ADMIN
    created_us: int = 0
    expires_us: int | None = None
    """When its token stops working (µs since the epoch); None: never."""
    revoked_us: int | None = None
    """When it was revoked; None while it is not."""
    cert_subject: str | None = None
    """The TLS client certificate subject its token must come with (RFC 4514); None: any."""

    def active(self, now_us: int) -> bool:
        """True while the operator's token works: not revoked, not expired."""
        return self.revoked_us is None and (self.expires_us is None or now_us < self.expires_us)


def default_operator(party: PartyId) -> OperatorSpec:
    """The operator of a party (or host) that declares none: ``PARTY-duty``, an admin, so that
    it may still do all that a party's one token could do before roles existed."""
    return OperatorSpec(OperatorId(f"{party}-duty"), Role.ADMIN)


def roster(
    party: PartyId, declared: tuple[OperatorSpec, ...], rung_operators: tuple[str, ...]
) -> tuple[OperatorSpec, ...]:
    """A party's operators: those it declared (or ``default_operator`` when it declared none),
    then each operator named only in its escalation ladder, with role duty, in ladder order."""
    found = list(declared) or [default_operator(party)]
    known = {o.id for o in found}
    for name in rung_operators:
        if name not in known:
            found.append(OperatorSpec(OperatorId(name), Role.DUTY))
            known.add(OperatorId(name))
    return tuple(found)


def may_manage(manager_party: PartyId, manager_is_host: bool, target_party: PartyId) -> bool:
    """True when an admin of ``manager_party`` may manage an operator of ``target_party``: its
    own party's, or (for the host's admins) anyone's."""
    return manager_is_host or manager_party == target_party
