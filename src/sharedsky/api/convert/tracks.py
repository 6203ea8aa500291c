"""Live tracks and tactical alerts: a reported batch to the domain's columns, an alert as seen
(``wire/v1/tracks.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from sharedsky.api.convert.common import as_utc
from sharedsky.domain.channels import Sharing
from sharedsky.domain.errors import Forbidden
from sharedsky.domain.ids import PartyId
from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.tactical import OpenAlert, StoredAlert
from sharedsky.domain.tracks import TrackReport, report_of
from sharedsky.domain.visibility import Viewer
from sharedsky.service.tracks import Ingested, Snapshot
from sharedsky.wire import v1

_NOT_OWN = "a party reports its own tracks only, not those of {!r}"


def track_report_in(party: PartyId, body: v1.TracksIn) -> tuple[TrackReport, bool]:
    """The reported batch of a POST /v1/tracks body, and whether it came in columns; Forbidden
    when a state names another party."""
    if body.columns is not None:
        c = body.columns
        for index, named in enumerate(c.party or []):
            if named != party:
                raise Forbidden(_NOT_OWN.format(named), ("columns", "party", index))
        n = len(c.id)
        columns = {
            "lat": c.lat,
            "lon": c.lon,
            "alt_m": c.alt_m,
            "gs_mps": c.gs_mps,
            "trk_deg": c.trk_deg,
            "vs_mps": c.vs_mps if c.vs_mps is not None else [0.0] * n,
        }
        times = [t.timestamp() for t in c.time]
        report = report_of(party, c.id, times, columns, c.notice_id, c.callsign, c.alt_ref)
        return report, True
    states = body.tracks or []
    for index, state in enumerate(states):
        if state.party is not None and state.party != party:
            raise Forbidden(_NOT_OWN.format(state.party), ("tracks", index, "party"))
    columns = {
        "lat": [s.lat for s in states],
        "lon": [s.lon for s in states],
        "alt_m": [s.alt_m for s in states],
        "gs_mps": [s.gs_mps for s in states],
        "trk_deg": [s.trk_deg for s in states],
        "vs_mps": [s.vs_mps for s in states],
    }
    ids = [s.id for s in states]
    times = [s.time.timestamp() for s in states]
    notices = [s.notice_id for s in states]
    callsigns = [s.callsign for s in states]
    refs = [s.alt_ref for s in states]
    return report_of(party, ids, times, columns, notices, callsigns, refs), False


def tracks_accepted(done: Ingested) -> v1.TracksAccepted:
    """The answer to a reported batch: how many states were kept, how many dropped as stale."""
    return v1.TracksAccepted(accepted=done.accepted, stale=done.stale)


def track_list(snap: Snapshot, now: datetime) -> v1.TrackList:
    """The live picture ``snap`` as seen at ``now``, each track with its age in seconds."""
    now_s = now.timestamp()
    states = snap.states
    tracks = [
        v1.TrackOut(
            id=snap.ids[i],
            party=snap.parties[i],
            time=datetime.fromtimestamp(float(snap.time_s[i]), UTC),
            lat=float(states.lat_deg[i]),
            lon=float(states.lon_deg[i]),
            alt_m=float(states.alt_m[i]),
            alt_ref=snap.alt_refs[i],
            gs_mps=float(states.gs_mps[i]),
            trk_deg=float(states.trk_deg[i]),
            vs_mps=float(states.vs_mps[i]),
            notice_id=snap.notice_ids[i],
            callsign=snap.callsigns[i],
            age_s=round(max(now_s - float(snap.time_s[i]), 0.0), 3),
        )
        for i in range(len(snap))
    ]
    return v1.TrackList(time=now, tracks=tracks)


def tactical_out(
    alert: StoredAlert, live: OpenAlert | None, viewer: Viewer, mechanism: Mechanism
) -> v1.TacticalConflictOut:
    """A tactical alert as ``viewer`` sees it, with the latest figures when it is live; a
    track side's callsign (the figures' ``a_callsign``, ``b_callsign``) goes to its side. The
    other side's id and callsign are withheld where the viewer's channel with its owner is
    ``host_only``."""
    key = alert.key
    figures = dict(live.figures if live is not None else alert.figures)
    callsigns = {name: figures.pop(f"{name}_callsign", None) for name in ("a", "b")}
    margin = figures.pop("datum_margin_m", None)

    def side(name: str, kind: str, object_id: str, party: PartyId) -> v1.TacticalSide:
        hidden = (
            not viewer.is_host
            and party != viewer.party
            and mechanism.channel(viewer.party, party).sharing is Sharing.HOST_ONLY
        )
        callsign = callsigns[name]
        return v1.TacticalSide(
            type=kind,
            id=None if hidden else object_id,
            party=party,
            callsign=callsign if isinstance(callsign, str) and not hidden else None,
        )

    return v1.TacticalConflictOut(
        id=alert.id,
        category=str(key.kind),
        severity=str(live.severity if live is not None else alert.severity),
        state=alert.state,
        a=side("a", "track", key.a_track, key.a_party),
        b=side("b", key.b_type, key.b_id, key.b_party),
        figures=figures,
        datum_margin_m=float(margin) if isinstance(margin, int | float) else None,
        opened_at=as_utc(alert.opened_at),
        updated_at=as_utc(live.last_found if live is not None else alert.updated_at),
        cleared_at=None if alert.cleared_at is None else as_utc(alert.cleared_at),
    )


def tactical_list(
    alerts: Iterable[StoredAlert],
    live: Mapping[str, OpenAlert],
    viewer: Viewer,
    mechanism: Mechanism,
) -> v1.TacticalConflictList:
    """The wire form of a list of tactical alerts as ``viewer`` sees them, each with its latest
    figures where ``live`` (open alerts by id) holds it."""
    return v1.TacticalConflictList(
        conflicts=[tactical_out(a, live.get(a.id), viewer, mechanism) for a in alerts]
    )
