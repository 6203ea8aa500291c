"""Use cases of webhooks (register, list, delete, attempts) and the delivery pass over the
durable outbox, with the worker that runs it inside ``serve``.

The outbox is the event log itself: each hook keeps ``cursor_seq``, the last event it has
handled. A pass reads the events after it through the event stream's own reader
(`service.stream.read_stream`, so a hook receives exactly what its party's stream would, cut the
same way), POSTs each in seq order, and records every attempt. The cursor moves past an event
only on a 2xx answer — or when the event becomes a dead letter after ``max_attempts`` failures;
until then the hook waits out the backoff and retries that same event, so nothing is skipped and
nothing overtakes it (R-HOOK-1). Several workers share the hooks through a lease on each row.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sharedsky.domain.deliveries import Delivery
from sharedsky.domain.errors import Forbidden, InvalidInput, NotFound
from sharedsky.domain.events import WebhookDeleted, WebhookRegistered
from sharedsky.domain.ids import PartyId
from sharedsky.domain.operators import Role
from sharedsky.domain.visibility import Viewer
from sharedsky.domain.webhooks import Webhook, WebhookAttempt
from sharedsky.events.streams import StreamCursor, gap_grace_s
from sharedsky.events.webhooks import (
    DeliveryFailed,
    RetryPolicy,
    WebhookSender,
    delivery_headers,
    event_body,
)
from sharedsky.service._common import record_event, remember
from sharedsky.service.context import Actor, Idempotency
from sharedsky.service.ports import Deps
from sharedsky.service.stream import StreamEvent, deliveries_of, read_stream, store_deliveries
from sharedsky.service.uow import UnitOfWork
from sharedsky.units import to_us

log = logging.getLogger("sharedsky.webhooks")

MAX_HOOKS_PER_PARTY = 20
MAX_LIST = 500
EVENTS_PER_PASS = 200
"""Most events one pass delivers to one hook, so that one busy hook does not starve others."""
PAGE_SIZE = 100
"""Events read from the log per query of a pass."""
DEFAULT_LEASE_S = 60.0
"""How long a worker holds a hook without recording an attempt, in seconds (must exceed the
sender's timeout)."""
MAX_ERROR_CHARS = 500


@dataclass(frozen=True, slots=True)
class Registration:
    """A new hook and its secret (shown this once)."""

    hook: Webhook
    secret: str


@dataclass(slots=True)
class PassResult:
    """What one delivery pass did."""

    delivered: int = 0
    """Events answered with 2xx."""
    failed: int = 0
    """Failed attempts (including those that made a dead letter)."""
    dead: int = 0
    """Events given up after ``max_attempts`` failures."""
    hooks: int = 0
    """Hooks this pass worked on."""


@dataclass(slots=True)
class GapMemory:
    """Per hook, the stream cursor of the previous pass, so that a gap in the sequence
    (PostgreSQL) is waited out across passes exactly as a live stream waits it out."""

    cursors: dict[str, StreamCursor] = field(default_factory=dict)

    def cursor(self, hook: Webhook, grace_s: float) -> StreamCursor:
        """The remembered cursor when it stands where the hook's stored cursor does."""
        cursor = self.cursors.get(hook.id)
        if cursor is None or cursor.position != hook.cursor_seq:
            cursor = StreamCursor(hook.cursor_seq, grace_s)
            self.cursors[hook.id] = cursor
        return cursor


def _viewer(deps: Deps, party: PartyId) -> Viewer:
    return Viewer(party, deps.mechanism.is_host(party))


def register_webhook(
    deps: Deps, actor: Actor, url: str, idem: Idempotency[Registration] | None = None
) -> Registration:
    """Register ``url`` for the actor's party: it receives every event the party may see from
    now on. InvalidInput at ``url`` for an address that is not http(s), carries credentials or
    is malformed, that the server's rules refuse (plain http, a host that resolves to a
    loopback, private, link-local … address: ``deps.webhook_targets``), and when the party
    already has ``MAX_HOOKS_PER_PARTY`` hooks. Deliveries check the address again (the
    sender's guard), since a name may resolve elsewhere later."""
    actor.require_role(Role.ADMIN, "register webhooks")
    problem = deps.webhook_targets.admit(url).problem
    if problem is not None:
        raise InvalidInput(problem, ("url",))
    now = deps.clock.now()
    secret = f"whsec_{secrets.token_hex(32)}"
    hook_id = deps.ids.new("whk")

    def work(uow: UnitOfWork) -> Registration:
        if len(uow.webhooks.active(actor.party)) >= MAX_HOOKS_PER_PARTY:
            raise InvalidInput(
                f"a party may register at most {MAX_HOOKS_PER_PARTY} webhooks", ("url",)
            )
        event = WebhookRegistered(hook_id, actor.party)
        seq = record_event(uow, now, actor.operator, event, actor.signature)
        hook = Webhook(hook_id, actor.party, url, secret, now, None, seq, 0, now)
        uow.webhooks.add(hook)
        return remember(uow, actor, idem, Registration(hook, secret), now)

    return deps.db.run(work)


def _owned(uow: UnitOfWork, viewer: Viewer, hook_id: str) -> Webhook:
    hook = uow.webhooks.get(hook_id)
    if hook is None or not (viewer.is_host or hook.party == viewer.party):
        raise NotFound(f"no webhook {hook_id!r}")
    return hook


def list_webhooks(deps: Deps, viewer: Viewer) -> list[Webhook]:
    """The viewer's party's active hooks (the host: every party's), oldest first."""
    party = None if viewer.is_host else viewer.party
    return deps.db.run(lambda uow: uow.webhooks.active(party), readonly=True)


def delete_webhook(deps: Deps, actor: Actor, hook_id: str) -> None:
    """Delete one of the party's hooks (its attempts stay listed for the host); NotFound when
    the party has no such active hook; Forbidden when the host deletes a party's hook."""
    actor.require_role(Role.ADMIN, "delete webhooks")
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> None:
        hook = _owned(uow, actor.viewer, hook_id)
        if hook.party != actor.party:
            raise Forbidden("only the party that registered a webhook deletes it")
        uow.webhooks.disable(hook_id, to_us(now))
        record_event(uow, now, actor.operator, WebhookDeleted(hook_id, hook.party), actor.signature)

    deps.db.run(work)


def list_deliveries(
    deps: Deps, viewer: Viewer, hook_id: str, limit: int = 100, dead_only: bool = False
) -> list[WebhookAttempt]:
    """The attempts of one of the viewer's hooks (the host: any hook, deleted ones too), newest
    first; ``dead_only`` keeps the dead letters. NotFound for a hook that is not the viewer's."""

    def work(uow: UnitOfWork) -> list[WebhookAttempt]:
        owner = uow.webhooks.owner_of(hook_id)
        if owner is None or not viewer.is_host:
            _owned(uow, viewer, hook_id)
        return uow.webhooks.attempts_of(hook_id, limit, dead_only)

    return deps.db.run(work, readonly=True)


@dataclass(slots=True)
class _HookRun:
    """One hook within one pass: its state as this worker last stored it."""

    deps: Deps
    sender: WebhookSender
    policy: RetryPolicy
    owner: str
    lease_s: float
    hook: Webhook
    result: PassResult
    attempts: int = 0
    stored_seq: int = 0

    def _store(
        self,
        attempt: WebhookAttempt | None,
        cursor_seq: int,
        next_at: datetime,
        delivered: Sequence[Delivery] = (),
    ) -> bool:
        lease_until = to_us(next_at) + int(self.lease_s * 1e6)

        def work(uow: UnitOfWork) -> bool:
            if attempt is not None:
                uow.webhooks.record(attempt)
            held = uow.webhooks.advance(
                self.hook.id, self.owner, cursor_seq, self.attempts, to_us(next_at), lease_until
            )
            if held and delivered:
                store_deliveries(uow, delivered, self.deps.clock.now())
            return held

        held = self.deps.db.run(work)
        if held:
            self.stored_seq = cursor_seq
        return held

    def send(self, event: StreamEvent) -> bool:
        """Make one attempt; True when the pass may go on with the next event."""
        hook = self.hook
        body = event_body(event.seq, event.time, event.type, event.actor, event.payload)
        sent_at = self.deps.clock.now()
        headers = delivery_headers(
            hook.secret, body, event.seq, event.type, int(sent_at.timestamp())
        )
        status: int | None = None
        error: str | None = None
        try:
            status = self.sender.send(hook.url, body, headers)
        except DeliveryFailed as exc:
            error = str(exc)[:MAX_ERROR_CHARS]
        ok = status is not None and 200 <= status < 300
        number = self.attempts + 1
        if ok:
            self.attempts = 0
            attempt = WebhookAttempt(
                hook.id, event.seq, event.type, number, status, None, sent_at, True, False
            )
            self.result.delivered += 1
            done_at = self.deps.clock.now()
            found = deliveries_of(self.viewer, [event], done_at, via="webhook")
            return self._store(attempt, event.seq, sent_at, found)
        self.result.failed += 1
        if error is None:
            error = f"HTTP {status}"
        dead = number >= self.policy.max_attempts
        attempt = WebhookAttempt(
            hook.id, event.seq, event.type, number, status, error, sent_at, False, dead
        )
        if dead:  # give the event up; the next one is due at once, in the next pass
            self.result.dead += 1
            self.attempts = 0
            self._store(attempt, event.seq, sent_at)
            return False
        self.attempts = number
        retry_at = sent_at + timedelta(seconds=self.policy.backoff_s(number))
        self._store(attempt, event.seq - 1, retry_at)
        return False

    @property
    def viewer(self) -> Viewer:
        """The hook's party as a viewer."""
        return _viewer(self.deps, self.hook.party)

    def run(self, cursor: StreamCursor, now_s: float) -> None:
        """Deliver the hook's due events in order until one fails or the pass's share is used."""
        viewer = self.viewer
        sent = 0
        while sent < EVENTS_PER_PASS:
            page = read_stream(self.deps, viewer, cursor, now_s, PAGE_SIZE)
            for event in page.events:
                if not self.send(event):
                    return
                sent += 1
            if cursor.position > self.stored_seq:  # the events it may not see are handled too
                if not self._store(None, cursor.position, self.deps.clock.now()):
                    return
            if not page.more:
                return


def deliver_due(
    deps: Deps,
    sender: WebhookSender,
    now_s: float,
    policy: RetryPolicy | None = None,
    *,
    memory: GapMemory | None = None,
    owner: str | None = None,
    lease_s: float = DEFAULT_LEASE_S,
) -> PassResult:
    """One pass of the outbox: for each active hook whose next attempt is due, POST the events
    after its cursor that its party may see, in seq order, each signed; stop at a hook's first
    failure (retried after the backoff). ``now_s`` is a monotonic time in seconds (the gap grace
    of the stream's cursor); ``memory`` carries that cursor between passes; ``owner`` names
    this worker in the hooks' leases."""
    rules = policy or RetryPolicy()
    me = owner or uuid.uuid4().hex
    gaps = memory or GapMemory()
    grace_s = gap_grace_s(deps.db.dialect)
    now = deps.clock.now()

    def due(uow: UnitOfWork) -> list[Webhook]:
        return uow.webhooks.due(to_us(now))

    now_us = to_us(now)
    until_us = now_us + int(lease_s * 1e6)

    def claim(hook_id: str) -> bool:
        return deps.db.run(lambda uow: uow.webhooks.claim(hook_id, me, now_us, until_us))

    def release(hook_id: str) -> None:
        deps.db.run(lambda uow: uow.webhooks.release(hook_id, me))

    result = PassResult()
    for hook in deps.db.run(due, readonly=True):
        if not claim(hook.id):
            continue  # another worker is delivering to it
        result.hooks += 1
        run = _HookRun(
            deps, sender, rules, me, lease_s, hook, result, hook.attempts, hook.cursor_seq
        )
        try:
            run.run(gaps.cursor(hook, grace_s), now_s)
        finally:
            release(hook.id)
    return result


MIN_PASS_GAP_S = 0.05
"""Shortest pause between two passes of a worker, in seconds, however often commits wake it."""


class WebhookWorker:
    """Runs `deliver_due` every ``interval_s`` seconds on a background thread (inside
    ``serve``), and at once when a transaction of this process has committed events;
    ``on_pass`` is told what each pass did (the metrics)."""

    def __init__(
        self,
        deps: Deps,
        sender: WebhookSender,
        interval_s: float,
        policy: RetryPolicy | None = None,
        on_pass: Callable[[PassResult], None] | None = None,
    ) -> None:
        self._deps = deps
        self._on_pass = on_pass
        self._sender = sender
        self._interval_s = interval_s
        self._policy = policy or RetryPolicy()
        self._owner = f"whw-{uuid.uuid4().hex[:16]}"
        self._memory = GapMemory()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Deliver at once (whatever is due since the server was down), then periodically."""
        if self._thread is None:
            self._stop.clear()
            self._deps.db.on_commit(self._wake.set)
            self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop delivering; waits for a pass in progress (at most one sender timeout per hook)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def run_once(self) -> PassResult:
        """One pass, as the thread makes it."""
        result = deliver_due(
            self._deps,
            self._sender,
            time.monotonic(),
            self._policy,
            memory=self._memory,
            owner=self._owner,
        )
        if self._on_pass is not None:
            self._on_pass(result)
        return result

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_once()
            except Exception:  # the worker must outlive one failing pass; it is logged
                log.exception("webhook pass failed; retrying at the next interval")
            # commits coming faster than this share a pass instead of each costing one
            self._stop.wait(min(MIN_PASS_GAP_S, self._interval_s))
            self._wake.wait(self._interval_s)
