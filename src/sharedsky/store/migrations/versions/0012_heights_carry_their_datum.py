"""heights carry their datum: a volume keeps its band as filed, a conflict its datum margin

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 00:00:00.000000

``volumes.band``: the band as filed (JSON of its lower and upper limits: value, unit and
reference, or SFC/UNL) when it was not given in metres AMSL; NULL for a band in metres AMSL,
which every row written before is. ``alt_lo_m``/``alt_hi_m`` keep the AMSL interval that the
candidate index searches. ``conflicts.datum_margin_m``: the vertical gap at the nominal datums
of a conflict found only through their widening; NULL for the others, which every conflict
detected before is.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('volumes') as batch:
        batch.add_column(sa.Column('band', sa.Text(), nullable=True))
    with op.batch_alter_table('conflicts') as batch:
        batch.add_column(sa.Column('datum_margin_m', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conflicts') as batch:
        batch.drop_column('datum_margin_m')
    with op.batch_alter_table('volumes') as batch:
        batch.drop_column('band')
