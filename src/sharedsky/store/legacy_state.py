"""The reader of the ``state.recorded`` entries that ledgers written before the typed events
hold: a rebuild of the state tables applies their after-images up to the seq from which the
typed events are the projection's source (``projection_from_seq``, Alembic revision 0010;
docs/ledger-format.md, "Ledgers written before the typed events").

Such an entry's payload is ``{"changes": [{"table", "column", "value", "rows"}]}``: for each
key, "the rows of ``table`` whose ``column`` is ``value`` are now ``rows``" (integers beyond
±(2**53 - 1) written as their decimal text). ``apply`` deletes the rows each key names and
inserts those recorded. Those entries never held the cell index (``volume_cells``):
``reindex`` derives it from the volumes once the old entries are applied.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select

from sharedsky.domain.events import STATE_RECORDED
from sharedsky.geo.cells import storage_cells
from sharedsky.store import tables as t
from sharedsky.store.mapping import outline_from_json
from sharedsky.units import OPEN_END_US

PROJECTED: Mapping[str, Table] = {
    str(table.name): table
    for table in (
        t.notices,
        t.volumes,
        t.zones,
        t.conflicts,
        t.tactical_alerts,
        t.ack_requests,
        t.messages,
        t.incidents,
        t.deliveries,
        t.escalations,
    )
}
"""The tables the events project (and the old ``state.recorded`` entries recorded), by name."""
STATE_EVENT = STATE_RECORDED
"""The type of the old entries of after-images (the host's ledger only)."""


def _db_row(table: Table, row: Mapping[str, Any]) -> dict[str, Any]:
    """A recorded row as the table takes it (integers written as text turned back)."""
    return {
        k: int(v) if isinstance(v, str) and table.c[k].type.python_type is int else v
        for k, v in row.items()
    }


FROM_SEQ_KEY = "projection_from_seq"
"""The ``mechanism_settings`` key of the seq from which the typed events are the source."""


def projection_from_seq(connection: Connection) -> int:
    """The seq from which the ledger's typed events are the projection's source (entries
    below it: their ``state.recorded`` after-images); 1 when the database never held any."""
    value = connection.execute(
        select(t.settings.c.value).where(t.settings.c.key == FROM_SEQ_KEY)
    ).scalar_one_or_none()
    return 1 if value is None else int(value)


def apply(connection: Connection, payload: Mapping[str, Any]) -> None:
    """Replay one old ``state.recorded`` payload onto ``connection``'s tables."""
    for change in payload["changes"]:
        table = PROJECTED[change["table"]]
        column = table.c[change["column"]]
        connection.execute(delete(table).where(column == change["value"]))
        rows: Sequence[Mapping[str, Any]] = change["rows"]
        if rows:
            connection.execute(insert(table), [_db_row(table, r) for r in rows])


def reindex(connection: Connection) -> None:
    """Rebuild the cell index of every volume still a candidate (of a notice not cancelled or
    a zone not withdrawn) from its outline, as its write indexed it."""
    connection.execute(delete(t.volume_cells))
    withdrawn = {
        ("notice", r.id)
        for r in connection.execute(
            select(t.notices.c.id).where(t.notices.c.cancelled_us.is_not(None))
        )
    } | {
        ("zone", r.id)
        for r in connection.execute(select(t.zones.c.id).where(t.zones.c.withdrawn_us.is_not(None)))
    }
    rows = []
    for volume in connection.execute(select(t.volumes).order_by(t.volumes.c.vid)):
        if (volume.object_type, volume.object_id) in withdrawn:
            continue
        end_us = OPEN_END_US if volume.t_end_us is None else volume.t_end_us
        for cell in sorted(set(storage_cells(outline_from_json(json.loads(volume.outline))))):
            rows.append(
                {
                    "cell": cell,
                    "t_start_us": volume.t_start_us,
                    "t_end_us": end_us,
                    "vid": volume.vid,
                    "party_id": volume.party_id,
                }
            )
    if rows:
        connection.execute(insert(t.volume_cells), rows)
