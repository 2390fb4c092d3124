"""The webhook parses a button press without the message it sits on (`lean`): for any update,
the bot must see exactly what it would have seen from the whole update."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import ExtBot

from bot.tg.events import is_private, to_event
from bot.tg.webhook import lean
from tests.fuzz.test_any_update import updates

BOT = ExtBot("123456:TESTTESTTESTTEST")
ODD = st.none() | st.integers() | st.text(max_size=5) | st.lists(st.integers(), max_size=2)


def seen(data: Any) -> tuple:
    update = Update.de_json(data, BOT)
    chat = update.effective_chat
    return (update.update_id, to_event(update), is_private(update),
            chat.id if chat else None, update.effective_user.id if update.effective_user else None)


@settings(max_examples=300, deadline=None)
@given(updates())
def test_the_bot_sees_the_same_update_from_the_lean_one(update):
    assert seen(lean(update)) == seen(update)


@given(st.dictionaries(st.text(max_size=15), ODD, max_size=3),
       st.dictionaries(st.sampled_from(["message", "data", "id"]), ODD, max_size=3))
def test_lean_never_fails_on_odd_json(update, query):
    assert lean(update) == update
    assert lean({"callback_query": query})["callback_query"].keys() == query.keys()
    assert lean(None) is None and lean([1]) == [1]


def test_a_press_keeps_only_what_says_where_it_was_pressed():
    press = {"update_id": 1, "callback_query": {
        "id": "9", "from": {"id": 5, "is_bot": False, "first_name": "A"}, "chat_instance": "c",
        "data": "menu:modules", "message": {
            "message_id": 3, "date": 1_700_000_000, "chat": {"id": 5, "type": "private"},
            "text": "Hi Sky, what would you like to do?",
            "reply_markup": {"inline_keyboard": [[{"text": "📚 Modules",
                                                   "callback_data": "menu:modules"}]]}}}}
    assert lean(press) == {"update_id": 1, "callback_query": {
        "id": "9", "from": {"id": 5, "is_bot": False, "first_name": "A"}, "chat_instance": "c",
        "data": "menu:modules", "message": {
            "message_id": 3, "date": 1_700_000_000, "chat": {"id": 5, "type": "private"}}}}
    assert press["callback_query"]["message"]["text"]  # the caller's dict is not changed
