"""The mechanism file loads as written, and a malformed one is refused with line and reason
(R-MECH-1)."""

from __future__ import annotations

import pytest
from _support import LEVANT_YAML

from sharedsky.domain.channels import Priority, Sharing
from sharedsky.domain.errors import InvalidMechanism
from sharedsky.domain.ids import PartyId
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
        ("", 1, "empty"),
    ],
)
def test_a_malformed_file_is_refused_with_line_and_reason(text: str, line: int, words: str) -> None:
    with pytest.raises(InvalidMechanism) as caught:
        parse_mechanism(text)
    assert caught.value.line == line, caught.value.detail
    assert words.lower() in caught.value.detail.lower()
