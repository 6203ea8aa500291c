"""the live picture keeps each track's callsign

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-09 09:00:00.000000

A reported state may carry the aircraft's callsign (``POST /v1/tracks``), which the shared
live picture keeps beside the state, for the people reading the picture. The table is
ephemeral (rewritten every second by the feeds): the column starts empty and a downgrade
drops it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('live_tracks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('callsign', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('live_tracks', schema=None) as batch_op:
        batch_op.drop_column('callsign')
