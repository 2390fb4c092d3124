"""A danger message typed while the database is away still opens its alert once it is back."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.db.models import Alert
from bot.tg.retry import RETRY_LATER
from tests.e2e.test_alerts import joined_young_person, on_duty_worker
from tests.e2e.webhook_harness import take_update, web_instance

YP = 2101
SORRY = "Sorry, something went wrong on my side."


class DatabaseAway:
    """The database refuses the next `times` updates, then answers again."""

    def __init__(self, db, times: int):
        self.real = db.claim_update
        self.times = times

    async def __call__(self, *args, **kwargs):
        if self.times > 0:
            self.times -= 1
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("database away"))
        return await self.real(*args, **kwargs)


async def alerts(db) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(Alert))


@pytest.mark.router_may_fail  # the database refuses: that is what is tested
async def test_polling_the_update_goes_back_on_the_queue_until_the_database_answers(
        stack, monkeypatch, no_router_failures):
    await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    stack.app.bot_data[RETRY_LATER].first_pause = 0.05
    monkeypatch.setattr(stack.db, "claim_update", DatabaseAway(stack.db, times=2))
    update_id = stack.server.send_text(YP, "he's outside my house")
    await stack.tracker.wait_for(update_id)  # the first attempt: told once, with help numbers
    texts = sam.new_texts()
    assert texts[0].startswith(SORRY) and "999" in texts[0]
    for _ in range(100):  # retried after 0.05 s, then 0.1 s: the third attempt gets through
        if await alerts(stack.db):
            break
        await asyncio.sleep(0.05)
    assert await alerts(stack.db) == 1
    later = sam.new_texts()
    assert not any(t.startswith(SORRY) for t in later)  # not told again on every attempt
    assert later[0].startswith("Thank you for telling me.")
    assert no_router_failures.summary() == "the router failed 2 time(s): OperationalError, " \
        "OperationalError"


@pytest.mark.router_may_fail
async def test_webhook_answers_500_so_telegram_sends_the_update_again(
        server, db, practice_content, clock, monkeypatch, no_router_failures):
    server.add_user(YP, "Sam")
    async with web_instance(server, db, practice_content, clock) as web:
        assert await web.post(take_update(server, server.send_text(YP, "/start"))) == 200
        monkeypatch.setattr(db, "claim_update", DatabaseAway(db, times=1))
        update = take_update(server, server.send_text(YP, "he's outside my house"))
        assert await web.post(update) == 500  # Telegram keeps it and tries again
        assert server.bot_texts(YP)[-1].startswith(SORRY)
        assert await web.post(update) == 200
        assert await web.post(update) == 200  # a repeat after success does nothing more
    assert await alerts(db) == 1
    texts = server.bot_texts(YP)
    assert sum(t.startswith(SORRY) for t in texts) == 1
    assert sum(t.startswith("Thank you for telling me.") for t in texts) == 1
    assert len(no_router_failures.records) == 1
