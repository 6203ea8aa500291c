"""EventFeed and FeedPump: the newest events of the log, read once per change for every stream of
a process, and handed to the streams inside the event loop.

One ``FeedPump`` per process re-reads the log (in a worker thread) when the ``EventBus`` says a
transaction committed events (here, or through PostgreSQL LISTEN/NOTIFY in another process), and
at least every poll interval; it appends what it read to the ``EventFeed`` and wakes every
waiting stream directly in the loop. A stream then takes its events from the feed's memory with
no query, no lock and no thread hop; only a position older than the window the feed holds is
read from the log. Fifty streams therefore cost one query per commit, not fifty.

Events commit in seq order on every backend (SQLite serialises writers; on PostgreSQL the event
log takes a transaction lock from the first append to the commit), so reading strictly after the
newest seq read never skips one. The feed and the pump belong to one event loop: everything but
the reads of the log runs in it, so neither needs a lock.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Callable

import anyio.to_thread

from sharedsky.domain.events import StoredEvent
from sharedsky.events.bus import EventBus, Waiter, Wakeup

Fetch = Callable[[int, int], list[StoredEvent]]
"""Read up to ``limit`` events strictly after ``seq`` from the log: fetch(seq, limit)."""
Head = Callable[[], int]
"""Read the highest committed seq of the log (0 when empty)."""

CAPACITY = 20_000
"""Most events the feed keeps in memory."""
BATCH = 2_000
"""Events read from the log per query by the pump."""
POLL_S = 0.2
"""Longest pause between two reads of the log by the pump, in seconds, by default (setting
``stream_poll_s``)."""


class EventFeed:
    """A window of the newest events of the log, in seq order (one event loop's own)."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._events: list[StoredEvent] = []
        self._seqs: list[int] = []
        self.head: int | None = None
        """The newest seq read from the log (None until the pump's first read)."""
        self._floor = 0
        """Every event with a seq above this one (up to ``head``) is held."""

    def start(self, head: int) -> None:
        """Begin the window at ``head`` (the log's newest seq): only later events are held."""
        if self.head is None:
            self.head = self._floor = head

    def window(self, seq: int, limit: int) -> list[StoredEvent] | None:
        """Up to ``limit`` held events with a seq above ``seq`` (possibly none yet); None when
        ``seq`` is older than the window (the caller reads the log instead)."""
        if self.head is None or seq < self._floor:
            return None
        start = bisect.bisect_right(self._seqs, seq)
        return self._events[start : start + limit]

    def extend(self, fresh: list[StoredEvent]) -> None:
        """Append events just read after ``head`` (ascending seqs); drop the oldest beyond the
        capacity."""
        if not fresh:
            return
        self._events.extend(fresh)
        self._seqs.extend(e.seq for e in fresh)
        self.head = fresh[-1].seq
        if len(self._events) > self._capacity:
            drop = len(self._events) - self._capacity
            self._floor = self._seqs[drop - 1]
            del self._events[:drop]
            del self._seqs[:drop]


Concerns = Callable[[StoredEvent], bool]
"""Whether an event may concern a stream: False only when the stream certainly sends nothing
of it (so the stream need not be woken for it)."""


def _always(_event: StoredEvent) -> bool:
    return True


class FeedWatch(Waiter):
    """One stream's subscription to the pump: woken whenever the feed has grown by an event that
    may concern it."""

    def __init__(self, pump: FeedPump, concerns: Concerns = _always) -> None:
        super().__init__()
        self._pump = pump
        self.concerns = concerns

    def poke(self) -> None:
        """Wake the stream (in the loop)."""
        self._event.set()

    def close(self) -> None:
        """Unsubscribe; idempotent. The pump stops when its last stream leaves."""
        self._pump._leave(self)


class FeedPump:
    """Keeps one ``EventFeed`` fresh while streams watch it.

    Runs as a task of the loop of its first watcher and ends when the last one leaves (the next
    watcher starts it again). Each round reads everything new after the feed's head in one worker
    thread, then waits for the bus or ``poll_s`` seconds, whichever comes first; notifications
    that arrive during a read coalesce into one more round.
    """

    def __init__(
        self, feed: EventFeed, bus: EventBus, fetch: Fetch, head: Head, poll_s: float = POLL_S
    ) -> None:
        self.feed = feed
        self._bus = bus
        self._fetch = fetch
        self._head = head
        self.poll_s = poll_s
        """Longest pause between two reads of the log, in seconds (commits by processes that
        cannot notify this one)."""
        self._watches: set[FeedWatch] = set()
        self._task: asyncio.Task[None] | None = None
        self._wakeup: Wakeup | None = None
        self.reads = 0
        """Rounds that read the log so far."""

    def watch(self, concerns: Concerns = _always) -> FeedWatch:
        """A new subscription, woken for new events that ``concerns`` accepts; starts the pump
        in the running loop when it is not running."""
        watch = FeedWatch(self, concerns)
        self._watches.add(watch)
        task = self._task
        if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="feed-pump")
        return watch

    def poke_all(self) -> None:
        """Wake every stream (in the loop): something for all of them, a checkpoint say."""
        for watch in list(self._watches):
            watch.poke()

    @property
    def running(self) -> bool:
        """True while the pump's task runs (from the first watcher until shortly after the
        last one left)."""
        return self._task is not None and not self._task.done()

    @property
    def watchers(self) -> int:
        """How many streams watch the feed now."""
        return len(self._watches)

    def _leave(self, watch: FeedWatch) -> None:
        self._watches.discard(watch)
        if not self._watches and self._wakeup is not None:
            self._wakeup.wake()  # the pump sees it has no one left and stops

    async def _run(self) -> None:
        with self._bus.subscribe() as wakeup:
            self._wakeup = wakeup
            try:
                while self._watches:
                    await self._round()
                    if self._watches:
                        await wakeup.wait(self.poll_s)
            finally:
                self._wakeup = None

    async def _round(self) -> None:
        """Read what is new and wake every watcher when the feed grew."""
        if self.feed.head is None:
            self.feed.start(await anyio.to_thread.run_sync(self._head))
        head = self.feed.head
        assert head is not None  # just started
        fresh = await anyio.to_thread.run_sync(self._read_after, head)
        self.reads += 1
        if fresh:
            self.feed.extend(fresh)
            for watch in list(self._watches):
                if any(watch.concerns(event) for event in fresh):
                    watch.poke()

    def _read_after(self, head: int) -> list[StoredEvent]:
        """Every event after ``head`` (in batches of ``BATCH``), in a worker thread."""
        out: list[StoredEvent] = []
        while True:
            fresh = self._fetch(head, BATCH)
            out.extend(fresh)
            if len(fresh) < BATCH:
                return out
            head = fresh[-1].seq
