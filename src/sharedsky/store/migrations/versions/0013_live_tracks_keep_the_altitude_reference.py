"""the live picture keeps the reference of each track's altitude

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-12 09:00:00.000000

A reported state's altitude carries its reference (``POST /v1/tracks``: ``alt_ref`` AMSL, STD
or W84), which the tactical engine needs to compare a flight level with a geometric altitude.
The table is ephemeral (rewritten every second by the feeds): the rows already there were
reported in metres AMSL, which is what the server default says; a downgrade drops the column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('live_tracks', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('alt_ref', sa.String(length=4), server_default='AMSL', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('live_tracks', schema=None) as batch_op:
        batch_op.drop_column('alt_ref')
