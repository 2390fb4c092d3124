"""Issue 17, item 13: a duplicate is known by more than its number. A restarted fake server (or
Telegram, after a quiet week) numbers updates from 1 again; those are new messages, not
redeliveries, and must be answered."""

from __future__ import annotations

from telegram import Update

from bot.tg.events import to_event

YOUNG = 4242


def _message(update_id: int, message_id: int, date: int, text: str) -> Update:
    user = {"id": YOUNG, "is_bot": False, "first_name": "Alex"}
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": message_id, "date": date, "text": text, "from": user,
        "chat": {"id": YOUNG, "type": "private", "first_name": "Alex"}}}, None)


def _press(update_id: int, query_id: str, data: str) -> Update:
    user = {"id": YOUNG, "is_bot": False, "first_name": "Alex"}
    return Update.de_json({"update_id": update_id, "callback_query": {
        "id": query_id, "from": user, "chat_instance": "1", "data": data,
        "message": {"message_id": 1, "date": 1_700_000_000, "text": "menu",
                    "chat": {"id": YOUNG, "type": "private"}}}}, None)


async def _send(router, update: Update):
    who, event = to_event(update)
    return await router.handle(who, event, update_id=update.update_id)


async def test_a_new_update_reusing_an_old_number_is_answered(router):
    first_run = [_message(n, n, 1_700_000_000 + n, "/start") for n in (1, 2, 3)]
    for update in first_run:
        assert await _send(router, update)
    # the server restarted: numbering and message ids begin again, later
    after_restart = _message(1, 1, 1_700_090_000, "/start")
    assert await _send(router, after_restart), "a new message was dropped as a duplicate"


async def test_a_real_redelivery_is_still_dropped(router):
    update = _message(7, 7, 1_700_000_000, "/start")
    assert await _send(router, update)
    assert await _send(router, _message(7, 7, 1_700_000_000, "/start")) == []
    press = _press(8, "query-1", "menu:about")
    first = await _send(router, press)
    assert await _send(router, _press(8, "query-1", "menu:about")) == []
    assert first is not None


def test_the_fingerprint_tells_messages_and_presses_apart():
    assert to_event(_message(1, 1, 10, "hi"))[1].fingerprint == f"m:{YOUNG}:1:10:0"
    assert to_event(_message(1, 2, 10, "hi"))[1].fingerprint != to_event(
        _message(1, 1, 10, "hi"))[1].fingerprint
    assert to_event(_press(1, "q", "menu:about"))[1].fingerprint == "c:q"
