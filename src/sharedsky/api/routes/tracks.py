"""Routes of live tracks: a party reports its own, a viewer reads the live picture."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from sharedsky.api import convert
from sharedsky.api.auth import ActorDep, DepsDep, container_of
from sharedsky.api.routes._render import json_response
from sharedsky.domain.visibility import Viewer
from sharedsky.service.ports import Deps
from sharedsky.service.tactical import TacticalBoard
from sharedsky.service.tracks import Picture, Snapshot, ingest_tracks, visible_tracks
from sharedsky.wire import v1

router = APIRouter(tags=["tracks"])


async def picture_of(request: Request) -> Picture:
    """The app's live picture (``Container.picture``); a coroutine, resolved in the loop."""
    return container_of(request).picture


async def board_of(request: Request) -> TacticalBoard:
    """The app's tactical alert board (``Container.board``); a coroutine, resolved in the
    loop."""
    return container_of(request).board


PictureDep = Annotated[Picture, Depends(picture_of)]
BoardDep = Annotated[TacticalBoard, Depends(board_of)]


@router.post("/v1/tracks", status_code=202, responses={202: {"model": v1.TracksAccepted}})
def post_tracks(body: v1.TracksIn, actor: ActorDep, deps: DepsDep, picture: PictureDep) -> Response:
    """Report states of the caller's own aircraft (``tracks`` or ``columns``); states older
    than the maximum age are dropped (counted as ``stale``); one bad value refuses the batch
    with ``422`` and the path of the field."""
    report, columnar = convert.track_report_in(actor.party, body)
    done = ingest_tracks(deps, picture, actor, report, columnar=columnar)
    return json_response(convert.tracks_accepted(done), 202)


@router.get("/v1/tracks", responses={200: {"model": v1.TrackList}})
def get_tracks(actor: ActorDep, deps: DepsDep, picture: PictureDep, board: BoardDep) -> Response:
    """The live picture the caller may see: its own tracks, and the counterparties' as the
    sharing policy allows (``conflicts_only``: the tracks of tactical alerts sent to it)."""
    now = deps.clock.now()
    snap = live_picture(deps, actor.viewer, picture, board, now)
    return json_response(convert.track_list(snap, now))


def live_picture(
    deps: Deps, viewer: Viewer, picture: Picture, board: TacticalBoard, now: datetime
) -> Snapshot:
    """The live tracks ``viewer`` may see at ``now``: the picture cut by ``visible_tracks``,
    with the tracks of the tactical alerts told to the viewer's party (``conflicts_only``)."""
    alerted: set[str] = set()
    for alert in board.current():
        told = board.audiences.get(alert.id, ())
        if viewer.party in told:
            alerted.add(f"{alert.key.a_party}/{alert.key.a_track}")
            if alert.key.b_type == "track":
                alerted.add(f"{alert.key.b_party}/{alert.key.b_id}")
    return visible_tracks(deps.mechanism, viewer, picture.snapshot(now.timestamp()), alerted)
