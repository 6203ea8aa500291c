"""The review's figures (R-REVIEW-1): ``review_figures`` against an independent recomputation
written here, over generated ledgers and over a busy day's real ledger; a party's export gives
the figures of the entries it may see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from _hypothesis import examples
from _review_reference import figures_of, reference
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.domain.review import review_figures

START = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
END = START + timedelta(hours=6)

# -- generated ledgers ----------------------------------------------------------------------

PARTIES = ["alpha", "bravo", "charlie"]
NOTICES = ["ntc-1", "ntc-2", "ntc-3"]


def _when(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).isoformat()


@st.composite
def ledgers(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A ledger of the entries the review reads (and others it must ignore), in seq order,
    some before or after the period, some redacted; every request id is new."""
    count = draw(st.integers(0, 40))
    minutes = sorted(draw(st.lists(st.integers(-120, 480), min_size=count, max_size=count)))
    asked: list[str] = []
    out: list[dict[str, Any]] = []
    for seq, minute in enumerate(minutes, start=1):
        kind = draw(
            st.sampled_from(
                [
                    "notice.filed", "notice.amended", "conflict.detected", "message.sent",
                    "conflict.acknowledged", "notice.acknowledged", "ack.lapsed",
                    "ack.escalated", "tactical.detected", "incident.filed", "notice.agreed",
                    "notice.denied", "zone.declared", "redacted",
                ]
            )
        )  # fmt: skip
        party = draw(st.sampled_from(PARTIES))
        at = _when(minute)
        acks = [
            {
                "id": f"ack-{seq}-{i}",
                "party": other,
                "requested_at": _when(minute - lag),
                "subject": kind.split(".")[0],
                "subject_id": f"s-{seq}",
            }
            for i, (other, lag) in enumerate(
                draw(st.lists(st.tuples(st.sampled_from(PARTIES), st.integers(0, 30)), max_size=2))
            )
        ]
        payload: dict[str, Any]
        if kind in ("notice.filed", "notice.amended"):
            payload = {
                "notice": draw(st.sampled_from(NOTICES)),
                "version": draw(st.integers(1, 3)),
                "party": party,
                "lead_time_s": draw(st.integers(-600, 100_000)),
                "late_for": draw(st.lists(st.sampled_from(PARTIES), unique=True, max_size=2)),
                "acks": acks,
            }
        elif kind in ("conflict.detected", "tactical.detected"):
            severity = draw(st.sampled_from(["advisory", "caution", "warning"]))
            payload = {"conflict": f"c-{seq}", "kind": "separation", "acks": acks,
                       "severity": severity}  # fmt: skip
        elif kind == "message.sent":
            payload = {"message": f"m-{seq}", "ack": f"ack-{seq}", "to": party, "at": at}
        elif kind in ("conflict.acknowledged", "notice.acknowledged"):
            picked = draw(st.lists(st.sampled_from(asked), max_size=2)) if asked else []
            payload = {"party": party, "at": at, "acknowledged": picked, "receipt": None}
        elif kind == "ack.lapsed":
            payload = {"ack": draw(st.sampled_from(asked)) if asked else "ack-none", "party": party}
        elif kind == "ack.escalated":
            payload = {"ack": "x", "party": party, "rung": draw(st.integers(1, 3)),
                       "rung_name": "host", "subject": "notice", "subject_id": "ntc-1"}  # fmt: skip
        elif kind == "incident.filed":
            payload = {"incident": f"inc-{seq}", "from": party, "to": [], "at": at,
                       "position": [36.0, 34.0], "narrative": "n", "notices": [], "zones": [],
                       "conflicts": [], "tracks": [],
                       "timeline": sorted(draw(st.sets(st.integers(1, seq), max_size=3))),
                       }  # fmt: skip
        elif kind in ("notice.agreed", "notice.denied"):
            payload = {"notice": draw(st.sampled_from(NOTICES)),
                       "version": draw(st.integers(1, 3)), "party": party}  # fmt: skip
        else:
            payload = {"zone": "z"}
        asked += [a["id"] for a in payload.get("acks") or []]
        if kind == "message.sent":
            asked.append(payload["ack"])
        entry: dict[str, Any] = {"seq": seq, "hash": "h", "sig": "s"}
        if kind != "redacted":
            entry |= {"time": at.replace("+00:00", "Z"), "type": kind, "payload": payload}
        else:
            entry |= {"content_hash": "c"}
        out.append(entry)
    return out


@given(ledgers())
@settings(max_examples=examples(200), deadline=None)
def test_the_figures_equal_an_independent_recomputation(entries: list[dict[str, Any]]) -> None:
    """R-REVIEW-1: every figure and every appendix seq, over generated ledgers."""
    assert figures_of(review_figures(entries, START, END)) == reference(entries, START, END)


@given(ledgers(), st.data())
@settings(max_examples=examples(100), deadline=None)
def test_a_partys_view_gives_the_figures_of_the_entries_it_sees(
    entries: list[dict[str, Any]], data: st.DataObject
) -> None:
    """R-REVIEW-3: redacting what a party may not see gives the figures of the rest alone."""
    hidden = data.draw(
        st.sets(st.sampled_from([e["seq"] for e in entries]) if entries else st.nothing())
    )
    seen = [
        e if e["seq"] not in hidden else {"seq": e["seq"], "hash": "h", "content_hash": "c"}
        for e in entries
    ]
    kept = [e for e in entries if e["seq"] not in hidden]
    party = figures_of(review_figures(seen, START, END))
    assert party == figures_of(review_figures(kept, START, END))
    assert party == reference(kept, START, END)


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        review_figures([], END, START)
    with pytest.raises(ValueError, match="before it starts"):
        review_figures([], START, START)


def _entry(seq: int, minute: int, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"seq": seq, "time": _when(minute), "type": kind, "payload": payload}


def test_each_figure_on_a_small_ledger() -> None:
    """A late filing, its acknowledgement 4 minutes on, an agreement, an escalation, an alert
    and an incident: each figure as a reader would count it."""
    ask = {"id": "ack-1", "party": "bravo", "requested_at": _when(0), "subject": "notice",
           "subject_id": "ntc-1"}  # fmt: skip
    filed = {"notice": "ntc-1", "version": 1, "party": "alpha", "lead_time_s": 600,
             "late_for": ["bravo"], "acks": [ask]}  # fmt: skip
    entries = [
        _entry(1, -10, "notice.filed", {**filed, "notice": "ntc-0", "acks": []}),  # before
        _entry(2, 0, "notice.filed", filed),
        _entry(
            3,
            4,
            "notice.acknowledged",
            {"party": "bravo", "at": _when(4), "acknowledged": ["ack-1"]},
        ),
        _entry(4, 9, "notice.agreed", {"notice": "ntc-1", "version": 1, "party": "bravo"}),
        _entry(
            5,
            30,
            "ack.escalated",
            {
                "ack": "ack-9",
                "party": "alpha",
                "rung": 2,
                "rung_name": "host",
                "subject": "conflict",
                "subject_id": "cfl-1",
            },
        ),
        _entry(
            6,
            31,
            "tactical.detected",
            {"conflict": "tac-1", "kind": "separation", "severity": "warning", "acks": []},
        ),
        _entry(
            7,
            40,
            "incident.filed",
            {
                "incident": "inc-1",
                "from": "alpha",
                "at": _when(35),
                "position": [36.1, 34.2],
                "narrative": "near miss",
                "notices": ["ntc-1"],
                "zones": [],
                "conflicts": [],
                "tracks": ["A1"],
                "timeline": [2, 3],
            },
        ),
        {"seq": 8, "hash": "h", "content_hash": "c"},  # redacted
    ]
    review = review_figures(entries, START, END)
    assert (review.entries, review.head_seq) == (6, 8)
    assert review.compliance() == {("alpha", "bravo"): (0, 1)}
    assert review.latency_by_party("acknowledgement") == {"bravo": [240.0]}
    assert review.latency_by_party("agreement") == {"bravo": [540.0]}
    assert review.escalations_by_rung() == {2: 1}
    assert review.tactical_by_severity() == {"warning": 1}
    assert [(n.notice, n.late_for) for n in review.late_notices] == [("ntc-1", ("bravo",))]
    [incident] = review.incidents
    assert incident.related == {
        "conflicts": (), "notices": ("ntc-1",), "tracks": ("A1",), "zones": ()
    }  # fmt: skip
    assert (incident.party, incident.position, incident.timeline) == ("alpha", (36.1, 34.2), (2, 3))
    assert [kind for _, _, kind in incident.steps] == ["notice.filed", "notice.acknowledged"]
    assert review.sources() == {
        "lead_time": [2], "latency": [2, 3, 4], "escalations": [5], "late_notices": [2],
        "tactical": [6], "incidents": [2, 3, 7],
    }  # fmt: skip
