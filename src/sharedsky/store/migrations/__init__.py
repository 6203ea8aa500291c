"""Alembic migration environment of the store."""
