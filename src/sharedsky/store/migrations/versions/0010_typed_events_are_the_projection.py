"""the typed events are the state tables' source from here on

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 00:00:00.000000

Until this revision every write transaction ended with a ``state.recorded`` ledger entry (the
after-images of the rows it changed) and the events carried ids only; from it on, the events
carry their full data and are the projection's only source, and no ``state.recorded`` entry is
written any more. The ledger of a database written before holds both kinds, so this data
migration records where the typed events take over: ``mechanism_settings`` key
``projection_from_seq``, the seq after the newest entry now (nothing for an empty ledger:
a database without the key reads 1, its typed events from the start). A rebuild
applies the after-images of the ``state.recorded`` entries below it and the typed events from
it on (``service/projection.rebuild``; docs/ledger-format.md, "Ledgers written before the typed
events"). A downgrade forgets the mark: the code before it cannot rebuild what the typed events
wrote since.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "INSERT INTO mechanism_settings (key, value) "
        "SELECT 'projection_from_seq', CAST(MAX(seq) + 1 AS TEXT) FROM events "
        "HAVING COUNT(*) > 0"
    )


def downgrade() -> None:
    op.execute("DELETE FROM mechanism_settings WHERE key = 'projection_from_seq'")
