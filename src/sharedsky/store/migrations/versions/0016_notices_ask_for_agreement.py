"""notices ask for agreement

Revision ID: 0016
Revises: 0015
Create Date: 2027-01-12 09:00:00.000000

A notice may ask its counterparties to agree, not only to acknowledge receipt (R-AGREE-1):
the notice keeps whether its filer asked (``request_agreement``; the rows already there did
not, which the server default says). A request for agreement is an acknowledgement request of
subject ``agreement`` (its deadline and escalation are an acknowledgement's), and its answer
lives on it: ``answer`` (agree, deny, counter; NULL while pending), the denial's ``reason``,
the counter-proposal's ``note`` and volumes (``counter``, JSON). A downgrade drops the columns.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('request_agreement', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table('ack_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('counter', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ack_requests', schema=None) as batch_op:
        batch_op.drop_column('counter')
        batch_op.drop_column('note')
        batch_op.drop_column('reason')
        batch_op.drop_column('answer')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_column('request_agreement')
