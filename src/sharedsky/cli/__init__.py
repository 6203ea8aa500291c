"""The ``sharedsky`` command line (Typer + Rich): commands use the SDK, set-up uses the service."""

from __future__ import annotations

import inspect

import typer

from sharedsky.cli import conflicts as conflicts
from sharedsky.cli import cot as cot
from sharedsky.cli import hotline as hotline
from sharedsky.cli import incidents as incidents
from sharedsky.cli import ledger as ledger
from sharedsky.cli import mechanism as mechanism
from sharedsky.cli import notices as notices
from sharedsky.cli import operators as operators
from sharedsky.cli import stats as stats
from sharedsky.cli import track_feeds as track_feeds
from sharedsky.cli import tracks as tracks
from sharedsky.cli import watch as watch
from sharedsky.cli import zones as zones
from sharedsky.cli.admin import demo_command, init_command, serve_command
from sharedsky.cli.backup import backup_command, restore_command
from sharedsky.cli.formats import export_command, import_command
from sharedsky.cli.report import report_command

app = typer.Typer(
    name="sharedsky",
    help="sharedsky: notices, zones, conflicts and acknowledgements for a shared airspace.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(notices.app, name="notice")
app.add_typer(zones.app, name="zone")
app.add_typer(conflicts.app, name="conflicts")
app.add_typer(hotline.app, name="msg")
app.add_typer(stats.app, name="stats")
app.add_typer(tracks.app, name="tracks")
app.add_typer(ledger.app, name="ledger")
app.add_typer(mechanism.app, name="mechanism")
app.add_typer(operators.app, name="operators")
app.add_typer(cot.app, name="cot")
app.add_typer(incidents.app, name="incident")
app.command("inbox")(stats.inbox)
app.command("watch")(watch.watch)
app.command("init")(init_command)
app.command("serve")(serve_command)
app.command("demo")(demo_command)
app.command("backup")(backup_command)
app.command("restore")(restore_command)
app.command("export")(export_command)
app.command("import")(import_command)
app.command("report")(report_command)


def _one_line_paragraphs(doc: str) -> str:
    """A docstring's paragraphs each on one line, so that the terminal wraps them between
    words (Rich keeps a docstring's own line breaks, which fall mid-sentence in a narrow
    or a wide terminal)."""
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


def _tidy_help(group: typer.Typer) -> None:
    """Give every command of ``group`` and of its subgroups its help as `_one_line_paragraphs`
    of its docstring (a help given explicitly stays as it is)."""
    for command in group.registered_commands:
        doc = command.help or (command.callback.__doc__ if command.callback else None)
        if doc:
            command.help = _one_line_paragraphs(doc)
    for info in group.registered_groups:
        if info.typer_instance is not None:
            _tidy_help(info.typer_instance)


_tidy_help(app)


def main() -> None:
    """Entry point of the ``sharedsky`` script."""
    app()


__all__ = ["app", "main"]
