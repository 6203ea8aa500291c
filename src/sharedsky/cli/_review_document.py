"""The review report as a file: figures drawn with matplotlib (Agg, no display), as a PDF
(``PdfPages``, one figure a page, then the tables and the appendix) or as one self-contained
HTML page (the plots inline as SVG). Every number comes from ``domain.review.Review``; the
appendix lists, per figure, the ledger seqs it was computed from.

The output is reproducible: the same review gives the same bytes (no creation date in the
PDF, a fixed hash salt in the SVG), so a signature made once can be checked against a file
rendered again.
"""

from __future__ import annotations

import html
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sharedsky.domain.review import Review

FORMATS = {".pdf": "pdf", ".html": "html"}
"""The report's formats by file extension."""

_LINES_PER_PAGE = 48


@dataclass(frozen=True, slots=True)
class Document:
    """A rendered report: its bytes and its page count (one for HTML)."""

    data: bytes
    pages: int


def _figures(review: Review) -> list[tuple[str, Figure]]:
    """The plots, each with its title."""
    from matplotlib.figure import Figure

    out: list[tuple[str, Figure]] = []
    compliance = review.compliance()
    fig = Figure(figsize=(8.27, 5.0))
    ax = fig.add_subplot()
    for (party, to), _ in compliance.items():
        leads_h = [
            lead.lead_time_s / 3600
            for lead in review.lead_times
            if (lead.party, lead.to) == (party, to)
        ]
        ax.hist(leads_h, bins=20, alpha=0.6, label=f"{party} → {to}")
    ax.set_xlabel("lead time (h)")
    ax.set_ylabel("notice versions")
    if compliance:
        ax.legend()
    out.append(("Lead time per channel", fig))
    for kind in ("acknowledgement", "agreement"):
        by_party = review.latency_by_party(kind)
        if kind == "agreement" and not by_party:
            continue
        fig = Figure(figsize=(8.27, 5.0))
        ax = fig.add_subplot()
        if by_party:
            ax.boxplot(
                [[v / 60 for v in values] for values in by_party.values()],
                tick_labels=list(by_party),
            )
        ax.set_ylabel("latency (min)")
        out.append((f"{kind.capitalize()} latency per party", fig))
    for title, counts, xlabel in (
        (
            "Escalations by rung",
            {str(k): v for k, v in review.escalations_by_rung().items()},
            "rung",
        ),
        ("Tactical alerts by severity", review.tactical_by_severity(), "severity"),
    ):
        fig = Figure(figsize=(8.27, 4.0))
        ax = fig.add_subplot()
        ax.bar(list(counts), list(counts.values()))
        ax.set_xlabel(xlabel)
        ax.set_ylabel("count")
        out.append((title, fig))
    return out


def _tables(review: Review) -> list[tuple[str, list[str]]]:
    """The report's tables as lines of text, each table with its title."""
    comp = [
        f"{party} → {to}: {on_time} on time, {late} late"
        for (party, to), (on_time, late) in review.compliance().items()
    ]
    late = [
        f"seq {n.seq}: notice {n.notice} v{n.version} of {n.party}, lead time "
        f"{n.lead_time_s:.0f} s, late for {', '.join(n.late_for)}"
        for n in review.late_notices
    ]
    latency = [
        f"{party}: {len(values)} answered, median {sorted(values)[len(values) // 2]:.0f} s, "
        f"longest {max(values):.0f} s"
        for party, values in review.latency_by_party("acknowledgement").items()
    ]
    open_ = [
        f"seq {u.seq}: {u.party} owes {u.ack} ({u.subject} {u.subject_id})"
        for u in review.unanswered
    ]
    escalations = [
        f"seq {e.seq}: {e.party}, {e.subject} {e.subject_id} → rung {e.rung} ({e.rung_name})"
        for e in review.escalations
    ]
    tactical = [f"seq {t.seq}: {t.severity} {t.kind} alert {t.conflict}" for t in review.tactical]
    incidents: list[str] = []
    for item in review.incidents:
        related = "; ".join(f"{k}: {', '.join(v)}" for k, v in item.related.items() if v)
        incidents += [
            f"seq {item.seq}: incident {item.incident} by {item.party} at {item.at}, "
            f"lon {item.position[0]:.4f} lat {item.position[1]:.4f}",
            f"  {item.narrative}",
            f"  related: {related or 'nothing'}",
            f"  timeline seqs: {', '.join(map(str, item.timeline)) or 'none'}",
            *(f"    seq {seq} {time} {kind}" for seq, time, kind in item.steps),
        ]
    appendix = [
        f"{name}: {', '.join(map(str, seqs)) or 'none'}" for name, seqs in review.sources().items()
    ]
    return [
        ("Lead-time compliance per channel", comp),
        ("Late notices", late),
        ("Acknowledgement latency per party", latency),
        ("Acknowledgements still owed at the end of the period", open_),
        ("Escalations", escalations),
        ("Tactical alerts", tactical),
        ("Incidents and their timelines", incidents),
        ("Appendix: ledger seqs behind each figure", appendix),
    ]


def _heading(review: Review, who: str) -> list[str]:
    return [
        f"sharedsky periodic review — {who}",
        f"period {review.start.isoformat()} to {review.end.isoformat()} (end excluded)",
        f"{review.entries} ledger entries read in the period; ledger head seq {review.head_seq}",
    ]


def render(review: Review, kind: str, who: str) -> Document:
    """The report of ``review`` as ``kind`` (``pdf`` or ``html``), headed for ``who``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rcParams

    rcParams["svg.hashsalt"] = "sharedsky-review"
    rcParams["svg.fonttype"] = "none"
    figures = _figures(review)
    tables = _tables(review)
    if kind == "pdf":
        return _pdf(_heading(review, who), figures, tables)
    return _html(_heading(review, who), figures, tables)


def _text_pages(lines: Sequence[str]) -> list[Figure]:
    from matplotlib.figure import Figure

    pages = []
    for start in range(0, max(len(lines), 1), _LINES_PER_PAGE):
        fig = Figure(figsize=(8.27, 11.69))
        chunk = lines[start : start + _LINES_PER_PAGE]
        fig.text(0.06, 0.96, "\n".join(chunk), va="top", family="monospace", fontsize=7.5)
        pages.append(fig)
    return pages


def _pdf(
    heading: list[str], figures: list[tuple[str, Figure]], tables: list[tuple[str, list[str]]]
) -> Document:
    from matplotlib.backends.backend_pdf import PdfPages

    sink = io.BytesIO()
    metadata: Mapping[str, Any] = {"CreationDate": None, "Creator": "sharedsky", "Producer": None}
    pages = 0
    with PdfPages(sink, metadata=dict(metadata)) as pdf:
        lines = [*heading, ""]
        for title, rows in tables:
            lines += [title, *(rows or ["(none)"]), ""]
        for page in _text_pages(lines):
            pdf.savefig(page)
            pages += 1
        for title, fig in figures:
            fig.suptitle(title)
            pdf.savefig(fig)
            pages += 1
    return Document(sink.getvalue(), pages)


def _html(
    heading: list[str], figures: list[tuple[str, Figure]], tables: list[tuple[str, list[str]]]
) -> Document:
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(heading[0])}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:auto}"
        "pre{white-space:pre-wrap}</style></head><body>",
        f"<h1>{html.escape(heading[0])}</h1>",
        *(f"<p>{html.escape(line)}</p>" for line in heading[1:]),
    ]
    for title, fig in figures:
        svg = io.StringIO()
        fig.savefig(svg, format="svg", metadata={"Date": None})
        body = svg.getvalue()
        body = body[body.index("<svg") :]
        parts += [f"<h2>{html.escape(title)}</h2>", f"<figure>{body}</figure>"]
    for title, rows in tables:
        text = "\n".join(rows) or "(none)"
        parts += [f"<h2>{html.escape(title)}</h2>", f"<pre>{html.escape(text)}</pre>"]
    parts.append("</body></html>")
    return Document(("\n".join(parts) + "\n").encode("utf-8"), 1)
