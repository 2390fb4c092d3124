"""Discreet by default: the name and description a phone shows for the bot are neutral, set from
BOT_DISPLAY_NAME and BOT_DESCRIPTION when the bot starts."""

from __future__ import annotations

from bot.app.config import load_settings
from bot.app.runtime import _chain_hooks
from bot.tg.app import set_profile


async def test_rise_bot_run_sets_the_neutral_name_and_description_at_start(stack):
    settings = load_settings(_env_file=None)
    assert (settings.bot_display_name, settings.bot_description) == (
        "Sky Chat", "A place to chat. Tap Start to begin.")
    _chain_hooks(stack.app, stack.services, settings)  # as `rise-bot run` does
    await stack.app.post_init(stack.app)
    await stack.services.stop_background()
    assert stack.server.profile == {"name": "Sky Chat",
                                    "description": "A place to chat. Tap Start to begin.",
                                    "short_description": "A place to chat. Tap Start to begin."}


async def test_the_area_chooses_its_own_and_an_unchanged_profile_is_not_sent_again(stack):
    await set_profile(stack.app.bot, "Chat with Jo's team", "Somewhere to talk.")
    await set_profile(stack.app.bot, "Chat with Jo's team", "Somewhere to talk.")
    assert stack.server.profile["name"] == "Chat with Jo's team"
    assert [len(stack.server.calls_for(m)) for m in ("setMyName", "setMyDescription",
                                                      "setMyShortDescription")] == [1, 1, 1]


async def test_a_refused_profile_change_does_not_stop_the_bot(stack):
    stack.server.inject_fault("setMyName", "429", retry_after=30, count=1)
    await set_profile(stack.app.bot, "Sky Chat", "A place to chat.")
    assert stack.server.profile["name"] == "RISE (demo)"  # unchanged: tried again next start
    assert stack.server.profile["description"] == "A place to chat."
