"""Exports and imports: the caller's visible picture to an ``ExportSet`` (cut to a box and a
window), a file's parsed items to drafts, and an import's report to its answer
(``wire/v1/formats.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sharedsky.api.convert.common import area_out, outline_in
from sharedsky.api.convert.conflicts import conflicts_seen
from sharedsky.api.convert.notices import notice_draft
from sharedsky.api.convert.zones import zone_draft
from sharedsky.domain.errors import InvalidInput
from sharedsky.domain.mechanism import CommsCard, Mechanism, Party
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.visibility import Viewer
from sharedsky.geo.outlines import outline_bbox
from sharedsky.interop.formats.model import ExportSet
from sharedsky.interop.formats.reading import Parsed
from sharedsky.service.imports import ImportItem, ImportReport
from sharedsky.wire import v1

PARTS = ("notices", "zones", "conflicts", "tracks")
"""What an export may hold (``what``), in the order it is written."""

BBox = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Cut:
    """What of the visible picture an export keeps: the parts, a box and a window."""

    parts: frozenset[str]
    bbox: BBox | None
    time_from: datetime | None
    time_to: datetime | None

    def meets_window(self, start: datetime, end: datetime | None) -> bool:
        """True when [start, end) (end None: open) overlaps the cut's window."""
        if self.time_to is not None and start >= self.time_to:
            return False
        return self.time_from is None or end is None or end > self.time_from

    def meets_box(self, west: float, south: float, east: float, north: float) -> bool:
        """True when the box (degrees) meets the cut's box (or there is none)."""
        if self.bbox is None:
            return True
        min_lon, min_lat, max_lon, max_lat = self.bbox
        return west <= max_lon and east >= min_lon and south <= max_lat and north >= min_lat

    def keeps(self, volume: v1.Volume) -> bool:
        """True when the volume meets both the box and the window."""
        box = outline_bbox(outline_in(volume.outline))
        return self.meets_box(*box) and self.meets_window(volume.time.start, volume.time.end)


def parts_of(what: str | None) -> frozenset[str]:
    """The parts named by ``what`` (a comma list; None: all); InvalidInput naming ``what``."""
    if what is None:
        return frozenset(PARTS)
    named = {p.strip() for p in what.split(",") if p.strip()}
    unknown = sorted(named - set(PARTS))
    if unknown or not named:
        raise InvalidInput(
            f"what must name some of {', '.join(PARTS)} (comma-separated); "
            f"unknown: {', '.join(unknown) or '(none)'}",
            ("what",),
        )
    return frozenset(named)


def comms_out(card: CommsCard | None) -> v1.CommsCardOut | None:
    """The wire form of a comms card (None stays None)."""
    if card is None:
        return None
    return v1.CommsCardOut(
        frequencies=[v1.FrequencyOut(label=f.label, mhz=f.mhz) for f in card.frequencies],
        phones=[v1.PhoneOut(label=p.label, number=p.number) for p in card.phones],
        languages=list(card.languages),
        hours=card.hours,
    )


def party_out(party: Party, colour: str) -> v1.PartyOut:
    """A party (or the host) with its colour and comms card."""
    return v1.PartyOut(
        id=party.id,
        name=party.name,
        language=party.language,
        colour=colour,
        comms=comms_out(party.comms),
    )


def mechanism_out(mech: Mechanism) -> v1.MechanismOut:
    """The mechanism as a party reads it: its parties with their colours and every channel."""
    colours = mech.colours()
    channels = []
    for i, a in enumerate(mech.parties):
        for b in mech.parties[i + 1 :]:
            rules = mech.channel(a.id, b.id)
            channels.append(
                v1.ChannelOut(
                    between=(a.id, b.id),
                    sharing=rules.sharing.value,
                    min_lead_time_s=dict(rules.min_lead_time_s),
                    ack_deadline_s={k.value: v for k, v in rules.ack_deadline_s.items()},
                    separation=v1.SeparationOut(
                        lateral_m=rules.separation.lateral_m,
                        vertical_m=rules.separation.vertical_m,
                        time_s=rules.separation.time_s,
                    ),
                )
            )
    host = mech.host
    return v1.MechanismOut(
        mechanism=mech.name,
        host=party_out(host, colours[host.id]),
        parties=[party_out(p, colours[p.id]) for p in mech.parties],
        channels=channels,
        area=area_out(mech.area),
        datums=v1.DatumsOut(
            qnh_min_hpa=mech.datums.qnh_min_hpa,
            qnh_max_hpa=mech.datums.qnh_max_hpa,
            terrain_min_m=mech.datums.terrain_min_m,
            terrain_max_m=mech.datums.terrain_max_m,
        ),
        notam=v1.NotamOut(
            fir=mech.notam.fir,
            qcodes={str(k): v for k, v in mech.notam.qcodes.items()},
            traffic=mech.notam.traffic,
            purpose=mech.notam.purpose,
            scope=mech.notam.scope,
        ),
    )


def _notice_cut(notice: v1.NoticeOut, cut: Cut) -> v1.NoticeOut | None:
    """The notice with only its volumes (as the caller sees them) in the box and window;
    None when none is. Deciding on the volumes shown, never on hidden ones, tells a
    ``conflicts_only`` counterparty nothing of where the hidden ones lie."""
    kept = [v for v in notice.volumes if cut.keeps(v)]
    if not kept:
        return None
    return notice.model_copy(update={"volumes": kept})


def export_set(
    *,
    mech: Mechanism,
    viewer: Viewer,
    now: datetime,
    cut: Cut,
    notices: Iterable[v1.NoticeOut],
    zones: Iterable[v1.ZoneOut],
    conflicts: Iterable[v1.ConflictOut],
    tracks: Iterable[v1.TrackOut],
) -> ExportSet:
    """The ``ExportSet`` of what the caller's reads returned, cut to the box and window; only
    current objects (notices planned or active, zones active, conflicts open) and the parts
    asked for."""
    mechanism = mechanism_out(mech)
    kept_notices = []
    if "notices" in cut.parts:
        for notice in notices:
            if notice.status in ("planned", "active"):
                shown = _notice_cut(notice, cut)
                if shown is not None:
                    kept_notices.append(shown)
    kept_zones = [
        z for z in zones if "zones" in cut.parts and z.status == "active" and cut.keeps(z.volume)
    ]
    kept_conflicts = []
    if "conflicts" in cut.parts:
        for conflict in conflicts:
            if conflict.state != "open":
                continue
            if not cut.meets_window(conflict.window.start, conflict.window.end):
                continue
            if cut.bbox is not None and not _region_meets(conflict.region, cut):
                continue
            kept_conflicts.append(conflict)
    kept_tracks = []
    if (
        "tracks" in cut.parts
        and cut.meets_window(now, None)
        and (cut.time_to is None or now < cut.time_to)
    ):
        kept_tracks = [t for t in tracks if cut.meets_box(t.lon, t.lat, t.lon, t.lat)]
    return ExportSet(
        generated_at=now,
        viewer=str(viewer.party),
        parties=(mechanism.host, *mechanism.parties),
        notices=tuple(kept_notices),
        zones=tuple(kept_zones),
        conflicts=tuple(kept_conflicts),
        tracks=tuple(kept_tracks),
        mechanism=mechanism,
    )


def _region_meets(region: dict[str, object], cut: Cut) -> bool:
    positions: list[tuple[float, float]] = []

    def walk(value: object) -> None:
        if (
            isinstance(value, list)
            and len(value) >= 2
            and all(isinstance(n, int | float) for n in value[:2])
        ):
            lon, lat = value[0], value[1]
            assert isinstance(lon, int | float) and isinstance(lat, int | float)
            positions.append((float(lon), float(lat)))
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(region.get("coordinates"))
    if not positions:
        return False
    lons = [p[0] for p in positions]
    lats = [p[1] for p in positions]
    return cut.meets_box(min(lons), min(lats), max(lons), max(lats))


def import_items(parsed: Parsed) -> list[ImportItem]:
    """The drafts of a file's parsed notices and zones, each with its feature's index."""
    return [
        ImportItem(
            item.index,
            notice_draft(item.body)
            if isinstance(item.body, v1.NoticeIn)
            else zone_draft(item.body),
        )
        for item in parsed.items
    ]


def import_out(
    report: ImportReport,
    format_name: str,
    ignored: int,
    viewer: Viewer,
    mechanism: Mechanism,
    now: datetime,
) -> v1.ImportOut:
    """The answer to an import: each item with the conflicts the caller may see of it."""
    items = []
    for done in report.items:
        draft = done.draft
        is_notice = isinstance(draft, NoticeDraft)
        items.append(
            {
                "index": done.index,
                "type": "notice" if is_notice else "zone",
                "id": done.id,
                "kind": str(draft.kind),
                "title": draft.title,
                "volumes": len(draft.volumes) if isinstance(draft, NoticeDraft) else 1,
                "lead_time_s": done.lead_time_s,
                "late_for": list(done.late_for),
                "conflicts": conflicts_seen(viewer, done.conflicts, mechanism, now),
            }
        )
    return v1.ImportOut.model_validate(
        {
            "format": format_name,
            "dry_run": report.dry_run,
            "filed": 0 if report.dry_run else len(report.items),
            "items": items,
            "problems": [
                {"index": p.index, "reason": p.reason, "path": list(p.path)}
                for p in report.problems
            ],
            "ignored": ignored,
        }
    )
