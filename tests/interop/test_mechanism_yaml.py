"""The mechanism file loads as written, and a malformed one is refused with line and reason
(R-MECH-1)."""

from __future__ import annotations

import pytest
from _support import COMMS_YAML, LEVANT_YAML

from sharedsky.domain.channels import NoticeKind, Priority, Sharing
from sharedsky.domain.errors import InvalidMechanism
from sharedsky.domain.ids import PartyId
from sharedsky.domain.mechanism import CommsCard, Frequency, PhoneLine
from sharedsky.interop.mechanism_yaml import parse_mechanism

A, B = PartyId("alpha"), PartyId("bravo")


def test_the_issue_example_loads_as_written() -> None:
    mech, canonical = parse_mechanism(LEVANT_YAML)
    assert mech.name == "levant-deconfliction"
    assert mech.host.id == "host" and mech.host.name == "Joint Coordination Cell"
    assert [p.id for p in mech.parties] == ["alpha", "bravo"]
    assert mech.party(B).language == "tr"
    rules = mech.channel(A, B)
    assert rules.sharing is Sharing.CONFLICTS_ONLY
    assert rules.min_lead_time_s == {"default": 900, "exercise": 86400}
    assert rules.ack_deadline_for(Priority.FLASH) == 60
    assert rules.separation.lateral_m == 9260 and rules.separation.vertical_m == 304.8
    assert mech.channel(B, A) is rules
    again, _ = parse_mechanism(canonical)  # the stored JSON loads back to the same mechanism
    assert again == mech


def test_defaults_apply_when_rules_are_omitted() -> None:
    text = (
        "mechanism: m\nhost: {id: h, name: H}\n"
        "parties:\n  - {id: a, name: A}\n  - {id: b, name: B}\n"
    )
    mech, _ = parse_mechanism(text)
    rules = mech.channel(PartyId("a"), PartyId("b"))
    assert rules.sharing is Sharing.FULL
    assert (rules.separation.lateral_m, rules.separation.vertical_m, rules.separation.time_s) == (
        9260,
        304.8,
        300,
    )


def test_a_channel_override_keeps_the_other_defaults() -> None:
    text = LEVANT_YAML + "    separation: {lateral_m: 0}\n"
    mech, _ = parse_mechanism(text)
    sep = mech.channel(A, B).separation
    assert (sep.lateral_m, sep.vertical_m, sep.time_s) == (0, 304.8, 300)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (LEVANT_YAML.replace("sharing: conflicts_only", "sharing: sometimes"), 13, "sharing"),
        (LEVANT_YAML.replace("lateral_m: 9260", "lateral_m: -5"), 10, "greater than or equal"),
        (LEVANT_YAML.replace("[alpha, bravo]", "[alpha, zulu]"), 12, "zulu"),
        (LEVANT_YAML.replace("exercise: 86400", "exercize: 86400"), 8, "exercize"),
        (LEVANT_YAML.replace("  - {id: bravo,", "  - {id: alpha,"), 5, "twice"),
        (LEVANT_YAML.replace("defaults:", "defaults: [oops"), 7, "YAML"),
        (LEVANT_YAML + "colour: red\n", 14, "colour"),
        (LEVANT_YAML.replace("language: tr}", 'language: tr, colour: "#12345"}'), 5, "#RRGGBB"),
        (LEVANT_YAML.replace("language: tr}", "language: tr, colour: orange}"), 5, "'orange'"),
        ("", 1, "empty"),
    ],
)
def test_a_malformed_file_is_refused_with_line_and_reason(text: str, line: int, words: str) -> None:
    with pytest.raises(InvalidMechanism) as caught:
        parse_mechanism(text)
    assert caught.value.line == line, caught.value.detail
    assert words.lower() in caught.value.detail.lower()


OPERATORS_YAML = """\
mechanism: operators
host: {id: host, name: Coordination Cell}
parties:
  - id: alpha
    name: Alpha
    operators:
      - {id: alpha-admin, role: admin}
      - {id: alpha-duty}
  - id: bravo
    name: Bravo
    operators:
      - {id: bravo-admin, role: admin}
      - {id: bravo-duty}
    escalation:
      - {rung: watch, operators: [bravo-watch], wait_s: 60}
"""


HOST_ALPHA_DUTY = (
    "host: {id: host, name: Coordination Cell}",
    "host: {id: host, name: Coordination Cell, operators: [{id: alpha-duty}]}",
)
ALPHA_LISTS_NONE = (
    "    operators:\n      - {id: alpha-admin, role: admin}\n      - {id: alpha-duty}\n",
    "",
)


@pytest.mark.parametrize(
    ("edits", "line", "words"),
    [
        # one party lists an operator twice
        ([("{id: alpha-duty}", "{id: alpha-admin}")], 8, "'alpha-admin' is listed twice"),
        # an operator named as a party (or the host): the tokens file keys both
        ([("{id: alpha-duty}", "{id: bravo}")], 8, "'bravo' is a party's id"),
        ([("{id: bravo-duty}", "{id: host}")], 13, "'host' is a party's id"),
        ([("[bravo-watch]", "[alpha]")], 15, "'alpha' is a party's id"),
        # one operator id in two parties: listed, named in a ladder, or a party's default
        ([("{id: bravo-duty}", "{id: alpha-duty}")], 13, "'alpha-duty' belongs to 'alpha'"),
        ([("[bravo-watch]", "[alpha-admin]")], 15, "'alpha-admin' belongs to 'alpha'"),
        ([HOST_ALPHA_DUTY], 8, "'alpha-duty' belongs to 'host'"),
        ([HOST_ALPHA_DUTY, ALPHA_LISTS_NONE], 4, "alpha lists no operators"),
    ],
)
def test_an_operator_id_that_names_two_operators_is_refused_with_its_line(
    edits: list[tuple[str, str]], line: int, words: str
) -> None:
    """R-MECH-1: the operators table is global and a tokens file keys operators and parties
    alike, so an operator id names one operator of one party and no party; the refusal
    points at the line of the second use (of the party, for the operator a party that lists
    none is given)."""
    text = OPERATORS_YAML
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    with pytest.raises(InvalidMechanism) as caught:
        parse_mechanism(text)
    assert caught.value.line == line, caught.value.detail
    assert words in caught.value.detail, caught.value.detail


def test_the_operators_example_loads_with_every_operator_in_its_party() -> None:
    mech, _ = parse_mechanism(OPERATORS_YAML)
    assert [o.id for o in mech.party(A).operators] == ["alpha-admin", "alpha-duty"]
    assert [o.id for o in mech.party(B).operators] == ["bravo-admin", "bravo-duty", "bravo-watch"]
    assert [o.id for o in mech.host.operators] == ["host-duty"]


COLOURED_YAML = """\
mechanism: coloured
host: {id: host, name: Coordination Cell, colour: "#777777"}
parties:
  - {id: alpha, name: Alpha}
  - {id: bravo, name: Bravo, colour: "#0072b2"}
  - {id: charlie, name: Charlie}
  - {id: delta, name: Delta, colour: "#cc79a7"}
"""


def test_declared_colours_are_kept_and_the_others_come_from_the_palette_in_order() -> None:
    """R-MECH-3: bravo and delta keep theirs (upper case); alpha and charlie get the first
    palette colours that nobody declared, so no two parties share one."""
    mechanism, canonical = parse_mechanism(COLOURED_YAML)
    assert mechanism.colours() == {
        "host": "#777777",
        "alpha": "#E69F00",
        "bravo": "#0072B2",
        "charlie": "#009E73",
        "delta": "#CC79A7",
    }
    assert mechanism.colour(PartyId("charlie")) == "#009E73"
    assert '"colour": "#0072B2"' in canonical


def test_a_file_without_colours_loads_to_the_same_canonical_form_as_before() -> None:
    """R-MECH-3: a colour is optional, and a file that gives none keeps its canonical JSON
    (and so its hash in the ledger) unchanged."""
    _mechanism, canonical = parse_mechanism(LEVANT_YAML)
    assert "colour" not in canonical


def test_two_parties_with_one_colour_are_refused_at_the_second() -> None:
    """R-MECH-3, R-MECH-1: a map could not tell them apart."""
    text = COLOURED_YAML.replace(
        "{id: charlie, name: Charlie}", '{id: charlie, name: Charlie, colour: "#0072B2"}'
    )
    with pytest.raises(InvalidMechanism) as caught:
        parse_mechanism(text)
    assert caught.value.line == 6
    assert "'bravo'" in caught.value.detail and "colour of its own" in caught.value.detail


def test_an_area_of_responsibility_loads_as_a_bbox_or_a_polygon() -> None:
    """R-AREA-1: the stored JSON loads back to the same area."""
    boxed, canonical = parse_mechanism(LEVANT_YAML + "area: [35, 32, 42.5, 37.5]\n")
    assert boxed.area is not None
    assert boxed.area.rings[0] == ((35, 32), (42.5, 32), (42.5, 37.5), (35, 37.5), (35, 32))
    assert parse_mechanism(canonical)[0] == boxed
    polygon = (
        "area:\n  type: Polygon\n  coordinates:\n    - [[35, 32], [42, 32], [42, 37], [35, 32]]\n"
    )
    drawn, _ = parse_mechanism(LEVANT_YAML + polygon)
    assert drawn.area is not None and len(drawn.area.rings[0]) == 4
    assert parse_mechanism(LEVANT_YAML)[0].area is None


@pytest.mark.parametrize(
    ("area", "words"),
    [
        ("area: [42.5, 32, 35, 37.5]", "each minimum below its maximum (longitude first"),
        ("area: [35, 32, 42.5]", "area.3: Field required"),
        (
            "area: {type: Polygon, coordinates: [[[35, 32], [42, 32], [42, 37], [35, 33]]]}",
            "closed",
        ),
        ("area: {type: Circle, center: [36, 34]}", "area"),
    ],
    ids=["bbox-order", "bbox-short", "polygon-open", "not-a-polygon"],
)
def test_a_bad_area_is_refused_at_its_line(area: str, words: str) -> None:
    """R-MECH-1"""
    text = LEVANT_YAML + area + "\n"
    with pytest.raises(InvalidMechanism) as refused:
        parse_mechanism(text)
    assert words in refused.value.detail
    assert refused.value.line == text.count("\n")


def test_the_notam_block_names_the_fir_and_overrides_some_codes() -> None:
    from sharedsky.domain.channels import NoticeKind
    from sharedsky.domain.mechanism import DEFAULT_QCODES

    plain, canonical = parse_mechanism(LEVANT_YAML)
    assert plain.notam.fir is None and dict(plain.notam.qcodes) == dict(DEFAULT_QCODES)
    assert "notam" not in canonical  # a file without the block stores the JSON it did
    text = LEVANT_YAML + "notam: {fir: LCCC, qcodes: {hazard: QWMLW}, traffic: I, purpose: NBO}\n"
    mech, canonical = parse_mechanism(text)
    assert mech.notam.fir == "LCCC" and mech.notam.traffic == "I" and mech.notam.purpose == "NBO"
    assert mech.notam.qcode(NoticeKind.HAZARD) == "QWMLW"
    assert mech.notam.qcode(NoticeKind.UAV) == "QWULW" and mech.notam.scope == "W"
    again, _ = parse_mechanism(canonical)
    assert again == mech


@pytest.mark.parametrize(
    ("block", "words"),
    [
        ("{fir: lccc}", "notam.fir: String should match pattern"),
        ("{fir: LCCC, qcodes: {drone: QWULW}}", "notam.qcodes.drone"),
        ("{fir: LCCC, qcodes: {uav: WULW}}", "notam.qcodes.uav"),
        ("{fir: LCCC, traffic: X}", "notam.traffic"),
        ("{fir: LCCC, purpose: OB}", "notam.purpose"),
    ],
)
def test_a_bad_notam_block_is_refused_at_its_line(block: str, words: str) -> None:
    with pytest.raises(InvalidMechanism) as caught:
        parse_mechanism(LEVANT_YAML + f"notam: {block}\n")
    assert words in caught.value.detail
    assert caught.value.line == LEVANT_YAML.count("\n") + 1


def test_the_datums_load_with_their_defaults_and_keep_the_canonical_form() -> None:
    """R-HEIGHT-2: the QNH range is 950–1050 hPa unless the file says otherwise; terrain bounds
    are absent unless declared; a file that declares neither keeps its canonical JSON."""
    plain, canonical = parse_mechanism(LEVANT_YAML)
    assert (plain.datums.qnh_min_hpa, plain.datums.qnh_max_hpa) == (950.0, 1050.0)
    assert not plain.datums.has_terrain
    assert "qnh_hpa" not in canonical and "terrain_m" not in canonical
    text = LEVANT_YAML + "qnh_hpa: {min: 980, max: 1040}\nterrain_m: {min: -430, max: 2814}\n"
    declared, canonical = parse_mechanism(text)
    assert (declared.datums.qnh_min_hpa, declared.datums.qnh_max_hpa) == (980.0, 1040.0)
    assert (declared.datums.terrain_min_m, declared.datums.terrain_max_m) == (-430.0, 2814.0)
    assert parse_mechanism(canonical)[0] == declared


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ("qnh_hpa: {min: 1040, max: 980}", "qnh_hpa: min (1040) must not exceed max (980)"),
        ("qnh_hpa: {min: 700}", "qnh_hpa.min: Input should be greater than or equal to 850"),
        ("terrain_m: {min: 3000, max: 100}", "terrain_m: min (3000) must not exceed max (100)"),
        ("terrain_m: {min: 0}", "terrain_m.max: Field required"),
    ],
)
def test_a_bad_datum_range_is_refused_at_its_line(extra: str, words: str) -> None:
    """R-MECH-1"""
    text = LEVANT_YAML + extra + "\n"
    with pytest.raises(InvalidMechanism) as refused:
        parse_mechanism(text)
    assert words in refused.value.detail
    assert refused.value.line == text.count("\n")


def test_comms_cards_load_for_the_host_and_each_party_that_declares_one() -> None:
    """R-MECH-4: frequencies with labels, phone lines, languages and hours, as written."""
    mechanism, canonical = parse_mechanism(COMMS_YAML)
    alpha = mechanism.party(PartyId("alpha")).comms
    assert alpha == CommsCard(
        frequencies=(Frequency("Guard", 121.5), Frequency("Alpha ops", 282.8)),
        phones=(PhoneLine("Ops", "+44 20 7946 0100"),),
        languages=("en", "ar"),
        hours="H24",
    )
    assert mechanism.host.comms == CommsCard(
        phones=(PhoneLine("Cell duty", "+357 22 555 0100"),), hours="H24"
    )
    assert mechanism.party(PartyId("bravo")).comms is None
    assert '"mhz": 121.5' in canonical
    again, _ = parse_mechanism(canonical)  # the server reloads the canonical JSON
    assert again.party(PartyId("alpha")).comms == alpha


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        ("mhz: 282.8", 10, "parties.0.comms.frequencies.1.mhz: Input should be greater than 0"),
        ('number: "+44 20 7946 0100"', 11, "not a phone number in international form"),
        ("label: Alpha ops", 10, "the label 'guard' is listed twice in the comms card of 'alpha'"),
        ("languages: [en, ar]", 12, "the language 'EN' is listed twice"),
        ("hours: H24\n  - {id: bravo", 14, "comms.fax: Extra inputs are not permitted"),
        ("{id: bravo, name: Bravo, language: tr}", 14, "parties.1.comms: an empty comms card"),
        ("languages: [en, ar]", 12, "'english' is not a language tag: write a BCP 47 tag"),
        ("label: Alpha ops", 10, "frequencies.1.label: String should have at least 1 character"),
    ],
)
def test_a_bad_comms_card_is_refused_with_its_line_and_reason(
    change: str, line: int, words: str
) -> None:
    """R-MECH-1, R-MECH-4: a bad frequency, phone number, repeated label or language, an
    unknown key or an empty card is refused at its line, saying why."""
    replacement = {
        "mhz: 282.8": "mhz: -2",
        'number: "+44 20 7946 0100"': 'number: "020 7946 0100"',
        "label: Alpha ops": "label: guard" if "guard" in words else 'label: ""',
        "hours: H24\n  - {id: bravo": "hours: H24\n      fax: 1\n  - {id: bravo",
        "{id: bravo, name: Bravo, language: tr}": "{id: bravo, name: Bravo, comms: {}}",
    }.get(change)
    if change == "languages: [en, ar]":
        replacement = "languages: [en, EN]" if "twice" in words else "languages: [en, english]"
    assert replacement is not None and change in COMMS_YAML
    with pytest.raises(InvalidMechanism) as caught:
        parse_mechanism(COMMS_YAML.replace(change, replacement, 1))
    assert caught.value.line == line, caught.value.detail
    assert words in caught.value.detail


def test_request_agreement_is_all_kinds_a_list_or_none_and_a_channel_overrides_it() -> None:
    """R-AGREE-1: ``request_agreement`` in defaults or a channel: true (every kind), a list of
    kinds, false (the default); an unknown kind is refused with its line."""
    text = """\
mechanism: agree
host: {id: host, name: Host}
parties: [{id: alpha, name: Alpha}, {id: bravo, name: Bravo}, {id: charlie, name: Charlie}]
defaults:
  request_agreement: [exercise, uav]
channels:
  - {between: [alpha, bravo], request_agreement: true}
  - {between: [alpha, charlie], request_agreement: false}
"""
    mechanism, _ = parse_mechanism(text)
    alpha, bravo, charlie = PartyId("alpha"), PartyId("bravo"), PartyId("charlie")
    assert mechanism.channel(alpha, bravo).agreement_kinds == frozenset(NoticeKind)
    assert mechanism.channel(alpha, charlie).agreement_kinds == frozenset()
    both = mechanism.channel(bravo, charlie)
    assert both.asks_agreement(NoticeKind.UAV) and not both.asks_agreement(NoticeKind.HAZARD)
    assert not parse_mechanism(LEVANT_YAML)[0].channel(alpha, bravo).agreement_kinds
    with pytest.raises(InvalidMechanism) as bad:
        parse_mechanism(text.replace("[exercise, uav]", "[exercise, picnic]"))
    assert bad.value.line == 5 and "request_agreement" in bad.value.detail
