"""A young person's journey through the real PTB application and the fake Bot API."""

from __future__ import annotations

from datetime import timedelta

from bot.db.models import Role
from bot.records import people


async def make_invite(stack, clock) -> str:
    """A support worker's invite, as the workers' /invite will make it."""
    async with stack.db.transaction() as session:
        worker = await people.create_person(session, Role.SUPPORT_WORKER, telegram_id=9001,
                                            display_name="Jo")
        record = await people.create_person(session, Role.YOUNG_PERSON, worker_id=worker.id)
        invite = await people.create_invite(session, record, purpose="young_person",
                                            now=clock(), created_by=worker)
        return invite.code


async def test_join_with_an_invite_do_a_module_restart_half_way_and_resume(stack, clock):
    code = await make_invite(stack, clock)
    sam = stack.person(2001)

    assert (await sam.send(f"/start {code}"))[0].startswith(
        "Hi, welcome 👋\nYour worker from the team sent you here.")
    assert sam.buttons() == ["Let's start", "🆘 Help"]
    assert (await sam.press("Let's start"))[0].startswith("Before we start, here is how privacy")
    await sam.press("OK, I understand")
    await sam.send("Sky")
    assert await sam.press("14 to 17") == [
        "All set! You can find everything in the menu below.\n"
        "Help is always one tap away with the 🆘 Help button or /help.\n\n"
        "🎯 Would you like to fill in your wheel first? It is 8 quick questions about how things "
        "are for you. It takes about 2 minutes.",
        "What would you like to do, Sky?",
    ]
    await sam.press("📚 Modules")
    assert (await sam.press("Practice module"))[1] == "Step 1 of 6\n\nThis is the first step."
    await sam.press("Next ▶️")
    assert await sam.press("Good") == ["You picked: Good\n\nGreat to hear."]
    await sam.press("Next ▶️")

    await stack.restart_bot()  # the process dies and comes back

    assert await sam.press("No") == [
        "You picked: No\n\n✅ That's right!\n\n"
        "Under 16s cannot agree to sex in law. This keeps young people safe."]
    await sam.press("Next ▶️")
    await sam.press("Next ▶️")
    assert await sam.press("Skip") == [
        "Step 6 of 6\n\nYou can always get help.\n\n• Childline: 0800 1111 · "
        "https://www.childline.org.uk\n• Police, ambulance or fire: 999"]
    done = await sam.press("Next ▶️")
    assert done[0] == '🎉 You finished "Practice module"!\nWell done for finishing.'


async def test_an_invite_works_once_and_not_after_it_expires(stack, clock):
    code = await make_invite(stack, clock)
    first = stack.person(2002)
    await first.send(f"/start {code}")
    second = stack.person(2003)
    replies = await second.send(f"/start {code}")
    assert replies[0].startswith("That link has already been opened or is too old.")
    assert replies[1].startswith("Hi, welcome 👋\nThis chat is here")

    late = await make_invite_for_new_worker(stack, clock)
    clock.advance(days=8)
    third = stack.person(2004)
    assert (await third.send(f"/start {late}"))[0].startswith("That link has already been opened")


async def make_invite_for_new_worker(stack, clock) -> str:
    async with stack.db.transaction() as session:
        worker = await people.create_person(session, Role.SUPPORT_WORKER, display_name="Al")
        record = await people.create_person(session, Role.YOUNG_PERSON, worker_id=worker.id)
        invite = await people.create_invite(session, record, purpose="young_person", now=clock(),
                                            created_by=worker, lifetime=timedelta(days=7))
        return invite.code


async def test_stickers_photos_voice_and_edits_get_a_friendly_reply(stack):
    sam = stack.person(2005)
    await sam.send("/start")
    assert (await sam.send_media("sticker"))[0] == (
        "Thanks! 🙂 I'm a bot, so I can't open that. You can type to me, or use the buttons.")
    for kind in ("photo", "voice", "video_note", "video", "location", "contact", "document"):
        replies = await sam.send_media(kind)  # no worker yet: the offer is for the team's
        assert replies == ["Thanks for sending this. I'm a bot, so I can't look at pictures or "
                           "listen to voice notes.\nWould you like me to send it to a worker "
                           "from the team?"], kind
        assert sam.buttons() == ["Send it to a worker", "No thanks", "🆘 Help"], kind
    await sam.send("hello")
    message_id = [m for m in stack.server.chat(2005) if not m.from_bot][-1].message_id
    replies = await sam.edit(message_id, "changed")
    assert replies == ["I saw you changed a message. I only read new messages, "
                       "so please send it again if it's important."]


NICKNAME_AGAIN = [
    "Sorry, I can't use that one. Please use 1 to 20 letters or numbers, with no phone numbers "
    "or links.",
    "What should I call you? 🙂\nTap one of these, or type your own. It's best not to use your "
    "real name."]


async def test_very_long_and_odd_text_never_breaks_the_bot(stack):
    """The bot's error handler always replies, so "some reply" proves nothing: each text gets
    exactly the answer its step gives, and the router never logs "router failed" (the e2e
    fixture fails the test if it does)."""
    sam = stack.person(2006)
    await sam.send("/start")
    await sam.press("Let's start")
    await sam.press("OK, I understand")
    for text in ("x" * 4096, "\u202e\u0000\u200b🙂" * 50, "\ud7ff" * 3, "/"):
        assert await sam.send(text) == NICKNAME_AGAIN, text[:20]  # at the nickname step
        assert sam.buttons()[-2:] == ["🔄 Show me others", "🆘 Help"]
    assert await sam.send("/unknowncommand") == [
        "Sorry, I don't know that command. Try /menu or /help."]
    assert (await sam.send("Sky"))[0].startswith("Nice to meet you, Sky! 👋\nHow old are you?")
    assert await sam.send("/start@other_bot junk args here") == [
        "That link has already been opened or is too old. That's OK, you can still use this chat."
        "\nIf you want to be linked to your worker, ask them for a new link.",
        "What would you like to do, Sky?"]


async def test_commands_are_registered_with_telegram(stack):
    calls = stack.server.calls_for("setMyCommands")
    assert calls, "setMyCommands was never called"
