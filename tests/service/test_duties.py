"""The duty runner: one process runs the periodic duties while it holds the lease, stops them
when it loses it, and takes them (fresh ones) again when it gets it back."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sharedsky.service.duties import AlwaysHeld, DutyRunner


@dataclass
class Lease:
    """A lease the test hands out and takes back."""

    free: bool = True
    held: bool = False
    released: int = 0

    def try_take(self) -> bool:
        if self.free:
            self.held = True
        return self.held

    def still_held(self) -> bool:
        return self.held

    def release(self) -> None:
        self.held = False
        self.released += 1


@dataclass
class Recorder:
    """A duty that notes its starts and stops."""

    log: list[str] = field(default_factory=list)

    def start(self) -> None:
        self.log.append("start")

    def stop(self) -> None:
        self.log.append("stop")


def wait_until(condition: object, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_free_lease_is_taken_at_start_and_its_duties_run_until_stop() -> None:
    lease, made, changes = Lease(), [], []
    runner = DutyRunner(lease, lambda: made.append(Recorder()) or [made[-1]], 0.02, changes.append)
    runner.start()
    assert runner.held and made[0].log == ["start"] and changes == [True]
    runner.stop()
    assert not runner.held and made[0].log == ["start", "stop"] and changes == [True, False]
    assert lease.released == 1


def test_a_held_lease_waits_and_is_taken_when_freed() -> None:
    lease = Lease(free=False)
    made: list[Recorder] = []
    runner = DutyRunner(lease, lambda: made.append(Recorder()) or [made[-1]], 0.02)
    runner.start()
    try:
        assert not runner.held and made == []
        lease.free = True
        assert runner.wait_held(5.0)
        assert made[0].log == ["start"] and runner.takeovers == 1
    finally:
        runner.stop()


def test_a_lost_lease_stops_the_duties_and_fresh_ones_start_when_it_is_back() -> None:
    lease = Lease()
    made: list[Recorder] = []
    runner = DutyRunner(lease, lambda: made.append(Recorder()) or [made[-1]], 0.02)
    runner.start()
    try:
        lease.held, lease.free = False, False  # the lock's connection died
        wait_until(lambda: not runner.held)
        assert made[0].log == ["start", "stop"]
        lease.free = True
        assert runner.wait_held(5.0)
        assert len(made) == 2 and made[1].log == ["start"] and runner.takeovers == 2
    finally:
        runner.stop()


def test_a_lone_process_always_holds_the_duties() -> None:
    runner = DutyRunner(AlwaysHeld(), lambda: [Recorder()], 0.02)
    runner.start()
    assert runner.held
    time.sleep(0.1)
    assert runner.held and runner.takeovers == 1
    runner.stop()
    assert not runner.held
