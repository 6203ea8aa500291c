"""The shared event feed serves every stream from one read of the log, misses nothing and
re-reads when notified or when its read grows old (R-STREAM-1)."""

from __future__ import annotations

from datetime import UTC, datetime

from sharedsky.events.feed import EventFeed
from sharedsky.store.events import StoredEvent

T = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


class Log:
    """A fake event log counting its reads."""

    def __init__(self) -> None:
        self.events: list[StoredEvent] = []
        self.reads = 0

    def add(self, *seqs: int) -> None:
        self.events += [StoredEvent(s, T, "x", "message.sent", {"n": s}) for s in seqs]

    def fetch(self, seq: int, limit: int) -> list[StoredEvent]:
        self.reads += 1
        return [e for e in self.events if e.seq > seq][:limit]


def seqs(events: list[StoredEvent]) -> list[int]:
    return [e.seq for e in events]


def test_many_streams_share_one_read_per_notification() -> None:
    log, feed = Log(), EventFeed()
    log.add(1, 2, 3)
    assert seqs(feed.after(0, 100, generation=1, max_age_s=60, fetch=log.fetch)) == [1, 2, 3]
    reads = log.reads
    for _ in range(50):  # fifty streams at the same generation: no new read
        assert seqs(feed.after(1, 100, generation=1, max_age_s=60, fetch=log.fetch)) == [2, 3]
    assert log.reads == reads
    log.add(4, 6)  # 5 rolled back: a gap
    assert seqs(feed.after(3, 100, generation=2, max_age_s=60, fetch=log.fetch)) == [4, 6]
    assert log.reads == reads + 1


def test_an_old_read_is_refreshed_without_a_notification() -> None:
    log, feed = Log(), EventFeed()
    feed.after(0, 10, generation=0, max_age_s=60, fetch=log.fetch)
    log.add(1)  # committed by another process: no notification here
    assert feed.after(0, 10, generation=0, max_age_s=60, fetch=log.fetch) == []
    assert seqs(feed.after(0, 10, generation=0, max_age_s=0.0, fetch=log.fetch)) == [1]


def test_a_position_older_than_the_window_is_read_from_the_log() -> None:
    log, feed = Log(), EventFeed(capacity=3)
    log.add(*range(1, 11))
    feed.after(0, 100, generation=1, max_age_s=60, fetch=log.fetch)  # holds 8, 9, 10
    assert seqs(feed.after(2, 3, generation=1, max_age_s=60, fetch=log.fetch)) == [3, 4, 5]
    assert seqs(feed.after(7, 100, generation=1, max_age_s=60, fetch=log.fetch)) == [8, 9, 10]
    assert seqs(feed.after(4, 100, generation=1, max_age_s=60, fetch=log.fetch)) == list(
        range(5, 11)
    )
