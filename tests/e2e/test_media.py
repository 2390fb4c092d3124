"""Photos, voice notes and location pins reach a person, end to end: the real PTB application,
the fake Bot API (copyMessage), the outbox and the clock."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Alert, AlertEvent, OutboxMessage, Role
from bot.records import people
from tests.e2e.test_alerts import DUTY, YP, joined_young_person, on_duty_worker

WORKER, OTHER_YP = 9201, 2102

PASSED_ON = "Thank you. I've sent this straight to the worker who is helping you. 💛"
OFFER = ("Thanks for sending this. I'm a bot, so I can't look at pictures or listen to voice notes.\n"
         "Would you like me to send it to your worker?")
SENT = ("Thank you. I've sent it to your worker, so they can see it. 💛\n"
        "It may not be straight away. If you are in danger right now, call 999.")
NOT_SENT = "OK, I won't send it. 💛\nIf you want to talk to someone later, tap 🆘 Help any time."
STALE = "That button is from an older message. Here's where we are now:"


async def pseudonym(stack, telegram_id: int) -> str:
    async with stack.db.transaction() as session:
        return (await people.find_by_telegram(session, telegram_id)).pseudonym


async def with_support_worker(stack, young_telegram_id: int = YP):
    """Jo, a support worker, and the young person on her caseload."""
    async with stack.db.transaction() as session:
        jo = await people.create_person(session, Role.SUPPORT_WORKER, telegram_id=WORKER,
                                        display_name="Jo")
        young = await people.find_by_telegram(session, young_telegram_id)
        young.worker_id = jo.id
    return stack.person(WORKER, "Jo")


def last_bot_message(stack, chat_id: int):
    return stack.server.last_bot_message(chat_id)


def their_message(stack, chat_id: int, kind: str):
    return [m for m in stack.server.chat(chat_id) if not m.from_bot and m.kind == kind][-1]


async def alerts(stack) -> list[Alert]:
    async with stack.db.transaction() as session:
        return list(await session.scalars(select(Alert).order_by(Alert.id)))


async def outbox(stack) -> list[OutboxMessage]:
    async with stack.db.transaction() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_a_location_pin_during_an_open_alert_reaches_the_duty_worker_at_once(stack):
    dee = await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    await sam.send("he's outside my house")
    await stack.deliver()
    assert dee.new_texts()[0].startswith("🚨 HIGH alert #1")

    assert await sam.send_media("location") == [PASSED_ON]
    assert await stack.deliver() == 2
    name = await pseudonym(stack, YP)
    assert dee.new_texts() == [f"📎 Alert #1 – {name} sent a location pin:"]
    pin = last_bot_message(stack, DUTY)
    assert pin.kind == "location"
    assert pin.payload["location"] == {"latitude": 51.5072, "longitude": -0.1276}
    [copy] = stack.server.calls_for("copyMessage")
    sent = their_message(stack, YP, "location")
    assert [int(copy.params[k]) for k in ("chat_id", "from_chat_id", "message_id")] \
        == [DUTY, YP, sent.message_id]

    async with stack.db.transaction() as session:
        dee_id = (await people.find_by_telegram(session, DUTY)).id
        [event] = await session.scalars(select(AlertEvent).where(
            AlertEvent.kind == "media_forwarded"))
    assert (event.alert_id, event.detail) == (1, {"media": "location", "to": [dee_id]})
    assert len(await alerts(stack)) == 1  # the open alert, nothing new


async def test_once_acknowledged_a_voice_note_goes_only_to_the_worker_who_acknowledged(stack):
    dee = await on_duty_worker(stack)
    max_ = await on_duty_worker(stack, DUTY + 1, "Max")
    sam = await joined_young_person(stack)
    await sam.send("he's outside my house")
    await stack.deliver()
    max_.new_texts()
    await dee.press("✅ Acknowledge")
    await stack.deliver()
    max_.new_texts()

    assert await sam.send_media("voice") == [PASSED_ON]
    await stack.deliver()
    name = await pseudonym(stack, YP)
    assert dee.new_texts() == [f"📎 Alert #1 – {name} sent a voice note:"]
    assert last_bot_message(stack, DUTY).kind == "voice"
    assert max_.new_texts() == [] and last_bot_message(stack, DUTY + 1).kind == "text"


async def test_a_video_note_in_a_chat_with_a_worker_goes_to_that_worker(stack):
    dee = await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    await sam.send("he's outside my house")
    await stack.deliver()
    assert (await dee.press("💬 Talk to them"))[0].startswith("💬 You are talking with")
    await stack.deliver()
    sam.new_texts()

    assert await sam.send_media("video_note") == [PASSED_ON]
    await stack.deliver()
    name = await pseudonym(stack, YP)
    assert dee.new_texts() == [f"📎 Alert #1 – {name} sent a video note:"]
    note = last_bot_message(stack, DUTY)
    assert note.kind == "video_note"
    assert note.payload["video_note"]["file_id"] == \
        their_message(stack, YP, "video_note").payload["video_note"]["file_id"]
    line = [m for m in stack.server.chat(DUTY) if m.from_bot][-2]
    assert line.button_labels() == ["End chat"]


async def test_a_photo_with_no_alert_is_offered_and_sent_to_their_worker_as_a_medium_flag(stack):
    dee = await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    jo = await with_support_worker(stack)

    assert await sam.send_media("photo") == [OFFER]
    assert sam.buttons() == ["Send it to my worker", "No thanks", "🆘 Help"]
    assert await stack.deliver() == 0 and await alerts(stack) == []

    assert await sam.press("Send it to my worker") == [SENT]
    assert await stack.deliver() == 3
    name = await pseudonym(stack, YP)
    page, line = jo.new_texts()
    assert page.startswith(f"⚠️ MEDIUM alert #1 – {name}\nAbout: sent a photo, voice note or location\n")
    assert "From: a photo or file they sent" in page
    assert line == f"📎 Alert #1 – {name} sent a photo:"
    photo = last_bot_message(stack, WORKER)
    assert photo.kind == "photo" and photo.photo == their_message(stack, YP, "photo").photo
    assert dee.new_texts() == []  # a flag for her worker, not a page for the duty worker

    [alert] = await alerts(stack)
    assert (alert.severity, alert.source, alert.categories["names"], alert.excerpt) == \
        (2, "media", ["shared_media"], None)
    async with stack.db.transaction() as session:
        kinds = [e.kind for e in await session.scalars(
            select(AlertEvent).where(AlertEvent.alert_id == alert.id).order_by(AlertEvent.id))]
    assert kinds == ["opened", "notified", "media_forwarded"]

    # pressed again: that offer is used, nothing more goes anywhere
    replies = await sam.press("Send it to my worker")
    assert replies[0] == STALE
    assert await stack.deliver() == 0 and len(await alerts(stack)) == 1


async def test_no_thanks_sends_nothing(stack):
    await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    await with_support_worker(stack)
    assert await sam.send_media("voice") == [OFFER]
    assert await sam.press("No thanks") == [NOT_SENT]
    assert sam.buttons() == ["↩️ Back to where I was"]
    assert (await sam.press("Send it to my worker"))[0] == STALE  # the offer is closed
    assert await stack.deliver() == 0
    assert await alerts(stack) == [] and await outbox(stack) == []
    assert stack.server.calls_for("copyMessage") == []


async def test_a_forged_button_copies_nothing_and_flags_nobody(stack):
    await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    jo = await with_support_worker(stack)
    kim = stack.person(OTHER_YP, "Kim")
    await kim.send("/start")
    await kim.send_media("photo")
    kims_photo = their_message(stack, OTHER_YP, "photo").message_id
    assert await sam.send_media("photo") == [OFFER]  # an open offer of Sam's own, for another id
    sams_bot_message = last_bot_message(stack, YP).message_id

    for forged in (f"md:send:{kims_photo}", f"md:send:{sams_bot_message}", "md:send:abc",
                   "md:send:-1", "md:send:" + "9" * 40, "md:send:", "md:", "md:no:7"):
        texts = await sam.press_data(forged)
        assert texts and texts[0] == STALE, (forged, texts)
    assert await stack.deliver() == 0
    assert await alerts(stack) == [] and await outbox(stack) == []
    assert stack.server.calls_for("copyMessage") == [] and jo.new_texts() == []

    # Kim's own offer still works, and copies from Kim's chat only
    assert (await kim.press("Send it to a worker"))[0].startswith("Thank you. I've sent it to a "
                                                                  "worker from the team")
    await stack.deliver()
    [copy] = stack.server.calls_for("copyMessage")
    assert [int(copy.params[k]) for k in ("from_chat_id", "message_id")] == [OTHER_YP, kims_photo]


async def test_a_copy_of_a_message_deleted_meanwhile_fails_once_and_is_not_retried(stack):
    dee = await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    await sam.send("he's outside my house")
    await stack.deliver()
    await sam.send_media("photo")
    await sam.send("/hide")  # every message in the chat goes, the photo too
    assert their_message(stack, YP, "photo").deleted
    await stack.deliver()
    name = await pseudonym(stack, YP)
    assert dee.new_texts()[-1] == f"📎 Alert #1 – {name} sent a photo:"
    async with stack.db.transaction() as session:
        [copy] = await session.scalars(select(OutboxMessage).where(
            OutboxMessage.copy_message_id.is_not(None)))
    assert (copy.status, copy.last_error, copy.attempts) == ("failed", "nothing to copy", 1)


def test_a_media_event_names_its_kind_and_message_and_keeps_the_caption():
    from telegram import Update
    from telegram.ext import ExtBot

    from bot.tg.events import to_event
    from flows.base import Event

    bot = ExtBot("123456:TESTTESTTESTTEST")
    chat = {"id": 5, "type": "private", "first_name": "A"}
    media = {
        "location": {"latitude": 51.5, "longitude": -0.1},
        "voice": {"file_id": "v", "file_unique_id": "v", "duration": 3},
        "video_note": {"file_id": "n", "file_unique_id": "n", "length": 1, "duration": 2},
        "video": {"file_id": "w", "file_unique_id": "w", "width": 1, "height": 1, "duration": 2},
        "photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}],
        "document": {"file_id": "d", "file_unique_id": "d"},
        "sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                    "is_animated": False, "is_video": False, "type": "regular"},
        "dice": {"emoji": "🎲", "value": 3},
    }
    for number, (kind, body) in enumerate(media.items(), start=40):
        message = {"message_id": number, "date": 1_700_000_000, "chat": chat,
                   "from": {"id": 5, "is_bot": False, "first_name": "A"}, kind: body,
                   "caption": "look"}
        _, event = to_event(Update.de_json({"update_id": 1, "message": message}, bot))
        assert event == Event("media", text="look", media="" if kind == "dice" else kind,
                              message_id=number)

    moving = {"message_id": 40, "date": 1_700_000_000, "edit_date": 1_700_000_060, "chat": chat,
              "from": {"id": 5, "is_bot": False, "first_name": "A"},
              "location": {"latitude": 51.6, "longitude": -0.1, "live_period": 900}}
    assert to_event(Update.de_json({"update_id": 2, "edited_message": moving}, bot)) is None
