"""Polling keeps every update in the database before Telegram is told we have it: a process
killed after fetching a danger message, before handling it, loses nothing (issue 17, item 1)."""

from __future__ import annotations

from sqlalchemy import select, text

from bot.db.models import Alert, InboxUpdate
from bot.tg.app import build_application
from bot.tg.inbox import InboxPoller
from tests.e2e.test_alerts import YP, joined_young_person, on_duty_worker


async def test_an_update_fetched_just_before_a_crash_is_handled_after_restart(stack):
    dee = await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    await stack.stop_bot()

    # a process that fetched the danger message and died before handling it: its application
    # never ran, only the poller's fetch did
    dying = build_application(stack.server.token, stack.router, base_url=stack.server.base_url)
    poller = InboxPoller(dying, stack.db, timeout=0)
    update_id = stack.server.send_text(YP, "he's outside my house with a knife")
    assert await poller.fetch_once() == 1
    assert poller.offset == update_id + 1  # the next getUpdates tells Telegram it is ours
    async with stack.db.sessions() as session:
        [kept] = (await session.scalars(select(InboxUpdate))).all()
        raw = (await session.execute(text("SELECT body FROM inbox"))).scalar_one()
    assert kept.update_id == update_id
    assert "knife" not in raw and "outside" not in raw  # encrypted at rest
    await poller._confirm()  # Telegram forgets it: only the inbox still has it

    await stack.start_bot()  # the restarted process handles what the inbox kept
    await stack.tracker.wait_for(update_id)
    assert sam.new_texts()[0].startswith("Thank you for telling me.")
    async with stack.db.sessions() as session:
        assert (await session.scalar(select(Alert))) is not None
        assert (await session.scalars(select(InboxUpdate))).all() == []  # done: it left
    assert await stack.deliver() == 1
    assert dee.new_texts()[0].startswith("🚨")


async def test_a_handled_update_leaves_the_inbox(stack):
    sam = await joined_young_person(stack)
    assert (await sam.send("/menu"))
    async with stack.db.sessions() as session:
        assert (await session.scalars(select(InboxUpdate))).all() == []
