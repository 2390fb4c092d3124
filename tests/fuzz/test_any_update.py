"""Any update a phone (or a stale client, or a stranger) can send: no unhandled exception, every
private text gets a reply, and every young person's text reaches the danger detector.

Hypothesis builds Telegram updates of every kind the bot can receive and feeds them to the real
PTB application (talking to the fake Bot API), as if they had come from Telegram.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from telegram import Update

from bot.db.engine import Database
from bot.db.models import Role
from bot.records import people
from bot.sandbox.fake_telegram import FakeTelegram
from bot.tg.app import stop_poller
from content.loader import default_content
from tests.conftest import FakeClock
from tests.e2e.harness import Stack

pytestmark = pytest.mark.semantic  # both channels, as the bot runs them

EXAMPLES = int(os.environ.get("RISE_FUZZ_EXAMPLES", "2000"))
YOUNG = [3001, 3002, 3003]
WORKERS = [3901]  # a support worker, so worker paths are fuzzed too
STRANGERS = [3990, 3991]

any_text = st.text(min_size=0, max_size=300) | st.text(
    alphabet=st.characters(codec="utf-8"), min_size=4000, max_size=5000) | st.sampled_from([
        "he's outside my house", "/start", "/start junk junk", "/help", "/menu", "/hide",
        "/caseload", "/assign", "/onduty", "/unknown@rise_demo_bot x", "\u202eevil\u202c",
        "\x00\x01\x1f", "🙂" * 500, "k i l l", "/", "//", "/start " + "x" * 70,
        "he's \ud800outside", "\udfff", "a\u200b\u200d\ufeffb", "\u200f\u0645\u0631\u062d\u0628\u0627",
        "\u2066he's here\u2069", "١٢٣", "/start ٣٣٣"])
callback_data = st.text(max_size=64) | st.sampled_from([
    "help", "help:back", "menu:enter", "menu:open:practice", "menu:open:nope", "mod:next",
    "mod:answer:9", "mod:answer:-1", "ob:pick:", "ob:band:99", "safe:yes:1", "safe:no:999",
    "al:ack:1", "al:talk:abc", "rl:end:1", "hide", "ci:x", "wplan:1", "wwheel:0", "wclose:1",
    "menu:open:", "::::", "", "md:send:1", "md:no:1", "md:send:x", "al:ack:١٢", "al:ack:𝟗",
    "al:ack:" + "9" * 40, "rl:end:-0", "mod:answer:²", "al:ack:1\ud800", "safe:no:" + "1" * 64])


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    user_id = draw(st.sampled_from(YOUNG + WORKERS + STRANGERS))
    user = {"id": user_id, "is_bot": False, "first_name": "Test"}
    group = draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans())
    chat = ({"id": -700, "type": "group", "title": "A group"} if group
            else {"id": user_id, "type": "private", "first_name": "Test"})
    message: dict[str, Any] = {"message_id": draw(st.integers(1, 10_000)), "date": 1_700_000_000,
                               "chat": chat, "from": user}
    kind = draw(st.sampled_from(["text", "text", "text", "command", "caption", "sticker", "voice",
                                 "video_note", "location", "contact", "document", "edited",
                                 "callback", "callback"]))
    if kind in ("text", "edited"):
        message["text"] = draw(any_text) or " "
    elif kind == "command":
        name = draw(st.sampled_from(["start", "help", "menu", "hide", "invite", "caseload",
                                     "assign", "progress", "note", "transfer", "onduty",
                                     "offduty", "alerts", "myplan", "plan", "wheel", "close",
                                     "nope"]))
        text = f"/{name} {draw(st.text(max_size=80))}".strip()
        message["text"] = text
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(name) + 1}]
    elif kind == "caption":
        message["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 10, "height": 10}]
        message["caption"] = draw(any_text)
    elif kind == "sticker":
        message["sticker"] = {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                              "is_animated": False, "is_video": False, "type": "regular"}
    elif kind == "voice":
        message["voice"] = {"file_id": "v", "file_unique_id": "v", "duration": 3}
    elif kind == "video_note":
        message["video_note"] = {"file_id": "n", "file_unique_id": "n", "length": 1,
                                 "duration": 2}
    elif kind == "location":
        message["location"] = {"latitude": 51.5, "longitude": -0.1}
    elif kind == "contact":
        message["contact"] = {"phone_number": "+447700900000", "first_name": "X"}
    elif kind == "document":
        message["document"] = {"file_id": "d", "file_unique_id": "d"}
    update_id = draw(st.integers(1, 2**31))
    if kind == "edited":
        message["edit_date"] = 1_700_000_100
        return {"update_id": update_id, "edited_message": message}
    if kind == "callback":
        return {"update_id": update_id, "callback_query": {
            "id": str(update_id), "from": user, "chat_instance": "ci",
            "data": draw(callback_data), "message": {**message, "from": {
                "id": 1, "is_bot": True, "first_name": "RISE"}, "text": "old"}}}
    return {"update_id": update_id, "message": message}


class Harness:
    """One running system for all examples (hypothesis runs them one after another)."""

    def __init__(self, tmp: str):
        self.loop = asyncio.new_event_loop()
        self.clock = FakeClock()
        self.stack: Stack | None = None
        self.update_ids = 0
        self.loop.run_until_complete(self._start(tmp))

    async def _start(self, tmp: str) -> None:
        db = Database(f"sqlite+aiosqlite:///{tmp}/fuzz.db")
        await db.create_all()
        server = FakeTelegram()
        for user_id in YOUNG + WORKERS + STRANGERS:
            server.add_user(user_id, "Test")
        server.add_group(-700, "A group")
        await server.start()
        self.stack = Stack(server=server, db=db, content=default_content(), clock=self.clock)
        await self.stack.start_bot()
        await stop_poller(self.stack.app)  # updates come from the test, not from polling
        async with db.transaction() as session:
            await people.create_person(session, Role.SUPPORT_WORKER, telegram_id=WORKERS[0],
                                       display_name="Jo")

    def feed(self, data: dict[str, Any]) -> tuple[int, int, int]:
        """Process one update; returns (errors, messages sent to the chat, texts scanned)."""
        async def run() -> tuple[int, int, int]:
            assert self.stack is not None and self.stack.app is not None
            app = self.stack.app
            chat_id = (data.get("message") or data.get("edited_message")
                       or data.get("callback_query", {}).get("message") or {})["chat"]["id"]
            before_chat = sum(1 for c in self.stack.server.calls if str(
                c.params.get("chat_id")) == str(chat_id) and c.method in ("sendMessage",
                                                                          "sendPhoto"))
            self.update_ids += 1  # Telegram never repeats an id (repeats are tested elsewhere)
            data["update_id"] = self.update_ids
            errors = app.bot_data.get("errors", 0)
            scanned = self.stack.services.gate.scanned
            self.clock.advance(seconds=2)  # a person, not a flood
            await app.process_update(Update.de_json(data, app.bot))
            after_chat = sum(1 for c in self.stack.server.calls if str(
                c.params.get("chat_id")) == str(chat_id) and c.method in ("sendMessage",
                                                                          "sendPhoto"))
            return (app.bot_data.get("errors", 0) - errors, after_chat - before_chat,
                    self.stack.services.gate.scanned - scanned)

        return self.loop.run_until_complete(run())


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    running = Harness(str(tmp_path_factory.mktemp("fuzz")))
    yield running
    assert running.stack is not None
    running.loop.run_until_complete(running.stack.stop_bot())
    running.loop.run_until_complete(running.stack.server.stop())
    running.loop.close()


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(update=updates())
def test_any_update_is_handled_without_error(harness, update):
    errors, sent, scanned = harness.feed(update)
    note(f"update: {update!r}")
    assert errors == 0
    message = update.get("message") or update.get("edited_message")
    if message is None:
        return
    private = message["chat"]["type"] == "private"
    text = message.get("text") or message.get("caption") or ""
    if private:
        assert sent >= 1, "a private message got no reply"
    young = message["from"]["id"] in YOUNG + STRANGERS
    if private and young and text[:4096].strip() and not text.startswith("/"):
        assert scanned == 1, "a young person's text did not reach the detector"
