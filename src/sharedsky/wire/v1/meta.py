"""Who am I, and the mechanism's parties and channels, on the wire."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sharedsky.wire.v1.common import PolygonOutline, WireModel


class Me(WireModel):
    """The operator behind a token."""

    operator: str
    party: str
    name: str
    language: str
    is_host: bool
    mechanism: str
    role: Literal["viewer", "duty", "admin"] = "admin"
    """What the operator may do: viewer reads and streams; duty also files, amends, cancels,
    acknowledges and sends messages; admin also manages its party's operators, keys and
    webhooks."""
    signing_key_ids: list[str] = Field(default_factory=list)
    """The operator's active signing keys: when there is any, every write it sends must carry
    a ``Sharedsky-Signature`` made with one of them (docs/ledger-format.md)."""


class FrequencyOut(WireModel):
    """A radio frequency of a comms card."""

    label: str
    mhz: float


class PhoneOut(WireModel):
    """A phone line of a comms card (international form)."""

    label: str
    number: str


class CommsCardOut(WireModel):
    """How to reach a party (or the host) outside sharedsky, as its mechanism file declares."""

    frequencies: list[FrequencyOut]
    phones: list[PhoneOut]
    languages: list[str]
    """The languages its operators speak on these lines (BCP 47), in order of preference."""
    hours: str | None
    """When the lines are manned, as written (``H24``); null: not said."""


class PartyOut(WireModel):
    """A party or the host."""

    id: str
    name: str
    language: str
    colour: str
    """``#RRGGBB``: the colour of this party's tracks, notices and zones on every operator's
    map (declared in the mechanism file, else from a colour-blind-safe palette)."""
    comms: CommsCardOut | None = None
    """Its comms card (the mechanism file's ``comms:``); null: none declared."""


class SeparationOut(WireModel):
    """Separation minima of a channel."""

    lateral_m: float
    vertical_m: float
    time_s: float


class ChannelOut(WireModel):
    """The rules between two parties."""

    between: tuple[str, str]
    sharing: str
    min_lead_time_s: dict[str, int]
    ack_deadline_s: dict[str, int]
    separation: SeparationOut


class NotamOut(WireModel):
    """What the draft NOTAMs of the mechanism's notices say besides the notice (the mechanism
    file's ``notam:``; ICAO Doc 8126)."""

    fir: str | None
    """The ICAO location indicator of the flight information region; null: none declared."""
    qcodes: dict[str, str]
    """The NOTAM code of each notice kind."""
    traffic: Literal["I", "V", "IV"]
    purpose: str
    scope: str


class DatumsOut(WireModel):
    """What relates heights on other datums to mean sea level (the mechanism file's
    ``qnh_hpa`` and ``terrain_m``): a band on a flight level spans the QNH range, one above
    ground the terrain bounds; without terrain bounds no AGL limit is accepted."""

    qnh_min_hpa: float
    qnh_max_hpa: float
    terrain_min_m: float | None
    """Lowest terrain of the area, metres AMSL; null: none declared (no AGL limits)."""
    terrain_max_m: float | None
    """Highest terrain of the area, metres AMSL; null: none declared."""


class MechanismOut(WireModel):
    """The mechanism as every operator may see it."""

    mechanism: str
    host: PartyOut
    parties: list[PartyOut]
    channels: list[ChannelOut]
    area: PolygonOutline | None = None
    """The area of responsibility ([lon, lat] rings), where a volume wholly outside is refused
    unless filed with ``outside_area``; null when the mechanism declares none."""
    notam: NotamOut | None = None
    """The FIR and NOTAM codes of the draft NOTAMs (``GET /v1/export?format=notam``)."""
    datums: DatumsOut | None = None
    """The QNH range and terrain bounds heights on other datums are resolved with."""


class ConsoleCatalogue(WireModel):
    """The web console's own words in one language, from the gettext catalogues the message
    templates ship beside (``interop/locale/<lang>/LC_MESSAGES/console.po``)."""

    language: str
    """The catalogue's language: the one asked for when it ships, else ``en``."""
    direction: Literal["ltr", "rtl"]
    """How the language is written: ``rtl`` for Hebrew and Arabic."""
    words: dict[str, str]
    """Key → word, with ``{name}`` placeholders; every key is present (English where the
    language has no translation)."""
