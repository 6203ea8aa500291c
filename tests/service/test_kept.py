"""Kept values: kept their time, handed out once for a refresh from a point drawn within it,
bounded in number."""

from __future__ import annotations

import time

from sharedsky.service._kept import Kept


def test_a_value_is_kept_its_time_and_refreshed_once_from_its_point() -> None:
    kept: Kept[str, int] = Kept(10.0, (0.5, 0.5))
    kept.put("a", 1)
    assert kept.get("a") == 1 and not kept.claim_refresh("a")  # fresh
    kept.put("a", 2, time.monotonic() - 6.0)  # read six seconds ago: due, still kept
    assert kept.get("a") == 2
    assert kept.claim_refresh("a") and not kept.claim_refresh("a")
    until, refresh = kept.times("a") or (0.0, 0.0)
    assert refresh == float("inf") and until > time.monotonic()
    kept.release("a")
    assert kept.claim_refresh("a")
    kept.put("a", 3)  # refreshed: another full time
    assert not kept.claim_refresh("a") and kept.get("a") == 3
    kept.put("a", 4, time.monotonic() - 11.0)  # its time is up
    assert kept.get("a") is None and kept.times("a") is None and not kept.claim_refresh("a")
    kept.put("b", 5)
    kept.drop("b")
    assert kept.get("b") is None


def test_the_refresh_point_is_drawn_within_its_window() -> None:
    kept: Kept[int, int] = Kept(100.0, (0.5, 0.9))
    start = time.monotonic()
    for key in range(50):
        kept.put(key, key, start)
    points = [(kept.times(k) or (0.0, 0.0))[1] - start for k in range(50)]
    assert all(50.0 <= p <= 90.0 for p in points)
    assert max(points) - min(points) > 10.0


def test_the_number_kept_is_bounded() -> None:
    kept: Kept[int, int] = Kept(100.0, (0.5, 0.9), max_entries=3)
    for key in range(10):
        kept.put(key, key)
        kept.put(key, key)  # putting a kept key again makes no room
    assert sum(kept.get(k) is not None for k in range(10)) <= 3
    assert kept.get(9) == 9
