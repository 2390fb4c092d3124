"""A worker's day through the real PTB application and the fake Bot API: invite with a QR code,
the young person joins, the worker assigns a module, the young person does it, the worker sees
it in /progress. Outbox messages are delivered by the real sender, with no sleeps."""

from __future__ import annotations

from bot.db.models import Role
from bot.records import people
from bot.tg.transport import TelegramTransport
from bot.time.outbox import OutboxSender

JO = 9101


async def test_invite_join_assign_complete_and_see_progress(stack, clock):
    async with stack.db.transaction() as session:
        await people.create_person(session, Role.SUPPORT_WORKER, telegram_id=JO, display_name="Jo")
    jo = stack.person(JO, "Jo")
    sender = OutboxSender(stack.db, {"telegram": TelegramTransport(stack.app.bot)}, clock)

    # /invite: the link and the QR code arrive as one photo with a caption
    await jo.send("/invite")
    photo = stack.server.last_bot_message(JO)
    assert photo.kind == "photo" and photo.photo.startswith(b"\x89PNG")
    caption = photo.caption
    assert caption.startswith("New invite for YP-")
    code = caption.split("?start=", 1)[1].split("\n", 1)[0]
    pseudonym = caption.removeprefix("New invite for ").split(".", 1)[0]

    sky = stack.person(2101, "Sky")
    await sky.send(f"/start {code}")
    assert await sender.deliver_due() == 1
    assert jo.new_texts() == [f"✅ {pseudonym} has joined through your invite."]
    await sky.press("Let's start")
    await sky.press("OK, I understand")
    await sky.send("Sky")
    await sky.press("14 to 17")

    await jo.send("/assign")
    await jo.press(f"{pseudonym} (Sky)")
    await jo.press("⬜ Practice module")
    await jo.press("Done ✅")
    assert await jo.press("In 1 week") == [
        f"Assigned to {pseudonym} (Sky): Practice module. Due 9 Mar.\nThey have been sent a message."]

    assert await sender.deliver_due() == 1
    assert sky.new_texts() == ["Hey, it's me 🙂\nYour worker picked something for you to look at. "
                               "Try to have a go by Monday 9 March."]
    assert sky.buttons() == ["Practice module", "🆘 Help"]
    assert (await sky.press("Practice module"))[1] == "Step 1 of 6\n\nThis is the first step."
    await sky.press("Next ▶️")
    await sky.press("Good")
    await sky.press("Next ▶️")
    await sky.press("No")
    await sky.press("Next ▶️")
    await sky.press("Next ▶️")
    await sky.press("Skip")
    done = await sky.press("Next ▶️")
    assert done[0] == '🎉 You finished "Practice module"!\nWell done for finishing.'

    await jo.send("/progress")
    assert await jo.press(f"{pseudonym} (Sky)") == [
        f"📈 {pseudonym} (Sky)\n\nPractice module\n▓▓▓▓▓ done 2 Mar · quiz 1/1 · assigned 2 Mar"]


async def test_a_long_caption_goes_as_a_photo_then_the_text(stack):
    from bot.tg.send import send_replies
    from flows.base import Reply

    stack.person(9102, "Al")
    await send_replies(stack.app.bot, 9102, [Reply("x" * 1500, photo=b"\x89PNG fake")])
    chat = stack.server.chat(9102)
    assert [(m.kind, m.caption, len(m.text or "")) for m in chat] == [
        ("photo", None, 0), ("text", None, 1500)]
