"""The shared event feed serves every stream from one read of the log, misses nothing, re-reads
when notified or when its poll interval passes, and stops when no stream watches (R-STREAM-1)."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

from sharedsky.domain.events import StoredEvent
from sharedsky.events.bus import EventBus
from sharedsky.events.feed import EventFeed, FeedPump

T = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


class Log:
    """A fake event log counting its reads (thread-safe: the pump reads from worker threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: list[StoredEvent] = []
        self.reads = 0

    def add(self, *seqs: int) -> None:
        with self._lock:
            self.events += [StoredEvent(s, T, "x", "message.sent", {"n": s}) for s in seqs]

    def fetch(self, seq: int, limit: int) -> list[StoredEvent]:
        with self._lock:
            self.reads += 1
            return [e for e in self.events if e.seq > seq][:limit]

    def head(self) -> int:
        with self._lock:
            return self.events[-1].seq if self.events else 0


def seqs(events: list[StoredEvent] | None) -> list[int] | None:
    return None if events is None else [e.seq for e in events]


def test_the_window_holds_what_was_read_after_its_start_and_nothing_older() -> None:
    log, feed = Log(), EventFeed()
    assert feed.window(0, 10) is None  # nothing read yet: the caller goes to the log
    log.add(1, 2)
    feed.start(2)
    log.add(3, 4, 6)  # 5 rolled back: a gap the window keeps as it is
    feed.extend(log.fetch(2, 100))
    assert seqs(feed.window(2, 100)) == [3, 4, 6]
    assert seqs(feed.window(3, 1)) == [4]
    assert seqs(feed.window(6, 100)) == []
    assert feed.window(1, 100) is None  # older than the window
    feed.start(0)  # a second start changes nothing
    assert feed.head == 6


def test_a_full_window_drops_its_oldest_events() -> None:
    log, feed = Log(), EventFeed(capacity=3)
    log.add(*range(1, 11))
    feed.start(0)
    feed.extend(log.fetch(0, 100))
    assert seqs(feed.window(7, 100)) == [8, 9, 10]
    assert feed.window(6, 100) is None


def test_fifty_streams_share_one_read_per_commit_and_each_is_woken() -> None:
    async def scenario() -> tuple[int, list[bool], list[list[int] | None]]:
        log, bus = Log(), EventBus()
        pump = FeedPump(EventFeed(), bus, log.fetch, log.head)
        pump.poll_s = 60.0  # only notifications make the pump read
        watches = [pump.watch() for _ in range(50)]
        await asyncio.sleep(0.05)  # the first round: the window starts at the head (0)
        for w in watches:
            await w.wait(0.0)  # drop any wake-up from the first round
        reads = pump.reads
        log.add(1, 2)
        bus.notify()
        woken = await asyncio.gather(*(w.wait(5.0) for w in watches))
        got = [seqs(pump.feed.window(0, 100)) for _ in watches]
        rounds = pump.reads - reads
        for w in watches:
            w.close()
        return rounds, list(woken), got

    rounds, woken, got = asyncio.run(scenario())
    assert rounds == 1
    assert all(woken)
    assert got == [[1, 2]] * 50


def test_the_pump_polls_for_commits_it_was_not_told_about() -> None:
    async def scenario() -> bool:
        log, bus = Log(), EventBus()
        pump = FeedPump(EventFeed(), bus, log.fetch, log.head)
        pump.poll_s = 0.05
        with pump.watch() as watch:
            await asyncio.sleep(0.1)
            log.add(1)  # committed by another process: no notification here
            deadline = asyncio.get_running_loop().time() + 5.0
            while pump.feed.head != 1:
                assert asyncio.get_running_loop().time() < deadline
                await watch.wait(1.0)
            return seqs(pump.feed.window(0, 10)) == [1]

    assert asyncio.run(scenario())


def test_the_pump_stops_and_leaves_the_bus_when_its_last_stream_leaves() -> None:
    async def scenario() -> tuple[int, int, int]:
        log, bus = Log(), EventBus()
        pump = FeedPump(EventFeed(), bus, log.fetch, log.head)
        pump.poll_s = 60.0
        watch = pump.watch()
        await asyncio.sleep(0.05)
        during = bus.subscribers
        watch.close()
        watch.close()  # idempotent
        for _ in range(100):
            if bus.subscribers == 0:
                break
            await asyncio.sleep(0.01)
        after = bus.subscribers
        with pump.watch():  # a new stream starts it again
            await asyncio.sleep(0.05)
            again = bus.subscribers
        return during, after, again

    assert asyncio.run(scenario()) == (1, 0, 1)


def test_many_commits_read_in_batches_lose_nothing() -> None:
    async def scenario() -> list[int] | None:
        log, bus = Log(), EventBus()
        pump = FeedPump(EventFeed(), bus, log.fetch, log.head)
        with pump.watch() as watch:
            await asyncio.sleep(0.05)
            log.add(*range(1, 4_501))  # more than two batches of the pump's reads
            bus.notify()
            while pump.feed.head != 4_500:
                await watch.wait(5.0)
            return seqs(pump.feed.window(0, 10_000))

    assert asyncio.run(scenario()) == list(range(1, 4_501))
