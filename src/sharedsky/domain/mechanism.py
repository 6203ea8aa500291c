"""The mechanism: its host, its parties and the channel rules between each pair."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from sharedsky.domain.channels import ChannelRules, NoticeKind
from sharedsky.domain.errors import NotFound
from sharedsky.domain.escalation import Rung
from sharedsky.domain.heights import Datums
from sharedsky.domain.ids import PartyId
from sharedsky.domain.operators import OperatorSpec, roster
from sharedsky.geo.outlines import PolygonOutline

PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
)
"""Colours given to parties that declare none, in declaration order (``#RRGGBB``).

The Okabe–Ito palette (M. Okabe and K. Ito, *Color Universal Design*, 2002; shown in B. Wong,
"Points of view: Color blindness", Nature Methods 8, 441, 2011): its colours stay apart for
readers with protanopia, deuteranopia and tritanopia alike. Blue and orange come first (the
pair that is told apart by most readers, and the console's own/other colours before parties
had colours); vermillion comes late because the map draws conflicts in red; yellow last, as it
reads poorly on the light basemap. Past seven parties the palette starts over."""
HOST_COLOUR = "#000000"
"""The host's colour when it declares none: Okabe–Ito black, apart from every party's."""


DEFAULT_QCODES: Mapping[NoticeKind, str] = MappingProxyType(
    {
        NoticeKind.AIR_SORTIE: "QRACA",
        NoticeKind.UAV: "QWULW",
        NoticeKind.EXERCISE: "QWELW",
        NoticeKind.GROUND_MOVEMENT: "QXXXX",
        NoticeKind.STATIC_SITE: "QRTCA",
        NoticeKind.HAZARD: "QRDCA",
        NoticeKind.OTHER: "QXXXX",
    }
)
"""The NOTAM code (ICAO Doc 8126) a draft NOTAM gives each notice kind unless the mechanism
file says otherwise: an air sortie an airspace reservation activated (``QRACA``), a UAV
activity unmanned aircraft will take place (``QWULW``), an exercise exercises will take place
(``QWELW``), a static site a temporary restricted area activated (``QRTCA``), a hazard a danger
area activated (``QRDCA``); a ground movement and anything else ``QXXXX`` (no code fits: the
subject is told in plain language in item E)."""


@dataclass(frozen=True, slots=True)
class NotamRules:
    """What a draft NOTAM of the mechanism's notices says besides the notice itself: the
    flight information region and the codes of the ``Q)`` line (ICAO Doc 8126)."""

    fir: str | None = None
    """The ICAO location indicator of the FIR (``LCCC``); None: none declared, and no draft
    NOTAM can be written."""
    qcodes: Mapping[NoticeKind, str] = field(default_factory=lambda: DEFAULT_QCODES)
    """The NOTAM code of each notice kind (``Q`` and four letters)."""
    traffic: str = "IV"
    """``I`` (IFR), ``V`` (VFR) or ``IV`` (both)."""
    purpose: str = "BO"
    """Letters of ``NBOM``: immediate attention, bulletin entry, operationally significant,
    miscellaneous."""
    scope: str = "W"
    """``A`` aerodrome, ``E`` en route, ``W`` navigation warning, or ``AE``, ``AW``."""

    def qcode(self, kind: NoticeKind) -> str:
        """The NOTAM code of a notice of ``kind``."""
        return self.qcodes.get(kind, DEFAULT_QCODES[kind])


@dataclass(frozen=True, slots=True)
class Frequency:
    """A radio frequency a party keeps watch on, with what it is for."""

    label: str
    """What the frequency is for (``Guard``, ``Ops primary`` …)."""
    mhz: float


@dataclass(frozen=True, slots=True)
class PhoneLine:
    """A telephone line of a party's operations, with what it is for."""

    label: str
    number: str
    """In international form: ``+`` and digits, spaces or hyphens between them."""


@dataclass(frozen=True, slots=True)
class CommsCard:
    """How to reach a party (or the host) outside sharedsky: its frequencies, phone lines,
    the languages its operators speak on them and when it is manned (R-MECH-4)."""

    frequencies: tuple[Frequency, ...] = ()
    phones: tuple[PhoneLine, ...] = ()
    languages: tuple[str, ...] = ()
    """BCP 47 tags, in the order of preference."""
    hours: str | None = None
    """When the lines are manned, as written (``H24``, ``0600-2200Z``)."""


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
    declared_colour: str | None = None
    """The colour the mechanism file gives the party, ``#RRGGBB`` upper case (none: see
    `Mechanism.colour`)."""
    comms: CommsCard | None = None
    """How to reach the party outside sharedsky; None: the mechanism file declares no card."""

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
    notam: NotamRules = field(default_factory=NotamRules)
    """The FIR and NOTAM codes of the draft NOTAMs of its notices."""
    datums: Datums = field(default_factory=Datums)
    """The QNH range and terrain bounds that relate heights on other datums to mean sea level
    (``domain/heights.py``)."""

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

    def colour(self, party_id: PartyId) -> str:
        """The ``#RRGGBB`` colour every map draws this party's objects in: the one its entry
        declares, else the host's `HOST_COLOUR`, else the next `PALETTE` colour no party
        declares, handed out in declaration order (so each party keeps its colour as long as
        the file keeps its order); NotFound for an unknown id."""
        return self.colours()[self.party(party_id).id]

    def colours(self) -> dict[PartyId, str]:
        """Every party's colour and the host's (see `colour`), in declaration order."""
        taken = {p.declared_colour for p in (self.host, *self.parties) if p.declared_colour}
        free = [c for c in PALETTE if c not in taken] or list(PALETTE)
        colours = {self.host.id: self.host.declared_colour or HOST_COLOUR}
        assigned = 0
        for party in self.parties:
            if party.declared_colour:
                colours[party.id] = party.declared_colour
            else:
                colours[party.id] = free[assigned % len(free)]
                assigned += 1
        return colours

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
