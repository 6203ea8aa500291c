"""Write ``tests/ledger/data/legacy.db``: a small SQLite database as the code before typed
events wrote it (each write's after-images in a ``state.recorded`` entry, events with ids
only), for the test of the legacy reader (``tests/ledger/test_legacy_ledger.py``).

Run it with the old code first on the path, from the repository's root:

    git worktree add --detach /tmp/wt-old 9e0c2fe   # the last commit before the typed events
    PYTHONPATH=/tmp/wt-old/src .venv/bin/python scripts/make_legacy_ledger.py

It uses nothing but what that code offered: the migrations, the mechanism loader and the use
cases, on a fake clock with sequential ids (the file is the same on every run but for the
server's signing key, drawn at random).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sharedsky.bootstrap import build_deps
from sharedsky.domain.acknowledgements import AckSubject
from sharedsky.domain.channels import NoticeKind, Priority
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.messages import MessageDraft
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.domain.zones import ZoneDraft, ZoneKind
from sharedsky.geo.outlines import CircleOutline, PolygonOutline
from sharedsky.interop.mechanism_yaml import parse_mechanism
from sharedsky.service.acknowledgements import acknowledge
from sharedsky.service.context import Actor
from sharedsky.service.deadlines import tick
from sharedsky.service.hotline import acknowledge_message, send_message
from sharedsky.service.mechanism import load_mechanism
from sharedsky.service.notices import amend_notice, cancel_notice, file_notice
from sharedsky.service.zones import declare_zone, withdraw_zone
from sharedsky.store.engine import make_engine
from sharedsky.store.schema import upgrade
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock, SequentialIds, open_targets

OUT = Path(__file__).resolve().parents[1] / "tests" / "ledger" / "data" / "legacy.db"
T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
MECHANISM = """\
mechanism: legacy
host: {id: host, name: Coordination Cell, language: en}
parties:
  - {id: alpha, name: Alpha, language: en}
  - {id: bravo, name: Bravo, language: tr}
defaults:
  sharing: full
  ack_deadline_s: {routine: 900, priority: 300, flash: 60}
"""


def _draft(lon: float, start_h: float = 2.0) -> NoticeDraft:
    window = TimeWindow(T0 + timedelta(hours=start_h), T0 + timedelta(hours=start_h + 1))
    square = PolygonOutline(
        (((lon, 34.5), (lon + 0.4, 34.5), (lon + 0.4, 34.9), (lon, 34.9), (lon, 34.5)),)
    )
    return NoticeDraft(
        NoticeKind.AIR_SORTIE, "sortie", (Volume4D(square, AltitudeBand(3000.0, 9000.0), window),)
    )


def main() -> int:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{OUT}")
    upgrade(engine)
    db = Database(engine)
    clock = FakeClock(T0)
    mechanism, mechanism_json = parse_mechanism(MECHANISM)
    load_mechanism(db, clock, mechanism, mechanism_json)
    deps = build_deps(db, clock=clock, ids=SequentialIds(), webhook_targets=open_targets())
    alpha = Actor(OperatorId("alpha-duty"), PartyId("alpha"), False)
    bravo = Actor(OperatorId("bravo-duty"), PartyId("bravo"), False)
    first = file_notice(deps, alpha, _draft(36.1)).notice
    clash = file_notice(deps, bravo, _draft(36.3))
    amend_notice(deps, alpha, first.id, 1, _draft(36.15))
    zone = declare_zone(
        deps,
        bravo,
        ZoneDraft(
            ZoneKind.PROTECTED,
            "hospital",
            Volume4D(
                CircleOutline((36.2, 34.7), 5000.0),
                AltitudeBand(0.0, 3000.0),
                TimeWindow(T0, None),
            ),
        ),
    ).zone
    other = file_notice(deps, alpha, _draft(30.0)).notice
    cancel_notice(deps, alpha, other.id)
    sent = send_message(deps, alpha, MessageDraft(PartyId("bravo"), Priority.FLASH, "standby"))
    clock.advance(30)
    acknowledge_message(deps, bravo, sent.message.id)
    acknowledge(deps, bravo, AckSubject.CONFLICT, clash.conflicts[0].id)
    clock.advance(3600)
    tick(deps)
    withdraw_zone(deps, bravo, zone.id)
    db.close()
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
