"""The catalogue of standard messages: parameters and rendering in every shipped language."""

from __future__ import annotations

import pytest

from sharedsky.domain.errors import InvalidInput, UnexpectedReply
from sharedsky.domain.templates import (
    CATALOGUE,
    PLACEHOLDER,
    REPLY_WORDS_EN,
    ParamKind,
    ParamSpec,
    ParamValue,
    Reply,
    Template,
    check_reply,
    template,
    validate_params,
)
from sharedsky.interop import catalogues
from sharedsky.interop.catalogues import (
    base_language,
    load_catalogues,
    read_catalogue,
    read_reply_words,
    shipped_languages,
)

LANGUAGES = ("en", "tr", "he", "ru", "ar")
TRANSLATED = ("tr", "he", "ru", "ar")


def sample(spec: ParamSpec) -> ParamValue:
    """A valid value of a parameter."""
    if spec.kind is ParamKind.INT:
        return int(spec.maximum or 10) // 2 + 1
    if spec.kind is ParamKind.FLOAT:
        return 12.34567
    if spec.kind is ParamKind.UTC_TIME:
        return "14:30"
    return "SAMPLE-TEXT"


def samples(tpl: Template) -> dict[str, ParamValue]:
    values = {p.name: sample(p) for p in tpl.params}
    if "lower_m" in values:
        values["lower_m"], values["upper_m"] = 3000, 12000
    return values


def test_the_catalogue_holds_twenty_six_templates_with_distinct_ids() -> None:
    """R-MSG-2: about twenty standard messages."""
    assert len(CATALOGUE) == 26
    assert {"request_delay", "aircraft_in_distress", "unable_to_comply"} <= set(CATALOGUE)


def test_every_english_pattern_names_exactly_its_parameters() -> None:
    for tpl in CATALOGUE.values():
        named = set(PLACEHOLDER.findall(tpl.pattern_en))
        assert named == {p.name for p in tpl.params}, tpl.id


def test_every_language_ships_a_catalogue() -> None:
    """R-MSG-2: Turkish, Hebrew, Russian and Arabic ship; English is the source."""
    assert set(TRANSLATED) <= set(shipped_languages())
    assert set(LANGUAGES) <= set(load_catalogues().languages)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_catalogue_translates_every_template_with_the_same_placeholders(
    language: str,
) -> None:
    """R-MSG-2: every catalogue has every message id, with each placeholder once."""
    patterns = read_catalogue(language)
    assert set(patterns) == set(CATALOGUE), language
    for tid, pattern in patterns.items():
        tpl = CATALOGUE[tid]
        assert sorted(PLACEHOLDER.findall(pattern)) == sorted(p.name for p in tpl.params), tid
        assert pattern != tpl.pattern_en, f"{language}/{tid} is not translated"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_renders_with_no_placeholder_left(language: str) -> None:
    """R-MSG-2: each template renders in each language with its sample parameters."""
    books = load_catalogues()
    for tpl in CATALOGUE.values():
        text = books.render(tpl, samples(tpl), language)
        assert text.strip(), tpl.id
        assert "{" not in text and "}" not in text, (language, tpl.id, text)
        for value in samples(tpl).values():
            if isinstance(value, str):
                assert value in text, (language, tpl.id)


def test_rendering_uses_the_language_and_its_number_format() -> None:
    """R-MSG-2: Turkish reads Turkish, with Turkish digit grouping and decimal comma."""
    books = load_catalogues()
    change = CATALOGUE["altitude_change"]
    params: dict[str, ParamValue] = {"lower_m": 3000, "upper_m": 12000}
    assert "3,000 m and 12,000 m" in books.render(change, params, "en")
    assert "3.000 m ile 12.000 m" in books.render(change, params, "tr")
    distress = CATALOGUE["aircraft_in_distress"]
    located: dict[str, ParamValue] = {"callsign": "RESCUE 21", "lat": 34.5, "lon": 36.25}
    assert "enlem 34,5; boylam 36,25" in books.render(distress, located, "tr")
    assert "широта 34,5" in books.render(distress, located, "ru")
    assert "Просим отложить" in books.render(CATALOGUE["request_delay"], {"minutes": 20}, "ru")
    assert "20" in books.render(CATALOGUE["request_delay"], {"minutes": 20}, "ar")
    assert "הבהרה" in books.render(CATALOGUE["request_clarification"], {}, "he")


def test_a_language_without_a_catalogue_reads_english_and_regions_are_ignored() -> None:
    """R-MSG-2: fall back to English; ``tr-TR`` reads the Turkish catalogue."""
    books = load_catalogues()
    assert books.language_for("fr") == "en"
    assert books.language_for("tr-TR") == "tr"
    assert base_language("he_IL") == "he"
    standby = CATALOGUE["standby"]
    assert books.render(standby, {}, "fr") == "Stand by."
    assert books.render(standby, {}, "tr-TR") == "Bekleyin."


# -- parameter validation ------------------------------------------------------------------


def refusal(tpl_id: str, params: dict[str, object]) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        validate_params(template(tpl_id), params)
    return caught.value


def test_an_unknown_template_is_refused_at_template() -> None:
    """R-MSG-1: unknown template → path template."""
    with pytest.raises(InvalidInput) as caught:
        template("request_pizza")
    assert caught.value.path == ("template",)


def test_valid_parameters_are_normalised() -> None:
    """R-MSG-1: text is trimmed, a whole float becomes an int."""
    assert validate_params(template("request_delay"), {"minutes": 20.0}) == {"minutes": 20}
    assert validate_params(template("unable_to_comply"), {"reason": "  fuel  "}) == {
        "reason": "fuel"
    }
    checked = validate_params(
        template("aircraft_in_distress"), {"callsign": "R21", "lat": 34, "lon": -36.5}
    )
    assert checked == {"callsign": "R21", "lat": 34.0, "lon": -36.5}
    assert validate_params(template("standby"), {}) == {}


@pytest.mark.parametrize(
    ("tpl_id", "params", "name", "reason"),
    [
        ("request_delay", {}, "minutes", "needs"),
        ("request_delay", {"minutes": 20, "seconds": 5}, "seconds", "no parameter"),
        ("standby", {"minutes": 1}, "minutes", "no parameter"),
        ("request_delay", {"minutes": "20"}, "minutes", "whole number"),
        ("request_delay", {"minutes": 20.5}, "minutes", "whole number"),
        ("request_delay", {"minutes": True}, "minutes", "whole number"),
        ("request_delay", {"minutes": 0}, "minutes", "between"),
        ("request_delay", {"minutes": 1441}, "minutes", "between"),
        ("aircraft_in_distress", {"callsign": "X", "lat": 91, "lon": 0}, "lat", "between"),
        ("aircraft_in_distress", {"callsign": "X", "lat": 0, "lon": -180.5}, "lon", "between"),
        ("aircraft_in_distress", {"callsign": "X", "lat": "N", "lon": 0}, "lat", "a number"),
        (
            "aircraft_in_distress",
            {"callsign": "X", "lat": float("nan"), "lon": 0},
            "lat",
            "finite",
        ),
        ("aircraft_in_distress", {"callsign": "X" * 21, "lat": 0, "lon": 0}, "callsign", "at most"),
        ("unable_to_comply", {"reason": "   "}, "reason", "empty"),
        ("unable_to_comply", {"reason": 7}, "reason", "string"),
        ("request_deconfliction_call", {"time": "25:00"}, "time", "HH:MM"),
        ("altitude_change", {"lower_m": 5000, "upper_m": 4000}, "upper_m", "lower limit"),
        ("request_altitude_separation", {"altitude_m": 30001}, "altitude_m", "between"),
    ],
)
def test_each_bad_parameter_is_refused_with_its_path(
    tpl_id: str, params: dict[str, object], name: str, reason: str
) -> None:
    """R-MSG-1: missing, unknown, wrong-typed and out-of-range parameters → params.<name>."""
    error = refusal(tpl_id, params)
    assert error.path == ("params", name)
    assert reason in error.detail


def test_warming_reads_the_number_data_of_every_language_once() -> None:
    """A starting server reads every language's number patterns before its first message."""
    catalogues._number_format.cache_clear()
    books = catalogues.warm()
    places = {spec.decimals for tpl in CATALOGUE.values() for spec in tpl.params}
    assert catalogues._number_format.cache_info().currsize == len(books.languages) * len(places)
    misses = catalogues._number_format.cache_info().misses
    assert books.render(CATALOGUE["request_delay"], {"minutes": 1500}, "tr")
    assert catalogues._number_format.cache_info().misses == misses  # nothing left to read


# -- replies -------------------------------------------------------------------------------

NEW_TEMPLATES = (
    "approaching_protected_zone",
    "live_firing_in_area",
    "laser_activity",
    "unintentional_entry",
    "interference_command_control",
    "emergency_declared",
)


def test_the_new_templates_declare_typed_parameters_and_their_replies() -> None:
    """R-MSG-5: the six new standard phrases, each with the replies that close it."""
    for tpl_id in NEW_TEMPLATES:
        assert CATALOGUE[tpl_id].replies, tpl_id
    assert CATALOGUE["approaching_protected_zone"].replies == (Reply.WILCO, Reply.UNABLE)
    assert CATALOGUE["unintentional_entry"].replies == (Reply.AFFIRM, Reply.NEGATIVE)
    firing = CATALOGUE["live_firing_in_area"]
    assert [p.kind for p in firing.params] == [
        ParamKind.TEXT,
        ParamKind.UTC_TIME,
        ParamKind.UTC_TIME,
        ParamKind.INT,
    ]
    assert validate_params(CATALOGUE["laser_activity"], {
        "radius_km": 2, "lat": 34.5, "lon": 36.1, "start": "10:00", "end": "11:30",
    })["radius_km"] == 2.0  # fmt: skip
    with pytest.raises(InvalidInput) as caught:
        validate_params(
            CATALOGUE["approaching_protected_zone"],
            {"callsign": "VIPER 1", "distance_km": -1, "zone": "Hospital"},
        )
    assert caught.value.path == ("params", "distance_km")


def test_a_declared_reply_is_accepted_and_any_other_is_refused_at_reply() -> None:
    """R-MSG-5: a reply is one the template declares; free text and templates without
    replies expect none."""
    delay = CATALOGUE["request_delay"]
    assert check_reply(delay, "WILCO") is Reply.WILCO
    assert check_reply(delay, "UNABLE") is Reply.UNABLE
    for tpl, given, says in (
        (delay, "AFFIRM", "it expects: WILCO, UNABLE"),
        (delay, "wilco", "it expects"),
        (CATALOGUE["standby"], "WILCO", "expects no reply"),
        (None, "WILCO", "without a template expects no reply"),
    ):
        with pytest.raises(UnexpectedReply) as caught:
            check_reply(tpl, given)
        assert caught.value.path == ("reply",)
        assert caught.value.code == "unexpected-reply"
        assert says in caught.value.detail


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_reply_is_worded_in_every_language(language: str) -> None:
    """R-MSG-5: WILCO, UNABLE, AFFIRM and NEGATIVE in every shipped catalogue, translated."""
    words = read_reply_words(language)
    assert set(words) == set(Reply), language
    books = load_catalogues()
    for reply in Reply:
        assert words[reply] != REPLY_WORDS_EN[reply], (language, reply)
        assert books.reply_words(reply, language) == words[reply]
    assert books.reply_words(Reply.WILCO, "fr") == "Wilco: will comply"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_new_templates_are_translated_in_every_language(language: str) -> None:
    """R-MSG-2: the new templates are in every catalogue, each placeholder once."""
    patterns = read_catalogue(language)
    for tpl_id in NEW_TEMPLATES:
        assert tpl_id in patterns, (language, tpl_id)
        assert patterns[tpl_id] != CATALOGUE[tpl_id].pattern_en
