"""PartyRepository: the loaded mechanism, its parties and their operators' token hashes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.mechanism import Mechanism
from sharedsky.store import tables as t


@dataclass(frozen=True, slots=True)
class OperatorRecord:
    """An operator as the store knows it (the token itself is never stored)."""

    id: OperatorId
    party: PartyId
    name: str


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
        """Register an operator with the SHA-256 (hex) of its token."""
        self._c.execute(
            insert(t.operators).values(
                id=operator.id,
                party_id=operator.party,
                name=operator.name,
                token_sha256=token_sha256,
                created_us=created_us,
            )
        )

    def operator_by_token(self, token_sha256: str) -> OperatorRecord | None:
        """The operator whose token hashes to ``token_sha256``; None when nobody's does."""
        query = select(t.operators).where(t.operators.c.token_sha256 == token_sha256)
        row = self._c.execute(query).first()
        if row is None:
            return None
        return OperatorRecord(OperatorId(row.id), PartyId(row.party_id), row.name)

    def operators_by_token(self) -> dict[str, OperatorRecord]:
        """Every operator, by the SHA-256 (hex) of its token."""
        return {
            row.token_sha256: OperatorRecord(OperatorId(row.id), PartyId(row.party_id), row.name)
            for row in self._c.execute(select(t.operators))
        }
