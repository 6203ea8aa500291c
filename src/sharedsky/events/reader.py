"""Reads of the event log that streams need beyond ``EventLog.after``."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from sharedsky.store import tables as t


def head_seq(connection: Connection) -> int:
    """The highest sequence number committed so far; 0 when the log is empty."""
    seq: int | None = connection.execute(select(func.max(t.events.c.seq))).scalar_one()
    return seq or 0
