"""An independent recomputation of the review's figures (R-REVIEW-1), written apart from
``domain/review.py``: the tests compare the two over generated and real ledgers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sharedsky.domain.review import Review

Entry = Mapping[str, Any]


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text)


def reference(entries: Sequence[Entry], start: datetime, end: datetime) -> dict[str, Any]:
    """Every figure recomputed the simple way: whole entries in the period, then one question
    at a time over all of them (no state carried between entries)."""
    inside = [e for e in entries if e.get("type") and start <= _t(e["time"]) < end]
    leads = [e for e in inside if e["type"] in ("notice.filed", "notice.amended")]
    parties: set[str] = set()
    for e in leads:
        parties |= {e["payload"]["party"], *e["payload"]["late_for"]}
    for e in inside:
        parties |= {a["party"] for a in e["payload"].get("acks") or []}
    compliance: dict[tuple[str, str], list[int]] = {}
    for e in leads:
        p = e["payload"]
        for other in parties - {p["party"]}:
            counts = compliance.setdefault((p["party"], other), [0, 0])
            counts[other in p["late_for"]] += 1
    # requests: (id, party, requested_at, seq)
    requests = [
        (a["id"], a["party"], _t(a["requested_at"]), e["seq"])
        for e in inside
        for a in e["payload"].get("acks") or []
    ] + [
        (e["payload"]["ack"], e["payload"]["to"], _t(e["payload"]["at"]), e["seq"])
        for e in inside
        if e["type"] == "message.sent"
    ]
    latency: dict[str, list[float]] = {}
    unanswered: set[str] = set()
    used: set[int] = set()
    for ack_id, party, asked_at, seq in requests:
        after = [
            e
            for e in inside
            if e["seq"] > seq
            and (
                ack_id in (e["payload"].get("acknowledged") or [])
                or (e["type"] == "ack.lapsed" and e["payload"]["ack"] == ack_id)
            )
        ]
        if not after:
            unanswered.add(ack_id)
            used.add(seq)
        elif after[0]["type"] != "ack.lapsed":
            answer = after[0]
            latency.setdefault(party, []).append(
                (_t(answer["payload"]["at"]) - asked_at).total_seconds()
            )
            used |= {seq, answer["seq"]}
    agreement: dict[str, list[float]] = {}
    for e in inside:
        if e["type"] in ("notice.agreed", "notice.denied", "notice.countered"):
            p = e["payload"]
            asked = [
                f
                for f in leads
                if f["seq"] < e["seq"]
                and (f["payload"]["notice"], f["payload"]["version"]) == (p["notice"], p["version"])
            ]
            if asked:
                delta = (_t(e["time"]) - _t(asked[-1]["time"])).total_seconds()
                agreement.setdefault(p["party"], []).append(delta)
                used |= {asked[-1]["seq"], e["seq"]}
    escalated = [e for e in inside if e["type"] == "ack.escalated"]
    tactical = [e for e in inside if e["type"] == "tactical.detected"]
    late = [e for e in leads if e["payload"]["late_for"]]
    incidents = [e for e in inside if e["type"] == "incident.filed"]
    return {
        "compliance": {k: tuple(v) for k, v in sorted(compliance.items())},
        "latency": {k: sorted(v) for k, v in sorted(latency.items())},
        "agreement": {k: sorted(v) for k, v in sorted(agreement.items())},
        "unanswered": unanswered,
        "escalations": dict(sorted(Counter(e["payload"]["rung"] for e in escalated).items())),
        "tactical": dict(sorted(Counter(e["payload"]["severity"] for e in tactical).items())),
        "late": [e["seq"] for e in late],
        "incidents": [(e["payload"]["incident"], e["payload"]["timeline"]) for e in incidents],
        "sources": {
            "lead_time": sorted(
                {e["seq"] for e in leads} if len(parties) > 1 else _owned_alone(leads, parties)
            ),
            "latency": sorted(used),
            "escalations": [e["seq"] for e in escalated],
            "late_notices": [e["seq"] for e in late],
            "tactical": [e["seq"] for e in tactical],
            "incidents": sorted(
                {e["seq"] for e in incidents}
                | {s for e in incidents for s in e["payload"]["timeline"]}
            ),
        },
    }


def _owned_alone(leads: list[Entry], parties: set[str]) -> set[int]:
    """With one party only, its filings count on no channel."""
    return {e["seq"] for e in leads if parties - {e["payload"]["party"]}}


def figures_of(review: Review) -> dict[str, Any]:
    """The same figures read from the function under test."""
    return {
        "compliance": review.compliance(),
        "latency": review.latency_by_party("acknowledgement"),
        "agreement": review.latency_by_party("agreement"),
        "unanswered": {u.ack for u in review.unanswered},
        "escalations": review.escalations_by_rung(),
        "tactical": review.tactical_by_severity(),
        "late": [n.seq for n in review.late_notices],
        "incidents": [(i.incident, list(i.timeline)) for i in review.incidents],
        "sources": review.sources(),
    }
