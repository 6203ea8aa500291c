"""The import use case: every item validated first; a dry run stores nothing; a filing is one
transaction, so a failure while filing any item leaves none of them filed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from _support import T0, Env

from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.errors import FeatureProblem, ForbiddenRole, InvalidImport
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft, NoticeFilter
from sharedsky.domain.operators import Role
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.domain.zones import ZoneDraft, ZoneKind
from sharedsky.geo.outlines import CircleOutline
from sharedsky.service import imports
from sharedsky.service.context import Actor
from sharedsky.service.imports import ImportItem, import_drafts
from sharedsky.service.uow import UnitOfWork

BRAVO = Actor(OperatorId("bravo-duty"), PartyId("bravo"), is_host=False)


def _volume(lon: float, lower_m: float = 0.0, upper_m: float = 3000.0) -> Volume4D:
    window = TimeWindow(T0 + timedelta(hours=3), T0 + timedelta(hours=5))
    return Volume4D(CircleOutline((lon, 34.0), 2000.0), AltitudeBand(lower_m, upper_m), window)


def _items() -> list[ImportItem]:
    return [
        ImportItem(0, NoticeDraft(NoticeKind.UAV, "one", (_volume(36.0),))),
        ImportItem(1, ZoneDraft(ZoneKind.PROTECTED, "two", _volume(37.0))),
        ImportItem(2, NoticeDraft(NoticeKind.UAV, "three", (_volume(38.0),))),
    ]


def _stored(env: Env) -> tuple[int, int]:
    def count(uow: UnitOfWork) -> tuple[int, int]:
        notices = uow.notices.find(NoticeFilter(), T0)
        zones = uow.zones.find(None, None, True)
        return len(notices), len(zones)

    return env.deps.db.run(count, readonly=True)


def test_a_dry_run_stores_nothing_and_a_filing_stores_everything(env: Env) -> None:
    dry = import_drafts(env.deps, BRAVO, _items())
    assert dry.dry_run and [i.id for i in dry.items] == [None, None, None]
    assert _stored(env) == (0, 0)
    done = import_drafts(env.deps, BRAVO, _items(), dry_run=False)
    assert [i.id is not None for i in done.items] == [True, True, True]
    assert _stored(env) == (2, 1)


def test_a_failure_while_filing_the_second_item_leaves_the_first_unfiled(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(imports, "store_zone", broken)
    with pytest.raises(RuntimeError):
        import_drafts(env.deps, BRAVO, _items(), dry_run=False)
    assert _stored(env) == (0, 0)


def test_a_bad_item_files_nothing_unless_skipped_and_is_reported_by_index(env: Env) -> None:
    items = [*_items(), ImportItem(7, NoticeDraft(NoticeKind.UAV, "", (_volume(39.0),)))]
    read_problem = FeatureProblem(4, "geometry Point is no volume outline", ("geometry",))
    with pytest.raises(InvalidImport) as refused:
        import_drafts(env.deps, BRAVO, items, [read_problem], dry_run=False)
    assert [(p.index, p.path) for p in refused.value.problems] == [
        (4, ("geometry",)),
        (7, ("title",)),
    ]
    assert _stored(env) == (0, 0)
    done = import_drafts(env.deps, BRAVO, items, [read_problem], dry_run=False, skip_bad=True)
    assert [i.index for i in done.items] == [0, 1, 2]
    assert [p.index for p in done.problems] == [4, 7]
    assert _stored(env) == (2, 1)


def test_importing_takes_the_duty_role(env: Env) -> None:
    watcher = Actor(OperatorId("bravo-watch"), PartyId("bravo"), is_host=False, role=Role.VIEWER)
    with pytest.raises(ForbiddenRole):
        import_drafts(env.deps, watcher, _items())
