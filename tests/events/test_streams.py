"""The stream cursor settles gaps safely, SSE frames are well formed (R-STREAM-1)."""

from __future__ import annotations

from sharedsky.events.streams import (
    DEFAULT_GAP_GRACE_S,
    SQLITE_GAP_GRACE_S,
    StreamCursor,
    gap_grace_s,
    sse_event,
    sse_retry,
)


def test_a_contiguous_read_is_settled_whole_and_moves_the_cursor() -> None:
    cursor = StreamCursor(4, gap_grace_s=2.0)
    assert cursor.settle([5, 6, 7], now_s=0.0) == 3
    assert cursor.position == 7
    assert not cursor.waiting_on_gap


def test_events_beyond_a_gap_wait_until_the_gap_fills() -> None:
    """Seq 6 may belong to a transaction still in flight: 7 must not overtake it."""
    cursor = StreamCursor(4, gap_grace_s=2.0)
    assert cursor.settle([5, 7], now_s=10.0) == 1
    assert cursor.position == 5
    assert cursor.waiting_on_gap
    assert cursor.settle([7], now_s=11.0) == 0
    assert cursor.settle([6, 7], now_s=11.5) == 2
    assert cursor.position == 7
    assert not cursor.waiting_on_gap


def test_a_gap_older_than_the_grace_is_taken_as_a_rollback() -> None:
    cursor = StreamCursor(4, gap_grace_s=2.0)
    assert cursor.settle([7, 8], now_s=10.0) == 0
    assert cursor.settle([7, 8], now_s=12.0) == 2
    assert cursor.position == 8


def test_a_second_gap_gets_its_own_grace() -> None:
    cursor = StreamCursor(0, gap_grace_s=1.0)
    assert cursor.settle([2, 4], now_s=0.0) == 0
    assert cursor.settle([2, 4], now_s=1.0) == 1
    assert cursor.position == 2
    assert cursor.settle([4], now_s=1.5) == 0
    assert cursor.settle([4], now_s=2.0) == 1


def test_sqlite_gaps_are_final_at_once() -> None:
    assert gap_grace_s("sqlite") == SQLITE_GAP_GRACE_S == 0.0
    assert gap_grace_s("postgresql") == DEFAULT_GAP_GRACE_S
    cursor = StreamCursor(0, gap_grace_s("sqlite"))
    assert cursor.settle([3, 9], now_s=0.0) == 2


def test_an_sse_event_carries_id_type_and_one_data_line_per_line() -> None:
    assert sse_event(12, "notice.filed", '{"a":1}') == (
        b'id: 12\nevent: notice.filed\ndata: {"a":1}\n\n'
    )
    assert sse_event(1, "x\ny", "one\ntwo") == b"id: 1\nevent: x y\ndata: one\ndata: two\n\n"
    assert sse_retry(1000) == b"retry: 1000\n\n"
