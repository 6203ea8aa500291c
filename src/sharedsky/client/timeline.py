"""The proven timeline of one notice, read from verified ledger entries.

Each line is one entry of the ledger (its seq, hash and the server's signature, and the party's
signature when the submitter signed), so that an inquiry can check every line against the
export. Lead times are computed from the ledger alone: the notice's start is its filing time plus
the lead time recorded at filing, and each counterparty's lead time runs from the recorded first
delivery to it, not from filing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sharedsky.domain.events import (
    AckEscalated,
    Audience,
    ConflictDetected,
    DeliveryRecorded,
    NoticeAcknowledged,
    NoticeAmended,
    NoticeCancelled,
    NoticeFiled,
    Side,
    audience_of,
)
from sharedsky.ledger.chain import parse_time


@dataclass(frozen=True, slots=True)
class Delivery:
    """Who first received the notice, how and when (a ``delivery.recorded`` entry)."""

    party: str
    """The party that received it."""
    via: str
    """``stream``, ``webhook`` or ``read`` (an authenticated read of it or of a list)."""
    delivered_at: str
    """As the ledger formats times (``YYYY-MM-DDTHH:MM:SS.ffffffZ``)."""


@dataclass(frozen=True, slots=True)
class TimelineLine:
    """One step of a notice's history, with the entry that proves it."""

    seq: int
    time: str
    """The entry's time, as the ledger formats times."""
    type: str
    actor: str
    what: str
    """What happened, in words (figures are in the fields below)."""
    hash: str
    sig: str
    party_sig: Mapping[str, str] | None
    lead_time_s: float | None = None
    """The lead time recorded when the notice was filed or amended (that line only)."""
    delivery: Delivery | None = None
    """The delivery that a ``delivery.recorded`` line records (that line only)."""


@dataclass(frozen=True, slots=True)
class LeadTime:
    """The lead time one party got: from the first delivery to it until the notice's start."""

    party: str
    delivered_at: str
    via: str
    lead_time_s: float
    seq: int


@dataclass
class Timeline:
    """A notice's history, in ledger order."""

    notice: str
    lines: list[TimelineLine] = field(default_factory=list)
    lead_times: list[LeadTime] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The timeline as a JSON document."""
        return {
            "notice": self.notice,
            "lines": [
                {
                    "seq": line.seq,
                    "time": line.time,
                    "type": line.type,
                    "actor": line.actor,
                    "what": line.what,
                    "hash": line.hash,
                    "sig": line.sig,
                    "party_sig": None if line.party_sig is None else dict(line.party_sig),
                    "lead_time_s": line.lead_time_s,
                    "delivery": None
                    if line.delivery is None
                    else {
                        "party": line.delivery.party,
                        "via": line.delivery.via,
                        "delivered_at": line.delivery.delivered_at,
                    },
                }
                for line in self.lines
            ],
            "lead_times": [
                {
                    "party": lt.party,
                    "delivered_at": lt.delivered_at,
                    "via": lt.via,
                    "lead_time_s": lt.lead_time_s,
                    "seq": lt.seq,
                }
                for lt in self.lead_times
            ],
            "conflicts": list(self.conflicts),
        }


def _refers_to(value: object, notice: str) -> bool:
    side = Side.read(value)
    return side is not None and side.id == notice


def _describe(entry_type: str, payload: Mapping[str, Any], notice: str) -> str | None:
    """What the entry says about the notice; None when it is not about it."""
    if payload.get("notice") == notice:
        party = payload.get("party")
        return {
            NoticeFiled.TYPE: f"filed by {party} (version 1)",
            NoticeAmended.TYPE: f"amended to version {payload.get('version')}",
            NoticeCancelled.TYPE: f"cancelled (version {payload.get('version')})",
            NoticeAcknowledged.TYPE: f"acknowledged by {party} (version {payload.get('version')})",
        }.get(entry_type, entry_type)
    if entry_type == DeliveryRecorded.TYPE and payload.get("subject") == "notice":
        if payload.get("id") == notice:
            return f"delivered to {payload.get('party')} by {payload.get('via')}"
        return None
    if entry_type == AckEscalated.TYPE and payload.get("subject_id") == notice:
        return (
            f"{payload.get('party')}'s acknowledgement overdue: escalated to rung "
            f"{payload.get('rung')} ({payload.get('rung_name')})"
        )
    return None


def build_timeline(notice: str, entries: Iterable[Mapping[str, Any]]) -> Timeline:
    """The timeline of ``notice`` from exported entries (redacted ones are skipped: they
    say nothing the viewer may read). Give only entries that verified."""
    timeline = Timeline(notice)
    conflicts: set[str] = set()
    start_s: float | None = None
    for entry in entries:
        if entry.get("redacted"):
            continue
        kind, payload = str(entry["type"]), entry["payload"]
        what = _describe(kind, payload, notice)
        conflict = payload.get("conflict")
        if kind == ConflictDetected.TYPE and (
            _refers_to(payload.get("a"), notice) or _refers_to(payload.get("b"), notice)
        ):
            conflicts.add(str(conflict))
            timeline.conflicts.append(str(conflict))
            what = f"conflict {conflict} detected"
        elif audience_of(kind) is Audience.CONFLICT and conflict in conflicts:
            what = f"conflict {conflict} {kind.split('.', 1)[1]}"
            if "party" in payload:
                what += f" by {payload['party']}"
        elif kind == AckEscalated.TYPE and payload.get("subject_id") in conflicts:
            what = (
                f"{payload.get('party')}'s acknowledgement of conflict {payload.get('subject_id')}"
                f" overdue: escalated to rung {payload.get('rung')} ({payload.get('rung_name')})"
            )
        if what is None:
            continue
        ours = payload.get("notice") == notice
        if kind == NoticeFiled.TYPE and ours:
            start_s = parse_time(entry["time"]).timestamp() + float(payload["lead_time_s"])
        lead_time_s = None
        if kind in (NoticeFiled.TYPE, NoticeAmended.TYPE) and ours:
            lead_time_s = float(payload["lead_time_s"])
        delivery = None
        if kind == DeliveryRecorded.TYPE:
            delivery = Delivery(
                str(payload["party"]), str(payload["via"]), str(payload["delivered_at"])
            )
        timeline.lines.append(
            TimelineLine(
                int(entry["seq"]),
                str(entry["time"]),
                kind,
                str(entry["actor"]),
                what,
                str(entry["hash"]),
                str(entry["sig"]),
                entry.get("party_sig"),
                lead_time_s,
                delivery,
            )
        )
        if kind == DeliveryRecorded.TYPE and start_s is not None:
            delivered = str(payload["delivered_at"])
            timeline.lead_times.append(
                LeadTime(
                    str(payload["party"]),
                    delivered,
                    str(payload["via"]),
                    round(start_s - parse_time(delivered).timestamp(), 6),
                    int(entry["seq"]),
                )
            )
    return timeline
