"""Logs: a whole journey through the real bot with every logger at DEBUG, and not one thing a
young person or a worker typed, nor a name, nor the bot token, is in any record."""

from __future__ import annotations

import contextlib
import io
import json
import logging

import pytest

from bot.app.logging_setup import RedactSecrets, extras
from bot.db.models import Role
from bot.records import people
from bot.sandbox.fake_telegram import FakeTelegram
from tests.e2e.harness import Stack
from tests.logs import production_logs

TOKEN = "7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
JO, DEE, SAM = 9301, 9302, 2301

TYPED = [
    "Zebra Moon",                                   # the nickname
    "he's outside my house on Kestrel Street",       # danger
    "Lock the door and stay on the line",            # the duty worker, through the relay
    "ok the back door is locked now",                # the young person, in the relay
    "Police attended at 21:10, mum home",            # the outcome note
    "My nan's flat on Wren Close",                   # the safety plan
    "party at 12 Elm Road with Kai and his mates",   # the timer: where and who
    "Seen outside school with an older male",        # a case note
]
NAMES = ["Quentina", "Dorothea", "Joachim"]  # first names Telegram gives us, never stored or logged


@pytest.fixture
def json_logs():
    """`configure_logging` at DEBUG into a string; the logging set-up is put back afterwards."""
    with production_logs("DEBUG") as stream:
        yield stream


@pytest.fixture
async def stack(json_logs, db, practice_content, clock):
    """The real bot and fake Telegram (with a real-looking token), logging as in production."""
    server = FakeTelegram(token=TOKEN)
    await server.start()
    running = Stack(server=server, db=db, content=practice_content, clock=clock)
    await running.start_bot()
    yield running
    await running.stop_bot()
    await server.stop()


def everything_in(record: logging.LogRecord) -> str:
    """The message, its arguments, its extras and any traceback, as one string."""
    parts = [str(record.msg), repr(record.args), repr(extras(record)), record.exc_text or ""]
    with contextlib.suppress(Exception):  # a broken record still shows its parts above
        parts.append(record.getMessage())
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(parts)


async def test_a_whole_journey_at_debug_logs_no_typed_text_no_names_and_no_token(
        stack, clock, caplog, json_logs):
    caplog.set_level(logging.DEBUG)  # the root logger: every logger not held at WARNING
    async with stack.db.transaction() as session:
        worker = await people.create_person(session, Role.SUPPORT_WORKER, telegram_id=JO,
                                            display_name="Jo")
        duty = await people.create_person(session, Role.DUTY_WORKER, telegram_id=DEE,
                                          display_name="Dee")
        duty.on_duty = True
        record = await people.create_person(session, Role.YOUNG_PERSON, worker_id=worker.id)
        code = (await people.create_invite(session, record, purpose="young_person", now=clock(),
                                           created_by=worker)).code
    jo, dee, sam = (stack.person(JO, NAMES[2]), stack.person(DEE, NAMES[1]),
                    stack.person(SAM, NAMES[0]))

    # join, with a nickname
    await sam.send(f"/start {code}")
    await sam.press("Let's start")
    await sam.press("OK, I understand")
    await sam.send(TYPED[0])
    assert (await sam.press("14 to 17"))[-1] == "What would you like to do, Zebra Moon?"
    await stack.deliver()

    # a module
    await sam.press("📚 Modules")
    assert (await sam.press("Practice module"))[1] == "Step 1 of 6\n\nThis is the first step."
    await sam.press("Next ▶️")
    await sam.press("Good")

    # danger: the duty worker is paged, talks through the bot, and resolves with a note
    assert (await sam.send(TYPED[1]))[0].startswith("Thank you for telling me.")
    await stack.deliver()
    assert dee.new_texts()[0].startswith("🚨 HIGH alert #1")
    assert (await dee.press("💬 Talk to them"))[0].startswith("💬 You are talking with")
    await stack.deliver()
    assert await dee.send(TYPED[2]) == []  # it goes through the outbox
    await stack.deliver()
    assert sam.new_texts()[-1] == f"💬 New message\nA worker from the team says: {TYPED[2]}"
    assert await sam.send(TYPED[3]) == ["✓ Sent"]
    await stack.deliver()
    assert dee.new_texts()[-1].endswith(TYPED[3])
    assert await dee.press("End chat") == ["The chat has ended. The young person has been told."]
    assert (await dee.press("📝 Resolve"))[0].startswith("Please type a short outcome note")
    assert (await dee.send(TYPED[4]))[0].endswith("is resolved. Thank you.")
    await stack.deliver()

    # the safety plan, in their own words
    await sam.send("/menu")
    await sam.press("🛟 My safety plan")
    await sam.press("🏠 Safe places (0)")
    assert (await sam.send(TYPED[5]))[0] == "✅ Added."

    # a safety timer with where and who
    await sam.send("/timer")
    await sam.press("In 1 hour")
    assert (await sam.send(TYPED[6]))[0].startswith("⏱ Your timer is set.")

    # a case note
    await jo.send("/note")
    await jo.press(jo.buttons()[0])
    assert (await jo.send(TYPED[7]))[0].startswith("Note saved for YP-")

    records = caplog.records
    assert len(records) > 20  # DEBUG really was on: the fake server and the bot both logged
    for record in records:
        seen = everything_in(record)
        for secret in [*TYPED, *NAMES, TOKEN]:
            assert secret not in seen, (secret, record.name, seen[:300])
    written = json_logs.getvalue()
    lines = [json.loads(line) for line in written.splitlines()]
    assert len(lines) >= len(records)  # the JSON lines began with the set-up
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    for secret in [*TYPED, *NAMES, TOKEN]:
        assert secret not in written


def test_a_token_anywhere_in_a_record_is_redacted_in_the_json_line():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    from bot.app.logging_setup import JsonLines

    handler.setFormatter(JsonLines())
    handler.addFilter(RedactSecrets())
    log = logging.getLogger("tests.redaction")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("POST https://api.telegram.org/bot%s/sendMessage failed", TOKEN,
                    extra={"update_id": 7, "url": f"/bot{TOKEN}/getMe", "error_type": "BadRequest"})
        try:
            raise RuntimeError(f"cannot reach /bot{TOKEN}/getUpdates")
        except RuntimeError:
            log.exception("polling failed")
    finally:
        log.removeHandler(handler)
        log.propagate = True
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert {key: first[key] for key in ("level", "logger", "message", "update_id", "url",
                                        "error_type")} == {
        "level": "WARNING", "logger": "tests.redaction",
        "message": "POST https://api.telegram.org/bot[redacted token]/sendMessage failed",
        "update_id": 7, "url": "/bot[redacted token]/getMe", "error_type": "BadRequest"}
    assert second["message"] == "polling failed"
    assert second["exception"].endswith(
        "RuntimeError: cannot reach /bot[redacted token]/getUpdates")
    assert TOKEN not in stream.getvalue()


def test_libraries_that_log_bodies_are_held_at_warning_whatever_the_level(json_logs):
    for name in ("telegram", "telegram.ext", "httpx", "httpcore", "sqlalchemy.engine",
                 "aiosqlite"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
    assert logging.getLogger("bot.router.pipeline").isEnabledFor(logging.DEBUG)


async def test_an_unparseable_update_neither_stops_polling_nor_is_logged(stack, json_logs):
    """Issue 17, item 7: an update PTB cannot read (here a message without its chat, as a
    broken client or a new Telegram field might send) is skipped; the next one is answered;
    neither its text nor the sender's name is in any log line, at any level."""
    secret, name = "meet me behind Larkspur Yard at 9", "Evangelina"
    stack.server.push_update("message", {"message_id": 99, "date": 1, "text": secret,
                                         "from": {"id": 5151, "is_bot": False,
                                                  "first_name": name}})
    sam = stack.person(SAM, NAMES[0])
    assert (await sam.send("/start"))[0].startswith("Hi, welcome")
    out = json_logs.getvalue()
    assert secret not in out and name not in out and "Larkspur" not in out


async def test_the_sandbox_unblocking_the_bot_is_an_update_telegram_could_send(stack):
    """`block_bot(id, False)` once sent an "old" kicked member without `until_date`, which PTB
    cannot read; both directions now parse."""
    from telegram import Update

    stack.server.add_user(5252, "Rowan")
    for blocked in (True, False):
        stack.server.block_bot(5252, blocked)
        Update.de_json(stack.server.updates[-1], None)


def test_a_library_record_never_carries_the_update_body(json_logs):
    """PTB logs a batch it cannot parse whole ("Received data was %r") at CRITICAL, with a
    traceback whose last line may quote the data: the values never reach the log."""
    body = [{"update_id": 7, "message": {"text": TYPED[1], "from": {"first_name": NAMES[0]}}}]
    try:
        raise TypeError(f"bad member {body!r}")
    except TypeError as error:
        logging.getLogger("telegram.Bot").critical(
            "Error while parsing updates! Received data was %r", body, exc_info=error)
    logging.getLogger("telegram.ext.Updater").warning("Getting updates: %s %s", [7], 7)
    out = json_logs.getvalue()
    assert TYPED[1] not in out and NAMES[0] not in out
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["message"] == "Error while parsing updates! Received data was <list>"
    assert first["level"] == "CRITICAL" and first["exception"].endswith("TypeError")
    assert second["message"] == "Getting updates: <list> 7"
