"""The ``sharedsky`` command line (Typer + Rich): commands use the SDK, set-up uses the service."""

from __future__ import annotations

import typer

from sharedsky.cli import conflicts as conflicts
from sharedsky.cli import hotline as hotline
from sharedsky.cli import ledger as ledger
from sharedsky.cli import notices as notices
from sharedsky.cli import operators as operators
from sharedsky.cli import stats as stats
from sharedsky.cli import track_feeds as track_feeds
from sharedsky.cli import tracks as tracks
from sharedsky.cli import watch as watch
from sharedsky.cli import zones as zones
from sharedsky.cli.admin import demo_command, init_command, serve_command
from sharedsky.cli.backup import backup_command, restore_command

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
app.add_typer(operators.app, name="operators")
app.command("inbox")(stats.inbox)
app.command("watch")(watch.watch)
app.command("init")(init_command)
app.command("serve")(serve_command)
app.command("demo")(demo_command)
app.command("backup")(backup_command)
app.command("restore")(restore_command)


def main() -> None:
    """Entry point of the ``sharedsky`` script."""
    app()


__all__ = ["app", "main"]
