"""Alembic environment: runs migrations on the connection handed in by ``store.schema``."""

from __future__ import annotations

from alembic import context

from sharedsky.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through sharedsky.store.schema.upgrade()")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
