"""A press that settles its message: the reply always goes, the buttons come off if they can."""

from telegram.error import BadRequest, NetworkError

from bot.tg.send import send_replies
from flows.base import Reply
from flows.common import SETTLE


class Bot:
    """Just enough of PTB's Bot: every call goes through `_post`, as in bot/tg/send.py."""

    def __init__(self, edit_fails: Exception | None = None):
        self.calls: list[str] = []
        self.edit_fails = edit_fails

    async def _post(self, method: str, data: dict) -> dict:
        self.calls.append(method)
        if method == "editMessageReplyMarkup" and self.edit_fails is not None:
            raise self.edit_fails
        return {"message_id": len(self.calls)}


async def test_a_settling_reply_is_sent_then_the_pressed_message_loses_its_buttons():
    bot = Bot()
    await send_replies(bot, 7, [Reply("✅ You acknowledged alert #1", action=SETTLE)], pressed=3)
    assert bot.calls == ["sendMessage", "editMessageReplyMarkup"]


async def test_a_message_that_cannot_be_edited_never_holds_back_the_reply():
    for error in (BadRequest("message can't be edited"), NetworkError("down")):
        bot = Bot(edit_fails=error)
        sent = await send_replies(bot, 7, [Reply("✅ You acknowledged", action=SETTLE)], pressed=3)
        assert sent == [1] and bot.calls == ["sendMessage", "editMessageReplyMarkup"]


async def test_a_reply_without_the_action_leaves_the_pressed_message_alone():
    bot = Bot()
    await send_replies(bot, 7, [Reply("Please type a short outcome note")], pressed=3)
    assert bot.calls == ["sendMessage"]
