"""seal the events written before the ledger

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 18:00:00.000000

Revision 0004 gave the events already stored empty hashes and signatures; until this revision
the first append after it sealed them, and every write read the head to find out whether it had
to. Now this data migration seals them once: every event, in seq order, renumbered 1, 2, …
without gaps, chained after the one before and signed with the server's current key (made now,
as the first append would have made it, when the database has none). An event already sealed at
its place is kept. Nothing changes in a database whose events are all sealed.
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from sharedsky.ledger.chain import Link, append, format_time
from sharedsky.ledger.signing import SERVER, Signer, public_key_to_b64
from sharedsky.units import from_us, to_us

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the tables as this revision knows them (not as the code of a later revision declares them)
events = sa.table(
    'events',
    sa.column('seq', sa.Integer),
    sa.column('time_us', sa.BigInteger),
    sa.column('actor', sa.String),
    sa.column('type', sa.String),
    sa.column('payload', sa.Text),
    sa.column('prev_hash', sa.String),
    sa.column('content_hash', sa.String),
    sa.column('hash', sa.String),
    sa.column('sig', sa.String),
)
ledger_keys = sa.table(
    'ledger_keys',
    sa.column('key_id', sa.String),
    sa.column('public_key', sa.String),
    sa.column('owner', sa.String),
    sa.column('operator_id', sa.String),
    sa.column('private_pem', sa.Text),
    sa.column('created_us', sa.BigInteger),
    sa.column('revoked_us', sa.BigInteger),
)


def _server_signer(connection: sa.Connection, now: datetime) -> Signer:
    """The server's newest key that is not revoked; a new one, stored, when there is none."""
    c = ledger_keys.c
    pem = connection.execute(
        sa.select(c.private_pem)
        .where(c.owner == SERVER, c.revoked_us.is_(None), c.private_pem.is_not(None))
        .order_by(c.created_us.desc(), c.key_id)
        .limit(1)
    ).scalar_one_or_none()
    if pem is not None:
        return Signer.from_pem(pem.encode())
    signer = Signer.generate()
    connection.execute(
        sa.insert(ledger_keys).values(
            key_id=signer.key_id,
            public_key=public_key_to_b64(signer.public_key),
            owner=SERVER,
            operator_id=None,
            private_pem=signer.to_pem().decode(),
            created_us=to_us(now),
        )
    )
    return signer


def upgrade() -> None:
    connection = op.get_bind()
    unsealed = connection.execute(
        sa.select(sa.func.count()).select_from(events).where(events.c.hash == '')
    ).scalar_one()
    if not unsealed:
        return
    signer = _server_signer(connection, datetime.now(UTC))
    head: Link | None = None
    rows = connection.execute(sa.select(events).order_by(events.c.seq)).all()
    for number, row in enumerate(rows, start=1):
        if row.hash and row.seq == number:
            head = Link(row.seq, row.hash, row.sig)
            continue
        entry = append(
            head,
            number,
            format_time(from_us(row.time_us)),
            row.actor,
            row.type,
            json.loads(row.payload),
            None,
            signer,
        )
        connection.execute(
            sa.update(events)
            .where(events.c.seq == row.seq)
            .values(
                seq=number,
                prev_hash=entry.prev_hash,
                content_hash=entry.content_hash,
                hash=entry.hash,
                sig=entry.sig,
            )
        )
        head = entry.link


def downgrade() -> None:
    # the seal stays: the code of revision 0007 reads sealed events as after its own sealing
    pass
