"""SQLAlchemy Core tables, repositories, unit of work and Alembic migrations (SQLite, PostgreSQL).

Imports domain and ledger values; never the api, service or wire packages.
"""
