"""The mechanism file (YAML) ↔ domain.Mechanism, refusing a malformed file with line and reason."""

from __future__ import annotations

import json
import re
from types import MappingProxyType
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sharedsky.domain.area import bbox_area
from sharedsky.domain.channels import (
    DEFAULT_LATERAL_M,
    DEFAULT_TIME_S,
    DEFAULT_VERTICAL_M,
    Activation,
    ChannelRules,
    NoticeKind,
    Priority,
    SeparationMinima,
    Sharing,
)
from sharedsky.domain.errors import InvalidMechanism
from sharedsky.domain.escalation import Rung
from sharedsky.domain.heights import MIN_ALT_M, Datums
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.mechanism import (
    DEFAULT_QCODES,
    CommsCard,
    Frequency,
    Mechanism,
    NotamRules,
    Party,
    PhoneLine,
)
from sharedsky.domain.operators import OperatorSpec, Role
from sharedsky.geo.outlines import OutlineError, PolygonOutline, validate_outline

_ID = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_LEAD_KEYS = {"default", *(k.value for k in NoticeKind)}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _RungModel(_Strict):
    rung: Annotated[str, Field(min_length=1, max_length=100)]
    operators: list[_ID] = []
    wait_s: Annotated[int, Field(gt=0, le=7 * 86400)]


_LANGUAGE = Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
_LABEL = Annotated[str, Field(min_length=1, max_length=60)]
_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_PHONE = re.compile(r"\+[0-9](?:[ -]?[0-9]){5,18}")


class _FrequencyModel(_Strict):
    label: _LABEL
    mhz: Annotated[float, Field(gt=0, le=300_000, allow_inf_nan=False)]
    """MHz: 121.5 (the aeronautical guard frequency), 243.0 (military guard), 8.992 (HF)."""


class _PhoneModel(_Strict):
    label: _LABEL
    number: str

    @field_validator("number")
    @classmethod
    def _international(cls, value: str) -> str:
        if not _PHONE.fullmatch(value.strip()):
            raise ValueError(
                f'{value!r} is not a phone number in international form: write "+", the '
                "country code and the number, digits with single spaces or hyphens between "
                'them (e.g. "+90 312 555 0100"; quoted)'
            )
        return value.strip()


class _CommsModel(_Strict):
    """``comms:``: how to reach the party outside sharedsky (R-MECH-4)."""

    frequencies: list[_FrequencyModel] = []
    phones: list[_PhoneModel] = []
    languages: list[str] = []
    """BCP 47 tags of the languages spoken on these lines, in order of preference."""
    hours: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    """When the lines are manned, as written: ``H24``, ``0600-2200Z``, ``weekdays 0500-1700Z``."""

    @field_validator("languages")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        for tag in value:
            if not _TAG.fullmatch(tag):
                raise ValueError(
                    f"{tag!r} is not a language tag: write a BCP 47 tag such as en, ar or tr-TR"
                )
        return value


class _OperatorModel(_Strict):
    id: _ID
    role: Literal["viewer", "duty", "admin"] = "duty"


class _HostModel(_Strict):
    id: _ID
    name: Annotated[str, Field(min_length=1, max_length=200)]
    language: _LANGUAGE = "en"
    operators: list[_OperatorModel] = []
    """Declared operators with their roles; none: one ``ID-duty`` admin."""
    colour: str | None = None
    """``#RRGGBB``: the colour of the party's objects on every map; none: from the palette."""
    comms: _CommsModel | None = None
    """The party's comms card: frequencies, phone lines, languages, hours; none: no card."""

    @field_validator("colour")
    @classmethod
    def _hex_colour(cls, value: str | None) -> str | None:
        if value is not None and not _COLOUR.fullmatch(value):
            raise ValueError(
                f'{value!r} is not a colour: write it as "#RRGGBB" (six hexadecimal digits, '
                'e.g. "#0072B2"; quoted, since YAML reads # as a comment)'
            )
        return None if value is None else value.upper()


class _PartyModel(_HostModel):
    escalation: list[_RungModel] = []


class _SeparationModel(_Strict):
    lateral_m: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    vertical_m: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    time_s: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None


class _RulesModel(_Strict):
    sharing: Literal["full", "conflicts_only", "host_only"] | None = None
    min_lead_time_s: dict[str, Annotated[int, Field(ge=0)]] | None = None
    ack_deadline_s: (
        dict[Literal["routine", "priority", "flash"], Annotated[int, Field(gt=0)]] | None
    ) = None
    separation: _SeparationModel | None = None
    activation: Literal["at_start", "manual"] | None = None
    """How notices become active: by themselves at their start (the default), or only when
    their owner activates them (R-ACT-1)."""
    early_activation_s: Annotated[int, Field(ge=0)] | None = None
    """How long before its window's start a notice may be activated (1800 s by default)."""
    activation_grace_s: Annotated[int, Field(ge=0)] | None = None
    """How long after its start a ``manual`` notice may stay planned before it is flagged
    (600 s by default)."""
    request_agreement: bool | list[NoticeKind] | None = None
    """Notices ask the counterparty for agreement, not only receipt (R-AGREE-1): ``true``
    for every kind, a list of kinds, or ``false`` (the default)."""

    @field_validator("min_lead_time_s")
    @classmethod
    def _known_kinds(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        unknown = set(value or {}) - _LEAD_KEYS
        if unknown:
            raise ValueError(
                f"unknown notice kinds {sorted(unknown)}; "
                f"use 'default' or one of {sorted(_LEAD_KEYS - {'default'})}"
            )
        return value


class _ChannelModel(_RulesModel):
    between: tuple[_ID, _ID]


_Degrees = Annotated[float, Field(allow_inf_nan=False)]


class _AreaPolygonModel(_Strict):
    """A GeoJSON-style Polygon: rings of [lon, lat] positions, the exterior first."""

    type: Literal["Polygon"]
    coordinates: Annotated[
        list[Annotated[list[tuple[_Degrees, _Degrees]], Field(min_length=4)]],
        Field(min_length=1),
    ]


class _NotamModel(_Strict):
    """``notam:``: what the draft NOTAMs of the notices say besides the notice."""

    fir: Annotated[str, Field(pattern=r"^[A-Z]{4}$")] | None = None
    """The ICAO location indicator of the flight information region (``LCCC``)."""
    qcodes: dict[NoticeKind, Annotated[str, Field(pattern=r"^Q[A-Z]{4}$")]] = {}
    """NOTAM codes by notice kind, over the defaults of ``domain.mechanism.DEFAULT_QCODES``."""
    traffic: Literal["I", "V", "IV"] = "IV"
    purpose: Annotated[str, Field(pattern=r"^N?B?O?M?$", min_length=1)] = "BO"
    scope: Literal["A", "E", "W", "AE", "AW"] = "W"


_Hpa = Annotated[float, Field(ge=850.0, le=1100.0, allow_inf_nan=False)]
_TerrainM = Annotated[float, Field(ge=MIN_ALT_M, le=9_000.0, allow_inf_nan=False)]


class _QnhModel(_Strict):
    """The range of sea-level pressure (QNH, hPa) over the area and the mechanism's time."""

    min: _Hpa = 950.0
    max: _Hpa = 1050.0


class _TerrainModel(_Strict):
    """The lowest and highest terrain of the area, metres AMSL (required for AGL heights)."""

    min: _TerrainM
    max: _TerrainM


class _MechanismModel(_Strict):
    mechanism: Annotated[str, Field(min_length=1, max_length=200)]
    host: _HostModel
    parties: Annotated[list[_PartyModel], Field(min_length=1)]
    defaults: _RulesModel = _RulesModel()
    channels: list[_ChannelModel] = []
    area: tuple[_Degrees, _Degrees, _Degrees, _Degrees] | _AreaPolygonModel | None = None
    """The area of responsibility: a bbox ``[min_lon, min_lat, max_lon, max_lat]`` or a
    Polygon (``domain/area.py``)."""
    notam: _NotamModel | None = None
    """``notam:``: none, the defaults (and no FIR)."""
    qnh_hpa: _QnhModel | None = None
    """The QNH range that flight levels are widened by (``domain/heights.py``); none: 950 to
    1050 hPa (and a file that gives none keeps its canonical JSON)."""
    terrain_m: _TerrainModel | None = None
    """Terrain bounds; without them no AGL height is accepted."""


def _datums(model: _MechanismModel, lines: dict[tuple[str | int, ...], int]) -> Datums:
    """The datums the file declares; a range whose minimum exceeds its maximum is refused at
    its line."""
    qnh = model.qnh_hpa or _QnhModel()
    ranges: list[tuple[str, float, float]] = [("qnh_hpa", qnh.min, qnh.max)]
    if model.terrain_m is not None:
        ranges.append(("terrain_m", model.terrain_m.min, model.terrain_m.max))
    for key, low, high in ranges:
        if low > high:
            path: tuple[str | int, ...] = (key, "min")
            raise InvalidMechanism(
                f"{key}: min ({low:g}) must not exceed max ({high:g})", path, _line_of(path, lines)
            )
    terrain = model.terrain_m
    return Datums(
        qnh_min_hpa=qnh.min,
        qnh_max_hpa=qnh.max,
        terrain_min_m=None if terrain is None else terrain.min,
        terrain_max_m=None if terrain is None else terrain.max,
    )


def _area(model: _MechanismModel, lines: dict[tuple[str | int, ...], int]) -> PolygonOutline | None:
    """The area of responsibility the file declares, checked as an outline (closed rings,
    in range, not self-intersecting, at most ``MAX_EXTENT_M`` across); None when it declares
    none. A bad one is refused at its line."""
    given = model.area
    if given is None:
        return None
    if isinstance(given, _AreaPolygonModel):
        area = PolygonOutline(tuple(tuple(ring) for ring in given.coordinates))
    else:
        min_lon, min_lat, max_lon, max_lat = given
        if not (min_lon < max_lon and min_lat < max_lat):
            path: tuple[str | int, ...] = ("area",)
            raise InvalidMechanism(
                "area: a bbox is [min_lon, min_lat, max_lon, max_lat], each minimum below its "
                f"maximum (longitude first, as in GeoJSON), not {list(given)}",
                path,
                _line_of(path, lines),
            )
        area = bbox_area(min_lon, min_lat, max_lon, max_lat)
    try:
        validate_outline(area)
    except OutlineError as exc:
        path = ("area", *exc.path)
        where = ".".join(str(p) for p in path)
        raise InvalidMechanism(f"{where}: {exc.reason}", path, _line_of(path, lines)) from exc
    return area


def _notam(model: _NotamModel) -> NotamRules:
    return NotamRules(
        fir=model.fir,
        qcodes=MappingProxyType(dict(DEFAULT_QCODES) | model.qcodes),
        traffic=model.traffic,
        purpose=model.purpose,
        scope=model.scope,
    )


def _rules(model: _RulesModel, base: ChannelRules) -> ChannelRules:
    sep = model.separation or _SeparationModel()
    lead = dict(base.min_lead_time_s)
    lead.update(model.min_lead_time_s or {})
    ack = dict(base.ack_deadline_s)
    ack.update({Priority(k): v for k, v in (model.ack_deadline_s or {}).items()})
    return ChannelRules(
        sharing=Sharing(model.sharing) if model.sharing else base.sharing,
        min_lead_time_s=lead,
        ack_deadline_s=ack,
        separation=SeparationMinima(
            lateral_m=base.separation.lateral_m if sep.lateral_m is None else sep.lateral_m,
            vertical_m=base.separation.vertical_m if sep.vertical_m is None else sep.vertical_m,
            time_s=base.separation.time_s if sep.time_s is None else sep.time_s,
        ),
        activation=base.activation if model.activation is None else Activation(model.activation),
        early_activation_s=_given(model.early_activation_s, base.early_activation_s),
        activation_grace_s=_given(model.activation_grace_s, base.activation_grace_s),
        agreement_kinds=_agreement_kinds(model.request_agreement, base.agreement_kinds),
    )


def _agreement_kinds(
    value: bool | list[NoticeKind] | None, base: frozenset[NoticeKind]
) -> frozenset[NoticeKind]:
    """The kinds whose notices ask for agreement: every kind for ``true``, none for ``false``,
    the listed ones for a list, ``base`` (the defaults') when the file says nothing."""
    if value is None:
        return base
    if isinstance(value, bool):
        return frozenset(NoticeKind) if value else frozenset()
    return frozenset(NoticeKind(k) for k in value)


def _given(value: int | None, base: int) -> int:
    """``value`` when the file gives one, else ``base`` (the defaults')."""
    return base if value is None else value


def _to_python(
    node: yaml.Node, path: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]
) -> Any:
    """Plain Python data of a composed YAML node, recording the 1-based line of every path."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.safe_load(yaml.serialize(key_node))
            if key in result:
                raise InvalidMechanism(
                    f"the key {key!r} appears twice", (*path, key), key_node.start_mark.line + 1
                )
            result[key] = _to_python(value_node, (*path, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def _line_of(path: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]) -> int:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def parse_mechanism(text: str) -> tuple[Mechanism, str]:
    """The mechanism declared by ``text`` (YAML or JSON) and its canonical JSON.

    Raises InvalidMechanism with the 1-based line and the reason when the file is malformed.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        reason = getattr(exc, "problem", None) or str(exc)
        raise InvalidMechanism(f"not valid YAML: {reason}", (), line) from exc
    if node is None:
        raise InvalidMechanism("the mechanism file is empty", (), 1)
    lines: dict[tuple[str | int, ...], int] = {}
    data = _to_python(node, (), lines)
    try:
        model = _MechanismModel.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(
            p
            for p in first["loc"]
            if not str(p).startswith(("function-after", "literal", "tuple[", "_AreaPolygonModel"))
        )
        path = tuple(int(p) if isinstance(p, int) else str(p) for p in loc)
        field = ".".join(str(p) for p in path) or "the file"
        raise InvalidMechanism(f"{field}: {first['msg']}", path, _line_of(path, lines)) from exc
    return _build(model, lines), json.dumps(
        model.model_dump(mode="json", exclude_none=True), sort_keys=True
    )


def _build(model: _MechanismModel, lines: dict[tuple[str | int, ...], int]) -> Mechanism:
    ids = [p.id for p in model.parties]
    seen = {model.host.id}
    for index, party in enumerate(model.parties):
        if party.id in seen:
            path: tuple[str | int, ...] = ("parties", index, "id")
            raise InvalidMechanism(
                f"party id {party.id!r} is used twice", path, _line_of(path, lines)
            )
        seen.add(party.id)
    _check_colours(model, lines)
    comms = _comms_cards(model, lines)
    defaults = _rules(
        model.defaults,
        ChannelRules(
            separation=SeparationMinima(DEFAULT_LATERAL_M, DEFAULT_VERTICAL_M, DEFAULT_TIME_S)
        ),
    )
    channels: dict[frozenset[PartyId], ChannelRules] = {}
    for index, channel in enumerate(model.channels):
        path = ("channels", index, "between")
        a, b = channel.between
        for party_id in (a, b):
            if party_id not in ids:
                raise InvalidMechanism(
                    f"channels.{index}.between: {party_id!r} is not a party of this mechanism",
                    path,
                    _line_of(path, lines),
                )
        pair = frozenset((PartyId(a), PartyId(b)))
        if len(pair) != 2 or pair in channels:
            reason = "names the same party twice" if len(pair) != 2 else "repeats an earlier pair"
            raise InvalidMechanism(
                f"channels.{index}.between {reason}", path, _line_of(path, lines)
            )
        channels[pair] = _rules(channel, defaults)
    mechanism = Mechanism(
        name=model.mechanism,
        host=Party(
            PartyId(model.host.id),
            model.host.name,
            model.host.language,
            declared_operators=_declared(model.host),
            declared_colour=model.host.colour,
            comms=comms[0],
        ),
        parties=tuple(
            Party(
                PartyId(p.id),
                p.name,
                p.language,
                tuple(Rung(r.rung, tuple(r.operators), r.wait_s) for r in p.escalation),
                _declared(p),
                p.colour,
                comms[index + 1],
            )
            for index, p in enumerate(model.parties)
        ),
        defaults=defaults,
        channels=channels,
        area=_area(model, lines),
        notam=_notam(model.notam or _NotamModel()),
        datums=_datums(model, lines),
    )
    _check_operators(model, mechanism, lines)
    return mechanism


def _comms_cards(
    model: _MechanismModel, lines: dict[tuple[str | int, ...], int]
) -> list[CommsCard | None]:
    """The comms card of the host, then of each party (None where none is declared). A card
    must say something, and no two of its frequencies or phone lines may share a label (a
    reader picks a line by its label), nor its languages repeat; a refusal points at the
    line of the card or of the second use."""
    sections: list[tuple[tuple[str | int, ...], _HostModel]] = [
        (("host",), model.host),
        *((("parties", i), p) for i, p in enumerate(model.parties)),
    ]
    cards: list[CommsCard | None] = []
    for where, section in sections:
        card = section.comms
        if card is None:
            cards.append(None)
            continue
        path: tuple[str | int, ...] = (*where, "comms")
        if not (card.frequencies or card.phones or card.languages or card.hours):
            raise InvalidMechanism(
                f"{_dotted(path)}: an empty comms card; give frequencies, phones, languages or"
                " hours, or leave comms out",
                path,
                _line_of(path, lines),
            )
        for key, labels in (
            ("frequencies", [f.label for f in card.frequencies]),
            ("phones", [p.label for p in card.phones]),
            ("languages", card.languages),
        ):
            seen: set[str] = set()
            for index, label in enumerate(labels):
                if label.casefold() in seen:
                    at = (*path, key, index)
                    what = "language" if key == "languages" else "label"
                    raise InvalidMechanism(
                        f"{_dotted(at)}: the {what} {label!r} is listed twice in the comms card"
                        f" of {section.id!r}",
                        at,
                        _line_of(at, lines),
                    )
                seen.add(label.casefold())
        cards.append(
            CommsCard(
                frequencies=tuple(Frequency(f.label, f.mhz) for f in card.frequencies),
                phones=tuple(PhoneLine(p.label, p.number) for p in card.phones),
                languages=tuple(card.languages),
                hours=card.hours,
            )
        )
    return cards


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path)


def _check_colours(model: _MechanismModel, lines: dict[tuple[str | int, ...], int]) -> None:
    """No two entries (host and parties) declare the same colour: a map could not tell their
    objects apart. A refusal points at the second declaration."""
    owner: dict[str, str] = {}
    sections: list[tuple[tuple[str | int, ...], _HostModel]] = [
        (("host",), model.host),
        *((("parties", i), p) for i, p in enumerate(model.parties)),
    ]
    for where, section in sections:
        if section.colour is None:
            continue
        if section.colour in owner:
            path = (*where, "colour")
            raise InvalidMechanism(
                f"colour {section.colour} of {section.id!r} is {owner[section.colour]!r}'s "
                "already: give each party a colour of its own",
                path,
                _line_of(path, lines),
            )
        owner[section.colour] = section.id


def _declared(model: _HostModel) -> tuple[OperatorSpec, ...]:
    return tuple(OperatorSpec(OperatorId(o.id), Role(o.role)) for o in model.operators)


def _check_operators(
    model: _MechanismModel, mechanism: Mechanism, lines: dict[tuple[str | int, ...], int]
) -> None:
    """Every operator id names one operator of one party, and no party (the operators table
    is global; a tokens file keys operators and parties alike). A refusal points at the line
    of the second use: the operator listed, the ladder naming it, or the party itself for the
    operator a party that lists none is given."""
    owner: dict[str, str] = {}
    parties: set[str] = {mechanism.host.id, *(p.id for p in mechanism.parties)}
    sections: list[tuple[tuple[str | int, ...], _HostModel, Party]] = [
        (("host",), model.host, mechanism.host),
        *(
            (("parties", i), m, p)
            for i, (m, p) in enumerate(zip(model.parties, mechanism.parties, strict=True))
        ),
    ]
    for where, section, party in sections:
        listed: set[str] = set()
        for index, declared in enumerate(section.operators):
            if declared.id in listed:
                path = (*where, "operators", index, "id")
                raise InvalidMechanism(
                    f"operator {declared.id!r} is listed twice", path, _line_of(path, lines)
                )
            listed.add(declared.id)
        for spec in party.operators:
            path, given = _use_of(where, section, spec.id)
            if spec.id in parties:
                raise InvalidMechanism(
                    f"operator id {spec.id!r}{given} is a party's id: name operators apart "
                    "(tokens files key both)",
                    path,
                    _line_of(path, lines),
                )
            if spec.id in owner and owner[spec.id] != party.id:
                raise InvalidMechanism(
                    f"operator {spec.id!r}{given} belongs to {owner[spec.id]!r} already: "
                    "an operator id names one operator of one party",
                    path,
                    _line_of(path, lines),
                )
            owner[spec.id] = party.id


def _use_of(
    where: tuple[str | int, ...], section: _HostModel, operator: str
) -> tuple[tuple[str | int, ...], str]:
    """Where the party at ``where`` names ``operator`` first (its list, else its escalation
    ladder), and a note for the reason: none when it names it, else that it is the party's
    default operator (its path is then the party's id)."""
    for index, declared in enumerate(section.operators):
        if declared.id == operator:
            return (*where, "operators", index, "id"), ""
    ladder = section.escalation if isinstance(section, _PartyModel) else []
    for rung_index, rung in enumerate(ladder):
        if operator in rung.operators:
            named = rung.operators.index(operator)
            return (*where, "escalation", rung_index, "operators", named), ""
    return (*where, "id"), f" ({section.id} lists no operators: its default)"
