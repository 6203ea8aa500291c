"""Create or upgrade a database to the current schema with Alembic."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

_MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    """The Alembic configuration of the store (no ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database of ``engine`` to ``revision`` (by default the newest)."""
    config = alembic_config()
    with engine.connect().execution_options(sharedsky_readonly=False) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


def head_revisions() -> frozenset[str]:
    """The newest revision(s) of the migrations shipped with this code (reads the migration
    scripts: call it once, not per request)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(connection: Connection) -> frozenset[str]:
    """The revision(s) the database of ``connection`` is at; empty for a database that was
    never migrated."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())
