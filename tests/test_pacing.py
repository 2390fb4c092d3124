"""The overall pacer: evenly spaced, first come first served, but a page about danger first."""

from __future__ import annotations

import asyncio

import pytest

from bot.time.pacing import Pacer


class FakeTime:
    """A monotonic clock that moves only when someone sleeps."""

    def __init__(self):
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def take(pacer: Pacer, name: str, order: list[str], *, urgent: bool = False) -> None:
    await pacer.acquire(urgent=urgent)
    order.append(name)


async def start(*coroutines) -> list[asyncio.Task]:
    tasks = [asyncio.create_task(c) for c in coroutines]
    await asyncio.sleep(0)  # each has queued before the next line runs
    return tasks


async def test_slots_are_a_second_apart_in_the_order_asked():
    time = FakeTime()
    pacer = Pacer(rate=1 / 0.95, monotonic=time.monotonic, sleep=time.sleep)  # 1 s apart
    order: list[str] = []
    times: list[float] = []

    async def one(name: str):
        await take(pacer, name, order)
        times.append(time.now)

    await asyncio.gather(*(one(n) for n in "abcd"))
    assert order == ["a", "b", "c", "d"]
    assert times == pytest.approx([0.0, 1.0, 2.0, 3.0])


async def test_a_page_goes_ahead_of_everything_waiting():
    time = FakeTime()
    pacer = Pacer(rate=1 / 0.95, monotonic=time.monotonic, sleep=time.sleep)
    order: list[str] = []
    await asyncio.gather(*(take(pacer, f"check-in {n}", order) for n in range(4)),
                         take(pacer, "page", order, urgent=True),
                         take(pacer, "second page", order, urgent=True))
    # check-in 0 went at once and check-in 1 was already waiting out its second; then the
    # pages, in their own order, then the rest
    assert order == ["check-in 0", "check-in 1", "page", "second page", "check-in 2",
                     "check-in 3"]


async def test_someone_who_stops_waiting_does_not_hold_up_the_rest():
    time = FakeTime()
    pacer = Pacer(rate=1 / 0.95, monotonic=time.monotonic, sleep=time.sleep)
    order: list[str] = []
    first, gives_up, last = await start(take(pacer, "first", order),
                                        take(pacer, "gives up", order),
                                        take(pacer, "last", order))
    gives_up.cancel()
    await asyncio.wait_for(asyncio.gather(first, last), 5)
    assert order == ["first", "last"]
    assert gives_up.cancelled()
