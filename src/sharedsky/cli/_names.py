"""What a person reads an object by, in the CLI's tables and lines: a notice or zone by its title
(a redacted one, whose title is withheld, by its kind, band and window), a conflict by both its
sides and its window, a message by its sender, recipient and what it says, a track by its
callsign (by the id its party reports it under when its feed gave none), an escalation by its
subject, party and rung. Ids stay beside a name (their own column, ``--json``), never as the
only name of a thing; two objects that would read alike are told apart by their window, then by
their id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sharedsky.cli._common import band_text, window_text
from sharedsky.client import Client, ClientError
from sharedsky.wire import v1

Named = v1.NoticeOut | v1.ZoneOut
"""An object named by its title: a notice or a zone."""


def _window(obj: Named) -> str:
    """The UTC window a notice's volumes (or a zone's volume) span, short."""
    if isinstance(obj, v1.ZoneOut):
        return window_text(obj.volume.time.start, obj.volume.time.end, short=True)
    if not obj.volumes:
        return "no volume shown"
    start = min(v.time.start for v in obj.volumes)
    ends = [v.time.end for v in obj.volumes]
    end = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
    return window_text(start, end, short=True)


def titled(obj: Named) -> bool:
    """Whether the viewer reads the object's title (a redacted one's is withheld)."""
    return bool(obj.title) and not obj.redacted


def title_of(obj: Named) -> str:
    """The title of a notice or zone; a redacted one (title withheld) reads as its kind, band
    and window: ``air_sortie FL120–FL300 11-24 15:00Z → 17:00Z``."""
    if titled(obj):
        return obj.title
    altitude = (
        obj.volume.altitude
        if isinstance(obj, v1.ZoneOut)
        else (obj.volumes[0].altitude if obj.volumes else None)
    )
    band = "" if altitude is None else f" {band_text(altitude, short=True)}"
    return f"{obj.kind}{band} {_window(obj)}"


def message_gist(message: v1.MessageOut) -> str:
    """What a message says in a few words: its rendered template, else its free text (at most
    60 characters, cut at a word), ``(no text)`` when it has neither."""
    said = " ".join((message.rendered or message.text or "").split())
    if not said:
        return "(no text)"
    if len(said) <= 60:
        return said
    return said[:60].rsplit(" ", 1)[0] + " …"


def message_label(message: v1.MessageOut) -> str:
    """``FLASH message alpha → bravo: Request you delay …``."""
    priority = message.priority.upper() if message.priority == "flash" else message.priority
    return f"{priority} message {message.from_} → {message.to}: {message_gist(message)}"


@dataclass
class Names:
    """The names of the objects a command meets, from what it was given (`know`) and, for the
    rest, from the server (one read per object, remembered; an object the operator may not
    read is named by its kind, party and id). Made inside ``Connection.open()`` with its
    client, or with None to name only what it is given."""

    client: Client | None
    _titled: dict[str, Named] = field(default_factory=dict)
    _conflicts: dict[str, v1.ConflictOut] = field(default_factory=dict)
    _messages: dict[str, v1.MessageOut] = field(default_factory=dict)
    _unreadable: set[str] = field(default_factory=set)
    alerts: dict[str, str] = field(default_factory=dict)
    """Tactical alerts by id: their two sides (``alpha aircraft 3950C8 × bravo aircraft …``),
    as a follower learns them from the alerts' detection."""

    def know(self, objects: Iterable[Named | v1.ConflictOut | v1.MessageOut]) -> Names:
        """Remember these objects (from a list already fetched); returns self."""
        for obj in objects:
            if isinstance(obj, v1.ConflictOut):
                self._conflicts[obj.id] = obj
            elif isinstance(obj, v1.MessageOut):
                self._messages[obj.id] = obj
            else:
                self._titled[obj.id] = obj
        return self

    def _fetch(self, kind: str, object_id: str) -> Named | v1.ConflictOut | v1.MessageOut | None:
        """The object from the server, or None (no client, not readable)."""
        if self.client is None or object_id in self._unreadable:
            return None
        try:
            found: Named | v1.ConflictOut | v1.MessageOut
            if kind == "notice":
                found = self.client.get_notice(object_id)
            elif kind == "zone":
                found = self.client.get_zone(object_id)
            elif kind == "conflict":
                found = self.client.get_conflict(object_id)
            elif kind == "message":
                found = self.client.get_message(object_id)
            else:
                return None
        except ClientError:
            self._unreadable.add(object_id)
            return None
        self.know([found])
        return found

    def titled(self, kind: str, object_id: str) -> Named | None:
        """The notice or zone of this id, or None when it cannot be read."""
        found = self._titled.get(object_id) or self._fetch(kind, object_id)
        return found if isinstance(found, v1.NoticeOut | v1.ZoneOut) else None

    def name(self, obj: Named) -> str:
        """The object's `title` in quotes (``“CAP North”``), or for a redacted one its kind,
        band and window unquoted."""
        title = self.title(obj)
        return f"“{title}”" if titled(obj) else title

    def title(self, obj: Named) -> str:
        """The object's `title_of`, followed by its window when another object of the same
        kind and party known here has the same title, and by its id when even that is
        shared: never the same for two objects."""
        base = title_of(obj)
        alike = [
            o
            for o in self._titled.values()
            if o.id != obj.id
            and type(o) is type(obj)
            and o.party == obj.party
            and title_of(o) == base
        ]
        if not alike:
            return base
        windowed = f"{base} ({_window(obj)})"
        if any(f"{title_of(o)} ({_window(o)})" == windowed for o in alike):
            return f"{base} ({obj.id})"
        return windowed

    def side(
        self,
        kind: str,
        object_id: str | None,
        party: str,
        *,
        hidden: str = "(hidden)",
        callsign: str | None = None,
    ) -> str:
        """One side of a conflict or a line's subject: ``bravo notice “ISR orbit”``, ``alpha
        aircraft ALP123`` (a track by its ``callsign``, by its id when it has none); a side
        withheld from the viewer is ``bravo notice (hidden)``, one it cannot read shows its id."""
        if object_id is None:
            return f"{party} {kind} {hidden}"
        if kind == "track":
            return f"{party} aircraft {callsign or object_id}"
        found = self.titled(kind, object_id) if kind in ("notice", "zone") else None
        if found is None:
            return f"{party} {kind} {object_id}"
        return f"{party} {kind} {self.name(found)}"

    def conflict(self, conflict: v1.ConflictOut) -> str:
        """A conflict by both sides and its window:
        ``alpha notice “CAP North” × bravo notice “ISR orbit”, 11-24 15:00Z → 17:00Z``."""
        own, other = conflict.own, conflict.with_
        window = window_text(conflict.window.start, conflict.window.end, short=True)
        return (
            f"{self.side(own.type, own.id, own.party)} × "
            f"{self.side(other.type, other.id, other.party)}, {window}"
        )

    def conflict_of(self, conflict_id: str) -> str:
        """The `conflict` label of this id; its id when it cannot be read."""
        found = self._conflicts.get(conflict_id) or self._fetch("conflict", conflict_id)
        return self.conflict(found) if isinstance(found, v1.ConflictOut) else conflict_id

    def message_of(self, message_id: str) -> str:
        """The `message_label` of this id; its id when it cannot be read."""
        found = self._messages.get(message_id) or self._fetch("message", message_id)
        return message_label(found) if isinstance(found, v1.MessageOut) else message_id

    def subject(self, kind: str, subject_id: str) -> str:
        """What an acknowledgement or an escalation is about, named: a notice or zone with its
        party (``alpha notice “CAP North”``), a conflict by both sides and its window, a
        message by who sent it to whom and what it says, a request for agreement by its
        notice."""
        if kind == "conflict":
            return f"conflict {self.conflict_of(subject_id)}"
        if kind == "message":
            return self.message_of(subject_id)
        if kind == "agreement":  # a request to agree to a notice: name the notice
            return f"agreement to {self.subject('notice', subject_id)}"
        found = self.titled(kind, subject_id) if kind in ("notice", "zone") else None
        if found is None:
            return f"{kind} {subject_id}"
        return f"{found.party} {kind} {self.name(found)}"

    def about(self, about: v1.AboutRef | None) -> str:
        """What a message's thread is about: ``about alpha notice “CAP North”``; empty for a
        thread between parties."""
        return "" if about is None else f"about {self.subject(about.type, about.id)}"
