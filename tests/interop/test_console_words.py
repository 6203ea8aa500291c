"""The web console's words: every language ships every key with the English placeholders, every
key the console asks for (web/src) is in the catalogue, a missing word reads English, and Hebrew
and Arabic are written right to left."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from sharedsky.api import errors as api_errors
from sharedsky.domain.errors import SharedskyError
from sharedsky.domain.templates import CATALOGUE
from sharedsky.interop.console_words import (
    direction,
    english_words,
    load_console_words,
    placeholders,
    read_console_catalogue,
    shipped_console_languages,
)
from sharedsky.wire import v1
from sharedsky.wire.v1.common import PriorityStatus
from sharedsky.wire.v1.events import EVENT_PAYLOADS
from sharedsky.wire.v1.notices import NoticeKind, NoticeStatus
from sharedsky.wire.v1.zones import ZoneKind

WEB = Path(__file__).resolve().parents[2] / "web" / "src"

STATIC_KEY = re.compile(
    r"""\bt\(\s*"([^"]+)"|data-i18n(?:-[a-z]+)?="([^"]+)"|KeyFileError\("([^"]+)"|"([a-z_]+(?:\.[a-z0-9_]+)+)\""""
)
"""A key written out in the console's sources: ``t("key")``, ``data-i18n="key"``, a key-file
error's key, or a dotted string (the keys a table holds, such as the shape labels)."""

FAMILY = re.compile(r"\bt\(\s*`([a-z_.]+)\$\{")
"""A key the console builds: ``t(`priority.${…}`)``."""


def _problem_codes() -> tuple[str, ...]:
    """Every ``code`` a problem+json answer may carry, as the console's keys spell it
    (``outside-area`` → ``outside_area``): each error class's, and the few the API's own
    handlers give (an unknown route's method, another HTTP error, an unexpected failure)."""
    codes = {"method-not-allowed", "http-error", "internal"}
    classes: list[type[SharedskyError]] = [SharedskyError, api_errors.PreconditionRequired]
    while classes:
        cls = classes.pop()
        codes.add(cls.code)
        classes.extend(cls.__subclasses__())
    return tuple(sorted(code.replace("-", "_") for code in codes))


FAMILIES: dict[str, tuple[str, ...]] = {
    "priority.": get_args(v1.AckOut.model_fields["priority"].annotation),
    "priority_status.": get_args(PriorityStatus),
    "severity.": ("advisory", "caution", "warning"),
    "category.": ("separation", "intrusion", "conformance"),
    "takeover.category.": ("separation", "intrusion", "conformance"),
    "kind.": get_args(NoticeKind) + get_args(ZoneKind),
    "status.": get_args(NoticeStatus) + get_args(v1.ZoneOut.model_fields["status"].annotation),
    "state.": ("open", "resolved", "cleared"),
    "role.": get_args(v1.Me.model_fields["role"].annotation),
    "stream.": ("live", "reconnecting", "offline"),
    "host.subject.": ("notice", "conflict", "message", "tactical", "agreement", "incident"),
    "agreement.state.": get_args(v1.AgreementOut.model_fields["state"].annotation),
    "hotline.tick.": ("sent", "delivered", "acknowledged"),
    "file.unit_note.": ("m", "ft", "fl", "m_agl", "ft_agl", "m_w84", "ft_w84"),
    "weekday.": ("MO", "TU", "WE", "TH", "FR", "SA", "SU"),
    "file.error.title_": ("notice", "zone"),
    "file.changed_meanwhile_": ("notice", "zone"),
    "name.unseen_": ("notice", "zone", "conflict", "message", "object", "incident"),
    "problem.": _problem_codes(),
    "param.": tuple(sorted({p.name for tpl in CATALOGUE.values() for p in tpl.params})),
}
"""Every key family the console builds, with each value it may be built with."""


def _sources() -> str:
    return "\n".join(p.read_text() for p in sorted([*WEB.glob("*.js"), WEB / "index.html"]))


def _keys_in_sources() -> set[str]:
    """The keys the console's sources name (event types, which read like keys, left out)."""
    english = english_words()
    prefixes = {key.split(".")[0] for key in english}
    found: set[str] = set()
    for match in STATIC_KEY.finditer(_sources()):
        key = next(group for group in match.groups() if group)
        if match.group(4) and (key.split(".")[0] not in prefixes or key in EVENT_PAYLOADS):
            continue  # a dotted string that is no key: an event type, a storage name
        found.add(key)
    return found


@pytest.mark.parametrize("language", ["ar", "he", "ru", "tr"])
def test_each_language_translates_every_word_with_the_same_placeholders(language: str) -> None:
    assert language in shipped_console_languages()
    english = english_words()
    translated = read_console_catalogue(language)
    assert set(translated) == set(english), set(english) ^ set(translated)
    for key, word in translated.items():
        assert word.strip(), (language, key)
        assert placeholders(word) == placeholders(english[key]), (language, key)


def test_every_key_the_console_names_is_in_the_catalogue() -> None:
    english = english_words()
    used = _keys_in_sources()
    assert len(used) > 250  # the scan found the console's words (a broken pattern finds none)
    assert sorted(used - set(english)) == []


def test_every_key_family_the_console_builds_is_known_and_complete() -> None:
    english = english_words()
    built = set(FAMILY.findall(_sources()))
    assert built, "no t(`prefix${…}`) found"
    assert sorted(built - set(FAMILIES)) == []
    missing = [p + v for p in built for v in FAMILIES[p] if p + v not in english]
    assert missing == []


def test_a_word_missing_in_a_language_reads_english_and_an_unknown_language_is_english() -> None:
    books = load_console_words()
    turkish = books.words("tr-TR")
    assert turkish["tab.inbox"] == "Gelen kutusu"
    assert set(turkish) == set(english_words())
    assert books.language_for("de") == "en"
    assert books.words("de")["tab.inbox"] == "Inbox"
    gap = type(books)({"en": books.patterns["en"], "tr": {"tab.inbox": "Gelen kutusu"}})
    assert gap.words("tr")["tab.file"] == "File"  # no Turkish word here: the English one


def test_hebrew_and_arabic_are_written_right_to_left() -> None:
    assert direction("he") == "rtl"
    assert direction("ar-SY") == "rtl"
    assert direction("tr") == "ltr"
    assert direction("ru") == "ltr"
    assert direction("zz") == "ltr"  # unknown to Babel: left to right
