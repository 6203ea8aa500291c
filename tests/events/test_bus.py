"""The bus wakes streams from any thread and never blocks or fails the producer."""

from __future__ import annotations

import asyncio
import threading

from sharedsky.events.bus import EventBus


def test_the_bus_wakes_a_waiting_stream_from_another_thread() -> None:
    async def scenario() -> tuple[bool, bool, int, int]:
        bus = EventBus()
        with bus.subscribe() as wakeup:
            subscribed = bus.subscribers
            quiet = await wakeup.wait(0.01)
            threading.Timer(0.05, bus.notify).start()
            woken = await wakeup.wait(5.0)
        return quiet, woken, subscribed, bus.subscribers

    quiet, woken, subscribed, left = asyncio.run(scenario())
    assert (quiet, woken) == (False, True)
    assert (subscribed, left) == (1, 0)


def test_a_notification_before_the_wait_is_not_lost() -> None:
    async def scenario() -> bool:
        bus = EventBus()
        with bus.subscribe() as wakeup:
            bus.notify()
            return await wakeup.wait(0.0 + 1.0)

    assert asyncio.run(scenario()) is True


def test_a_stream_whose_loop_closed_is_dropped_and_the_producer_carries_on() -> None:
    bus = EventBus()

    async def subscribe() -> None:
        bus.subscribe()

    asyncio.run(subscribe())
    assert bus.subscribers == 1
    bus.notify()
    assert bus.subscribers == 0
