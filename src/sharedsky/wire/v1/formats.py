"""Imports on the wire: what an imported file would file, or filed, and what it could not."""

from __future__ import annotations

from typing import Literal

from sharedsky.wire.v1.common import WireModel
from sharedsky.wire.v1.conflicts import ConflictOut


class ImportedOut(WireModel):
    """One notice or zone of an imported file, as it would be (dry run) or was filed."""

    index: int
    """The 0-based index of the (first) feature of the file it came from."""
    type: Literal["notice", "zone"]
    id: str | None
    """Its id once filed; null in a dry run."""
    kind: str
    title: str
    volumes: int
    """How many volumes it has."""
    lead_time_s: float | None
    """A notice's lead time (s) as filing now gives it; null for a zone."""
    late_for: list[str]
    """Counterparties whose minimum lead time a notice misses."""
    conflicts: list[ConflictOut]
    """The conflicts it raises (dry run: would raise), as the caller may see them."""


class FeatureProblemOut(WireModel):
    """Why one feature of the file cannot be filed."""

    index: int
    reason: str
    path: list[str | int]


class ImportOut(WireModel):
    """The answer to an import: what was (``dry_run``: would be) filed, and the bad features."""

    format: str
    dry_run: bool
    filed: int
    """How many notices and zones were filed (0 in a dry run)."""
    items: list[ImportedOut]
    problems: list[FeatureProblemOut]
    """Features that cannot be filed; with any, nothing is filed unless ``skip_bad``."""
    ignored: int
    """Features left out as nothing to file (an exported conflict region, a track)."""
