"""incidents

Revision ID: 0018
Revises: 0017
Create Date: 2027-01-12 09:00:00.000000

Incidents (R-INC-1): one row each, who filed it and when, its JSON form beside (time,
position, related ids, the parties concerned, the seqs of its attached timeline). Their
acknowledgements are ``ack_requests`` of subject ``incident``. A downgrade drops the table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'incidents',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('party_id', sa.String(length=64), nullable=False),
        sa.Column('filed_us', sa.BigInteger(), nullable=False),
        sa.Column('record', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_incidents_filed', 'incidents', ['filed_us'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_incidents_filed', table_name='incidents')
    op.drop_table('incidents')
