"""What an export writes: the caller's visible picture, as the wire shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sharedsky.wire import v1


@dataclass(frozen=True, slots=True)
class ExportSet:
    """Notices, zones, conflicts and live tracks one caller may see, at one moment.

    Each list holds exactly what the caller's reads return (a ``conflicts_only`` counterparty's
    notices carry only the clashing volumes, redacted as the read redacts them); ``parties``
    names every party and the host with its map colour.
    """

    generated_at: datetime
    """When the picture was read (UTC); formats that need a "now" use this, never the clock."""
    viewer: str
    """The caller's party (or the host's id)."""
    parties: tuple[v1.PartyOut, ...]
    notices: tuple[v1.NoticeOut, ...] = ()
    zones: tuple[v1.ZoneOut, ...] = ()
    conflicts: tuple[v1.ConflictOut, ...] = ()
    tracks: tuple[v1.TrackOut, ...] = ()
    mechanism: v1.MechanismOut | None = field(default=None)
    """The mechanism as the caller reads it (name, area, channels), when a format needs it."""
