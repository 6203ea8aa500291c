"""``sharedsky export`` and ``sharedsky import``: the caller's picture out in an exchange
format, a file of notices or zones in (via the SDK)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape

from sharedsky.cli._common import (
    Connection,
    JsonOption,
    connection_options,
    emit_json,
    fail,
    moment,
    now_of,
    print_table,
    stderr,
    stdout,
    table,
)
from sharedsky.client import ClientError
from sharedsky.wire import v1

_EXPORTS = "geojson, kml, ed318, f3548, cot, notam"
_IMPORTS = "geojson, kml, ed269, ed318, f3548"


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        west, south, east, north = (float(p) for p in text.split(","))
    except ValueError as exc:
        raise typer.BadParameter(
            "give min_lon,min_lat,max_lon,max_lat in degrees", param_hint="'--bbox'"
        ) from exc
    return west, south, east, north


@connection_options
def export_command(
    ctx: typer.Context,
    format: Annotated[str, typer.Option("--format", help=f"One of {_EXPORTS}.")],
    out: Annotated[Path, typer.Option("--out", help="The file to write ('-': stdout).")],
    bbox: Annotated[
        str | None, typer.Option("--bbox", help="min_lon,min_lat,max_lon,max_lat (degrees).")
    ] = None,
    time_from: Annotated[
        str | None,
        typer.Option("--from", help="Start of the window: ISO-8601 with a zone, now, +2h."),
    ] = None,
    time_to: Annotated[
        str | None, typer.Option("--to", help="End of the window, as --from.")
    ] = None,
    what: Annotated[
        str | None,
        typer.Option(
            "--what", help="Comma list of notices, zones, conflicts, tracks (default: all)."
        ),
    ] = None,
    include: Annotated[
        str | None, typer.Option("--include", help="notices: ED-318 holds notices too.")
    ] = None,
    *,
    connection: Connection,
) -> None:
    """Write what you may see now (notices, zones, open conflicts, live tracks) in an exchange
    format, exactly as your reads show it."""
    now = now_of(ctx)
    start = None if time_from is None else moment(time_from, now, "'--from'")
    end = None if time_to is None else moment(time_to, now, "'--to'")
    if include not in (None, "notices"):
        raise typer.BadParameter("only notices", param_hint="'--include'")
    parts = None if what is None else [p.strip() for p in what.split(",") if p.strip()]
    with connection.open() as client:
        data = client.export(
            format,
            bbox=_bbox(bbox),
            time_from=start,
            time_to=end,
            what=parts,
            include_notices=include == "notices",
        )
    if str(out) == "-":
        typer.echo(data.decode("utf-8"), nl=False)
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror}") from exc
    stderr().print(f"Wrote {len(data):,} bytes of {format} to {escape(str(out))}")


def _print_report(answer: v1.ImportOut) -> None:
    console = stdout()
    verb = "Would file" if answer.dry_run else "Filed"
    grid = table(
        f"{verb} {len(answer.items)} of the file ({answer.format})",
        "feature",
        "type",
        "kind",
        "title",
        "volumes",
        "conflicts",
        "id",
    )
    for item in answer.items:
        grid.add_row(
            str(item.index),
            item.type,
            item.kind,
            escape(item.title),
            str(item.volumes),
            str(len(item.conflicts)),
            item.id or "-",
        )
    print_table(console, grid)
    _print_problems(answer.problems)
    if answer.ignored:
        console.print(f"{answer.ignored} feature(s) left out: conflict regions or tracks.")
    if answer.dry_run:
        console.print("A dry run: nothing was filed (give --commit to file it).")


def _print_problems(problems: list[v1.FeatureProblemOut]) -> None:
    if not problems:
        return
    grid = table(f"Features that cannot be filed ({len(problems)})", "feature", "reason")
    for problem in problems:
        grid.add_row(str(problem.index), escape(problem.reason))
    print_table(stdout(), grid)


def _problems_of(exc: ClientError) -> list[v1.FeatureProblemOut]:
    extra: Any = exc.problem.model_extra if exc.problem is not None else None
    found = extra.get("problems") if isinstance(extra, dict) else None
    if not isinstance(found, list):
        return []
    return [v1.FeatureProblemOut.model_validate(p) for p in found]


@connection_options
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The file to read.", show_default=False)],
    format: Annotated[str, typer.Option("--format", help=f"One of {_IMPORTS}.")],
    commit: Annotated[
        bool, typer.Option("--commit", help="File it all, in one transaction (default: a dry run).")
    ] = False,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="File the good features when some are bad.")
    ] = False,
    object_: Annotated[
        Literal["notice", "zone"] | None,
        typer.Option("--object", help="What features that do not say become: notice or zone."),
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Kind of features without one.")
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="Title of features without one.")
    ] = None,
    lower: Annotated[
        str | None,
        typer.Option(
            "--lower",
            help="Lower limit of features without a band, kept as given: 300 (m AMSL), 1000ft,"
            " FL120, 500ftAGL, 1200mW84 or SFC.",
        ),
    ] = None,
    upper: Annotated[
        str | None,
        typer.Option("--upper", help="Upper limit of features without a band, as --lower, or UNL."),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--start", help="Start of features without a window: ISO-8601, now, +2h."),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", help="End of features without one, as --start.")
    ] = None,
    *,
    connection: Connection,
    json_: JsonOption = False,
) -> None:
    """Read a file of notices or zones and show what filing it would give, with the conflicts
    it would raise; --commit files it all in one transaction. A bad feature is listed with its
    index and reason, and then nothing is filed unless --skip-bad."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {file}: {exc.strerror}", param_hint="FILE") from exc
    now = now_of(ctx)
    with connection.open() as client:
        try:
            answer = client.import_file(
                data,
                format,
                commit=commit,
                skip_bad=skip_bad,
                object_=object_,
                kind=kind,
                title=title,
                lower=lower,
                upper=upper,
                start=None if start is None else moment(start, now, "'--start'"),
                end=None if end is None else moment(end, now, "'--end'"),
            )
        except ClientError as exc:
            _print_problems(_problems_of(exc))
            raise
    if json_:
        emit_json(answer)
    else:
        _print_report(answer)
