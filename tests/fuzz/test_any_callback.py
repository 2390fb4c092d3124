"""Any button data at all, pressed by anyone: the router never raises, so "router failed" is
never logged and nobody is told "Sorry, something went wrong" for a forged or stale tap.

Forged clients send Unicode digits ("al:ack:٣", "safe:yes:١٢", "²"), ids far past any column
(10**30), empty and extra parts; every handler reads button data through flows.callback.
"""

from __future__ import annotations

import logging
import os

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from tests.fuzz.test_any_update import STRANGERS, WORKERS, YOUNG, Harness

EXAMPLES = int(os.environ.get("RISE_FUZZ_CALLBACK_EXAMPLES", "400"))

PREFIXES = ["al", "safe", "ask", "md", "tw", "rl", "ci", "ck", "mod", "menu", "ob", "plan", "tm",
            "wh", "help", "hide", "duty", "relay", "wheels", "invite", "progress", "checkins",
            "closure", "note", "assign", "plans", "transfer", "caseload", "wplan", "wwheel",
            "wclose", "nope", ""]
ACTIONS = ["ack", "talk", "resolve", "concern", "yes", "no", "unsure", "tell", "ok", "send",
           "end", "pick", "p", "y", "pat", "wd", "wdone", "d", "due", "t", "to", "open", "next",
           "answer", "band", "safe", "miss", "q", "qs", "risk", "stop", "tt", "x", ""]
odd_numbers = st.sampled_from([
    "٣", "١٢", "²", "１２", "𝟗", "Ⅻ", "-1", "+1", " 1", "1_0", "0x1f", "1e9", "1.5", "0", "00",
    str(2**31 - 1), str(2**31), str(2**63 - 1), str(2**63), str(10**30), "9" * 60, "\ud800",
    "\u200b1", "1\u202e", "FF", "fff"]) | st.integers(-10**40, 10**40).map(str)
part = odd_numbers | st.text(max_size=12) | st.sampled_from(ACTIONS)


# the shapes of the bot's own buttons, with {} where a number goes
SHAPES = ["al:ack:{}", "al:talk:{}", "al:resolve:{}", "al:concern:{}:real_concern", "safe:yes:{}",
          "safe:no:{}", "safe:unsure:{}", "ask:tell:{}", "ask:ok:{}", "md:send:{}", "md:no:{}",
          "tw:{}", "rl:end:{}", "ci:mood:{}:3", "ci:mood:1:{}", "ci:safe:{}:yes", "tm:ok:{}",
          "tm:help:{}", "tm:hours:{}", "mod:answer:{}", "plan:add:{}", "plan:drop:{}",
          "wh:score:0:{}", "wh:score:{}:5", "ck:p:{}", "ck:y:{}", "ck:wd:1:{}:3", "ck:wd:1:1f:{}",
          "ck:wdone:1:{}", "caseload:p:{}", "transfer:to:1:{}", "transfer:to:{}:1",
          "assign:t:1:{}:0", "assign:t:1:1:{}", "assign:due:1:1:{}", "progress:y:{}",
          "wheels:pick:{}", "wheels:gap:1:{}", "plans:pick:{}", "closure:pick:{}",
          "note:pick:{}", "duty:pick:{}", "checkins:p:{}", "invite:{}"]


@st.composite
def callback_data(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.sampled_from(SHAPES)).format(draw(odd_numbers))
    parts = [draw(st.sampled_from(PREFIXES))]
    parts += draw(st.lists(part, max_size=5))
    return ":".join(parts)


class RouterFailures(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.failures = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.failures += 1


@pytest.fixture(scope="module")
def press_harness(tmp_path_factory):
    """The whole bot (lexicon-only detector), fed taps by the test."""
    from bot.safety import shared
    from bot.safety.detector import Detector
    from bot.safety.reader import SafetyReader

    failures = RouterFailures()
    watched = logging.getLogger("bot")
    watched.addHandler(failures)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shared, "_READER",
                      SafetyReader(Detector.load(), None, "lexicon only: a plumbing test"))
        running = Harness(str(tmp_path_factory.mktemp("fuzz_callback")))
        running.failures = failures
        yield running
        assert running.stack is not None
        running.loop.run_until_complete(running.stack.stop_bot())
        running.loop.run_until_complete(running.stack.server.stop())
        running.loop.close()
    watched.removeHandler(failures)


def press(user_id: int, data: str) -> dict:
    user = {"id": user_id, "is_bot": False, "first_name": "Test"}
    chat = {"id": user_id, "type": "private", "first_name": "Test"}
    return {"update_id": 0, "callback_query": {
        "id": "1", "from": user, "chat_instance": "ci", "data": data,
        "message": {"message_id": 1, "date": 1_700_000_000, "chat": chat, "text": "old",
                    "from": {"id": 1, "is_bot": True, "first_name": "RISE"}}}}


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(user_id=st.sampled_from(YOUNG + WORKERS + STRANGERS), data=callback_data())
def test_no_button_data_at_all_makes_the_router_fail(press_harness, user_id, data):
    note(f"data: {data!r}")
    before = press_harness.failures.failures
    errors, _, _ = press_harness.feed(press(user_id, data))
    assert errors == 0
    assert press_harness.failures.failures == before, "router failed (or another error logged)"


@pytest.mark.parametrize("data", [
    "al:ack:٣", "al:resolve:" + str(10**30), "al:concern:٣:real_concern", "safe:yes:١٢",
    "safe:no:" + str(2**63), "ask:tell:²", "md:send:" + str(10**30), "tw:" + str(10**30),
    "tw:٣", "ci:ok:²", "tm:ok:" + str(10**30), "tm:help:²", "mod:answer:²", "plan:add:²",
    "wh:score:0:²", "ck:p:²", "ck:y:" + str(10**30), "caseload:p:²", "transfer:to:1:٣",
    "assign:t:1:1:²", "progress:y:" + str(10**30), "wheels:pick:²", "duty:pick:" + str(2**40),
])
def test_known_forgeries_are_stale_taps_not_errors(press_harness, data):
    for user_id in (YOUNG[0], WORKERS[0]):
        before = press_harness.failures.failures
        errors, sent, _ = press_harness.feed(press(user_id, data))
        assert (errors, press_harness.failures.failures - before) == (0, 0), data
