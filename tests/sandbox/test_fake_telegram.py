"""The fake Telegram server, driven by the real python-telegram-bot (no sleeps, no network)."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.sandbox import FakeTelegram, tiny_png

SAM = 1001  # a young person
JO = 2002  # a duty worker


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram()
    await fake.start()
    fake.add_user(SAM, "Sam", label="young person")
    fake.add_user(JO, "Jo", username="jo_duty", label="duty worker")
    yield fake
    await fake.stop()


@pytest.fixture
async def bot(server: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(server.token, base_url=server.base_url,
                   base_file_url=server.base_file_url) as real_bot:
        yield real_bot


def again_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Again", callback_data="again"),
                                  InlineKeyboardButton("Help now", callback_data="help")]])


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo text back with two buttons."""
    assert update.message and update.message.text
    await update.message.reply_text(f"echo: {update.message.text}",
                                    reply_markup=again_keyboard())


async def other_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what kind of message arrived (the bot must cope with any)."""
    assert update.message
    kind = next(k for k in ("sticker", "photo", "voice", "location") if getattr(update.message, k))
    await update.message.reply_text(f"got a {kind}")


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and replace the message."""
    query = update.callback_query
    assert query
    await query.answer("pressed")
    await query.edit_message_text(f"you pressed {query.data}")


@pytest.fixture
async def app(server: FakeTelegram) -> AsyncIterator[Application]:
    application = (ApplicationBuilder().token(server.token).base_url(server.base_url)
                   .base_file_url(server.base_file_url).build())
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(MessageHandler(~filters.TEXT, other_media))
    application.add_handler(CallbackQueryHandler(pressed))
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=10)
        yield application
        await application.updater.stop()
        await application.stop()


def seconds(retry_after: int | dtm.timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, dtm.timedelta) else retry_after


# --- the real Application, as tests of the bot will use it ------------------------------------


async def test_application_echoes_text_and_answers_a_button(server: FakeTelegram,
                                                            app: Application) -> None:
    mark = server.mark(SAM)
    server.send_text(SAM, "hello")
    [reply] = await server.wait_for_bot_messages(SAM, 1, since=mark)
    assert reply.text == "echo: hello"
    assert reply.buttons == [[("Again", "again"), ("Help now", "help")]]

    update_id = server.press(SAM, "Again")
    await server.wait_for(lambda: server.chat(SAM)[-1].edited, what="the edit")
    assert server.bot_texts(SAM) == ["you pressed again"]
    assert server.last_bot_message(SAM).buttons == []  # edit without markup drops the keyboard
    assert server.callback_answer(update_id) == {"text": "pressed", "show_alert": False,
                                                 "url": None, "cache_time": None}


async def test_application_copes_with_media(server: FakeTelegram, app: Application) -> None:
    mark = server.mark(SAM)
    server.send_sticker(SAM)
    server.send_photo(SAM)
    server.send_voice(SAM)
    server.send_location(SAM)
    replies = await server.wait_for_bot_messages(SAM, 4, since=mark)
    assert [m.text for m in replies] == ["got a sticker", "got a photo", "got a voice",
                                         "got a location"]


async def test_wait_for_bot_messages_names_what_arrived(server: FakeTelegram,
                                                        app: Application) -> None:
    mark = server.mark(SAM)
    server.send_text(SAM, "one")
    with pytest.raises(TimeoutError, match=r"got 1: \['echo: one'\]"):
        await server.wait_for_bot_messages(SAM, 2, since=mark, timeout=0.3)


# --- long polling ----------------------------------------------------------------------------


async def test_long_poll_returns_as_soon_as_an_update_arrives(server: FakeTelegram,
                                                              bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await server.wait_for_call("getUpdates")
    update_id = server.send_text(SAM, "/start abc")
    updates = await asyncio.wait_for(poll, 2)  # far below the 30 s long-poll timeout
    assert [u.update_id for u in updates] == [update_id]
    message = updates[0].message
    assert message.text == "/start abc"
    assert message.from_user.id == SAM and message.chat.type == "private"
    assert message.parse_entities(["bot_command"]) == {message.entities[0]: "/start"}


async def test_offset_confirms_and_drops_earlier_updates(server: FakeTelegram,
                                                         bot: Bot) -> None:
    ids = [server.send_text(SAM, t) for t in ("a", "b", "c")]
    assert [u.update_id for u in await bot.get_updates()] == ids
    assert [u.update_id for u in await bot.get_updates()] == ids  # not confirmed yet
    assert [u.update_id for u in await bot.get_updates(offset=ids[1], limit=1)] == [ids[1]]
    assert [u.update_id for u in await bot.get_updates(offset=ids[2] + 1)] == []
    later = [server.send_text(SAM, t) for t in ("d", "e")]
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == [later[1]]
    assert [u.update_id for u in await bot.get_updates()] == [later[1]]


async def test_allowed_updates_filters_and_is_remembered(server: FakeTelegram,
                                                         bot: Bot) -> None:
    await bot.send_message(SAM, "pick", reply_markup=again_keyboard())
    server.send_text(SAM, "text")
    press_id = server.press(SAM, "help")  # by callback_data
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.update_id for u in updates] == [press_id]
    assert updates[0].callback_query.data == "help"
    assert [u.update_id for u in await bot.get_updates()] == [press_id]  # still filtered


# --- messages, keyboards, edits, deletions ----------------------------------------------------


async def test_inline_keyboard_round_trip(server: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(SAM, "<b>Ready?</b>", parse_mode="HTML",
                                  reply_markup=again_keyboard())
    assert sent.text == "Ready?" and sent.reply_markup == again_keyboard()
    update_id = server.press(SAM, "Help now")
    [update] = await bot.get_updates()
    query = update.callback_query
    assert update.update_id == update_id
    assert (query.data, query.from_user.id, query.message.message_id) == ("help", SAM,
                                                                         sent.message_id)
    assert await query.answer("ok", show_alert=True)
    assert server.callback_answer(update_id)["show_alert"] is True
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await query.answer()


async def test_press_without_such_button_lists_the_labels(server: FakeTelegram,
                                                          bot: Bot) -> None:
    await bot.send_message(SAM, "pick", reply_markup=again_keyboard())
    with pytest.raises(AssertionError, match=r"'Nope'.*\['Again', 'Help now'\]"):
        server.press(SAM, "Nope")


async def test_reply_keyboard_press_sends_text_and_can_be_removed(server: FakeTelegram,
                                                                  bot: Bot) -> None:
    await bot.send_message(SAM, "how are you?",
                           reply_markup=ReplyKeyboardMarkup([["Good", "Bad"]]))
    server.press(SAM, "Good")
    [update] = await bot.get_updates()
    assert update.message.text == "Good"
    await bot.send_message(SAM, "thanks", reply_markup=ReplyKeyboardRemove())
    with pytest.raises(AssertionError):
        server.press(SAM, "Bad")


async def test_message_ids_increase_per_chat(server: FakeTelegram, bot: Bot) -> None:
    a = await bot.send_message(SAM, "one")
    server.send_text(SAM, "two")
    b = await bot.send_message(SAM, "three")
    c = await bot.send_message(JO, "first for Jo")
    assert (a.message_id, b.message_id, c.message_id) == (1, 3, 1)
    assert [m.text for m in server.chat(SAM)] == ["one", "two", "three"]
    assert [m.from_bot for m in server.chat(SAM)] == [True, False, True]
    assert (await bot.send_message("@jo_duty", "by username")).chat.id == JO


async def test_edit_text_and_markup(server: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(SAM, "draft", reply_markup=again_keyboard())
    edited = await bot.edit_message_text("final", SAM, sent.message_id,
                                         reply_markup=again_keyboard())
    assert edited.text == "final" and edited.edit_date is not None
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("final", SAM, sent.message_id,
                                    reply_markup=again_keyboard())
    await bot.edit_message_reply_markup(SAM, sent.message_id)
    msg = server.last_bot_message(SAM)
    assert (msg.text, msg.edited, msg.buttons) == ("final", True, [])
    server.send_text(SAM, "mine")
    with pytest.raises(BadRequest, match="(?i)message can't be edited"):
        await bot.edit_message_text("hacked", SAM, 2)


async def test_user_edit_makes_edited_message(server: FakeTelegram, bot: Bot) -> None:
    server.send_text(SAM, "typo")
    server.edit_text(SAM, 1, "fixed")
    updates = await bot.get_updates()
    assert updates[1].edited_message.text == "fixed"
    assert server.chat(SAM)[0].edited


async def test_delete_and_the_48_hour_rule() -> None:
    clock = [1_700_000_000.0]
    server = FakeTelegram(now=lambda: clock[0])
    await server.start()
    server.add_user(SAM, "Sam")
    try:
        async with Bot(server.token, base_url=server.base_url) as old_bot:
            mine = await old_bot.send_message(SAM, "bot says")
            server.send_text(SAM, "user says")
            assert await old_bot.delete_message(SAM, mine.message_id)
            with pytest.raises(BadRequest, match="(?i)message to delete not found"):
                await old_bot.delete_message(SAM, mine.message_id)
            assert server.bot_texts(SAM) == []
            assert server.chat(SAM)[0].deleted

            clock[0] += 48 * 3600  # the user's message is now exactly 48 hours old
            with pytest.raises(BadRequest, match="(?i)message can't be deleted"):
                await old_bot.delete_message(SAM, 2)
            with pytest.raises(BadRequest, match="(?i)message can't be deleted"):
                await old_bot.delete_messages(SAM, [2, 99])
            fresh = await old_bot.send_message(SAM, "fresh")
            server.send_text(SAM, "fresh from user")
            assert await old_bot.delete_messages(SAM, [2, fresh.message_id, 4, 99])
            assert [m.deleted for m in server.chat(SAM)] == [True, False, True, True]
    finally:
        await server.stop()


async def test_parse_mode_errors_like_telegram(server: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)Character '.' is reserved"):
        await bot.send_message(SAM, "Hi.", parse_mode="MarkdownV2")
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(SAM, "<b>open", parse_mode="HTML")
    sent = await bot.send_message(SAM, r"*Hi* there\.", parse_mode="MarkdownV2")
    assert sent.text == "Hi there."
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(SAM, " ")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(999, "nobody")


# --- files -------------------------------------------------------------------------------------


async def test_send_photo_upload_is_stored(server: FakeTelegram, bot: Bot) -> None:
    png = tiny_png(3, 2)
    sent = await bot.send_photo(SAM, png, caption="your wheel")
    assert (sent.photo[-1].width, sent.photo[-1].height, sent.caption) == (3, 2, "your wheel")
    assert server.chat(SAM)[-1].photo == png
    again = await bot.send_photo(SAM, sent.photo[-1].file_id)  # resend by file_id
    assert server.chat(SAM)[-1].photo == png and again.photo[-1].file_id == sent.photo[-1].file_id
    downloaded = await (await bot.get_file(sent.photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == png
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await bot.send_photo(SAM, "no-such-file-id")
    doc = await bot.send_document(SAM, b"plan", filename="plan.txt")
    assert doc.document.file_name == "plan.txt" and server.chat(SAM)[-1].kind == "document"


async def test_user_media_parses_in_ptb(server: FakeTelegram, bot: Bot) -> None:
    for send in (server.send_sticker, server.send_photo, server.send_voice,
                 server.send_video_note, server.send_location, server.send_contact,
                 server.send_document):
        send(SAM)
    messages = [u.message for u in await bot.get_updates()]
    assert messages[0].sticker.emoji == "🙂"
    assert messages[1].photo[-1].width == 64
    assert messages[2].voice.mime_type == "audio/ogg"
    assert messages[3].video_note.length == 240
    assert messages[4].location.latitude == pytest.approx(51.5072)
    assert messages[5].contact.phone_number == "+447700900123"
    assert messages[6].document.file_name == "notes.txt"


async def test_copy_message_copies_what_a_user_sent(server: FakeTelegram, bot: Bot) -> None:
    for send in (server.send_photo, server.send_voice, server.send_location,
                 server.send_video_note, server.send_video):
        send(SAM)
    [photo, voice, pin, note, video] = [m for m in server.chat(SAM) if not m.from_bot]
    for original in (photo, voice, pin, note, video):
        copied = await bot.copy_message(JO, SAM, original.message_id)
        copy = server.chat(JO)[-1]
        assert copy.message_id == copied.message_id and copy.from_bot
        assert (copy.kind, copy.payload, copy.photo) == (original.kind, original.payload,
                                                         original.photo)
    assert [m.kind for m in server.chat(JO)] == ["photo", "voice", "location", "video_note",
                                                 "video"]
    await bot.copy_message(JO, SAM, photo.message_id, caption="from Sam")
    assert server.chat(JO)[-1].caption == "from Sam" and server.chat(JO)[-1].photo == photo.photo
    await bot.delete_message(SAM, pin.message_id)
    with pytest.raises(BadRequest, match="(?i)message to copy not found"):
        await bot.copy_message(JO, SAM, pin.message_id)
    with pytest.raises(BadRequest, match="(?i)message to copy not found"):
        await bot.copy_message(JO, SAM, 999)
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.copy_message(JO, 424242, photo.message_id)


async def test_press_data_sends_any_callback_data(server: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(AssertionError, match="no bot message"):
        server.press_data(SAM, "anything")
    await bot.send_message(SAM, "plain, no buttons")
    server.press_data(SAM, "forged:1")
    [update] = await bot.get_updates()
    assert update.callback_query.data == "forged:1"
    assert update.callback_query.message.message_id == server.chat(SAM)[-1].message_id


# --- faults ----------------------------------------------------------------------------------


async def test_429_is_retry_after_then_recovers(server: FakeTelegram, bot: Bot) -> None:
    server.inject_fault("sendMessage", "429", retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(SAM, "first try")
    assert seconds(caught.value.retry_after) == 7
    await bot.send_message(SAM, "second try")
    assert server.bot_texts(SAM) == ["second try"]
    assert [c.status for c in server.calls_for("sendMessage")] == [429, 200]


async def test_500_is_a_network_error_and_faults_can_be_cleared(server: FakeTelegram,
                                                                bot: Bot) -> None:
    server.inject_fault(None, "500", count=2)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(SAM, "x")
    server.clear_faults()
    assert (await bot.send_message(SAM, "y")).text == "y"


async def test_timeout_and_delay_faults(server: FakeTelegram) -> None:
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(server.token, base_url=server.base_url, request=request) as bot:
        server.inject_fault("sendMessage", "timeout")
        with pytest.raises(TimedOut):
            await bot.send_message(SAM, "lost")
        server.inject_fault("sendMessage", "delay", seconds=0.05)
        await bot.send_message(SAM, "slow but fine")
    assert server.bot_texts(SAM) == ["slow but fine"]


async def test_wildcard_fault_spares_getupdates(server: FakeTelegram, bot: Bot) -> None:
    server.inject_fault(None, "429")
    server.send_text(SAM, "hi")
    assert len(await bot.get_updates()) == 1
    with pytest.raises(RetryAfter):
        await bot.send_chat_action(SAM, "typing")


# --- limits ----------------------------------------------------------------------------------


async def test_limits_per_chat_and_overall() -> None:
    clock = [100.0]
    server = FakeTelegram(enforce_limits=True, limit_clock=lambda: clock[0])
    await server.start()
    try:
        for uid in range(1, 32):
            server.add_user(uid, f"User {uid}")
        async with Bot(server.token, base_url=server.base_url) as bot:
            for _ in range(3):  # a small burst to one chat is fine
                await bot.send_message(1, "burst")
            with pytest.raises(RetryAfter):
                await bot.send_message(1, "one too many")
            assert [(v.scope, v.chat_id) for v in server.limit_violations] == [("chat", 1)]
            for uid in range(2, 29):  # 30 sends in this instant, all chats together
                await bot.send_message(uid, "broadcast")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(30, "31st in one second")
            assert server.limit_violations[-1].scope == "global"
            assert seconds(caught.value.retry_after) == 1
            await bot.send_chat_action(30, "typing")  # not a send: never limited
            clock[0] += 1.0
            await bot.send_message(30, "a second later")
            await bot.send_message(1, "and this chat again")
    finally:
        await server.stop()


# --- webhook ---------------------------------------------------------------------------------


async def test_webhook_posts_with_secret_and_blocks_getupdates(server: FakeTelegram,
                                                               bot: Bot) -> None:
    received: asyncio.Queue[tuple[str | None, dict]] = asyncio.Queue()

    async def receive(request: web.Request) -> web.Response:
        await received.put((request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                            await request.json()))
        return web.Response()

    receiver = web.Application()
    receiver.router.add_post("/hook", receive)
    runner = web.AppRunner(receiver)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        assert await bot.set_webhook(url, secret_token="s3cret-Token_1")
        update_id = server.send_text(SAM, "over the hook")
        secret, body = await asyncio.wait_for(received.get(), 5)
        assert secret == "s3cret-Token_1"
        update = Update.de_json(body, bot)
        assert (update.update_id, update.message.text) == (update_id, "over the hook")
        with pytest.raises(Conflict, match="(?i)webhook is active"):
            await bot.get_updates()
        info = await bot.get_webhook_info()
        assert info.url == url
        await server.wait_for(lambda: server.pending_update_count() == 0)
        assert await bot.delete_webhook()
        server.send_text(SAM, "back to polling")
        assert [u.message.text for u in await bot.get_updates()] == ["back to polling"]
    finally:
        await runner.cleanup()


# --- auth, misc methods ----------------------------------------------------------------------


async def test_wrong_token_and_unknown_method(server: FakeTelegram) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{server.base_url}999:WRONG/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {"ok": False, "error_code": 401,
                                         "description": "Unauthorized"}
        async with http.post(f"{server.base_url}{server.token}/fooBar") as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404,
                                         "description": "Not Found"}
    wrong = Bot("999:WRONG", base_url=server.base_url)
    try:
        with pytest.raises(InvalidToken):
            await wrong.get_me()
    finally:
        await wrong.shutdown()


async def test_commands_profile_chat_and_blocking(server: FakeTelegram, bot: Bot) -> None:
    assert await bot.set_my_commands([("start", "Begin"), ("help", "Get help now")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Bad-Name", "x")])
    assert await bot.set_my_name("RISE")
    assert await bot.set_my_description("Support")
    assert (await bot.get_my_name()).name == "RISE"
    assert (await bot.get_chat(JO)).username == "jo_duty"
    assert await bot.send_chat_action(SAM, "typing")
    server.block_bot(SAM)
    with pytest.raises(Forbidden, match="(?i)blocked by the user"):
        await bot.send_message(SAM, "still there?")
    update = (await bot.get_updates())[-1]
    assert update.my_chat_member.new_chat_member.status == "kicked"
    assert await bot.log_out() and await bot.close()


async def test_groups(server: FakeTelegram, bot: Bot) -> None:
    server.add_group(-100, "Team")
    server.add_bot_to_group(-100, JO)
    server.add_user_to_group(-100, SAM)
    server.send_group_text(-100, JO, "/rota@rise_demo_bot")
    updates = await bot.get_updates()
    assert updates[0].my_chat_member.new_chat_member.status == "member"
    assert updates[1].message.new_chat_members[0].id == SAM
    assert updates[2].message.chat.type == "group" and updates[2].message.text.startswith("/")
    sent = await bot.send_message(-100, "on duty: Jo")
    with pytest.raises(BadRequest, match="(?i)can't be deleted"):
        await bot.delete_message(-100, 2)  # someone else's message in a group
    assert await bot.delete_message(-100, sent.message_id)
    assert await bot.leave_chat(-100)
    with pytest.raises(Forbidden):
        await bot.send_message(-100, "gone")


# --- control HTTP API ------------------------------------------------------------------------


async def test_control_api_drives_the_bot(server: FakeTelegram, app: Application) -> None:
    root = server.url.rstrip("/")
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{root}/control/users",
                             json={"id": 3003, "first_name": "Kai", "label": "young person"}) as r:
            assert r.status == 201
        async with http.get(f"{root}/control/users") as r:
            assert [u["first_name"] for u in await r.json()] == ["Sam", "Jo", "Kai"]

        mark = server.mark(3003)
        async with http.post(f"{root}/control/users/3003/text", json={"text": "hi"}) as r:
            assert "update_id" in await r.json()
        await server.wait_for_bot_messages(3003, 1, since=mark)

        async with http.get(f"{root}/control/chats/3003") as r:
            chat = await r.json()
        assert [(m["from_bot"], m["text"]) for m in chat["messages"]] == [
            (False, "hi"), (True, "echo: hi")]
        assert chat["messages"][1]["buttons"][0][0] == {"label": "Again", "data": "again"}

        version = server.version
        async with http.post(f"{root}/control/users/3003/press", json={"label": "Again"}) as r:
            assert r.status == 200
        async with http.get(f"{root}/control/events",
                            params={"since": str(version), "timeout": "5"}) as r:
            assert (await r.json())["version"] > version
        await server.wait_for(lambda: server.chat(3003)[-1].edited)
        async with http.get(f"{root}/control/chats/3003") as r:
            assert (await r.json())["messages"][-1]["text"] == "you pressed again"

        async with http.post(f"{root}/control/users/3003/press", json={"label": "Nope"}) as r:
            assert r.status == 400 and "no button" in (await r.json())["error"]
        mark = server.mark(3003)
        async with http.post(f"{root}/control/users/3003/media", json={"kind": "sticker"}) as r:
            assert r.status == 200
        [reply] = await server.wait_for_bot_messages(3003, 1, since=mark)
        assert reply.text == "got a sticker"
        async with http.get(f"{root}/control/calls", params={"method": "sendMessage"}) as r:
            assert all(c["method"] == "sendMessage" for c in await r.json())

        async with http.post(f"{root}/control/faults",
                             json={"method": "sendMessage", "kind": "429"}) as r:
            assert r.status == 201
        async with http.get(f"{root}/control/faults") as r:
            assert len(await r.json()) == 1
        async with http.delete(f"{root}/control/faults") as r:
            assert r.status == 200
        assert server.faults == []

        async with http.get(f"{root}/") as r:
            assert r.status == 200 and "<html" in (await r.text()).lower()


async def test_control_api_serves_photos(server: FakeTelegram, bot: Bot) -> None:
    png = tiny_png(5, 5)
    await bot.send_photo(JO, png)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server.url}control/chats/{JO}") as r:
            [message] = (await r.json())["messages"]
        async with http.get(server.url.rstrip("/") + message["photo_url"]) as r:
            assert r.content_type == "image/png" and await r.read() == png
        async with http.get(f"{server.url}control/chats/424242") as r:
            assert r.status == 404
