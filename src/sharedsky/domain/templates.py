"""The hotline's catalogue of standard messages: ids, typed parameters and English patterns.

A template's English pattern is the gettext ``msgid`` of its translations (with the template
id as ``msgctxt``); ``{name}`` placeholders stand for its parameters. Parameters are checked
here (missing, unknown, wrong type, out of range → InvalidInput at ``("params", name)``);
rendering in a language lives in ``interop/catalogues.py``, which reads the catalogues.

A template may declare the replies that close it (``WILCO``, ``UNABLE``, ``AFFIRM``,
``NEGATIVE``: R-MSG-5): its recipient answers with one of them, which also acknowledges the
message; a reply's words in each language are entries ``reply.<REPLY>`` of the same
catalogues.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from sharedsky.domain.errors import InvalidInput, UnexpectedReply


class ParamKind(StrEnum):
    """The type of a template parameter."""

    INT = "int"
    """A whole number (JSON integer; a boolean is not one)."""
    FLOAT = "float"
    """A number (JSON integer or decimal)."""
    TEXT = "text"
    """A non-empty string, at most ``max_chars`` characters once trimmed."""
    UTC_TIME = "utc_time"
    """A time of day in UTC, ``HH:MM`` (24 h)."""


ParamValue = int | float | str
"""A validated parameter value."""


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One parameter of a template; ``minimum``/``maximum`` bound numbers (inclusive)."""

    name: str
    kind: ParamKind
    minimum: float | None = None
    maximum: float | None = None
    max_chars: int | None = None
    """For TEXT: the longest value accepted, in characters."""
    decimals: int = 0
    """For FLOAT: how many decimals the rendered value shows at most."""
    unit: str = ""
    """The unit of a number (``min``, ``m``, ``deg``), for user interfaces."""


class Reply(StrEnum):
    """A standard reply that closes a message (radiotelephony's words, ICAO Doc 9432)."""

    WILCO = "WILCO"
    """Understood, and we will comply."""
    UNABLE = "UNABLE"
    """We cannot comply."""
    AFFIRM = "AFFIRM"
    """Yes."""
    NEGATIVE = "NEGATIVE"
    """No."""


REPLY_WORDS_EN: Mapping[Reply, str] = MappingProxyType(
    {
        Reply.WILCO: "Wilco: will comply",
        Reply.UNABLE: "Unable to comply",
        Reply.AFFIRM: "Affirm: yes",
        Reply.NEGATIVE: "Negative: no",
    }
)
"""What each reply says in English (the ``msgid`` of its catalogue entry ``reply.<REPLY>``)."""

COMPLY = (Reply.WILCO, Reply.UNABLE)
"""The replies of a request or an instruction."""
YES_NO = (Reply.AFFIRM, Reply.NEGATIVE)
"""The replies of a question."""


def reply_key(reply: Reply) -> str:
    """The catalogue key (``msgctxt``) of a reply's words: ``reply.WILCO``."""
    return f"reply.{reply.value}"


class AboutType(StrEnum):
    """What a message may be about."""

    NOTICE = "notice"
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class Template:
    """A standard message: its id, parameters, English pattern and what it must be about."""

    id: str
    pattern_en: str
    params: tuple[ParamSpec, ...] = ()
    about: tuple[AboutType, ...] = ()
    """When not empty, a message of this template must be about one of these object types."""
    replies: tuple[Reply, ...] = ()
    """The replies that close a message of this template, in the order offered; none: it
    expects no reply (an acknowledgement closes it)."""

    def param(self, name: str) -> ParamSpec | None:
        """The parameter called ``name``, or None."""
        return next((p for p in self.params if p.name == name), None)


MINUTES = ParamSpec("minutes", ParamKind.INT, 1, 1440, unit="min")
ALTITUDE_MIN_M = -500
ALTITUDE_MAX_M = 30_000


def _altitude(name: str) -> ParamSpec:
    return ParamSpec(name, ParamKind.INT, ALTITUDE_MIN_M, ALTITUDE_MAX_M, unit="m")


def _text(name: str, max_chars: int) -> ParamSpec:
    return ParamSpec(name, ParamKind.TEXT, max_chars=max_chars)


def _utc(name: str) -> ParamSpec:
    return ParamSpec(name, ParamKind.UTC_TIME)


LAT = ParamSpec("lat", ParamKind.FLOAT, -90, 90, decimals=5, unit="deg")
LON = ParamSpec("lon", ParamKind.FLOAT, -180, 180, decimals=5, unit="deg")
DISTANCE_KM = ParamSpec("distance_km", ParamKind.FLOAT, 0, 1000, decimals=1, unit="km")
RADIUS_KM = ParamSpec("radius_km", ParamKind.FLOAT, 0.1, 100, decimals=1, unit="km")
FREQUENCY_MHZ = ParamSpec("frequency_mhz", ParamKind.FLOAT, 0.003, 300_000, decimals=3, unit="MHz")


_TEMPLATES = (
    Template(
        "request_clarification",
        "Request clarification of this notice.",
        about=(AboutType.NOTICE,),
    ),
    Template("will_proceed_as_notified", "We will proceed as notified."),
    Template(
        "request_delay",
        "Request you delay your activity by {minutes} minutes.",
        (MINUTES,),
        replies=COMPLY,
    ),
    Template(
        "cease_activity",
        "Cease activity in the following area: {area}.",
        (_text("area", 200),),
        replies=COMPLY,
    ),
    Template(
        "aircraft_in_distress",
        "Aircraft in distress: call sign {callsign}; position latitude {lat}, longitude {lon}.",
        (_text("callsign", 20), LAT, LON),
    ),
    Template("acknowledged_no_objection", "Acknowledged. No objection."),
    Template("unable_to_comply", "Unable to comply. Reason: {reason}.", (_text("reason", 500),)),
    Template(
        "request_contact",
        "Request you contact us on {contact}.",
        (_text("contact", 100),),
        replies=COMPLY,
    ),
    Template("activity_cancelled", "Our activity is cancelled."),
    Template("activity_delayed", "Our activity is delayed by {minutes} minutes.", (MINUTES,)),
    Template(
        "altitude_change",
        "Our activity changes altitude to between {lower_m} m and {upper_m} m above mean"
        " sea level.",
        (_altitude("lower_m"), _altitude("upper_m")),
    ),
    Template("emergency_return_to_base", "Emergency: our aircraft is returning to base."),
    Template(
        "traffic_advisory",
        "Traffic advisory: aircraft at {position}, altitude {altitude_m} m.",
        (_text("position", 200), _altitude("altitude_m")),
    ),
    Template(
        "request_altitude_separation",
        "Request altitude separation: keep clear of {altitude_m} m.",
        (_altitude("altitude_m"),),
        replies=COMPLY,
    ),
    Template("confirm_receipt", "Confirm receipt of this message.", replies=(Reply.AFFIRM,)),
    Template("standby", "Stand by."),
    Template("hold_position", "Hold your position.", replies=COMPLY),
    Template("area_now_clear", "The area is now clear."),
    Template("communications_check", "Communications check. Please reply."),
    Template(
        "request_deconfliction_call",
        "Request a deconfliction call at {time} UTC.",
        (ParamSpec("time", ParamKind.UTC_TIME),),
        replies=YES_NO,
    ),
    Template(
        "approaching_protected_zone",
        "Your aircraft {callsign} is {distance_km} km from our protected zone {zone} and"
        " approaching it. Turn away now.",
        (_text("callsign", 20), DISTANCE_KM, _text("zone", 100)),
        replies=COMPLY,
    ),
    Template(
        "live_firing_in_area",
        "Live firing in area {area} from {start} to {end} UTC, up to {upper_m} m above mean sea"
        " level. Keep clear.",
        (_text("area", 200), _utc("start"), _utc("end"), _altitude("upper_m")),
        replies=COMPLY,
    ),
    Template(
        "laser_activity",
        "Laser activity within {radius_km} km of latitude {lat}, longitude {lon}, from {start}"
        " to {end} UTC. Keep clear and do not look towards it.",
        (RADIUS_KM, LAT, LON, _utc("start"), _utc("end")),
        replies=COMPLY,
    ),
    Template(
        "unintentional_entry",
        "Unintentional entry: our aircraft {callsign} has entered {area} by mistake and is"
        " leaving it by the shortest route. Confirm you hold fire.",
        (_text("callsign", 20), _text("area", 200)),
        replies=YES_NO,
    ),
    Template(
        "interference_command_control",
        "Our activity may interfere with your command and control links on {frequency_mhz} MHz"
        " in {area} from {start} to {end} UTC. Confirm you can accept it.",
        (FREQUENCY_MHZ, _text("area", 200), _utc("start"), _utc("end")),
        replies=YES_NO,
    ),
    Template(
        "emergency_declared",
        "Emergency: our aircraft {callsign} at latitude {lat}, longitude {lon}, altitude"
        " {altitude_m} m: {nature}. Keep clear of it and give it way.",
        (_text("callsign", 20), LAT, LON, _altitude("altitude_m"), _text("nature", 200)),
        replies=COMPLY,
    ),
)

CATALOGUE: Mapping[str, Template] = MappingProxyType({t.id: t for t in _TEMPLATES})
"""Every standard message by id, in catalogue order."""

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
"""A ``{name}`` placeholder in a pattern."""

_UTC_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def template(template_id: str) -> Template:
    """The template with this id; InvalidInput at ``("template",)`` when there is none."""
    found = CATALOGUE.get(template_id)
    if found is None:
        raise InvalidInput(
            f"unknown template {template_id!r}; GET /v1/templates lists them", ("template",)
        )
    return found


def _number(spec: ParamSpec, value: object) -> int | float:
    path = ("params", spec.name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        wanted = "a whole number" if spec.kind is ParamKind.INT else "a number"
        raise InvalidInput(f"parameter {spec.name!r} must be {wanted}", path)
    if spec.kind is ParamKind.INT and not isinstance(value, int):
        if not float(value).is_integer():
            raise InvalidInput(f"parameter {spec.name!r} must be a whole number", path)
        value = int(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput(f"parameter {spec.name!r} must be a finite number", path)
    if (spec.minimum is not None and value < spec.minimum) or (
        spec.maximum is not None and value > spec.maximum
    ):
        raise InvalidInput(
            f"parameter {spec.name!r} must lie between {spec.minimum:g} and {spec.maximum:g}"
            f"{' ' + spec.unit if spec.unit else ''}",
            path,
        )
    return value if spec.kind is ParamKind.INT else float(value)


def _string(spec: ParamSpec, value: object) -> str:
    path = ("params", spec.name)
    if not isinstance(value, str):
        raise InvalidInput(f"parameter {spec.name!r} must be a string", path)
    text = value.strip()
    if spec.kind is ParamKind.UTC_TIME:
        if not _UTC_TIME.match(text):
            raise InvalidInput(f"parameter {spec.name!r} must be a UTC time HH:MM", path)
        return text
    if not text:
        raise InvalidInput(f"parameter {spec.name!r} must not be empty", path)
    if spec.max_chars is not None and len(text) > spec.max_chars:
        raise InvalidInput(
            f"parameter {spec.name!r} has {len(text)} characters; at most {spec.max_chars}", path
        )
    return text


def validate_params(tpl: Template, params: Mapping[str, object]) -> dict[str, ParamValue]:
    """The checked (and normalised: trimmed text, whole floats as int) parameters of ``tpl``.

    InvalidInput at ``("params", name)`` for an unknown, missing, wrong-typed or out-of-range
    parameter, and for ``altitude_change`` whose lower limit lies above its upper.
    """
    for name in params:
        if tpl.param(name) is None:
            expected = ", ".join(p.name for p in tpl.params) or "none"
            raise InvalidInput(
                f"template {tpl.id!r} has no parameter {name!r} (it takes: {expected})",
                ("params", name),
            )
    checked: dict[str, ParamValue] = {}
    for spec in tpl.params:
        if spec.name not in params:
            raise InvalidInput(
                f"template {tpl.id!r} needs parameter {spec.name!r}", ("params", spec.name)
            )
        value = params[spec.name]
        if spec.kind in (ParamKind.INT, ParamKind.FLOAT):
            checked[spec.name] = _number(spec, value)
        else:
            checked[spec.name] = _string(spec, value)
    lower, upper = checked.get("lower_m"), checked.get("upper_m")
    if isinstance(lower, int) and isinstance(upper, int) and lower > upper:
        raise InvalidInput("the lower limit lies above the upper", ("params", "upper_m"))
    return checked


def check_reply(tpl: Template | None, reply: str) -> Reply:
    """The reply ``reply`` to a message of template ``tpl`` (None: free text), when ``tpl``
    declares it; UnexpectedReply at ``("reply",)`` otherwise, naming the replies expected."""
    if tpl is None or not tpl.replies:
        about = "a message without a template" if tpl is None else f"template {tpl.id!r}"
        raise UnexpectedReply(
            f"{about} expects no reply: acknowledge it instead (POST /v1/messages/{{id}}/ack)",
            ("reply",),
        )
    for expected in tpl.replies:
        if expected.value == reply:
            return expected
    names = ", ".join(r.value for r in tpl.replies)
    raise UnexpectedReply(
        f"{reply!r} is not a reply template {tpl.id!r} expects (it expects: {names})",
        ("reply",),
    )


NumberFormat = Callable[[int | float, int], str]
"""Formats a number for one language, with at most the given number of decimals."""


def fill(pattern: str, tpl: Template, params: Mapping[str, ParamValue], fmt: NumberFormat) -> str:
    """``pattern`` with each ``{name}`` replaced by its parameter, numbers formatted by ``fmt``.

    A placeholder that names no parameter of ``tpl`` stays as it is (tests look for those).
    """

    def one(match: re.Match[str]) -> str:
        spec = tpl.param(match.group(1))
        if spec is None or spec.name not in params:
            return match.group(0)
        value = params[spec.name]
        if isinstance(value, str):
            return value
        return fmt(value, spec.decimals)

    return PLACEHOLDER.sub(one, pattern)
