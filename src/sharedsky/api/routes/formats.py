"""Routes of the exchange formats: export the caller's picture, import a file of notices or
zones (``interop/formats``)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Literal

import anyio.to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from sharedsky.api import convert
from sharedsky.api.auth import ActorDep, ContainerDep, DepsDep, KeyDep, RequestKey
from sharedsky.api.convert.formats import Cut
from sharedsky.api.routes._render import idempotent
from sharedsky.api.routes.tracks import BoardDep, PictureDep, live_picture
from sharedsky.domain.errors import InvalidInput
from sharedsky.interop import formats
from sharedsky.interop.formats.heights import FileLimit, HeightError, band_from, height_option
from sharedsky.interop.formats.reading import ReadOptions
from sharedsky.service import queries, receipts
from sharedsky.service.context import Idempotency
from sharedsky.service.imports import ImportReport, import_drafts
from sharedsky.wire import v1

router = APIRouter(tags=["formats"])

_EXPORTS = ", ".join(n for n, f in formats.FORMATS.items() if f.exports)
_IMPORTS = ", ".join(n for n, f in formats.FORMATS.items() if f.imports)


@router.get(
    "/v1/export",
    responses={
        200: {
            "description": "The export, in the format's media type.",
            "content": {
                f.media_type: {"schema": {"type": "string"}}
                for f in formats.FORMATS.values()
                if f.exports
            },
        }
    },
)
def export(
    actor: ActorDep,
    deps: DepsDep,
    container: ContainerDep,
    picture: PictureDep,
    board: BoardDep,
    format: Annotated[str, Query(description=f"One of {_EXPORTS}.")],
    bbox: Annotated[str | None, Query(description="min_lon,min_lat,max_lon,max_lat")] = None,
    time_from: Annotated[datetime | None, Query(alias="from")] = None,
    time_to: Annotated[datetime | None, Query(alias="to")] = None,
    what: Annotated[
        str | None,
        Query(description="Comma list of notices, zones, conflicts, tracks (default: all)."),
    ] = None,
    include: Annotated[
        str | None,
        Query(description="`notices`: ED-318 (a format of zones) holds notices too."),
    ] = None,
) -> Response:
    """The caller's current picture in an exchange format: its notices (filed or active),
    zones (active), open conflicts and live tracks, each exactly as its reads show them,
    cut to ``bbox`` and the window [``from``, ``to``). Reading the notices and conflicts
    exported delivers them to the caller's party (R-LEAD-2)."""
    fmt = formats.export_format(format)
    write = formats.writer(format)
    flt = convert.notice_filter(
        bbox=bbox,
        time_from=time_from,
        time_to=time_to,
        party=None,
        status=None,
        kind=None,
        limit=1_000_000,
    )
    parts = convert.parts_of(what)
    if fmt.notices_on_request and include != "notices":
        parts -= {"notices"}
    elif include not in (None, "notices"):
        raise InvalidInput("include may only be notices", ("include",))
    cut = Cut(parts, flt.bbox, flt.time_from, flt.time_to)
    viewer = actor.viewer
    now = deps.clock.now()
    notice_views = queries.list_notices(deps, viewer, flt) if "notices" in parts else []
    zone_views = queries.list_zones(deps, viewer) if "zones" in parts else []
    conflict_views = queries.list_conflicts(deps, viewer, None) if "conflicts" in parts else []
    snap = live_picture(deps, viewer, picture, board, now) if "tracks" in parts else None
    picture_set = convert.export_set(
        mech=deps.mechanism,
        viewer=viewer,
        now=now,
        cut=cut,
        notices=convert.notice_list(notice_views, now).notices,
        zones=convert.zone_list(zone_views, now).zones,
        conflicts=convert.conflict_list(conflict_views, viewer, now).conflicts,
        tracks=[] if snap is None else convert.track_list(snap, now).tracks,
    )
    body = write(picture_set)
    shown_notices = {n.id for n in picture_set.notices}
    shown_conflicts = {c.id for c in picture_set.conflicts}
    delivered = receipts.notices_read(
        viewer, (v.notice for v in notice_views if v.notice.id in shown_notices), now
    )
    container.deliveries.note(delivered)
    container.deliveries.note(
        receipts.conflicts_read(
            viewer, (v.conflict for v in conflict_views if v.conflict.id in shown_conflicts), now
        )
    )
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    name = f"sharedsky-{viewer.party}-{stamp}{fmt.suffix}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, 200, media_type=fmt.media_type, headers=headers)


def _height(text: str | None, name: str) -> FileLimit | None:
    if text is None:
        return None
    try:
        return height_option(text)
    except HeightError as exc:
        raise InvalidInput(str(exc), (name,)) from exc


def _aware(moment: datetime | None, name: str) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise InvalidInput("times must carry a timezone (use Z for UTC)", (name,))
    return moment


def read_options(
    *,
    object_: str | None,
    kind: str | None,
    title: str | None,
    lower: str | None,
    upper: str | None,
    start: datetime | None,
    end: datetime | None,
) -> ReadOptions:
    """The options of an import from its query parameters; InvalidInput naming the one that
    cannot be used (a limit that is no height among them)."""
    low, high = _height(lower, "lower"), _height(upper, "upper")
    if (low is None) != (high is None):
        raise InvalidInput(
            "give both lower and upper, or neither", ("lower" if low is None else "upper",)
        )
    if low is not None and high is not None:
        try:
            band_from(low, high)
        except HeightError as exc:
            raise InvalidInput(str(exc), ("lower",)) from exc
    obj: Literal["notice", "zone"] | None = None
    if object_ == "notice":
        obj = "notice"
    elif object_ == "zone":
        obj = "zone"
    elif object_ is not None:
        raise InvalidInput("object must be notice or zone", ("object",))
    return ReadOptions(
        object=obj,
        kind=kind,
        title=title,
        lower=low,
        upper=high,
        start=_aware(start, "start"),
        end=_aware(end, "end"),
    )


_FILE_BODY = {
    "requestBody": {
        "required": True,
        "description": "The file, as it is (JSON for geojson, ed269, ed318, f3548; XML for kml).",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post("/v1/import", responses={200: {"model": v1.ImportOut}}, openapi_extra=_FILE_BODY)
async def import_file(
    request: Request,
    actor: ActorDep,
    deps: DepsDep,
    rk: KeyDep,
    format: Annotated[str, Query(description=f"One of {_IMPORTS}.")],
    dry_run: Annotated[
        bool, Query(description="Only show what would be filed and the conflicts it raises.")
    ] = True,
    skip_bad: Annotated[
        bool, Query(description="File the good features when some cannot be filed.")
    ] = False,
    object_: Annotated[
        str | None,
        Query(alias="object", description="What features that do not say become: notice or zone."),
    ] = None,
    kind: Annotated[str | None, Query(description="Kind of features without one.")] = None,
    title: Annotated[str | None, Query(description="Title of features without one.")] = None,
    lower: Annotated[
        str | None,
        Query(
            description="Lower limit of features without a band, kept as given: 300 (m AMSL),"
            " 1000ft, FL120, 500ftAGL, 1200mW84 or SFC."
        ),
    ] = None,
    upper: Annotated[
        str | None,
        Query(description="Upper limit of features without a band, as lower, or UNL."),
    ] = None,
    start: Annotated[datetime | None, Query(description="Start of features without one.")] = None,
    end: Annotated[datetime | None, Query(description="End of features without one.")] = None,
) -> Response:
    """Read a file of notices or zones in an exchange format. A dry run (the default) shows
    what would be filed and the conflicts it would raise; ``dry_run=false`` files it all in
    one transaction. A feature that cannot be filed is reported with its index and reason,
    and then nothing is filed unless ``skip_bad=true``. Needs the duty role."""
    read = formats.reader(format)
    options = read_options(
        object_=object_, kind=kind, title=title, lower=lower, upper=upper, start=start, end=end
    )
    data = await request.body()
    # the key's request is the whole query too: a dry run never replays a filing's answer
    key = RequestKey(
        rk.key,
        hashlib.sha256(f"{rk.request_sha256} {request.url.query}".encode()).hexdigest()
        if rk.key
        else "",
    )

    def work() -> Response:
        parsed = read(data, options)
        items = convert.import_items(parsed)

        def build(report: ImportReport) -> v1.ImportOut:
            now = deps.clock.now()
            return convert.import_out(
                report, format, parsed.ignored, actor.viewer, deps.mechanism, now
            )

        def call(idem: Idempotency[ImportReport] | None) -> ImportReport:
            return import_drafts(
                deps,
                actor,
                items,
                parsed.problems,
                dry_run=dry_run,
                skip_bad=skip_bad,
                idem=None if dry_run else idem,
            )

        return idempotent(deps, actor, key, 200, build, call)

    return await anyio.to_thread.run_sync(work)
