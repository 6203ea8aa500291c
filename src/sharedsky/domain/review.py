"""The figures of the periodic review (R-REVIEW-1): one pure function over ledger entries.

``review_figures(entries, start, end)`` reads exported ledger entries (``chain.to_json``'s form:
``seq``, ``time``, ``type``, ``payload``; a redacted entry has no ``type`` and is skipped) whose
time lies in ``[start, end)`` and gives every figure of the host's review, each item with the
sequence number(s) of the entries it comes from, so that the report's appendix can list them:

- **lead time per channel**: each filing or amendment (``notice.filed``, ``notice.amended``)
  of a party's notice counts once on each channel from its party to another party the entries
  name (filers, ``late_for``, the parties asked to acknowledge); late on that channel when the
  other party is in ``late_for``;
- **acknowledgement latency per party**: from a request (an ``acks`` item's ``requested_at``, or
  a ``message.sent``'s ``at``) to the entry that settled it (an ``acknowledged`` list, at that
  entry's ``at``), both within the period; requests still open at the end are counted apart;
- **agreement latency per party**, when the ledger holds agreement answers (``notice.agreed``,
  ``notice.denied``, ``notice.countered``): from the entry of the version answered to the answer;
- **escalations by rung** (``ack.escalated``), **late notices** (a filing or amendment with a
  non-empty ``late_for``), **tactical alerts by severity** at detection (``tactical.detected``)
  and **incidents** (``incident.filed``) with the seqs of their attached timelines.

A party's export holds whole only the entries it may see, so the same function over it gives
the review of what that party may see. Nothing here reads a clock or a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

LEAD_TYPES = frozenset({"notice.filed", "notice.amended"})
"""The entries that give a notice version its lead time."""
AGREEMENT_TYPES = frozenset({"notice.agreed", "notice.denied", "notice.countered"})
"""A counterparty's answer to a request for agreement, when the ledger holds any."""
ESCALATED = "ack.escalated"
TACTICAL = "tactical.detected"
INCIDENT = "incident.filed"
MESSAGE_SENT = "message.sent"
LAPSED = "ack.lapsed"
RELATED = ("notices", "zones", "conflicts", "tracks")
"""The payload keys of an incident's related objects."""


@dataclass(frozen=True, slots=True)
class ChannelLead:
    """One notice version's lead time on one channel (its party → ``to``)."""

    party: str
    to: str
    notice: str
    version: int
    lead_time_s: float
    late: bool
    seq: int


@dataclass(frozen=True, slots=True)
class Latency:
    """How long ``party`` took to answer one request, in seconds; ``kind`` is
    ``acknowledgement`` or ``agreement``."""

    kind: str
    party: str
    subject: str
    subject_id: str
    latency_s: float
    request_seq: int
    answer_seq: int


@dataclass(frozen=True, slots=True)
class Unanswered:
    """A request to ``party`` made in the period and not settled by its end."""

    party: str
    ack: str
    subject: str
    subject_id: str
    seq: int


@dataclass(frozen=True, slots=True)
class Escalation:
    """An overdue acknowledgement of ``party`` climbed to rung ``rung`` (``rung_name``)."""

    party: str
    rung: int
    rung_name: str
    subject: str
    subject_id: str
    seq: int


@dataclass(frozen=True, slots=True)
class LateNotice:
    """A notice version filed with less lead time than the channels to ``late_for`` need."""

    notice: str
    party: str
    version: int
    lead_time_s: float
    late_for: tuple[str, ...]
    seq: int


@dataclass(frozen=True, slots=True)
class TacticalAlert:
    """A live clash as it was detected."""

    conflict: str
    kind: str
    severity: str
    seq: int


@dataclass(frozen=True, slots=True)
class IncidentItem:
    """An incident as filed, with the seqs of the ledger timeline attached to it."""

    incident: str
    party: str
    at: str
    """When it happened, ISO 8601 as filed."""
    position: tuple[float, float]
    """(lon, lat) in degrees."""
    narrative: str
    related: Mapping[str, tuple[str, ...]]
    timeline: tuple[int, ...]
    seq: int
    steps: tuple[tuple[int, str, str], ...] = ()
    """(seq, time, type) of each timeline entry given whole (a party's export may hold some
    redacted), for the report to say what each step was."""


@dataclass
class Review:
    """Every figure of a review over ``[start, end)``; each item names its entries' seqs."""

    start: datetime
    end: datetime
    entries: int = 0
    """Whole entries read in the period."""
    head_seq: int = 0
    """The newest seq among the entries given (in the period or not); 0 when none."""
    lead_times: list[ChannelLead] = field(default_factory=list)
    latencies: list[Latency] = field(default_factory=list)
    unanswered: list[Unanswered] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    late_notices: list[LateNotice] = field(default_factory=list)
    tactical: list[TacticalAlert] = field(default_factory=list)
    incidents: list[IncidentItem] = field(default_factory=list)

    def compliance(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(on time, late) filings per channel (party, other party)."""
        out: dict[tuple[str, str], tuple[int, int]] = {}
        for lead in self.lead_times:
            on_time, late = out.get((lead.party, lead.to), (0, 0))
            out[lead.party, lead.to] = (on_time + (not lead.late), late + lead.late)
        return dict(sorted(out.items()))

    def latency_by_party(self, kind: str) -> dict[str, list[float]]:
        """The sorted latencies of ``kind`` of each party, in seconds."""
        out: dict[str, list[float]] = {}
        for item in self.latencies:
            if item.kind == kind:
                out.setdefault(item.party, []).append(item.latency_s)
        return {party: sorted(values) for party, values in sorted(out.items())}

    def escalations_by_rung(self) -> dict[int, int]:
        """How many escalations reached each rung."""
        out: dict[int, int] = {}
        for item in self.escalations:
            out[item.rung] = out.get(item.rung, 0) + 1
        return dict(sorted(out.items()))

    def tactical_by_severity(self) -> dict[str, int]:
        """How many live clashes were detected at each severity."""
        out: dict[str, int] = {}
        for item in self.tactical:
            out[item.severity] = out.get(item.severity, 0) + 1
        return dict(sorted(out.items()))

    def sources(self) -> dict[str, list[int]]:
        """The seqs each figure comes from (the report's appendix), sorted, per figure."""
        incidents = {s for i in self.incidents for s in (i.seq, *i.timeline)}
        latency = {s for i in self.latencies for s in (i.request_seq, i.answer_seq)}
        return {
            "lead_time": sorted({i.seq for i in self.lead_times}),
            "latency": sorted(latency | {i.seq for i in self.unanswered}),
            "escalations": sorted({i.seq for i in self.escalations}),
            "late_notices": sorted({i.seq for i in self.late_notices}),
            "tactical": sorted({i.seq for i in self.tactical}),
            "incidents": sorted(incidents),
        }


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _parties(entries: Iterable[Mapping[str, Any]]) -> set[str]:
    """The parties the entries name as filers, as late for a notice or as asked to answer."""
    found: set[str] = set()
    for entry in entries:
        payload = entry["payload"]
        if entry["type"] in LEAD_TYPES:
            found.add(str(payload["party"]))
            found.update(str(p) for p in payload["late_for"])
        for ack in payload.get("acks") or ():
            found.add(str(ack["party"]))
    return found


def review_figures(entries: Iterable[Mapping[str, Any]], start: datetime, end: datetime) -> Review:
    """Every figure of the review of ``[start, end)`` from ``entries`` (exported ledger entries
    in seq order; redacted ones are skipped). ValueError when ``end`` is not after ``start``."""
    if end <= start:
        raise ValueError(f"the period ends ({end.isoformat()}) before it starts")
    review = Review(start, end)
    chosen: list[Mapping[str, Any]] = []
    steps: dict[int, tuple[int, str, str]] = {}
    for entry in entries:
        seq = int(entry["seq"])
        review.head_seq = max(review.head_seq, seq)
        if "type" in entry:
            steps[seq] = (seq, str(entry["time"]), str(entry["type"]))
            if start <= _time(str(entry["time"])) < end:
                chosen.append(entry)
    review.entries = len(chosen)
    parties = _parties(chosen)
    requests: dict[str, tuple[str, str, str, datetime, int]] = {}
    versions: dict[tuple[str, int], tuple[datetime, int]] = {}
    for entry in chosen:
        seq, kind, payload = int(entry["seq"]), str(entry["type"]), entry["payload"]
        for ack in payload.get("acks") or ():
            requests[str(ack["id"])] = (
                str(ack["party"]),
                str(ack["subject"]),
                str(ack["subject_id"]),
                _time(str(ack["requested_at"])),
                seq,
            )
        if kind == MESSAGE_SENT:
            requests[str(payload["ack"])] = (
                str(payload["to"]),
                "message",
                str(payload["message"]),
                _time(str(payload["at"])),
                seq,
            )
        for ack_id in payload.get("acknowledged") or ():
            asked = requests.pop(str(ack_id), None)
            if asked is not None:
                party, subject, subject_id, requested_at, request_seq = asked
                latency_s = (_time(str(payload["at"])) - requested_at).total_seconds()
                review.latencies.append(
                    Latency(
                        "acknowledgement", party, subject, subject_id, latency_s, request_seq, seq
                    )
                )
        if kind in LEAD_TYPES:
            _lead(review, parties, payload, seq)
            version = (str(payload["notice"]), int(payload["version"]))
            versions[version] = (_time(str(entry["time"])), seq)
        elif kind in AGREEMENT_TYPES:
            asked_version = versions.get((str(payload["notice"]), int(payload["version"])))
            if asked_version is not None:
                latency_s = (_time(str(entry["time"])) - asked_version[0]).total_seconds()
                review.latencies.append(
                    Latency(
                        "agreement",
                        str(payload["party"]),
                        "notice",
                        str(payload["notice"]),
                        latency_s,
                        asked_version[1],
                        seq,
                    )
                )
        elif kind == LAPSED:
            requests.pop(str(payload["ack"]), None)
        elif kind == ESCALATED:
            review.escalations.append(
                Escalation(
                    str(payload["party"]),
                    int(payload["rung"]),
                    str(payload["rung_name"]),
                    str(payload["subject"]),
                    str(payload["subject_id"]),
                    seq,
                )
            )
        elif kind == TACTICAL:
            review.tactical.append(
                TacticalAlert(
                    str(payload["conflict"]), str(payload["kind"]), str(payload["severity"]), seq
                )
            )
        elif kind == INCIDENT:
            review.incidents.append(_incident(payload, seq))
    review.incidents = [
        replace(item, steps=tuple(steps[s] for s in item.timeline if s in steps))
        for item in review.incidents
    ]
    review.unanswered = [
        Unanswered(party, ack_id, subject, subject_id, seq)
        for ack_id, (party, subject, subject_id, _, seq) in requests.items()
    ]
    return review


def _lead(review: Review, parties: set[str], payload: Mapping[str, Any], seq: int) -> None:
    """Count a filing or amendment on each channel of its party, and as late when it is."""
    owner = str(payload["party"])
    late_for = tuple(str(p) for p in payload["late_for"])
    lead_time_s = float(payload["lead_time_s"])
    notice, version = str(payload["notice"]), int(payload["version"])
    for other in sorted(parties - {owner}):
        review.lead_times.append(
            ChannelLead(owner, other, notice, version, lead_time_s, other in late_for, seq)
        )
    if late_for:
        review.late_notices.append(LateNotice(notice, owner, version, lead_time_s, late_for, seq))


def _incident(payload: Mapping[str, Any], seq: int) -> IncidentItem:
    lon, lat = payload["position"]
    related = {key: payload[key] for key in RELATED}
    return IncidentItem(
        str(payload["incident"]),
        str(payload["from"]),
        str(payload["at"]),
        (float(lon), float(lat)),
        str(payload["narrative"]),
        {key: tuple(str(v) for v in values) for key, values in sorted(related.items())},
        tuple(int(s) for s in payload["timeline"]),
        seq,
    )
