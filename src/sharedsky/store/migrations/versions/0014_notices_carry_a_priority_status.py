"""notices carry a priority status, and each side of a conflict the status it had

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-14 09:00:00.000000

``notices.priority_status``: the operational priority of the notice's current version
(medevac, humanitarian, sar, emergency: ``domain/priority.py``); NULL for none, which every
notice filed before is. ``conflicts.a_priority_status``/``b_priority_status``: the status each
notice side had when the clash was found (a conflict with one is acknowledged within the flash
deadline); NULL for none and for a zone side, which every conflict detected before is.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notices') as batch:
        batch.add_column(sa.Column('priority_status', sa.String(length=16), nullable=True))
    with op.batch_alter_table('conflicts') as batch:
        batch.add_column(sa.Column('a_priority_status', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('b_priority_status', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conflicts') as batch:
        batch.drop_column('b_priority_status')
        batch.drop_column('a_priority_status')
    with op.batch_alter_table('notices') as batch:
        batch.drop_column('priority_status')
