"""The hotline's translation catalogues (gettext ``.po``, read with Babel) and rendering.

The catalogues ship as package data under ``interop/locale/<lang>/LC_MESSAGES/hotline.po``;
each entry's ``msgctxt`` is a template id and its ``msgid`` the English pattern of
``domain/templates.py``; the entries ``reply.<REPLY>`` hold the words of the standard replies
(``WILCO`` …). English is the source language (it needs no catalogue); a language
without a catalogue falls back to English. Numbers are formatted for the language with Babel
(Latin digits, the language's separators). Nothing is downloaded: only the shipped files and
Babel's bundled locale data are read.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

from sharedsky.domain.templates import (
    CATALOGUE,
    REPLY_WORDS_EN,
    ParamValue,
    Reply,
    Template,
    fill,
    reply_key,
)
from sharedsky.interop import po

SOURCE_LANGUAGE = "en"
DOMAIN = "hotline"


def base_language(tag: str) -> str:
    """The primary language subtag of a BCP 47 tag, lower case (``tr-TR`` → ``tr``)."""
    return tag.replace("_", "-").split("-", 1)[0].strip().lower()


def _number(language: str) -> functools.partial[str]:
    return functools.partial(_format_number, language)


@functools.cache
def _number_format(language: str, decimals: int) -> tuple[Locale, NumberPattern]:
    """The locale and the parsed pattern of a number with up to ``decimals`` decimals (what
    ``format_decimal`` parses anew on every call: most of the time of rendering a message)."""
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
    return Locale.parse(language), parse_pattern(pattern)


def _format_number(language: str, value: int | float, decimals: int) -> str:
    locale, pattern = _number_format(language, decimals)
    return str(pattern.apply(value, locale))


@dataclass(frozen=True, slots=True)
class Catalogues:
    """The patterns of every template in every shipped language (English included)."""

    patterns: Mapping[str, Mapping[str, str]]
    """language → template id → pattern."""
    replies: Mapping[str, Mapping[Reply, str]] = field(default_factory=dict)
    """language → reply → its words (English where a language has none)."""

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages with a complete catalogue, English first."""
        return tuple(self.patterns)

    def language_for(self, tag: str) -> str:
        """The catalogue language used for a reader whose language is ``tag``."""
        language = base_language(tag)
        return language if language in self.patterns else SOURCE_LANGUAGE

    def pattern(self, template_id: str, language: str) -> str:
        """The pattern of a template in ``language`` (English when it has no translation)."""
        own = self.patterns.get(self.language_for(language), {})
        return own.get(template_id) or self.patterns[SOURCE_LANGUAGE][template_id]

    def reply_words(self, reply: Reply, language: str) -> str:
        """What ``reply`` says in ``language`` (English when it has no translation)."""
        own = self.replies.get(self.language_for(language), {})
        return own.get(reply) or REPLY_WORDS_EN[reply]

    def render(self, tpl: Template, params: Mapping[str, ParamValue], language: str) -> str:
        """The template with its parameters in ``language`` (numbers formatted for it)."""
        chosen = self.language_for(language)
        return fill(self.pattern(tpl.id, chosen), tpl, params, _number(chosen))


def warm() -> Catalogues:
    """Read every catalogue, and Babel's data of every language with the number patterns the
    templates use, now: a server calls it as it starts, so that its first messages do not wait
    the tens of milliseconds this takes."""
    books = load_catalogues()
    decimals = {spec.decimals for tpl in CATALOGUE.values() for spec in tpl.params}
    for language in books.languages:
        for places in sorted(decimals):
            _format_number(language, 1234.5, places)
    return books


def read_catalogue(language: str) -> dict[str, str]:
    """Template id → translated pattern from the shipped ``hotline.po`` of ``language``;
    entries without a translation are left out. FileNotFoundError when none ships."""
    english = {tpl_id: tpl.pattern_en for tpl_id, tpl in CATALOGUE.items()}
    return po.translations(DOMAIN, language, english)


def read_reply_words(language: str) -> dict[Reply, str]:
    """Reply → its translated words from the shipped ``hotline.po`` of ``language`` (entries
    ``reply.<REPLY>``); replies without a translation are left out. FileNotFoundError when
    none ships."""
    english = {reply_key(r): words for r, words in REPLY_WORDS_EN.items()}
    found = po.translations(DOMAIN, language, english)
    return {r: found[reply_key(r)] for r in Reply if reply_key(r) in found}


def shipped_languages() -> tuple[str, ...]:
    """The languages with a ``hotline.po`` in the package, sorted."""
    return po.shipped_languages(DOMAIN)


@functools.cache
def load_catalogues() -> Catalogues:
    """Every shipped catalogue, read once per process (they are package data and never change
    while it runs). A translation whose ``msgid`` no longer matches the English pattern is
    ignored, so a changed English text falls back to English instead of showing stale text."""
    patterns: dict[str, Mapping[str, str]] = {
        SOURCE_LANGUAGE: MappingProxyType({t.id: t.pattern_en for t in CATALOGUE.values()})
    }
    replies: dict[str, Mapping[Reply, str]] = {SOURCE_LANGUAGE: REPLY_WORDS_EN}
    for language in shipped_languages():
        patterns[language] = MappingProxyType(read_catalogue(language))
        replies[language] = MappingProxyType(read_reply_words(language))
    return Catalogues(MappingProxyType(patterns), MappingProxyType(replies))
