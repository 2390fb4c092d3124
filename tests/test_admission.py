"""A web process handles a few updates at a time; a worrying message does not queue behind taps."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.safety.shared import shared_detector
from bot.tg.admission import Admission


def text_update(update_id: int, text: str) -> Update:
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": text,
        "chat": {"id": 7, "type": "private"}, "from": {"id": 7, "is_bot": False,
                                                        "first_name": "Sam"}}}, None)


def tap_update(update_id: int) -> Update:
    return Update.de_json({"update_id": update_id, "callback_query": {
        "id": str(update_id), "chat_instance": "x", "data": "menu:about",
        "from": {"id": 8, "is_bot": False, "first_name": "Ali"}}}, None)


async def test_two_at_a_time_and_a_worrying_message_goes_before_the_taps_that_wait():
    admission = Admission(at_once=2, detector=shared_detector())
    order: list[int] = []
    release = asyncio.Event()

    async def handle(update: Update) -> None:
        async with admission.turn(update):
            order.append(update.update_id)
            await release.wait()

    updates = [tap_update(1), tap_update(2), tap_update(3), tap_update(4),
               text_update(5, "he's outside my house"), text_update(6, "ok thanks")]
    tasks = []
    for update in updates:
        tasks.append(asyncio.create_task(handle(update)))
        await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert order == [1, 2]  # the rest wait
    release.set()
    await asyncio.gather(*tasks)
    assert order == [1, 2, 5, 3, 4, 6]  # the danger message first; the others in arrival order


async def test_a_waiter_that_gives_up_does_not_lose_a_place():
    admission = Admission(at_once=1)
    inside = asyncio.Event()
    release = asyncio.Event()

    async def hold() -> None:
        async with admission.turn(tap_update(1)):
            inside.set()
            await release.wait()

    holder = asyncio.create_task(hold())
    await inside.wait()
    waiting = asyncio.create_task(admission.turn(tap_update(2)).__aenter__())
    await asyncio.sleep(0)
    waiting.cancel()
    release.set()
    await holder
    async with admission.turn(tap_update(3)):  # the slot came back: no one is stuck
        pass
    assert admission.free == 1
