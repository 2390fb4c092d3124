"""Help (`/help`: every contact, a worker in one tap) and Hide (`/hide`: the chat out of sight).

Their buttons (`help`, `help:back`, `hide`) work from every flow: the router answers them before
the flow does (`flows/common.py`).
"""

from __future__ import annotations

from bot.features.registry import YOUNG_PERSON, Command, Feature
from content.loader import Content
from flows.base import Reply
from flows.common import HIDE, help_reply


def help_now(content: Content, has_conversation: bool) -> Reply:
    return help_reply(content, can_go_back=has_conversation)


def hidden(content: Content, has_conversation: bool) -> Reply:
    return Reply(content.text("general.hidden"), action=HIDE)


FEATURE = Feature("help", YOUNG_PERSON, commands=(
    Command("help", "Get help now", opens="reply", reply=help_now),
    Command("hide", opens="reply", reply=hidden)))
