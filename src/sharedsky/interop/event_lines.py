"""What happened, in a reader's language: one line per event type, from gettext catalogues.

The English patterns below are the ``msgid`` of the translations, each entry's ``msgctxt`` the
event type (or ``watch.*`` for the lines a follower prints about its connection);
``{name}`` placeholders are filled by whoever prints the line (``cli/watch.py``). The
catalogues ship beside the hotline's, as ``interop/locale/<lang>/LC_MESSAGES/events.po``, and
are read the same way (Babel, ``interop/catalogues.py``); a language without one, or an entry
whose ``msgid`` no longer matches its English pattern, falls back to English.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sharedsky.interop import po
from sharedsky.interop.catalogues import SOURCE_LANGUAGE, base_language

DOMAIN = "events"

EVENT_LINES: Mapping[str, str] = MappingProxyType(
    {
        "notice.filed": "{party} filed notice {notice} (v{version}), lead time {lead_time}",
        "notice.amended": "{party} amended notice {notice} to v{version}, lead time {lead_time}",
        "notice.cancelled": "notice {notice} (v{version}) is cancelled",
        "notice.acknowledged": "{party} acknowledged notice {notice} (v{version})",
        "notice.activated": "{party} activated notice {notice} (v{version}), {priority}",
        "notice.released": "{party} released notice {notice} early (v{version})",
        "notice.not_activated": "notice {notice} of {party} is not activated {grace_s} s after"
        " its start",
        "notice.agreed": "{party} agreed to notice {notice} (v{version})",
        "notice.denied": "{party} denied agreement to notice {notice} (v{version}): {reason}",
        "notice.countered": "{party} answered notice {notice} (v{version}) with counter-proposal"
        " {request}",
        "notice.counter_accepted": "{party} accepted counter-proposal {counter}: notice {notice}"
        " is amended to v{version}",
        "zone.declared": "{party} declared zone {zone}",
        "zone.amended": "zone {zone} is amended to v{version}",
        "zone.withdrawn": "zone {zone} is withdrawn",
        "conflict.detected": "conflict {conflict}: {a} against {b}, from {start}",
        "conflict.acknowledged": "{party} acknowledged conflict {conflict}",
        "conflict.resolved": "conflict {conflict} is resolved ({reason})",
        "message.sent": "{priority} message {message} from {sender} to {to}: {text}",
        "message.acknowledged": "{party} acknowledged message {message}",
        "message.replied": "{party} replied {reply} to message {message}",
        "tactical.detected": "{severity} alert {conflict} ({kind}): {a} against {b}",
        "tactical.updated": "{severity} alert {conflict} ({kind}) updated: {a} against {b}",
        "tactical.cleared": "alert {conflict} ({kind}) is cleared",
        "tactical.acknowledged": "{party} acknowledged alert {conflict}",
        "ack.escalated": "{party} is late to acknowledge {subject} {subject_id}: rung {rung}"
        " ({rung_name})",
        "delivery.recorded": "{subject} {id} reached {party} by {via}",
        "ack.lapsed": "{party} no longer owes acknowledgement {ack}",
        "ack.parked": "acknowledgement {ack} of {party} waits at the host (rung {rung})",
        "mechanism.loaded": "mechanism {mechanism} is loaded",
        "operator.added": "operator {operator} of {party} is added ({role})",
        "operator.revoked": "operator {operator} of {party} is revoked",
        "operator.rotated": "operator {operator} of {party} has a new token",
        "ledger.key_registered": "signing key {key_id} of {operator} ({party}) is registered",
        "ledger.key_revoked": "signing key {key_id} of {operator} ({party}) is revoked",
        "webhook.registered": "webhook {webhook} of {party} is registered",
        "webhook.deleted": "webhook {webhook} of {party} is deleted",
        "incident.filed": "{from} filed incident {incident}: {narrative}",
        "incident.acknowledged": "{party} acknowledged incident {incident}",
        "report.published": "the review from {start} to {end} is published (SHA-256 {sha256})",
        "watch.connected": "connected to {mechanism} as {operator} of {party} ({name}); {since}",
        "watch.resumed": "resumed after seq {seq}",
        "watch.everything": "replaying every event from the start",
        "watch.live": "live from now on",
        "watch.hidden": "(hidden)",
        "watch.other_ledger": "the seq {seq} kept in {file} is of another ledger (signing key"
        " {key_id}): dropped",
        "watch.beyond_head": "the seq {seq} kept in {file} is beyond the ledger's head"
        " ({head}): dropped",
        "watch.other_operator": "the seq {seq} kept in {file} is {operator}'s: dropped",
    }
)
"""The English pattern of each line, by event type (and ``watch.*``)."""

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def placeholders(pattern: str) -> set[str]:
    """The ``{name}`` placeholders of a pattern."""
    return set(_PLACEHOLDER.findall(pattern))


def read_event_catalogue(language: str) -> dict[str, str]:
    """Key → translated pattern from the shipped ``events.po`` of ``language``; entries without
    a translation, fuzzy ones and those whose msgid is not the current English pattern are
    left out. FileNotFoundError when none ships."""
    return po.translations(DOMAIN, language, EVENT_LINES)


@dataclass(frozen=True, slots=True)
class EventLines:
    """The line patterns in every shipped language, English included."""

    patterns: Mapping[str, Mapping[str, str]]
    """language → key → pattern."""

    def language_for(self, tag: str) -> str:
        """The catalogue language used for a reader whose language is ``tag``."""
        language = base_language(tag)
        return language if language in self.patterns else SOURCE_LANGUAGE

    def line(self, key: str, language: str, values: Mapping[str, str]) -> str:
        """The line of ``key`` in ``language`` with its placeholders filled from ``values``
        (one not given stays as it is); an unknown key gives its values as ``name=value``."""
        own = self.patterns[self.language_for(language)]
        pattern = own.get(key) or EVENT_LINES.get(key)
        if pattern is None:
            return " ".join(f"{k}={v}" for k, v in values.items())
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), pattern)


@functools.cache
def load_event_lines() -> EventLines:
    """Every shipped catalogue of event lines, read once per process (package data)."""
    patterns: dict[str, Mapping[str, str]] = {SOURCE_LANGUAGE: EVENT_LINES}
    for language in po.shipped_languages(DOMAIN):
        patterns[language] = MappingProxyType(read_event_catalogue(language))
    return EventLines(MappingProxyType(patterns))
