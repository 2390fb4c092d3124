"""The demo's phones survive a restart: the fake Telegram's chats are kept beside demo.db."""

from __future__ import annotations

import asyncio
import os
import stat

import aiohttp
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox import FakeTelegram, kept_chats, tiny_png

ALEX = 2001


async def test_a_restarted_server_shows_the_same_chats_and_numbers_on(tmp_path) -> None:
    path = tmp_path / "var" / "demo-chats.json"
    first = FakeTelegram()
    await first.start()
    first.add_user(ALEX, "Alex", label="young person")
    async with Bot(first.token, base_url=first.base_url,
                   base_file_url=first.base_file_url) as bot:
        first.send_text(ALEX, "/start abc")
        await bot.send_message(ALEX, "Hi, welcome", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Let's start", callback_data="ob:go")]]))
        await bot.send_photo(ALEX, tiny_png(8, 8), caption="your wheel")
        first.press(ALEX, "Let's start")
    await first.stop()
    kept_chats.save(first, path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # it holds what was typed

    second = FakeTelegram()
    assert kept_chats.load(second, path)
    second.add_user(ALEX, "Alex", label="young person")  # as the demo does on every start
    await second.start()
    try:
        shown = [(m.from_bot, m.shown_text, m.button_labels()) for m in second.chat(ALEX)]
        assert shown == [(False, "/start abc", []), (True, "Hi, welcome", ["Let's start"]),
                         (True, "your wheel", [])]
        photo = second.chat(ALEX)[2]
        assert second.photo_bytes(photo.photo_id) == tiny_png(8, 8)
        # the press was never fetched by a bot: it is still waiting for getUpdates
        assert [next(k for k in u if k != "update_id") for u in second._pending] == [
            "message", "callback_query"]
        # numbering goes on: a new message, update and press never reuse an old one
        update_id = second.send_text(ALEX, "/menu")
        assert update_id == 3
        assert second.chat(ALEX)[-1].message_id == 4
        second.press(ALEX, "Let's start")
        presses = [u["callback_query"]["id"] for u in second._pending if "callback_query" in u]
        assert len(set(presses)) == 2
    finally:
        await second.stop()


async def test_a_damaged_file_is_set_aside_and_the_phones_start_empty(tmp_path) -> None:
    path = tmp_path / "demo-chats.json"
    path.write_text("{not json")
    server = FakeTelegram()
    assert not kept_chats.load(server, path)
    assert server.chats == {} and not path.exists()
    assert (tmp_path / "demo-chats.json.unreadable").exists()


async def test_the_keeper_writes_soon_after_a_change_and_once_more_when_stopped(tmp_path) -> None:
    path = tmp_path / "demo-chats.json"
    server = FakeTelegram()
    server.add_user(ALEX, "Alex")
    stop = asyncio.Event()
    keeper = asyncio.create_task(kept_chats.keep(server, path, stop))
    await asyncio.sleep(0)
    server.send_text(ALEX, "one")
    await asyncio.sleep(kept_chats.SAVE_AFTER + 0.2)
    restored = FakeTelegram()
    kept_chats.load(restored, path)
    assert [m.text for m in restored.chat(ALEX)] == ["one"]
    server.send_text(ALEX, "two")
    stop.set()
    await asyncio.wait_for(keeper, 3)
    restored = FakeTelegram()
    kept_chats.load(restored, path)
    assert [m.text for m in restored.chat(ALEX)] == ["one", "two"]


async def test_the_page_learns_at_once_that_the_server_was_restarted() -> None:
    """A long poll from before a restart (another boot, or a version the new server has not
    reached) is answered at once, so the page redraws instead of waiting out its timeout."""
    server = FakeTelegram()
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            url = f"{server.url}control/events"
            now = await (await http.get(url, params={"since": "-1"})).json()
            assert now == {"version": server.version, "boot": server.boot}
            for stale in ({"since": str(now["version"]), "boot": "0ld0b00t"},
                          {"since": str(now["version"] + 50), "boot": server.boot}):
                answer = await asyncio.wait_for(http.get(url, params={**stale, "timeout": "20"}),
                                                timeout=3)
                assert (await answer.json())["boot"] == server.boot
    finally:
        await server.stop()
