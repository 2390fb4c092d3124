"""Closure, end to end through the real PTB application and the fake Bot API: the worker starts
it, the young person does "Looking back", both get the summary, check-ins stop."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from bot.db.models import Job, Person, Role
from bot.records import people
from bot.sandbox.fake_telegram import FakeTelegram
from bot.tg.transport import TelegramTransport
from bot.time.clock import schedule
from bot.time.outbox import OutboxSender
from tests.e2e.harness import Stack

FIRST = ["3", "4", "2", "5", "4", "6", "3", "2"]
LATER = ["7", "4", "5", "6", "3", "8", "6", "5"]


@pytest.fixture
async def stack(db, content, clock):
    """Fake Telegram and the real bot, with the real modules and the wellbeing worker features."""
    server = FakeTelegram()
    await server.start()
    running = Stack(server=server, db=db, content=content, clock=clock)
    await running.start_bot()
    yield running
    await running.stop_bot()
    await server.stop()


def outbox(stack, clock) -> OutboxSender:
    return OutboxSender(stack.db, {"telegram": TelegramTransport(stack.app.bot)}, clock)


async def joined_young_person(stack, clock):
    """Jo invites Alex; Alex joins, fills in a wheel, starts a plan; six weeks later, a second
    wheel; a check-in is waiting for next week."""
    async with stack.db.transaction() as session:
        worker = await people.create_person(session, Role.SUPPORT_WORKER, telegram_id=9001,
                                            display_name="Jo")
        record = await people.create_person(session, Role.YOUNG_PERSON, worker_id=worker.id)
        code = (await people.create_invite(session, record, purpose="young_person", now=clock(),
                                           created_by=worker)).code
    jo, alex = stack.person(9001, "Jo"), stack.person(2101, "Alex")
    await alex.send(f"/start {code}")
    await alex.press("Let's start")
    await alex.press("OK, I understand")
    await alex.send("Sky")
    await alex.press("14 to 17")
    await alex.press("🎯 Fill in my wheel")
    await alex.press("Let's go")
    for score in FIRST:
        await alex.press(score)
    await alex.press("🛟 My safety plan")
    await alex.press("🔑 My code word (0)")
    await alex.press("Pineapple")
    await alex.press("◀️ Back to my plan")
    await alex.press("✅ Done for now")
    clock.advance(weeks=6)
    await alex.press("🎯 My wheel")
    await alex.press("Let's go")
    for score in LATER:
        await alex.press(score)
    async with stack.db.transaction() as session:
        await schedule(session, "checkin", clock() + timedelta(days=7), person_id=record.id)
    await outbox(stack, clock).deliver_due()  # Jo's copies of the two wheels
    jo.new_texts()
    alex.new_texts()
    return jo, alex, record.id


def photos(stack, chat_id: int) -> list[bytes]:
    return [m.photo for m in stack.server.chat(chat_id) if m.from_bot and m.kind == "photo"]


async def test_closure_after_the_looking_back_module(stack, clock):
    jo, alex, alex_id = await joined_young_person(stack, clock)
    assert len(photos(stack, 2101)) == 2 and len(photos(stack, 9001)) == 2
    assert Image.open(io.BytesIO(photos(stack, 2101)[-1])).size == (800, 800)

    replies = await jo.send("/close")
    assert replies == ["Start closure for whom?"]
    [label] = [b for b in jo.buttons()]
    assert label.endswith("(Sky)")
    replies = await jo.press(label)
    assert replies[0].startswith(f"Start closure for {label}?")
    assert jo.buttons() == ["✅ Start closure", "📨 Start and send summary now", "✖️ Cancel"]
    replies = await jo.press("✅ Start closure")
    assert replies[0].startswith("Closure started for YP-")

    assert await outbox(stack, clock).deliver_due() == 1
    assert alex.new_texts() == ["Hey, it's me 🙂\nThere is one last module for you: "
                                "\"Looking back\". Take it at your own pace."]
    replies = await alex.press("📚 Open Looking back")
    assert replies[0].startswith("📚 Looking back\n")
    for press in ["Next ▶️", "Next ▶️", "Not sure", "Next ▶️", "The person who did it",
                  "Next ▶️", "Next ▶️", "Next ▶️", "Her nan", "Next ▶️", "Not sure yet",
                  "Next ▶️", "Next ▶️", "Type /myplan", "Next ▶️", "Next ▶️", "Next ▶️", "Skip",
                  "Next ▶️", "Next ▶️"]:
        await alex.press(press)
    replies = await alex.press("Next ▶️")
    assert replies[0] == ('🎉 You finished "Looking back"!\nWell done for finishing. Your plan is '
                          'at /myplan, and help is always one tap away.')
    assert replies[2].startswith("🎯 Your wheel: 2 Mar and now\n\nFeeling safe: 3 → 7 ⬆️ up 4")
    summary = replies[3]
    assert summary.startswith("🌟 Looking back, Sky\n\n📚 Modules you finished:\n• Looking back\n\n"
                              "🎯 How your wheel changed:\nFeeling safe: 3 → 7 ⬆️ up 4\n")
    assert "🛟 Your safety plan is still here. See it any time with /myplan." in summary
    assert "💬 Getting back in touch\nYou can still use this chat." in summary
    assert ("🤝 Think of one adult you can go to next. You can add them to your plan with "
            "/myplan.") in summary  # Sky put nobody under People I trust
    assert "• Childline: 0800 1111" in summary
    assert "• Northamptonshire MASH (child safety team): 0300 126 7000" in summary
    assert "• Child safety team, out of hours: 01604 626938" in summary
    assert replies[4].startswith("🛟 My safety plan\n\n🔑 My code word\n• Pineapple")
    assert len(photos(stack, 2101)) == 3
    assert alex.buttons()[-1] == "🆘 Help"

    assert await outbox(stack, clock).deliver_due() == 2
    chart_caption, worker_summary = jo.new_texts()
    assert chart_caption.endswith(": first and latest wheel")
    assert worker_summary.startswith("✅ Closure summary for YP-")
    assert "Modules completed (1): Looking back" in worker_summary
    assert "🔑 My code word\n• Pineapple" in worker_summary
    assert len(photos(stack, 9001)) == 3

    async with stack.db.transaction() as session:
        alex_row = await session.get(Person, alex_id)
        jobs = {(j.kind, j.status) for j in (await session.scalars(
            select(Job).where(Job.person_id == alex_id))).all()}
    assert alex_row.closed_at == clock()
    assert ("checkin", "pending") not in jobs and ("wheel_due", "pending") not in jobs
    assert ("checkin", "cancelled") in jobs and ("wheel_due", "cancelled") in jobs

    # after closure: help and modules are still there
    assert (await alex.press("🆘 Help"))[0].startswith("🆘 Help is here")
    await alex.send("/menu")
    replies = await alex.press("📚 Modules")
    assert replies[0].startswith("Here are the modules.")


async def test_send_summary_now(stack, clock):
    jo, alex, alex_id = await joined_young_person(stack, clock)
    await jo.send("/close")
    await jo.press(jo.buttons()[0])
    replies = await jo.press("📨 Start and send summary now")
    assert replies[0].startswith("Closure done for YP-")
    assert await outbox(stack, clock).deliver_due() == 5  # Alex: chart, summary, plan; Jo: 2
    texts = alex.new_texts()
    # each arrives on its own, so each starts with the neutral line a locked phone shows
    assert texts[0].startswith("Hey, it's me 🙂\n🎯 Your wheel: 2 Mar and now")
    assert texts[1].startswith("Hey, it's me 🙂\n🌟 Looking back, Sky")
    assert texts[2].startswith("Hey, it's me 🙂\n🛟 My safety plan")
    assert jo.new_texts()[1].startswith("✅ Closure summary for YP-")
    await jo.send("/close")
    replies = await jo.press(jo.buttons()[0])
    assert replies[0].endswith("was closed on 13 Apr.")
