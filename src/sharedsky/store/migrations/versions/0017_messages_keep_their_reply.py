"""messages keep their reply

Revision ID: 0017
Revises: 0016
Create Date: 2027-01-12 09:00:00.000000

A message whose template declares replies (WILCO, UNABLE, AFFIRM, NEGATIVE) is closed by its
recipient's reply (R-MSG-5): the message keeps which reply, when and by which operator, each
NULL until the reply. The messages already there have none. A downgrade drops the columns.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('replied_us', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('replied_by', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('replied_by')
        batch_op.drop_column('replied_us')
        batch_op.drop_column('reply')
