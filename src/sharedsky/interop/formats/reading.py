"""What a format's reader gives back, and the one assembly of what it read into wire input.

A reader goes through a file feature by feature and hands each volume it found to
``Assembly`` as a ``Piece`` (what the file said of it, nothing decided yet), or a problem with the
feature's index. ``Assembly.parsed`` then groups pieces into notices and zones, fills what the
file left out from the caller's ``ReadOptions``, and validates each as the API would
(``v1.NoticeIn`` / ``v1.ZoneIn``): a feature that breaks a rule becomes a ``FeatureProblem``
with its index and reason, never an exception.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import ValidationError

from sharedsky.domain.errors import FeatureProblem, FieldPath, InvalidImport
from sharedsky.interop.formats.heights import FileLimit, HeightError, band_from
from sharedsky.wire import v1

ObjectType = Literal["notice", "zone"]

_NOTICE_KINDS = frozenset(
    ("air_sortie", "uav", "exercise", "ground_movement", "static_site", "hazard", "other")
)
_ZONE_KINDS = frozenset(("protected", "red_line", "restricted"))


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """What the caller says of the features a file leaves it out of (query parameters of
    ``POST /v1/import``, flags of ``sharedsky import``); what a feature says wins."""

    object: ObjectType | None = None
    """What a feature becomes when it does not say: a notice (the default) or a zone."""
    kind: str | None = None
    """The notice kind (default ``other``) or zone kind (required for zones)."""
    title: str | None = None
    """The title of features without one (default: the format and the feature's index)."""
    lower: FileLimit | None = None
    upper: FileLimit | None = None
    """The band of features that carry none, as given (kept on its datums)."""
    start: datetime | None = None
    end: datetime | None = None
    """The window of features that carry none (a zone's may stay open-ended)."""


@dataclass(frozen=True, slots=True)
class ParsedItem:
    """One notice or zone to file, and the index of the (first) feature it came from."""

    index: int
    body: v1.NoticeIn | v1.ZoneIn


@dataclass(frozen=True, slots=True)
class Parsed:
    """What a file holds: the notices and zones to file, the features that cannot be filed
    (by index), and how many features were left out as nothing to file (an exported
    conflict region or track)."""

    items: tuple[ParsedItem, ...]
    problems: tuple[FeatureProblem, ...]
    ignored: int = 0


@dataclass(slots=True)
class Piece:
    """One volume as a file gives it, with what the file says of the object it belongs to."""

    index: int
    """The feature's index in the file."""
    outline: dict[str, Any]
    """The wire outline (``Polygon``, ``Circle`` or ``Corridor``)."""
    altitude: dict[str, Any] | None = None
    """The wire band; None: the options give it."""
    time: dict[str, Any] | None = None
    """``{"start", "end"}``; None: the options give it."""
    schedule: dict[str, Any] | None = None
    """The wire schedule of recurring windows (R-SCHED-1), when the file gives one: it
    stands for the time window."""
    object: ObjectType | None = None
    group: str | None = None
    """Pieces of one notice share a group (an exported notice's id); None: a notice alone."""
    order: int = 0
    """The volume's place within its group."""
    kind: str | None = None
    title: str | None = None
    remarks: str | None = None
    contact: str | None = None
    priority_status: str | None = None
    """A notice's operational priority as the file names it (checked as a filing checks it)."""


@dataclass(slots=True)
class Assembly:
    """Pieces and problems collected from one file, in the order the file gives them."""

    format: str
    options: ReadOptions
    pieces: list[Piece] = field(default_factory=list)
    problems: list[FeatureProblem] = field(default_factory=list)
    ignored: int = 0

    def problem(self, index: int, reason: str, path: FieldPath = ()) -> None:
        """Record why feature ``index`` cannot be filed."""
        self.problems.append(FeatureProblem(index, reason, path))

    def add(self, piece: Piece) -> None:
        """Add one volume read from the file."""
        self.pieces.append(piece)

    def band(
        self, index: int, lower: FileLimit | None, upper: FileLimit | None
    ) -> dict[str, object] | None:
        """The wire band of a feature's limits, as filed (``heights.band_from``; None when
        it gives none: the options will); a problem recorded, and None, when they cannot be
        read."""
        if lower is None and upper is None:
            return None
        if lower is None or upper is None:
            self.problem(index, "a band needs both a lower and an upper limit", ("altitude",))
            return None
        try:
            return band_from(lower, upper)
        except HeightError as exc:
            self.problem(index, str(exc), ("altitude",))
            return None

    def parsed(self) -> Parsed:
        """The notices and zones the pieces make, and every problem, by feature index."""
        bad = {p.index for p in self.problems}
        groups: dict[str, list[Piece]] = {}
        order: list[list[Piece]] = []
        for piece in self.pieces:
            if piece.object != "zone" and piece.group is not None:
                if piece.group not in groups:
                    groups[piece.group] = []
                    order.append(groups[piece.group])
                groups[piece.group].append(piece)
            else:
                order.append([piece])
        items = []
        for pieces in order:
            if any(p.index in bad for p in pieces):
                continue  # the group's bad feature is reported; none of it is filed
            item = self._item(sorted(pieces, key=lambda p: p.order))
            if item is not None:
                items.append(item)
        problems = sorted(self.problems, key=lambda p: p.index)
        return Parsed(tuple(items), tuple(problems), self.ignored)

    def _volume(self, piece: Piece) -> dict[str, Any] | None:
        opts = self.options
        altitude = piece.altitude
        if altitude is None:
            if opts.lower is None or opts.upper is None:
                self.problem(
                    piece.index,
                    "no altitude band: the feature gives none and no lower and upper were given",
                    ("altitude",),
                )
                return None
            try:
                altitude = band_from(opts.lower, opts.upper)
            except HeightError as exc:
                self.problem(piece.index, str(exc), ("altitude",))
                return None
        time = piece.time
        if piece.schedule is not None:  # the window beside it, if any, is its envelope
            found = {"outline": piece.outline, "altitude": altitude, "schedule": piece.schedule}
            return found if time is None else found | {"time": time}
        if time is None:
            if opts.start is None:
                self.problem(
                    piece.index,
                    "no time window: the feature gives none and no start was given",
                    ("time",),
                )
                return None
            time = {"start": opts.start, "end": opts.end}
        return {"outline": piece.outline, "altitude": altitude, "time": time}

    def _item(self, pieces: list[Piece]) -> ParsedItem | None:
        first = pieces[0]
        volumes = [self._volume(p) for p in pieces]
        if any(v is None for v in volumes):
            return None
        what = first.object or self.options.object or "notice"
        title = first.title or self.options.title or f"{self.format} feature {first.index}"
        kind = first.kind or self.options.kind
        if what == "zone":
            if len(volumes) != 1:
                self.problem(first.index, "a zone has exactly one volume", ("geometry",))
                return None
            if kind not in _ZONE_KINDS:
                wanted = "protected, red_line or restricted"
                why = (
                    f"zone kind {kind!r} is not one of {wanted}"
                    if kind
                    else f"a zone needs a kind: {wanted}"
                )
                self.problem(first.index, why, ("kind",))
                return None
            body: dict[str, Any] = {"kind": kind, "title": title, "volume": volumes[0]}
            body["remarks"] = first.remarks or ""
            return self._validated(first.index, v1.ZoneIn, body)
        kind = kind or "other"
        if kind not in _NOTICE_KINDS:
            self.problem(
                first.index,
                f"notice kind {kind!r} is not one of {', '.join(sorted(_NOTICE_KINDS))}",
                ("kind",),
            )
            return None
        body = {
            "kind": kind,
            "title": title,
            "volumes": volumes,
            "remarks": first.remarks or "",
            "contact": first.contact or "",
        }
        if first.priority_status:
            body["priority_status"] = first.priority_status
        return self._validated(first.index, v1.NoticeIn, body)

    def _validated(
        self, index: int, model: type[v1.NoticeIn] | type[v1.ZoneIn], body: dict[str, Any]
    ) -> ParsedItem | None:
        try:
            return ParsedItem(index, model.model_validate(body))
        except ValidationError as exc:
            error = exc.errors()[0]
            path = tuple(p for p in error["loc"] if isinstance(p, str | int))
            self.problem(index, f"{'.'.join(map(str, path)) or 'body'}: {error['msg']}", path)
            return None


def json_document(data: bytes, format_name: str) -> Any:
    """The JSON document of an imported file; InvalidImport (path ``body``) when it is not."""
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidImport(f"the file is not {format_name} JSON: {exc}", ("body",)) from exc


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def text(value: Any) -> str | None:
    """``value`` when it is a non-empty string, else None."""
    return value if isinstance(value, str) and value.strip() else None
