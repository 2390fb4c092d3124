"""Issue 17, item 11: `rise-bot run`, `webhook` and `clock` no longer exit with a traceback when
getMe (or registering the webhook) fails once."""

from __future__ import annotations

import io
import json
import logging

import pytest
from telegram.error import InvalidToken, NetworkError

from bot.app.logging_setup import configure_logging
from bot.tg.startup import initialize_with_retry, retry_at_start


class FlakyApplication:
    def __init__(self, failures: list[Exception]):
        self.failures = failures
        self.initialized = False

    async def initialize(self) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.initialized = True


async def test_get_me_failing_twice_is_tried_again_with_growing_pauses_and_one_line_each():
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    configure_logging("INFO", stream=stream)
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    app = FlakyApplication([NetworkError("down"), NetworkError("down")])
    try:
        await initialize_with_retry(app, sleep=sleep)
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
    assert app.initialized and pauses == [1.0, 2.0]
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(line["message"], line["error_type"]) for line in lines] == [
        ("Telegram did not answer at start; trying again", "NetworkError")] * 2
    assert not any("exception" in line for line in lines)


async def test_a_refused_token_still_stops_at_once():
    async def sleep(seconds: float) -> None:
        raise AssertionError("no wait can mend a refused token")

    with pytest.raises(InvalidToken):
        await initialize_with_retry(FlakyApplication([InvalidToken("no")]), sleep=sleep)


async def test_registering_the_webhook_is_tried_again_after_a_blip():
    calls: list[str] = []

    async def register() -> None:
        calls.append("setWebhook")
        if len(calls) == 1:
            raise NetworkError("down")

    async def sleep(seconds: float) -> None:
        calls.append(f"pause {seconds}")

    await retry_at_start(register, sleep=sleep)
    assert calls == ["setWebhook", "pause 1.0", "setWebhook"]
