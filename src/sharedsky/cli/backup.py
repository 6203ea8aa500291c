"""``sharedsky backup`` and ``sharedsky restore``: a consistent copy of a database, taken while
a server writes, and a database made from one (``store/backup.py`` describes the file)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sharedsky.cli._common import fail, stdout
from sharedsky.cli.admin import DbOption
from sharedsky.domain.errors import SharedskyError
from sharedsky.settings import Settings

if TYPE_CHECKING:
    from sharedsky.store.backup import BackupHeader

# SQLAlchemy and the store load in the commands, not when the CLI starts: every other command
# would pay for them (0.3 s of each start)


def _shown(url: str) -> str:
    """``url`` without its password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return url


def _counts(header: BackupHeader) -> str:
    events = next((t.rows for t in header.tables if t.name == "events"), 0)
    return f"{header.rows} rows in {len(header.tables)} tables ({events} ledger entries)"


def backup_command(
    out: Annotated[Path, typer.Option("--out", help="Where to write the backup (mode 600).")],
    db: DbOption = None,
) -> None:
    """Write a consistent backup of the database, taken in one read while servers go on
    writing: it holds every write answered before it began. Exit 1 with a message on error."""
    from sqlalchemy.exc import SQLAlchemyError

    from sharedsky.store.backup import take_backup

    settings = Settings()
    url = db if db is not None else settings.db
    try:
        header = take_backup(url, out, datetime.now(UTC))
    except SharedskyError as exc:
        raise fail(exc.detail) from exc
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror or exc}") from exc
    except SQLAlchemyError as exc:
        raise fail(f"{_shown(url)}: {exc}") from exc
    stdout().print(
        f"backup of {_shown(url)} written to {out}: {_counts(header)}, schema "
        f"{header.schema_revision}, taken at {header.taken_at.isoformat()}, "
        f"sha256 {header.content_sha256}",
        markup=False,
        soft_wrap=True,
    )


def restore_command(
    file: Annotated[Path, typer.Argument(help="A backup written by `sharedsky backup`.")],
    db: DbOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the content of a database that has some.")
    ] = False,
) -> None:
    """Make a database from a backup: the file is checked whole first, then the database
    migrated and every row loaded in one transaction. A database that holds data is refused
    unless --force. Exit 1 with a message, and nothing changed, on any error."""
    from sqlalchemy.exc import SQLAlchemyError

    from sharedsky.store.backup import restore_backup

    settings = Settings()
    url = db if db is not None else settings.db
    try:
        header = restore_backup(
            url, file, force=force, sqlite_synchronous=settings.sqlite_synchronous
        )
    except SharedskyError as exc:
        raise fail(exc.detail) from exc
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror or exc}") from exc
    except SQLAlchemyError as exc:
        raise fail(f"{_shown(url)}: {exc}") from exc
    stdout().print(
        f"{file} (taken at {header.taken_at.isoformat()} from {header.source_backend}, "
        f"sharedsky {header.sharedsky_version}) restored into {_shown(url)}: "
        f"{_counts(header)}. Check it with `sharedsky ledger verify --db URL`.",
        markup=False,
        soft_wrap=True,
    )
