"""volumes recur on a schedule, and each side of a conflict names its occurrence

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 09:00:00.000000

``volumes.schedule``: a scheduled volume's schedule as filed (JSON: weekdays, from, to,
first_date, last_date; ``domain/schedules.py``), its ``t_start_us``/``t_end_us`` the
schedule's envelope that the candidate index searches; NULL for a volume with one window,
which every row written before is. ``conflicts.{a,b}_occurrence_start_us``/``_end_us``: the
occurrence of a scheduled side that clashes (R-SCHED-1); NULL for a side with one window,
which every conflict detected before is.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OCCURRENCE_COLUMNS = (
    'a_occurrence_start_us',
    'a_occurrence_end_us',
    'b_occurrence_start_us',
    'b_occurrence_end_us',
)


def upgrade() -> None:
    with op.batch_alter_table('volumes') as batch:
        batch.add_column(sa.Column('schedule', sa.Text(), nullable=True))
    with op.batch_alter_table('conflicts') as batch:
        for name in _OCCURRENCE_COLUMNS:
            batch.add_column(sa.Column(name, sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conflicts') as batch:
        for name in reversed(_OCCURRENCE_COLUMNS):
            batch.drop_column(name)
    with op.batch_alter_table('volumes') as batch:
        batch.drop_column('schedule')
