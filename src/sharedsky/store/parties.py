"""PartyRepository: the loaded mechanism, its parties and their operators' token hashes."""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select, update

from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.operators import OperatorRecord
from sharedsky.store import tables as t
from sharedsky.store.mapping import operator_from_row, operator_values


class PartyRepository:
    """Reads and writes the mechanism and the operators of one database."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def save_mechanism(self, mechanism: Mechanism, mechanism_json: str) -> None:
        """Store the mechanism (its canonical JSON) and its parties; the host is a party row.

        Fails with an integrity error when a mechanism is already loaded.
        """
        self._c.execute(insert(t.settings).values(key="mechanism", value=mechanism_json))
        rows = [
            {"id": p.id, "name": p.name, "language": p.language, "is_host": p is mechanism.host}
            for p in (mechanism.host, *mechanism.parties)
        ]
        self._c.execute(insert(t.parties), rows)

    def mechanism_json(self) -> str | None:
        """The stored mechanism's JSON, or None when the database holds none yet."""
        query = select(t.settings.c.value).where(t.settings.c.key == "mechanism")
        value: str | None = self._c.execute(query).scalar_one_or_none()
        return value

    def add_operator(self, operator: OperatorRecord, token_sha256: str, created_us: int) -> None:
        """Register an operator with the SHA-256 (hex) of its token. Fails with an integrity
        error when its id (or, by a one-in-2^256 chance, its token) is taken."""
        self._c.execute(
            insert(t.operators).values(operator_values(operator, token_sha256, created_us))
        )

    def operator(self, operator_id: str) -> OperatorRecord | None:
        """The operator with this id (revoked or expired too); None when there is none."""
        row = self._c.execute(select(t.operators).where(t.operators.c.id == operator_id)).first()
        return None if row is None else operator_from_row(row)

    def operators(self) -> list[OperatorRecord]:
        """Every operator (revoked and expired ones too), by party then id."""
        query = select(t.operators).order_by(t.operators.c.party_id, t.operators.c.id)
        return [operator_from_row(row) for row in self._c.execute(query)]

    def revoke_operator(self, operator_id: str, now_us: int) -> None:
        """Mark the operator revoked at ``now_us`` (its token stops working); no-op when it is
        already revoked or does not exist."""
        c = t.operators.c
        self._c.execute(
            update(t.operators)
            .where(c.id == operator_id, c.revoked_us.is_(None))
            .values(revoked_us=now_us, changed_us=now_us)
        )

    def replace_token(self, operator_id: str, token_sha256: str, now_us: int) -> None:
        """Give the operator a new token (by its hash): the old one stops working."""
        self._c.execute(
            update(t.operators)
            .where(t.operators.c.id == operator_id)
            .values(token_sha256=token_sha256, changed_us=now_us)
        )

    def version(self) -> tuple[int, int]:
        """(latest change, number of operators): it differs from an earlier reading whenever
        an operator was added, rotated or revoked since, in any process."""
        c = t.operators.c
        latest, count = self._c.execute(select(func.max(c.changed_us), func.count())).one()
        return (int(latest or 0), int(count))

    def operator_by_token(self, token_sha256: str) -> OperatorRecord | None:
        """The operator whose token hashes to ``token_sha256`` (revoked or expired too: the
        caller decides); None when nobody's does."""
        query = select(t.operators).where(t.operators.c.token_sha256 == token_sha256)
        row = self._c.execute(query).first()
        return None if row is None else operator_from_row(row)

    def operators_by_token(self) -> dict[str, OperatorRecord]:
        """Every operator, by the SHA-256 (hex) of its token (revoked or expired too)."""
        return {
            row.token_sha256: operator_from_row(row) for row in self._c.execute(select(t.operators))
        }
