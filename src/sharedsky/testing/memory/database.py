"""MemoryDatabase and MemoryUnitOfWork: the repositories over one set of in-memory tables,
run in transactions one at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sharedsky.ledger.signing import SERVER, KeyEntry, Signer
from sharedsky.service.uow import Database, UnitOfWork
from sharedsky.store.mapping import key_values
from sharedsky.testing.memory.configuration import (
    MemoryIdempotencyKeys,
    MemoryKeys,
    MemoryParties,
    MemoryWebhooks,
)
from sharedsky.testing.memory.ledger import MemoryEvents
from sharedsky.testing.memory.state import (
    MemoryAcks,
    MemoryAlerts,
    MemoryConflicts,
    MemoryDeliveries,
    MemoryEscalations,
    MemoryIncidents,
    MemoryMessages,
    MemoryNotices,
    MemoryVolumes,
    MemoryZones,
)
from sharedsky.testing.memory.tables import Tables

T = TypeVar("T")


class MemoryUnitOfWork:
    """Every repository over the tables of one ``MemoryDatabase``, inside one of its
    transactions (``service.uow.UnitOfWork``)."""

    def __init__(self, database: MemoryDatabase, tables: Tables) -> None:
        self.database = database
        self.tables = tables
        self._parties = MemoryParties(self)
        self._volumes = MemoryVolumes(self)
        self._notices = MemoryNotices(self)
        self._zones = MemoryZones(self)
        self._conflicts = MemoryConflicts(self)
        self._tactical = MemoryAlerts(self)
        self._acks = MemoryAcks(self)
        self._messages = MemoryMessages(self)
        self._incidents = MemoryIncidents(self)
        self._events = MemoryEvents(self)
        self._ledger_keys = MemoryKeys(self)
        self._escalations = MemoryEscalations(self)
        self._deliveries = MemoryDeliveries(self)
        self._idempotency = MemoryIdempotencyKeys(self)
        self._webhooks = MemoryWebhooks(self)

    @property
    def parties(self) -> MemoryParties:
        """The mechanism, its parties and their operators."""
        return self._parties

    @property
    def notices(self) -> MemoryNotices:
        """Notices."""
        return self._notices

    @property
    def volumes(self) -> MemoryVolumes:
        """The volume index of notices and zones."""
        return self._volumes

    @property
    def zones(self) -> MemoryZones:
        """Zones."""
        return self._zones

    @property
    def conflicts(self) -> MemoryConflicts:
        """Strategic conflicts."""
        return self._conflicts

    @property
    def tactical(self) -> MemoryAlerts:
        """Tactical alerts."""
        return self._tactical

    @property
    def acks(self) -> MemoryAcks:
        """Acknowledgement requests."""
        return self._acks

    @property
    def messages(self) -> MemoryMessages:
        """Hotline messages."""
        return self._messages

    @property
    def incidents(self) -> MemoryIncidents:
        """Incidents."""
        return self._incidents

    @property
    def events(self) -> MemoryEvents:
        """The ledger."""
        return self._events

    @property
    def ledger_keys(self) -> MemoryKeys:
        """The operators' signing keys."""
        return self._ledger_keys

    @property
    def escalations(self) -> MemoryEscalations:
        """The escalation log."""
        return self._escalations

    @property
    def deliveries(self) -> MemoryDeliveries:
        """First deliveries."""
        return self._deliveries

    @property
    def idempotency(self) -> MemoryIdempotencyKeys:
        """Results kept under idempotency keys."""
        return self._idempotency

    @property
    def webhooks(self) -> MemoryWebhooks:
        """Webhooks and their attempts."""
        return self._webhooks

    def server_signer(self, now: datetime) -> Signer:
        """The server's ledger signing key (the newest not revoked); made and stored in this
        transaction at ``now`` when there is none."""
        return self.database._server_signer(self, now)


class MemoryDatabase:
    """The tables of one mechanism in memory, run in transactions one at a time
    (``service.uow.Database``; see the module docstring for what it simplifies)."""

    def __init__(self, *, revisions: frozenset[str] = frozenset()) -> None:
        """``revisions``: what ``schema_revisions`` answers (the newest, for a ready server)."""
        self._tables = Tables()
        self._lock = threading.Lock()
        self._holder: int | None = None
        """The thread whose transaction runs now."""
        self._listeners: list[Callable[[], None]] = []
        self._signers: dict[str, Signer] = {}
        """The server keys read so far, by key id (reading a PEM costs more than a look)."""
        self._revisions = revisions
        self._appended = 0

    def run(self, work: Callable[[MemoryUnitOfWork], T], *, readonly: bool = False) -> T:
        """Run ``work`` in one transaction and commit; when it raises, nothing it wrote stays."""
        if self._holder == threading.get_ident():
            raise RuntimeError("a transaction inside a transaction of the same thread")
        with self._lock:
            self._holder = threading.get_ident()
            self._tables.begin()
            try:
                uow = MemoryUnitOfWork(self, self._tables)
                result = work(uow)
            except BaseException:
                self._tables.rollback()
                raise
            else:
                self._tables.commit()
                self._appended += uow.events.appended
            finally:
                self._holder = None
        if uow.events.appended:
            for listener in self._listeners:
                listener()
        return result

    async def run_async(self, work: Callable[[MemoryUnitOfWork], T]) -> T:
        """``run(work)``, in the calling coroutine (a transaction here takes microseconds)."""
        return self.run(work)

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each commit that appended events (quick, never raising)."""
        self._listeners.append(listener)

    @property
    def skips_locked_rows(self) -> bool:
        """False: transactions run one at a time, as on SQLite."""
        return False

    @property
    def dialect(self) -> str:
        """``sqlite``: one writer at a time, sequence numbers committed in order."""
        return "sqlite"

    def schema_revisions(self) -> frozenset[str]:
        """The revisions it was made with."""
        return self._revisions

    @property
    def events_appended(self) -> int:
        """Ledger entries committed since it was made."""
        return self._appended

    def connections_in_use(self) -> int:
        """0: it holds no connections."""
        return 0

    def _server_signer(self, uow: MemoryUnitOfWork, now: datetime) -> Signer:
        row = uow.ledger_keys.server_row()
        if row is None:
            signer = Signer.generate()
            entry = KeyEntry(signer.key_id, signer.public_key, SERVER)
            uow.tables.insert("ledger_keys", key_values(entry, now, signer.to_pem().decode()))
        else:
            signer = self._signers.get(row.key_id) or Signer.from_pem(row.private_pem.encode())
        self._signers[signer.key_id] = signer
        return signer


def _checks_the_protocols(database: MemoryDatabase, uow: MemoryUnitOfWork) -> None:
    """mypy's proof that the fake keeps ``service.uow``'s Protocols (never called)."""
    _db: Database = database
    _uow: UnitOfWork = uow
