"""notices are activated and released

Revision ID: 0015
Revises: 0014
Create Date: 2027-01-10 09:00:00.000000

A notice is planned until it is activated (by its owner, or at its start when its channels
say ``activation: at_start``), then active, then released early or ended (R-ACT-1): the
notice keeps how it becomes active (``activation``; the rows already there were filed under
the rule of today, ``at_start``, which the server default says) and when it was activated,
released and flagged as not activated in time (each NULL until its event). A downgrade
drops the columns.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('activation', sa.String(length=16), server_default='at_start', nullable=False)
        )
        batch_op.add_column(sa.Column('activated_us', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('released_us', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('not_activated_us', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('not_activated_us')
        batch_op.drop_column('released_us')
        batch_op.drop_column('activated_us')
        batch_op.drop_column('activation')
