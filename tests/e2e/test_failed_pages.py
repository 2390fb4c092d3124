"""A page counts as delivered only when Telegram took it: the real PTB bot, the fake Bot API
(with a worker who has blocked the bot: 403 Forbidden), the outbox and the clock."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Alert, AlertEvent, OutboxMessage, Role
from bot.records import people
from tests.e2e.test_alerts import joined_young_person

YP, DUTY, BACKUP, MANAGER = 2301, 9301, 9302, 9303


async def worker(stack, telegram_id: int, role: Role, name: str, *, on_duty: bool = False):
    async with stack.db.transaction() as session:
        person = await people.create_person(session, role, telegram_id=telegram_id,
                                            display_name=name)
        person.on_duty = on_duty
    return stack.person(telegram_id, name)


async def blocks_the_bot(stack, telegram_id: int) -> None:
    await stack.tracker.wait_for(stack.server.block_bot(telegram_id))


async def alert_and_events(stack) -> tuple[Alert, list[str]]:
    async with stack.db.transaction() as session:
        alert = await session.scalar(select(Alert))
        kinds = [e.kind for e in await session.scalars(select(AlertEvent).order_by(AlertEvent.id))]
    return alert, kinds


async def test_a_page_to_a_blocked_duty_worker_moves_to_the_duty_list_and_managers_at_once(stack):
    dee = await worker(stack, DUTY, Role.DUTY_WORKER, "Dee", on_duty=True)
    bo = await worker(stack, BACKUP, Role.DUTY_WORKER, "Bo")
    mo = await worker(stack, MANAGER, Role.MANAGER, "Mo")
    await blocks_the_bot(stack, DUTY)
    sam = await joined_young_person(stack, YP)
    await sam.send("he's outside my house")  # high: the next level is 15 minutes away

    await stack.deliver()  # the clock has not moved
    assert stack.server.calls_for("sendMessage")  # Dee's page was tried: 403
    assert dee.new_texts() == []
    for reached in (bo, mo):
        [page] = reached.new_texts()
        assert page.startswith("🚨 HIGH alert #1 – ")
    alert, kinds = await alert_and_events(stack)
    assert kinds[:4] == ["opened", "notified", "page_failed", "escalated"]
    assert alert.level == 1 and alert.status == "notified"  # by Bo's and Mo's pages
    async with stack.db.transaction() as session:
        failed = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.status == "failed"))).all()
    assert [(m.chat_id, m.last_error) for m in failed] == [(DUTY, "blocked")]


async def test_a_failed_page_is_not_notified_and_with_nobody_else_the_young_person_is_told(stack):
    dee = await worker(stack, DUTY, Role.DUTY_WORKER, "Dee", on_duty=True)
    await blocks_the_bot(stack, DUTY)
    sam = await joined_young_person(stack, YP)
    await sam.send("he's outside my house")
    sam.new_texts()

    await stack.deliver()
    assert dee.new_texts() == []
    alert, kinds = await alert_and_events(stack)
    assert alert.status == "open"  # a failed send notified nobody
    assert "page_failed" in kinds and "young_person_told_to_call" in kinds
    assert sam.new_texts() == [
        "Hey, it's me 🙂\nWe are trying to reach a worker for you. If you are in danger, please "
        "call 999 now, or Childline free on 0800 1111."]
