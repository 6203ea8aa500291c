"""Every event type has a line, in every shipped language, with the same placeholders as the
English one; a language without a catalogue reads English."""

from __future__ import annotations

import pytest

from sharedsky.interop.catalogues import shipped_languages
from sharedsky.interop.event_lines import (
    EVENT_LINES,
    load_event_lines,
    placeholders,
    read_event_catalogue,
)
from sharedsky.wire.v1.events import EVENT_PAYLOADS


def test_every_event_type_has_an_english_line() -> None:
    assert set(EVENT_PAYLOADS) <= set(EVENT_LINES)


@pytest.mark.parametrize("language", ["ar", "he", "ru", "tr"])
def test_each_language_translates_every_line_with_the_same_placeholders(language: str) -> None:
    assert language in shipped_languages()
    translated = read_event_catalogue(language)
    assert set(translated) == set(EVENT_LINES)
    for key, pattern in translated.items():
        assert placeholders(pattern) == placeholders(EVENT_LINES[key]), (language, key)
        assert pattern != EVENT_LINES[key], (language, key)


def test_a_line_is_filled_in_the_readers_language_or_english() -> None:
    lines = load_event_lines()
    values = {"party": "bravo", "zone": "zon-1"}
    assert lines.line("zone.declared", "tr-TR", values) == "bravo zon-1 bölgesini ilan etti"
    assert lines.line("zone.declared", "de", values) == "bravo declared zone zon-1"
    assert lines.line("zone.withdrawn", "en", {}) == "zone {zone} is withdrawn"  # left as is
    assert lines.line("something.new", "en", {"x": "1"}) == "x=1"
