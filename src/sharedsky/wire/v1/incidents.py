"""Incidents and the periodic review's published reports on the wire."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, Field

from sharedsky.wire.v1.common import WireModel
from sharedsky.wire.v1.notices import AckState

_IDS: list[str] = Field(default_factory=list, max_length=50)


class IncidentIn(WireModel):
    """An incident to file: when and where it happened, what it is about, and what happened."""

    time: AwareDatetime
    """When it happened (not in the future)."""
    position: list[float] = Field(min_length=2, max_length=2)
    """[lon, lat] in degrees (WGS84)."""
    notices: list[str] = _IDS
    zones: list[str] = _IDS
    conflicts: list[str] = _IDS
    """Strategic conflicts or tactical alerts."""
    tracks: list[str] = _IDS
    narrative: str = Field(min_length=1, max_length=4000)


class IncidentOut(WireModel):
    """An incident as filed, with the ledger timeline attached to it."""

    id: str
    party: str
    """Who filed it (a party, or the host)."""
    operator: str
    time: AwareDatetime
    position: list[float]
    notices: list[str]
    zones: list[str]
    conflicts: list[str]
    tracks: list[str]
    narrative: str
    parties: list[str]
    """The other parties it concerns: each owes an acknowledgement."""
    timeline: list[int]
    """The seqs of the ledger entries about the related objects, when it was filed."""
    filed_at: AwareDatetime
    acks: list[AckState]


class IncidentList(WireModel):
    """The incidents the caller filed or is party to (the host: all), newest first."""

    incidents: list[IncidentOut]


class ReportIn(WireModel):
    """A review report the host publishes: the server signs its hash and records it."""

    sha256: str = Field(min_length=64, max_length=64)
    """Hex SHA-256 of the report file's bytes."""
    start: AwareDatetime
    end: AwareDatetime
    """The period's end (excluded)."""
    head_seq: int = Field(ge=0)
    """The newest ledger entry the report read."""
    format: str = Field(pattern="^(pdf|html)$")


class ReportOut(WireModel):
    """The server's signature of a report (``FILE.sig``) and the seq that records it."""

    signature: dict[str, Any]
    """``{"sha256", "from", "to", "head_seq", "key_id", "sig"}`` (docs/ledger-format.md)."""
    seq: int
