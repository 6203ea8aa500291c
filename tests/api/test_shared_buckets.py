"""Rate buckets shared by the processes of one server (``serve --workers N``): they give what
the in-memory buckets give, whichever process takes, and a full table gives up the bucket that
refilled the most."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import sharedsky.api.shared_buckets as shared_module
from sharedsky.api.limits import Buckets
from sharedsky.api.shared_buckets import SharedBuckets


@given(
    steps=st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.floats(0.0, 3.0)), max_size=60),
    per_s=st.floats(0.5, 20.0),
    burst=st.integers(1, 8),
)
def test_shared_buckets_answer_as_the_in_memory_ones(
    tmp_path_factory: pytest.TempPathFactory,
    steps: list[tuple[str, float]],
    per_s: float,
    burst: int,
) -> None:
    path = tmp_path_factory.mktemp("buckets") / "b"
    shared, memory = SharedBuckets(path, per_s, burst), Buckets(per_s, burst)
    now_s = 100.0
    try:
        for key, later_s in steps:
            now_s += later_s
            assert shared.take(key, now_s) == pytest.approx(memory.take(key, now_s), abs=1e-9)
    finally:
        shared.close()


TAKE_MANY = """
import sys
from pathlib import Path
from sharedsky.api.shared_buckets import SharedBuckets
buckets = SharedBuckets(Path(sys.argv[1]), 0.001, 10)
print(sum(1 for _ in range(8) if buckets.take("token", 50.0) == 0.0))
"""


def test_two_processes_share_one_burst(tmp_path: Path) -> None:
    """Ten at once for the key, however the requests fall on two processes."""
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", TAKE_MANY, str(tmp_path / "b")], stdout=subprocess.PIPE
        )
        for _ in range(2)
    ]
    taken = [int(run.communicate(timeout=60)[0]) for run in runs]
    assert sum(taken) == 10, taken
    buckets = SharedBuckets(tmp_path / "b", 0.001, 10)
    try:
        assert buckets.take("token", 50.0) > 0.0  # nothing left for a third process either
    finally:
        buckets.close()


def test_a_full_neighbourhood_gives_up_the_most_refilled_bucket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared_module, "SLOTS", 4)
    monkeypatch.setattr(shared_module, "PROBES", 4)
    buckets = SharedBuckets(tmp_path / "b", 1.0, 2)
    try:
        for key in ("k1", "k2", "k3", "k4"):  # the table fills, each bucket empty at t=10
            assert buckets.take(key, 10.0) == 0.0
            assert buckets.take(key, 10.0) == 0.0
        for key in ("k1", "k3", "k4"):  # each takes its one refilled at t=11: empty again
            assert buckets.take(key, 11.0) == 0.0
        # at t=11.5 k2 has refilled 1.5, the others 0.5: k5 is given k2's slot, full
        assert buckets.take("k5", 11.5) == 0.0
        assert buckets.take("k5", 11.5) == 0.0
        assert buckets.take("k5", 11.5) == pytest.approx(1.0)
        for key in ("k1", "k3", "k4"):  # kept as they were: half a request short
            assert buckets.take(key, 11.5) == pytest.approx(0.5)
    finally:
        buckets.close()
