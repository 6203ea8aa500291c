"""the live picture shared by several server processes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 07:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('live_tracks',
    sa.Column('party', sa.String(length=64), nullable=False),
    sa.Column('track_id', sa.String(length=32), nullable=False),
    sa.Column('time_s', sa.Float(), nullable=False),
    sa.Column('lat_deg', sa.Float(), nullable=False),
    sa.Column('lon_deg', sa.Float(), nullable=False),
    sa.Column('alt_m', sa.Float(), nullable=False),
    sa.Column('gs_mps', sa.Float(), nullable=False),
    sa.Column('trk_deg', sa.Float(), nullable=False),
    sa.Column('vs_mps', sa.Float(), nullable=False),
    sa.Column('notice_id', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('party', 'track_id', name=op.f('pk_live_tracks'))
    )
    with op.batch_alter_table('live_tracks', schema=None) as batch_op:
        batch_op.create_index('ix_live_tracks_time_s', ['time_s'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        # the live picture is ephemeral: no WAL for it (a crash empties it; the feeds refill
        # it within a second), so an upsert of a batch waits for no disk
        op.execute('ALTER TABLE live_tracks SET UNLOGGED')
    op.create_table('tactical_live',
    sa.Column('alert_id', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('figures', sa.Text(), nullable=False),
    sa.Column('found_us', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('alert_id', name=op.f('pk_tactical_live'))
    )


def downgrade() -> None:
    op.drop_table('tactical_live')
    with op.batch_alter_table('live_tracks', schema=None) as batch_op:
        batch_op.drop_index('ix_live_tracks_time_s')
    op.drop_table('live_tracks')
