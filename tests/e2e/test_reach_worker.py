"""Reaching a worker without the right words, end to end: the real PTB application, the fake
Bot API, the outbox and the clock."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Alert
from bot.records import people
from tests.e2e.test_alerts import YP, joined_young_person, on_duty_worker

SAID = "can jo ring me after school tomorrow"


async def pseudonym_of(stack) -> str:
    async with stack.db.transaction() as session:
        return (await people.find_by_telegram(session, YP)).pseudonym


async def test_an_unexpected_message_gets_a_kind_reply_and_tell_my_worker_flags_a_worker(stack):
    dee = await on_duty_worker(stack)
    sam = await joined_young_person(stack)  # no worker of their own: the flag goes to the duty list
    replies = await sam.send(SAID)
    assert replies == [
        "I'm a bot, so I might not understand what you typed. Sorry.\n"
        "If you want your worker to see your message, tap Tell my worker.\n"
        "If you need help now, tap Help.",
        "What would you like to do, Sky?"]
    assert "Please use the buttons" not in " ".join(replies)
    await stack.deliver()
    assert dee.new_texts() == []

    replies = await sam.press("💬 Tell my worker")
    assert replies == [
        "Thank you. I've sent your message to a worker from the team. 💛\n"
        "They will see it when they are next at work, so it may not be straight away.\n"
        "If you are in danger right now, call 999. Childline is free on 0800 1111."]
    assert sam.buttons() == ["↩️ Back to where I was"]
    assert await stack.deliver() == 1
    [flag] = dee.new_texts()
    assert flag.startswith(f"⚠️ MEDIUM alert #1 – {await pseudonym_of(stack)}\n"
                           "About: a message for their worker\n")
    assert ("From: a message they asked to send to their worker\n\n"
            f"What they said (most recent last):\n“{SAID}”\n") in flag
    async with stack.db.transaction() as session:
        alert = await session.scalar(select(Alert))
    assert (alert.severity, alert.source, alert.excerpt) == (2, "asked", f"“{SAID}”")


async def test_i_need_a_worker_now_pages_the_duty_worker_from_help_and_the_menu(stack):
    dee = await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    await sam.press("📚 Modules")
    await sam.press("Practice module")
    await sam.press("🆘 Help")
    assert sam.buttons() == ["🙋 I need a worker now", "↩️ Back to where I was", "🏠 Menu"]
    replies = await sam.press("🙋 I need a worker now")
    assert replies == [
        "Thank you for telling me. I've asked a worker to get in touch with you. 💛\n"
        "If you are in danger right now, call 999. If you can't talk, call 999 and press 55.",
        "Are you somewhere safe right now?"]
    assert await stack.deliver() == 1
    [page] = dee.new_texts()
    assert page.startswith(f"🚨 HIGH alert #1 – {await pseudonym_of(stack)}\n"
                           "About: pressed “I need a worker now”\n")
    assert "\nFrom: they pressed “I need a worker now”\n" in page
    assert page.endswith("👉 Tap ✅ Acknowledge to stop the paging, then 💬 Talk to them.")

    await sam.send("/menu")
    assert "🙋 I need a worker now" in sam.buttons()
    replies = await sam.press("🙋 I need a worker now")  # pressed again: the same alert
    assert replies[1] == "Are you somewhere safe right now?"
    await stack.deliver()
    assert dee.new_texts() == []
    async with stack.db.transaction() as session:
        assert len((await session.scalars(select(Alert))).all()) == 1
