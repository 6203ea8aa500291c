"""The gettext catalogues shipped with sharedsky, read one way: ``locale/<domain>.pot`` holds a
domain's English (each entry's ``msgctxt`` is its key, its ``msgid`` the English), and
``locale/<lang>/LC_MESSAGES/<domain>.po`` a language's translations. The domains are the
hotline's templates (``catalogues.py``), the event lines of ``sharedsky watch``
(``event_lines.py``) and the console's words (``console_words.py``); Babel parses them.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import NamedTuple

from babel.messages.pofile import read_po


class Entry(NamedTuple):
    """One keyed entry of a catalogue."""

    key: str
    """Its ``msgctxt``."""
    english: str
    """Its ``msgid``: the English it translates."""
    text: str
    """Its ``msgstr`` (empty in a template, or when not translated yet)."""


def translations(domain: str, language: str, english: Mapping[str, str]) -> dict[str, str]:
    """Key → translation from the shipped ``<domain>.po`` of ``language``, for the entries
    whose English is ``english[key]`` (the current source of each key); an entry without a
    translation, a fuzzy one, or one made for other English is left out. FileNotFoundError
    when none ships."""
    return {
        e.key: e.text
        for e in entries(domain, language)
        if e.text and english.get(e.key) == e.english
    }


def entries(domain: str, language: str | None) -> list[Entry]:
    """The keyed, not fuzzy entries of ``<domain>.po`` of ``language`` (None: the domain's
    ``.pot``). FileNotFoundError when that file does not ship."""
    parts = (f"{domain}.pot",) if language is None else (language, "LC_MESSAGES", f"{domain}.po")
    path = resources.files("sharedsky.interop").joinpath("locale", *parts)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=domain)
    return [
        Entry(m.context, m.id, m.string if isinstance(m.string, str) else "")
        for m in catalog
        if m.context and isinstance(m.id, str) and not m.fuzzy
    ]


def shipped_languages(domain: str) -> tuple[str, ...]:
    """The languages with a ``<domain>.po`` in the package, sorted."""
    root = resources.files("sharedsky.interop").joinpath("locale")
    return tuple(
        sorted(
            entry.name
            for entry in root.iterdir()
            if entry.joinpath("LC_MESSAGES", f"{domain}.po").is_file()
        )
    )
