"""The live picture in the database: the newest state of each track, and the tactical alerts'
latest figures, shared by every server process over one PostgreSQL.

Neither table is a projection of the ledger (tracks are not ledger entries; an alert's figures
change every tick, its ledger entries only when it opens, changes severity or clears). They are
written in transactions of their own at READ COMMITTED (``LiveStore.run``), never in a use
case's shared SERIALIZABLE transaction: an upsert of a track cannot fail on a serialization
conflict, and a busy feed holds up no filing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import orjson
from sqlalchemy import Connection, Engine, delete, func, insert, select, text

from sharedsky.domain.tactical import LiveFigures
from sharedsky.domain.tracks import TrackRow
from sharedsky.store import tables as t
from sharedsky.store.engine import is_sqlite

T = TypeVar("T")


class LiveStore:
    """Runs reads and writes of the live tables in transactions of their own: each method is
    one (``service.ports.LiveTables``), ``run`` any other."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one transaction (READ COMMITTED on PostgreSQL) and commit."""
        with self.engine.connect() as connection:
            if not is_sqlite(self.engine):
                connection = connection.execution_options(isolation_level="READ COMMITTED")
            with connection.begin():
                return work(connection)

    def upsert_tracks(self, rows: Sequence[TrackRow]) -> int:
        """``upsert_tracks`` in a transaction of its own (none for no rows)."""
        return self.run(lambda c: upsert_tracks(c, rows)) if rows else 0

    def fresh_tracks(self, oldest_s: float) -> list[TrackRow]:
        """``fresh_tracks`` in a transaction of its own."""
        return self.run(lambda c: fresh_tracks(c, oldest_s))

    def count_fresh(self, oldest_s: float) -> int:
        """``count_fresh`` in a transaction of its own."""
        return self.run(lambda c: count_fresh(c, oldest_s))

    def prune_tracks(self, oldest_s: float) -> int:
        """``prune_tracks`` in a transaction of its own."""
        return self.run(lambda c: prune_tracks(c, oldest_s))

    def clear_tracks(self) -> None:
        """``clear_tracks`` in a transaction of its own."""
        self.run(clear_tracks)

    def replace_figures(self, figures: Mapping[str, LiveFigures]) -> None:
        """``replace_figures`` in a transaction of its own."""
        self.run(lambda c: replace_figures(c, figures))

    def all_figures(self) -> dict[str, LiveFigures]:
        """``all_figures`` in a transaction of its own."""
        return self.run(all_figures)


_COLUMNS = (
    "party",
    "track_id",
    "time_s",
    "lat_deg",
    "lon_deg",
    "alt_m",
    "gs_mps",
    "trk_deg",
    "vs_mps",
    "notice_id",
    "callsign",
    "alt_ref",
)
_UPDATED = ", ".join(f"{name} = excluded.{name}" for name in _COLUMNS[2:])
_UPSERT_PG = text(
    f"INSERT INTO live_tracks ({', '.join(_COLUMNS)}) "
    f"SELECT {', '.join(_COLUMNS)} FROM json_to_recordset(CAST(:rows AS json)) AS r("
    "party text, track_id text, time_s float8, lat_deg float8, lon_deg float8, alt_m float8, "
    "gs_mps float8, trk_deg float8, vs_mps float8, notice_id text, callsign text, "
    "alt_ref text) "
    f"ON CONFLICT (party, track_id) DO UPDATE SET {_UPDATED} "
    "WHERE live_tracks.time_s <= excluded.time_s"
)
"""The PostgreSQL upsert of a whole batch: one statement whatever its size, the rows bound as
one JSON text (a VALUES list of hundreds of rows costs SQLAlchemy more to compile than the
database to run, and arrays of floats cost psycopg 17 ms per 1,000 rows to encode; orjson
encodes them in under a millisecond)."""
_UPSERT_SQLITE = text(
    f"INSERT INTO live_tracks ({', '.join(_COLUMNS)}) "
    f"VALUES ({', '.join(':' + name for name in _COLUMNS)}) "
    f"ON CONFLICT (party, track_id) DO UPDATE SET {_UPDATED} "
    "WHERE live_tracks.time_s <= excluded.time_s"
)


def upsert_tracks(connection: Connection, rows: Sequence[TrackRow]) -> int:
    """Keep each state unless the table holds a newer one of its track; returns how many were
    kept (inserted, or replacing an older or equally old state). ``rows`` must name each
    (party, track id) once; they are written in key order, so that two processes writing the
    same tracks at once never wait on each other in a cycle."""
    if not rows:
        return 0
    ordered = sorted(rows, key=lambda r: (r[0], r[1]))
    if connection.dialect.name == "postgresql":
        rows_json = orjson.dumps([dict(zip(_COLUMNS, r, strict=True)) for r in ordered])
        return connection.execute(_UPSERT_PG, {"rows": rows_json.decode()}).rowcount
    return connection.execute(
        _UPSERT_SQLITE, [dict(zip(_COLUMNS, r, strict=True)) for r in ordered]
    ).rowcount


def fresh_tracks(connection: Connection, oldest_s: float) -> list[TrackRow]:
    """Every state whose time is ``oldest_s`` (seconds since the epoch) or later, ordered by
    (party, track id); an empty list when there is none."""
    c = t.live_tracks.c
    query = (
        select(
            c.party,
            c.track_id,
            c.time_s,
            c.lat_deg,
            c.lon_deg,
            c.alt_m,
            c.gs_mps,
            c.trk_deg,
            c.vs_mps,
            c.notice_id,
            c.callsign,
            c.alt_ref,
        )
        .where(c.time_s >= oldest_s)
        .order_by(c.party, c.track_id)
    )
    return [tuple(row) for row in connection.execute(query)]


def count_fresh(connection: Connection, oldest_s: float) -> int:
    """How many tracks have a state at ``oldest_s`` or later."""
    c = t.live_tracks.c
    query = select(func.count()).select_from(t.live_tracks).where(c.time_s >= oldest_s)
    return int(connection.execute(query).scalar_one())


def prune_tracks(connection: Connection, oldest_s: float) -> int:
    """Delete the states older than ``oldest_s``; returns how many."""
    query = delete(t.live_tracks).where(t.live_tracks.c.time_s < oldest_s)
    return connection.execute(query).rowcount


def clear_tracks(connection: Connection) -> None:
    """Delete every state."""
    connection.execute(delete(t.live_tracks))


def replace_figures(connection: Connection, figures: Mapping[str, LiveFigures]) -> None:
    """Make ``figures`` (by alert id) the whole content of the table."""
    connection.execute(delete(t.tactical_live))
    if figures:
        connection.execute(
            insert(t.tactical_live),
            [
                {
                    "alert_id": alert_id,
                    "severity": f.severity,
                    "figures": json.dumps(f.figures, sort_keys=True),
                    "found_us": f.found_us,
                }
                for alert_id, f in sorted(figures.items())
            ],
        )


def all_figures(connection: Connection) -> dict[str, LiveFigures]:
    """The figures of every alert the last tick found, by alert id (empty when none)."""
    c = t.tactical_live.c
    rows = connection.execute(select(c.alert_id, c.severity, c.figures, c.found_us))
    return {
        row.alert_id: LiveFigures(row.severity, json.loads(row.figures), row.found_us)
        for row in rows
    }
