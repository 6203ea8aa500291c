"""operators: role, expiry, revocation, certificate subject

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 06:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the operators loaded before roles existed were each their party's only one: admins
    with op.batch_alter_table('operators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=16), server_default='admin', nullable=False))
        batch_op.add_column(sa.Column('expires_us', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('revoked_us', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('cert_subject', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('changed_us', sa.BigInteger(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('operators', schema=None) as batch_op:
        batch_op.drop_column('changed_us')
        batch_op.drop_column('cert_subject')
        batch_op.drop_column('revoked_us')
        batch_op.drop_column('expires_us')
        batch_op.drop_column('role')
