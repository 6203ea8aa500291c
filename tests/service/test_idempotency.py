"""A use case given an Idempotency-Key keeps its encoded result in its own transaction: a retry
reads it back, and a concurrent duplicate that loses the race for the key leaves nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from _support import T0, Env

from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.errors import IdempotencyMismatch, KeyTaken
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline
from sharedsky.service.context import Actor, Idempotency
from sharedsky.service.idempotency import kept_result
from sharedsky.service.notices import Filing, file_notice

ALPHA = Actor(OperatorId("alpha-duty"), PartyId("alpha"), False)


def draft() -> NoticeDraft:
    volume = Volume4D(
        CircleOutline((36.5, 34.8), 20_000),
        AltitudeBand(3000, 9000),
        TimeWindow(T0 + timedelta(hours=2), T0 + timedelta(hours=3)),
    )
    return NoticeDraft(NoticeKind.UAV, "orbit", (volume,))


def with_key(key: str, request_sha256: str = "a" * 64) -> Idempotency[Filing]:
    return Idempotency(key, request_sha256, lambda filing: f"filed {filing.notice.id}")


def filed(env: Env) -> list[str]:
    """The notice.filed entries of the ledger (their notice ids)."""
    events = env.deps.db.run(lambda uow: uow.events.after(0), readonly=True)
    return [str(e.payload["notice"]) for e in events if e.type == "notice.filed"]


def test_the_result_is_kept_encoded_with_the_change(env: Env) -> None:
    """R-IDEM-1"""
    assert kept_result(env.deps, ALPHA, "k-1", "a" * 64) is None
    filing = file_notice(env.deps, ALPHA, draft(), with_key("k-1"))
    assert kept_result(env.deps, ALPHA, "k-1", "a" * 64) == f"filed {filing.notice.id}"
    other = Actor(OperatorId("bravo-duty"), PartyId("bravo"), False)
    assert kept_result(env.deps, other, "k-1", "a" * 64) is None  # keys are per operator
    with pytest.raises(IdempotencyMismatch) as mismatch:
        kept_result(env.deps, ALPHA, "k-1", "b" * 64)
    assert mismatch.value.path == ("Idempotency-Key",)


def test_a_duplicate_that_lost_the_race_for_its_key_stores_nothing(env: Env) -> None:
    """R-IDEM-1: a second filing with a key already kept (it looked before the first
    committed) is refused on the key, and with it the whole filing."""
    first = file_notice(env.deps, ALPHA, draft(), with_key("k-1"))
    with pytest.raises(KeyTaken):
        file_notice(env.deps, ALPHA, draft(), with_key("k-1"))
    assert filed(env) == [first.notice.id]
    assert kept_result(env.deps, ALPHA, "k-1", "a" * 64) == f"filed {first.notice.id}"


def test_of_two_filings_with_one_key_at_once_one_is_stored(sql_env: Env) -> None:
    """R-IDEM-1: two filings sent together with one key (whether they share a transaction or
    not): one stores its notice and its result, the other is refused on the key. On SQL: it is
    about concurrent transactions and group commit."""
    env = sql_env
    start = threading.Barrier(2)
    outcomes: list[Filing | Exception] = []

    def send() -> None:
        start.wait()
        try:
            outcomes.append(file_notice(env.deps, ALPHA, draft(), with_key("k-1")))
        except Exception as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [stored] = [o for o in outcomes if isinstance(o, Filing)]
    [refused] = [o for o in outcomes if not isinstance(o, Filing)]
    assert isinstance(refused, KeyTaken)
    assert filed(env) == [stored.notice.id]
    assert kept_result(env.deps, ALPHA, "k-1", "a" * 64) == f"filed {stored.notice.id}"
