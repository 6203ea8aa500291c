"""The mechanism: its host, its parties and the channel rules between each pair."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sharedsky.domain.channels import ChannelRules
from sharedsky.domain.errors import NotFound
from sharedsky.domain.escalation import Rung
from sharedsky.domain.ids import PartyId
from sharedsky.domain.operators import OperatorSpec, roster
from sharedsky.geo.outlines import PolygonOutline


@dataclass(frozen=True, slots=True)
class Party:
    """A member force or organisation, or the host."""

    id: PartyId
    name: str
    language: str
    """BCP 47 language tag of the party's operators (``en``, ``tr``, ``he`` …)."""
    ladder: tuple[Rung, ...] = ()
    """Rungs above the duty officer, in order; the host is always the last, implicit rung."""
    declared_operators: tuple[OperatorSpec, ...] = ()
    """The operators the mechanism file lists for this party (none: see ``operators``)."""

    @property
    def operators(self) -> tuple[OperatorSpec, ...]:
        """The party's operators as loaded: those declared (``PARTY-duty``, an admin, when none
        is), then those named only in the ladder, as duty officers; the first is the party's
        main operator (its token is the party's in ``init --tokens-out``)."""
        named = tuple(name for rung in self.ladder for name in rung.operators)
        return roster(self.id, self.declared_operators, named)


@dataclass(frozen=True, slots=True)
class Mechanism:
    """One deployment: its host, parties, default rules and per-pair overrides."""

    name: str
    host: Party
    parties: tuple[Party, ...]
    defaults: ChannelRules = field(default_factory=ChannelRules)
    channels: Mapping[frozenset[PartyId], ChannelRules] = field(default_factory=dict)
    """Complete rules for the pairs that override the defaults."""
    area: PolygonOutline | None = None
    """The area of responsibility (lon/lat): a volume wholly outside it is refused unless its
    filer means it (``domain/area.py``); None: the mechanism declares none."""

    def is_host(self, party_id: PartyId) -> bool:
        """True when ``party_id`` is the host."""
        return party_id == self.host.id

    def party(self, party_id: PartyId) -> Party:
        """The party (or host) with this id; NotFound otherwise."""
        if party_id == self.host.id:
            return self.host
        for party in self.parties:
            if party.id == party_id:
                return party
        raise NotFound(f"no party {party_id!r} in this mechanism")

    def has_party(self, party_id: PartyId) -> bool:
        """True when ``party_id`` is a member party (not the host)."""
        return any(p.id == party_id for p in self.parties)

    def counterparties(self, party_id: PartyId) -> tuple[PartyId, ...]:
        """Every member party other than ``party_id``, in declaration order."""
        return tuple(p.id for p in self.parties if p.id != party_id)

    def channel(self, a: PartyId, b: PartyId) -> ChannelRules:
        """The rules between parties ``a`` and ``b`` (order does not matter)."""
        return self.channels.get(frozenset((a, b)), self.defaults)

    def max_lateral_m(self, party_id: PartyId) -> float:
        """The largest lateral separation of any channel of ``party_id``, metres."""
        return max(
            (
                self.channel(party_id, other).separation.lateral_m
                for other in self.counterparties(party_id)
            ),
            default=self.defaults.separation.lateral_m,
        )
