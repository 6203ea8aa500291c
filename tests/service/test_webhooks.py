"""Webhook use cases and the delivery pass: each hook receives, in seq order and signed, exactly
what its party's stream would; failures are retried with backoff without skipping; an event
that keeps failing becomes a dead letter (R-HOOK-1, R-STREAM-1, R-LEAD-2)."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from _support import T0, THREE_PARTY_YAML, Env, make_env

from sharedsky.domain.acknowledgements import AckSubject
from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.errors import Forbidden, InvalidInput, NotFound
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.visibility import Viewer
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.events.webhooks import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    DeliveryFailed,
    RetryPolicy,
    verify_signature,
)
from sharedsky.geo.outlines import CircleOutline
from sharedsky.service.acknowledgements import acknowledge
from sharedsky.service.context import Actor
from sharedsky.service.notices import file_notice
from sharedsky.service.stream import StreamEvent, open_cursor, read_stream
from sharedsky.service.webhooks import (
    WebhookWorker,
    delete_webhook,
    deliver_due,
    list_deliveries,
    list_webhooks,
    register_webhook,
)
from sharedsky.testing.fakes import FakeClock, RecordingSender, SentRequest
from sharedsky.testing.memory import MemoryDatabase

HERE = (36.5, 34.8)
FAR = (40.0, 30.0)


def actor(party: str) -> Actor:
    return Actor(OperatorId(f"{party}-duty"), PartyId(party), party == "host")


def url(party: str) -> str:
    return f"https://{party}.example/hook"


def draft(center: tuple[float, float]) -> NoticeDraft:
    volume = Volume4D(
        CircleOutline(center, 20_000),
        AltitudeBand(3000, 9000),
        TimeWindow(T0 + timedelta(hours=2), T0 + timedelta(hours=3)),
    )
    return NoticeDraft(NoticeKind.UAV, "orbit", (volume,))


@pytest.fixture
def env3(memory: MemoryDatabase, clock: FakeClock) -> Env:
    """alpha–bravo conflicts_only, alpha–charlie host_only, bravo–charlie full."""
    return make_env(memory, clock, THREE_PARTY_YAML)


def register_all(env: Env, parties: tuple[str, ...]) -> dict[str, tuple[str, int]]:
    """Party → (secret, seq of the hook's registration)."""
    found = {}
    for p in parties:
        registration = register_webhook(env.deps, actor(p), url(p))
        found[p] = (registration.secret, registration.hook.cursor_seq)
    return found


def file_world(env: Env) -> None:
    """A far from anything, then A, B and C over the same place; charlie acknowledges B."""
    file_notice(env.deps, actor("alpha"), draft(FAR))
    ids = {p: file_notice(env.deps, actor(p), draft(HERE)).notice.id for p in ("alpha", "bravo")}
    file_notice(env.deps, actor("charlie"), draft(HERE))
    acknowledge(env.deps, actor("charlie"), AckSubject.NOTICE, ids["bravo"])


def stream_of(env: Env, party: str, after: int) -> list[StreamEvent]:
    cursor = open_cursor(env.deps, after)
    viewer = Viewer(PartyId(party), party == "host")
    seen: list[StreamEvent] = []
    while True:
        page = read_stream(env.deps, viewer, cursor, now_s=0.0)
        seen.extend(page.events)
        if not page.more:
            return seen


def bodies(sent: list[SentRequest]) -> list[dict[str, object]]:
    return [json.loads(r.body) for r in sent]


def pass_(env: Env, sender: RecordingSender, policy: RetryPolicy | None = None) -> None:
    deliver_due(env.deps, sender, time.monotonic(), policy)


def cursor_of(env: Env, hook_id: str) -> int:
    hook = env.deps.db.run(lambda uow: uow.webhooks.get(hook_id), readonly=True)
    assert hook is not None
    return hook.cursor_seq


def test_each_hook_receives_exactly_what_its_partys_stream_sends_in_order(env3: Env) -> None:
    """R-HOOK-1, R-STREAM-1: visibility is the stream's, event for event."""
    hooks = register_all(env3, ("host", "alpha", "bravo", "charlie"))
    file_world(env3)
    sender = RecordingSender()
    pass_(env3, sender)
    for party, (secret, start) in hooks.items():
        got = sender.to(url(party))
        expected = stream_of(env3, party, start)
        if party == "host":  # the host also sees the later hooks' registrations
            assert [e.type for e in expected[:3]] == ["webhook.registered"] * 3
        else:
            assert all(e.type.startswith(("notice.", "conflict.")) for e in expected)
        assert [b["seq"] for b in bodies(got)] == [e.seq for e in expected]
        assert [b["payload"] for b in bodies(got)] == [dict(e.payload) for e in expected]
        assert [b["type"] for b in bodies(got)] == [r.headers[EVENT_TYPE_HEADER] for r in got]
        assert [b["seq"] for b in bodies(got)] == [int(r.headers[EVENT_ID_HEADER]) for r in got]
        assert all(
            verify_signature(secret, r.headers[SIGNATURE_HEADER], r.body, 5, T0.timestamp())
            for r in got
        )
    assert len(sender.to(url("alpha"))) == 5  # A_far, A, A×B, B (clashes), A×C; never C
    # a second pass sends nothing more
    before = len(sender.sent)
    pass_(env3, sender)
    assert len(sender.sent) == before


def test_a_hook_gets_the_events_from_its_registration_on(env3: Env) -> None:
    file_notice(env3.deps, actor("bravo"), draft(FAR))
    register_webhook(env3.deps, actor("bravo"), url("bravo"))
    sender = RecordingSender()
    pass_(env3, sender)
    assert sender.sent == []
    file_notice(env3.deps, actor("bravo"), draft(HERE))
    pass_(env3, sender)
    assert [b["type"] for b in bodies(sender.sent)] == ["notice.filed"]


def test_failures_are_retried_with_backoff_and_the_cursor_never_skips(
    env3: Env, clock: FakeClock
) -> None:
    """R-HOOK-1: the failed event is retried, after 0.5 s, 1 s, 2 s, before any later one."""
    hook = register_webhook(env3.deps, actor("bravo"), url("bravo")).hook
    for center in (FAR, HERE, (30.0, 20.0)):
        file_notice(env3.deps, actor("bravo"), draft(center))
    sender = RecordingSender({url("bravo"): [500, 503, DeliveryFailed("refused")]})
    # each delivery is recorded in the log (R-LEDGER-3): bravo's events are not consecutive
    first, second, third = (e.seq for e in stream_of(env3, "bravo", hook.cursor_seq))
    pass_(env3, sender)
    assert [r.status_code for r in sender.sent] == [500]
    for wait_s, sends in ((0.49, 1), (0.01, 2), (0.99, 2), (0.01, 3), (1.99, 3)):
        clock.advance(wait_s)
        pass_(env3, sender)
        assert len(sender.sent) == sends, wait_s
        assert cursor_of(env3, hook.id) == hook.cursor_seq
    clock.advance(0.01)
    pass_(env3, sender)
    seqs = [int(r.headers[EVENT_ID_HEADER]) for r in sender.sent]
    assert seqs == [first, first, first, first, second, third]
    assert cursor_of(env3, hook.id) >= third  # and past the ledger-only records after it
    attempts = list_deliveries(env3.deps, actor("bravo").viewer, hook.id)
    assert [(a.event_seq, a.attempt, a.status_code, a.ok) for a in reversed(attempts)] == [
        (first, 1, 500, False),
        (first, 2, 503, False),
        (first, 3, None, False),
        (first, 4, 200, True),
        (second, 1, 200, True),
        (third, 1, 200, True),
    ]
    assert attempts[3].error == "refused"
    assert attempts[4].error == "HTTP 503"
    assert all(not a.dead for a in attempts)


def test_an_event_that_keeps_failing_becomes_a_dead_letter_and_the_hook_moves_on(
    env3: Env, clock: FakeClock
) -> None:
    """R-HOOK-1: after max_attempts failures the event is recorded dead; the next one goes."""
    policy = RetryPolicy(max_attempts=3, backoff_cap_s=1)
    hook = register_webhook(env3.deps, actor("bravo"), url("bravo")).hook
    file_notice(env3.deps, actor("bravo"), draft(FAR))
    file_notice(env3.deps, actor("bravo"), draft(HERE))
    first, second = (e.seq for e in stream_of(env3, "bravo", hook.cursor_seq))
    sender = RecordingSender({url("bravo"): [500, 500, 500]})
    for _ in range(5):
        pass_(env3, sender, policy)
        clock.advance(1)
    seqs = [int(r.headers[EVENT_ID_HEADER]) for r in sender.sent]
    assert seqs == [first, first, first, second]
    dead = list_deliveries(env3.deps, actor("bravo").viewer, hook.id, dead_only=True)
    assert [(d.event_seq, d.attempt, d.dead) for d in dead] == [(first, 3, True)]
    assert cursor_of(env3, hook.id) >= second  # past the record of its delivery, too
    host_view = list_deliveries(env3.deps, actor("host").viewer, hook.id)
    assert len(host_view) == 4


def test_a_webhook_delivery_records_the_first_delivery_of_notices(env3: Env) -> None:
    """R-LEAD-2: a notice reaches a party by its webhook as by its stream."""
    register_webhook(env3.deps, actor("charlie"), url("charlie"))
    notice_id = file_notice(env3.deps, actor("bravo"), draft(HERE)).notice.id
    env3.clock.advance(7)
    pass_(env3, RecordingSender())
    found = env3.deps.db.run(lambda uow: uow.deliveries.of("notice", [notice_id]), readonly=True)
    assert [(d.party, d.via, d.delivered_at) for d in found] == [
        ("charlie", "webhook", T0 + timedelta(seconds=7))
    ]


def test_a_failed_delivery_records_no_delivery(env3: Env) -> None:
    register_webhook(env3.deps, actor("charlie"), url("charlie"))
    notice_id = file_notice(env3.deps, actor("bravo"), draft(HERE)).notice.id
    pass_(env3, RecordingSender(default_status=500))
    found = env3.deps.db.run(lambda uow: uow.deliveries.of("notice", [notice_id]), readonly=True)
    assert found == []


def test_a_hook_leased_by_another_worker_is_left_alone(env3: Env) -> None:
    hook = register_webhook(env3.deps, actor("bravo"), url("bravo")).hook
    file_notice(env3.deps, actor("bravo"), draft(HERE))
    until = 2**62
    assert env3.deps.db.run(lambda uow: uow.webhooks.claim(hook.id, "other", 0, until))
    sender = RecordingSender()
    pass_(env3, sender)
    assert sender.sent == []
    env3.deps.db.run(lambda uow: uow.webhooks.release(hook.id, "other"))
    pass_(env3, sender)
    assert len(sender.sent) == 1


def test_a_deleted_hook_receives_nothing_more(env3: Env) -> None:
    hook = register_webhook(env3.deps, actor("bravo"), url("bravo")).hook
    delete_webhook(env3.deps, actor("bravo"), hook.id)
    file_notice(env3.deps, actor("bravo"), draft(HERE))
    sender = RecordingSender()
    pass_(env3, sender)
    assert sender.sent == []
    assert list_webhooks(env3.deps, actor("bravo").viewer) == []
    with pytest.raises(NotFound):
        delete_webhook(env3.deps, actor("bravo"), hook.id)


def test_parties_see_their_own_hooks_and_the_host_sees_all(env3: Env) -> None:
    """R-AUTH-1: another party's hook is not found; the host lists but does not delete it."""
    hooks = {p: register_webhook(env3.deps, actor(p), url(p)).hook for p in ("alpha", "bravo")}
    assert [h.id for h in list_webhooks(env3.deps, actor("alpha").viewer)] == [hooks["alpha"].id]
    assert {h.party for h in list_webhooks(env3.deps, actor("host").viewer)} == {"alpha", "bravo"}
    with pytest.raises(NotFound):
        delete_webhook(env3.deps, actor("alpha"), hooks["bravo"].id)
    with pytest.raises(NotFound):
        list_deliveries(env3.deps, actor("alpha").viewer, hooks["bravo"].id)
    with pytest.raises(Forbidden):
        delete_webhook(env3.deps, actor("host"), hooks["bravo"].id)


def test_a_bad_url_is_refused_at_url_and_stores_nothing(env3: Env) -> None:
    with pytest.raises(InvalidInput) as caught:
        register_webhook(env3.deps, actor("alpha"), "https://u:p@alpha.example/")
    assert caught.value.path == ("url",)
    assert list_webhooks(env3.deps, actor("host").viewer) == []


def test_the_worker_delivers_soon_after_a_commit_and_stops(env3: Env) -> None:
    register_webhook(env3.deps, actor("bravo"), url("bravo"))
    sender = RecordingSender()
    worker = WebhookWorker(env3.deps, sender, interval_s=30)
    worker.start()
    try:
        file_notice(env3.deps, actor("bravo"), draft(HERE))
        deadline = time.monotonic() + 5
        while not sender.sent and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        worker.stop()
    assert [b["type"] for b in bodies(sender.sent)] == ["notice.filed"]
