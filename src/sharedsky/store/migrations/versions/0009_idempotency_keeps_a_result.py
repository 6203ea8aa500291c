"""idempotency keys keep the use case's encoded result, not an HTTP answer

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 09:00:00.000000

The service no longer knows HTTP: a use case keeps its result under the key as its caller
encoded it (the API: the JSON body of its answer) and the route gives the status when it
replays it. ``body`` becomes ``result``, unchanged, so a key stored before replays the same
body; ``status_code`` goes. A downgrade cannot know the status each answer had: it writes 200
(a replay answers 200 where the first answer was 201, with the same body).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.alter_column(
            'body', new_column_name='result', existing_type=sa.Text(), existing_nullable=False
        )
        batch_op.drop_column('status_code')


def downgrade() -> None:
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_code', sa.Integer(), nullable=True))
        batch_op.alter_column(
            'result', new_column_name='body', existing_type=sa.Text(), existing_nullable=False
        )
    op.execute('UPDATE idempotency_keys SET status_code = 200')
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.alter_column('status_code', existing_type=sa.Integer(), nullable=False)
