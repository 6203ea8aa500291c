"""``service/projection.py``: the only writer of the state tables, by one pure ``apply`` per
event type; replayed in the ledger's order, the events rebuild the in-memory tables exactly
(the SQL ones: ``tests/ledger/test_projection.py``) (R-LEDGER-8)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from testing.test_memory import _scenario

from sharedsky.domain.events import EVENT_TYPES
from sharedsky.ledger.signing import Signer, public_key_to_b64
from sharedsky.service import projection
from sharedsky.store.legacy_state import PROJECTED
from sharedsky.testing.memory import MemoryDatabase

_SERVICE = Path(projection.__file__).parent
_WRITES = re.compile(
    r"\.(notices|volumes|zones|conflicts|tactical|acks|messages|incidents|escalations|deliveries)"
    r"\.(add|add_many|put|replace|cancel|withdraw|unindex|resolve|update_severity|clear"
    r"|acknowledge|supersede|supersede_for|climb|lapse|record)\("
)


def test_no_use_case_writes_the_state_tables_but_through_its_events() -> None:
    """Every module of the service layer but the projection leaves the state tables' write
    methods alone: a use case records events (``_common.record_event``), ``apply`` writes."""
    offenders = [
        f"{path.name}: {match.group(0)}"
        for path in sorted(_SERVICE.glob("*.py"))
        if path.name != "projection.py"
        for match in _WRITES.finditer(path.read_text("utf-8"))
    ]
    assert offenders == []
    assert _WRITES.search(Path(projection.__file__).read_text("utf-8"))  # the pattern bites


def test_every_event_type_that_changes_a_table_has_its_apply() -> None:
    configuration = {
        "mechanism.loaded",
        "operator.added",
        "operator.revoked",
        "operator.rotated",
        "ledger.key_registered",
        "ledger.key_revoked",
        "webhook.registered",
        "webhook.deleted",
        "report.published",  # a signature recorded: no table holds it
    }
    applied = {kind.TYPE for kind in projection._STEPS}
    assert applied == set(EVENT_TYPES) - configuration


def _projected(db: MemoryDatabase) -> dict[str, Any]:
    tables = db._tables
    rows = {name: list(tables.scan(name)) for name in PROJECTED}
    return rows | {"volume_cells": dict(sorted(tables.covers.items()))}


def test_the_typed_events_rebuild_the_in_memory_tables_exactly() -> None:
    """After every use case once (the whole-run scenario of the fake's own tests), the fake's
    projected tables and cell index, emptied and rebuilt from the ledger's events alone, are
    what they were."""
    db = MemoryDatabase()
    _scenario(db, public_key_to_b64(Signer.generate().public_key))
    before = _projected(db)
    empty = [name for name, rows in before.items() if not rows]
    assert empty == ["tactical_alerts"]  # the scenario flies no tracks (the SQL replay does)
    entries = db.run(lambda uow: uow.events.entries(0, 100_000), readonly=True)
    types = {e.content.type for e in entries if e.content is not None}
    assert {"ack.escalated", "notice.amended", "zone.withdrawn", "delivery.recorded"} <= types
    tables = db._tables
    tables.begin()
    for name in PROJECTED:
        tables.rows[name].clear()
    tables.covers.clear()
    tables.cell_vids.clear()
    tables.commit()

    def replay(uow: Any) -> None:
        for entry in entries:
            assert entry.content is not None
            projection.apply_entry(entry.content.type, entry.content.payload, uow)

    db.run(replay)
    assert _projected(db) == before
