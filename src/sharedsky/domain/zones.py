"""Zones: declared areas with a meaning (protected, red line, restricted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sharedsky.domain.area import check_in_area
from sharedsky.domain.errors import InvalidInput, StaleVersion, StateConflict
from sharedsky.domain.ids import PartyId, ZoneId
from sharedsky.domain.notices import MAX_TEXT_CHARS, MAX_TITLE_CHARS
from sharedsky.domain.volumes import Volume4D, validate_volume
from sharedsky.geo.outlines import PolygonOutline


class ZoneKind(StrEnum):
    """What a zone means to the others."""

    PROTECTED = "protected"
    """Own forces or a protected site (a hospital): keep clear."""
    RED_LINE = "red_line"
    """Activity of others here is unacceptable: alert."""
    RESTRICTED = "restricted"
    """Entry restricted; coordinate first."""


class ZoneStatus(StrEnum):
    """Whether a zone still stands."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class ZoneDraft:
    """What a party submits to declare or amend a zone."""

    kind: ZoneKind
    title: str
    volume: Volume4D
    remarks: str = ""
    outside_area: bool = False
    """The declarer means a volume that lies wholly outside the mechanism's area of
    responsibility (``domain/area.py``); without it such a volume is refused."""


@dataclass(frozen=True, slots=True)
class Zone:
    """A declared zone at its current version."""

    id: ZoneId
    party: PartyId
    kind: ZoneKind
    title: str
    volume: Volume4D
    remarks: str
    version: int
    declared_at: datetime
    updated_at: datetime
    withdrawn_at: datetime | None = None

    def status(self, now: datetime) -> ZoneStatus:
        """The status at ``now``."""
        if self.withdrawn_at is not None:
            return ZoneStatus.WITHDRAWN
        end = self.volume.time.end
        if end is not None and now >= end:
            return ZoneStatus.EXPIRED
        return ZoneStatus.ACTIVE

    def check_amendable(self, expected_version: int, now: datetime) -> None:
        """Raise unless the zone stands and ``expected_version`` is its version."""
        if expected_version != self.version:
            raise StaleVersion(
                f"the zone is at version {self.version}, not {expected_version}", ("If-Match",)
            )
        if self.status(now) is not ZoneStatus.ACTIVE:
            raise StateConflict(f"a zone that is {self.status(now)} cannot be changed")


def validate_zone_draft(
    draft: ZoneDraft, now: datetime, area: PolygonOutline | None = None
) -> None:
    """Raise InvalidInput/InvalidVolume when the draft breaks a rule: among them, a volume
    wholly outside the mechanism's ``area`` of responsibility (unless ``outside_area``)."""
    if not draft.title.strip():
        raise InvalidInput("a zone needs a title", ("title",))
    if len(draft.title) > MAX_TITLE_CHARS:
        raise InvalidInput(f"the title is longer than {MAX_TITLE_CHARS} characters", ("title",))
    if len(draft.remarks) > MAX_TEXT_CHARS:
        raise InvalidInput(f"remarks is longer than {MAX_TEXT_CHARS} characters", ("remarks",))
    validate_volume(draft.volume, now, ("volume",), standing=True)
    check_in_area(area, draft.volume.outline, ("volume",), outside_allowed=draft.outside_area)
