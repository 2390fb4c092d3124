"""Alerts end to end: the real PTB application, the fake Bot API, the outbox and the clock."""

from __future__ import annotations

import asyncio

from aiosmtpd.controller import Controller
from sqlalchemy import select

from bot.db.models import Alert, OutboxMessage, Role
from bot.records import people
from bot.time.email import SmtpTransport

YP, DUTY = 2101, 9101


async def on_duty_worker(stack, telegram_id: int = DUTY, name: str = "Dee"):
    async with stack.db.transaction() as session:
        worker = await people.create_person(session, Role.DUTY_WORKER, telegram_id=telegram_id,
                                            display_name=name)
        worker.on_duty = True
    return stack.person(telegram_id, name)


async def joined_young_person(stack, telegram_id: int = YP):
    sam = stack.person(telegram_id)
    await sam.send("/start")
    await sam.press("Let's start")
    await sam.press("OK, I understand")
    await sam.send("Sky")
    await sam.press("14 to 17")
    return sam


async def test_outside_my_house_reaches_the_duty_worker_who_acknowledges_and_resolves(stack):
    dee = await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    replies = await sam.send("he's outside my house")
    assert replies[0].startswith("Thank you for telling me. That sounds really hard.")
    assert replies[1] == "Are you somewhere safe right now?"

    assert await stack.deliver() == 1
    page = dee.new_texts()
    assert len(page) == 1 and page[0].startswith("🚨 HIGH alert #1")
    assert dee.buttons() == ["✅ Acknowledge", "💬 Talk to them", "📝 Resolve"]

    assert (await dee.press("✅ Acknowledge"))[0].startswith("✅ You acknowledged alert #1")
    assert (await dee.press("📝 Resolve"))[0].startswith("Please type a short outcome note")
    assert (await dee.send("Spoke to her, she is safe at home."))[0].endswith("is resolved. Thank you.")
    async with stack.db.transaction() as session:
        alert = await session.scalar(select(Alert))
    assert alert.status == "resolved"


async def test_once_acknowledged_the_page_itself_keeps_no_acknowledge_button(stack):
    dee = await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    await sam.send("he's outside my house")
    assert await stack.deliver() == 1
    page = stack.server.last_bot_message(DUTY)
    assert page.buttons and page.shown_text.startswith("🚨 HIGH alert #1")

    assert (await dee.press("✅ Acknowledge"))[0].startswith("✅ You acknowledged alert #1")
    assert page.buttons == [] and page.shown_text.startswith("🚨 HIGH alert #1")
    assert dee.buttons() == ["💬 Talk to them", "📝 Resolve"]  # what is left to do
    with_buttons = [m for m in stack.server.chat(DUTY) if m.from_bot and m.buttons]
    assert len(with_buttons) == 1  # only the newest message can be pressed


async def test_an_alert_detected_just_before_the_bot_died_is_delivered_after_restart(stack):
    dee = await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    await sam.send("im gonna kms tonight")
    await stack.stop_bot()  # killed between detection and sending: the page is only in the outbox
    async with stack.db.transaction() as session:
        [queued] = (await session.scalars(select(OutboxMessage))).all()
        assert queued.status == "pending"
    await stack.start_bot()
    assert await stack.deliver() == 1
    assert dee.new_texts()[0].startswith("🚨 CRITICAL alert #1")


async def test_429_500_and_timeouts_delay_but_never_lose_a_page(stack, clock):
    workers = [await on_duty_worker(stack, DUTY + i, f"W{i}") for i in range(3)]
    sam = await joined_young_person(stack)
    stack.server.inject_fault("sendMessage", "429", retry_after=2, count=1)
    stack.server.inject_fault("sendMessage", "500", count=2)
    await sam.send("he's outside my house")  # high: the next level is 15 minutes away
    stack.server.clear_faults()
    stack.server.inject_fault("sendMessage", "429", retry_after=2, count=1)
    stack.server.inject_fault("sendMessage", "500", count=2)
    stack.server.inject_fault("sendMessage", "delay", seconds=0.2, count=1)
    for _ in range(12):  # retry_after and backoff, on the fake clock
        await stack.deliver()
        clock.advance(seconds=20)
    for worker in workers:
        texts = worker.new_texts()
        assert len(texts) == 1 and texts[0].startswith("🚨 HIGH alert #1 – "), texts
    async with stack.db.transaction() as session:
        statuses = {m.status for m in await session.scalars(select(OutboxMessage))}
    assert statuses == {"sent"}


async def test_a_critical_alert_nobody_acknowledges_is_emailed(stack, clock, unused_tcp_port):
    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, envelope.content.decode()))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=unused_tcp_port)
    controller.start()
    try:
        stack.services.transports["email"] = SmtpTransport("127.0.0.1", unused_tcp_port)
        async with stack.db.transaction() as session:
            manager = await people.create_person(session, Role.MANAGER, telegram_id=9200,
                                                 display_name="Mo")
            manager.email = "mo@example.org"
        sam = await joined_young_person(stack)
        await sam.send("im gonna kms tonight")
        await stack.deliver()
        clock.advance(minutes=2)
        await stack.deliver()
        for _ in range(50):
            if received:
                break
            await asyncio.sleep(0.02)
        [(to, body)] = received
        assert to == ["mo@example.org"]
        assert "Subject: RISE: urgent safeguarding alert not yet acknowledged" in body
        assert "CRITICAL alert #1" in body
    finally:
        controller.stop()


async def test_a_medium_flag_nobody_acknowledges_reaches_the_duty_list_after_24_hours(stack, clock):
    dee = await on_duty_worker(stack)
    async with stack.db.transaction() as session:
        await people.create_person(session, Role.MANAGER, telegram_id=9200, display_name="Mo")
    mo = stack.person(9200, "Mo")
    sam = await joined_young_person(stack)  # no worker of their own: the flag goes to the duty list
    await sam.send("he wants me to meet him tonight")
    await stack.deliver()
    async with stack.db.transaction() as session:
        pseudonym = (await people.find_by_telegram(session, YP)).pseudonym
    assert [t.splitlines()[0] for t in dee.new_texts()] == [f"⚠️ MEDIUM alert #1 – {pseudonym}"]
    assert mo.new_texts() == []

    clock.advance(hours=23, minutes=59)
    await stack.deliver()
    assert dee.new_texts() == [] and mo.new_texts() == []
    clock.advance(minutes=1)
    await stack.deliver()
    for worker in (dee, mo):
        [page] = worker.new_texts()
        assert page.splitlines()[0] == ("⏰ Unacknowledged medium flag from 24 hours ago: it now "
                                        "comes to the duty list and managers.")
    assert (await mo.press("✅ Acknowledge"))[0].startswith("✅ You acknowledged alert #1")
    await stack.deliver()
    assert dee.new_texts() == [f"✅ Alert #1 ({pseudonym}) was acknowledged by Mo. Nothing more for "
                               "you to do on it."]


LONE_SURROGATE = "\ud800"  # half a UTF-16 pair: valid JSON ("\ud800"), not valid Unicode


async def test_a_danger_message_with_a_lone_surrogate_opens_an_alert_and_the_next_one_works(
        stack):
    """Telegram's JSON can carry half a surrogate pair; the text is mended where it enters,
    so encrypting the excerpt cannot fail and no danger message is lost to it."""
    dee = await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    replies = await sam.send(f"he's outside my house {LONE_SURROGATE}")
    assert replies[0].startswith("Thank you for telling me. That sounds really hard."), replies
    assert await stack.deliver() == 1
    [page] = dee.new_texts()
    assert page.startswith("🚨 HIGH alert #1")
    assert LONE_SURROGATE not in page

    replies = await sam.send("im gonna kms tonight")
    assert not any(reply.startswith("Sorry") for reply in replies), replies
    await stack.deliver()
    assert any(text.startswith("🚨 CRITICAL alert #1") for text in dee.new_texts())
    async with stack.db.transaction() as session:
        [alert] = (await session.scalars(select(Alert))).all()
    assert "\N{REPLACEMENT CHARACTER}" in alert.excerpt
