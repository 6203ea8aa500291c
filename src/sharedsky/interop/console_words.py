"""The web console's own words (tabs, buttons, labels, inbox lines, toasts) in a reader's
language, from gettext catalogues kept beside the hotline's and the event lines'.

The English words are the source: ``interop/locale/console.pot``, one entry per word with the
key as ``msgctxt`` and the English text as ``msgid``. Each language translates them in
``interop/locale/<lang>/LC_MESSAGES/console.po``; both are read with Babel, as the other
catalogues are (``interop/catalogues.py``). ``{name}`` placeholders are filled by the console
(``web/src/i18n.js``). A language without a catalogue, and an entry that is missing, fuzzy or
whose msgid no longer matches the English, read English. The writing direction of a language
comes from Babel's locale data (right to left for Hebrew and Arabic).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from babel import Locale, UnknownLocaleError

from sharedsky.interop import po
from sharedsky.interop.catalogues import SOURCE_LANGUAGE, base_language

DOMAIN = "console"

Direction = Literal["ltr", "rtl"]

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def placeholders(pattern: str) -> set[str]:
    """The ``{name}`` placeholders of a word's pattern."""
    return set(_PLACEHOLDER.findall(pattern))


@functools.cache
def english_words() -> Mapping[str, str]:
    """Key → English word, from ``console.pot`` (the source of every translation)."""
    return MappingProxyType({e.key: e.english for e in po.entries(DOMAIN, None)})


def read_console_catalogue(language: str) -> dict[str, str]:
    """Key → translated word from the shipped ``console.po`` of ``language``; entries without a
    translation, fuzzy ones and those whose msgid is not the current English word are left
    out. FileNotFoundError when none ships."""
    return po.translations(DOMAIN, language, english_words())


def direction(language: str) -> Direction:
    """``rtl`` for a language written right to left (Babel's locale data), else ``ltr``; an
    unknown language reads left to right."""
    try:
        order = Locale.parse(base_language(language) or SOURCE_LANGUAGE).character_order
    except (UnknownLocaleError, ValueError):
        return "ltr"
    return "rtl" if order == "right-to-left" else "ltr"


@dataclass(frozen=True, slots=True)
class ConsoleWords:
    """The console's words in every shipped language, English included."""

    patterns: Mapping[str, Mapping[str, str]]
    """language → key → word (translated entries only; English has every key)."""

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages with a catalogue, English first."""
        return tuple(self.patterns)

    def language_for(self, tag: str) -> str:
        """The catalogue language used for a reader whose language is ``tag``."""
        language = base_language(tag)
        return language if language in self.patterns else SOURCE_LANGUAGE

    def words(self, language: str) -> dict[str, str]:
        """Every key's word in ``language``, English where it lacks one."""
        own = self.patterns[self.language_for(language)]
        return {key: own.get(key) or english for key, english in english_words().items()}


def shipped_console_languages() -> tuple[str, ...]:
    """The languages with a ``console.po`` in the package, sorted."""
    return po.shipped_languages(DOMAIN)


@functools.cache
def load_console_words() -> ConsoleWords:
    """Every shipped catalogue of the console's words, read once per process (package data,
    unchanged while it runs)."""
    patterns: dict[str, Mapping[str, str]] = {SOURCE_LANGUAGE: english_words()}
    for language in shipped_console_languages():
        patterns[language] = MappingProxyType(read_console_catalogue(language))
    return ConsoleWords(MappingProxyType(patterns))
