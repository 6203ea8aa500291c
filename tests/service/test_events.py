"""Each use case appends its events in its own transaction, and a refused one appends nothing
(over the in-memory unit of work; the after-images' encoding over the SQL store)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from _support import T0, Env

from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.errors import InvalidVolume
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline
from sharedsky.service.context import Actor
from sharedsky.service.notices import cancel_notice, file_notice


def draft(upper_m: float = 9000) -> NoticeDraft:
    volume = Volume4D(
        CircleOutline((36.5, 34.8), 20_000),
        AltitudeBand(3000, upper_m),
        TimeWindow(T0 + timedelta(hours=2), T0 + timedelta(hours=3)),
    )
    return NoticeDraft(NoticeKind.UAV, "orbit", (volume,))


def types(env: Env) -> list[str]:
    return [e.type for e in env.deps.db.run(lambda uow: uow.events.after(0), readonly=True)]


def test_filing_clashing_and_cancelling_leave_their_events(env: Env) -> None:
    alpha = Actor(OperatorId("alpha-duty"), PartyId("alpha"), False)
    bravo = Actor(OperatorId("bravo-duty"), PartyId("bravo"), False)
    first = file_notice(env.deps, alpha, draft())
    file_notice(env.deps, bravo, draft())
    cancel_notice(env.deps, alpha, first.notice.id)
    assert types(env) == [
        "mechanism.loaded",
        "notice.filed",
        "conflict.detected",  # a write's events are its only record (R-LEDGER-8)
        "notice.filed",
        "conflict.resolved",
        "notice.cancelled",
    ]


def test_a_refused_filing_appends_nothing(env: Env) -> None:
    alpha = Actor(OperatorId("alpha-duty"), PartyId("alpha"), False)
    with pytest.raises(InvalidVolume):
        file_notice(env.deps, alpha, draft(upper_m=1000))
    assert types(env) == ["mechanism.loaded"]
