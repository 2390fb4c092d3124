"""Webhook mode: the secret is enforced, /healthz tells the truth, and one young person's
updates are handled in order even when they land on two different web processes."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy import func, select

from bot.db.engine import Database
from bot.db.models import Conversation, Person, Role
from bot.records import people
from bot.tg.webhook import SECRET_HEADER, webhook_path
from tests.e2e.webhook_harness import SECRET, take_update, web_instance

YP, DUTY = 3101, 9101


async def test_updates_without_the_secret_header_are_refused(server, db, practice_content, clock):
    server.add_user(YP, "Sam")
    async with web_instance(server, db, practice_content, clock) as web:
        update_id = server.send_text(YP, "/start")
        update = server.updates[-1]
        assert await web.post(update, secret=None) == 403
        assert await web.post(update, secret="wrong-secret-0123456789") == 403
        assert await web.post(update, path="/telegram/not-the-path") == 404
        assert await web.post(update, path=webhook_path(SECRET) + "/more") == 404
        assert (await web.client.get(webhook_path(SECRET))).status_code == 405
        broken = await web.client.post(webhook_path(SECRET), content=b"{not json",
                                       headers={SECRET_HEADER: SECRET})
        assert broken.status_code == 400
        assert server.bot_texts(YP) == []  # nothing was handled
        assert await web.post(update) == 200
        assert update["update_id"] == update_id
        assert server.bot_texts(YP)[0].startswith("Hi, welcome")


@pytest.mark.semantic
async def test_healthz_is_healthy_with_a_beating_clock_and_503_when_it_stops(
        server, db, practice_content, clock):
    async with web_instance(server, db, practice_content, clock) as web:
        status, body = await web.health()
        assert (status, body["clock"]) == (503, "missing")
        await web.services.clock.tick()  # what `rise-bot clock` does every second
        status, body = await web.health()
        assert status == 200 and body == {"ok": True, "database": "ok", "detector": "ok",
                                          "clock": "ok", "clock_age_seconds": 0.0}
        clock.advance(seconds=61)
        status, body = await web.health()
        assert status == 503 and body["clock"] == "stale" and body["database"] == "ok"
        await web.services.clock.tick()
        assert (await web.health())[0] == 200


async def test_healthz_answers_while_an_update_holds_its_transaction(server, db,
                                                                    practice_content, clock):
    """A load balancer's check is a read: it does not wait for updates' write turns."""
    holding, done = asyncio.Event(), asyncio.Event()

    async def an_update():
        async with db.transaction() as session:
            await db.claim_update(session, YP, None, clock())
            holding.set()
            await done.wait()

    async with web_instance(server, db, practice_content, clock) as web:
        await web.services.clock.tick()
        update = asyncio.create_task(an_update())
        await holding.wait()
        try:
            status, body = await web.health()
        finally:
            done.set()
            await update
        assert (status, body["database"], body["clock"]) == (200, "ok", "ok")


async def test_healthz_says_503_when_the_database_is_gone(server, practice_content, clock,
                                                          tmp_path):
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    async with web_instance(server, db, practice_content, clock) as web:
        status, body = await web.health()
        assert status == 503 and body["database"] == "unreachable"
    await db.dispose()


async def test_one_persons_updates_alternating_between_two_web_processes_keep_their_order(
        server, db, db_place, practice_content, clock):
    """Telegram sends a chat's next update once the last one is answered; here every other
    update goes to the other process, and the conversation ends where one process would."""
    second_db = Database(db_place[0], schema=db_place[1])
    server.add_user(YP, "Sam")
    steps = [("text", "/start"), ("press", "Let's start"), ("press", "OK, I understand"),
             ("text", "Sky"), ("press", "14 to 17"), ("text", "/menu")]
    try:
        async with web_instance(server, db, practice_content, clock) as a, \
                web_instance(server, second_db, practice_content, clock) as b:
            for n, (kind, what) in enumerate(steps):
                update_id = (server.send_text(YP, what) if kind == "text"
                             else server.press(YP, what))
                web = (a, b)[n % 2]
                assert await web.post(take_update(server, update_id)) == 200
        texts = server.bot_texts(YP)
        assert texts[0].startswith("Hi, welcome")
        assert any("Sky" in t for t in texts)
        async with db.transaction() as session:
            person = await session.scalar(select(Person).where(Person.telegram_id == YP))
            convo = await session.get(Conversation, person.id)
        assert (person.nickname, person.age_band, convo.flow) == ("Sky", "14-17", "menu")
        assert person.privacy_accepted_at is not None
    finally:
        await second_db.dispose()


async def test_a_button_press_is_answered_in_the_webhooks_own_response(
        server, db, practice_content, clock):
    """The spinner on the button stops with our 200 itself: no answerCallbackQuery request."""
    server.add_user(YP, "Sam")
    async with web_instance(server, db, practice_content, clock) as web:
        assert await web.post(take_update(server, server.send_text(YP, "/start"))) == 200
        press = server.press(YP, "Let's start")
        assert await web.post(take_update(server, press)) == 200
    assert server.callback_answer(press) is not None
    answers = server.calls_for("answerCallbackQuery")
    assert [call.via_webhook for call in answers] == [True]
    assert server.bot_texts(YP)[-1].startswith("Before we start")


async def test_a_new_persons_two_first_messages_at_once_on_two_processes_make_one_person(
        server, db, db_place, practice_content, clock):
    """Without the per-person database lock both would create the person and one would fail."""
    second_db = Database(db_place[0], schema=db_place[1])
    server.add_user(YP, "Sam")
    try:
        async with web_instance(server, db, practice_content, clock) as a, \
                web_instance(server, second_db, practice_content, clock) as b:
            first = take_update(server, server.send_text(YP, "/start"))
            second = take_update(server, server.send_text(YP, "hello"))
            statuses = await asyncio.gather(a.post(first), b.post(second))
        assert statuses == [200, 200]
        texts = server.bot_texts(YP)
        assert not any(t.startswith("Sorry") for t in texts), texts
        async with db.transaction() as session:
            count = await session.scalar(select(func.count()).select_from(Person)
                                         .where(Person.telegram_id == YP))
        assert count == 1
    finally:
        await second_db.dispose()


async def test_a_danger_message_with_a_lone_surrogate_opens_an_alert_in_webhook_mode(
        server, db, practice_content, clock):
    """Half a UTF-16 pair in the JSON Telegram posts: the alert opens and pages, the reply is
    not "Sorry", and the young person's next danger message is handled as well."""
    async with db.transaction() as session:
        worker = await people.create_person(session, Role.DUTY_WORKER, telegram_id=DUTY,
                                            display_name="Dee")
        worker.on_duty = True
    server.add_user(YP, "Sam")
    server.add_user(DUTY, "Dee")
    async with web_instance(server, db, practice_content, clock) as web:
        for kind, what in [("text", "/start"), ("press", "Let's start"),
                           ("press", "OK, I understand"), ("text", "Sky"), ("press", "14 to 17")]:
            update_id = server.send_text(YP, what) if kind == "text" else server.press(YP, what)
            assert await web.post(take_update(server, update_id)) == 200
        seen = len(server.bot_texts(YP))
        danger = take_update(server, server.send_text(YP, "he's outside my house \ud800"))
        assert await web.post(danger) == 200
        replies = server.bot_texts(YP)[seen:]
        assert replies[0].startswith("Thank you for telling me."), replies
        assert await web.deliver() == 1
        [page] = server.bot_texts(DUTY)
        assert page.startswith("🚨 HIGH alert #1")

        seen = len(server.bot_texts(YP))
        assert await web.post(take_update(server, server.send_text(YP, "im gonna kms tonight"))) == 200
        replies = server.bot_texts(YP)[seen:]
        assert replies and not any(reply.startswith("Sorry") for reply in replies), replies
        await web.deliver()
        assert any(t.startswith("🚨 CRITICAL alert #1") for t in server.bot_texts(DUTY)[1:]), \
            server.bot_texts(DUTY)


async def test_oversized_malformed_non_object_and_deep_json_get_413_or_400_and_no_traceback(
        server, db, practice_content, clock, caplog):
    """With the right secret: a body over 1 MiB is 413 (and not read to its end); malformed,
    non-object or deeply nested JSON is 400; an object PTB cannot read as an update is taken
    (200: sending it again could never help, as polling drops it); none of them logs a traceback
    or a 500."""
    server.add_user(YP, "Sam")
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    read = []

    async def endless():  # 200 MB if it were read to the end; no Content-Length
        for _ in range(200 * 16):
            read.append(1)
            yield b" " * 65536

    async with web_instance(server, db, practice_content, clock) as web:
        async def post(content) -> int:
            return (await web.client.post(webhook_path(SECRET), content=content,
                                          headers=headers)).status_code

        with caplog.at_level(logging.DEBUG):
            assert await post(endless()) == 413
            assert len(read) < 40  # gave up after about 1 MiB
            assert await post(b"{" + b" " * (1024 * 1024) + b"}") == 413  # Content-Length
            assert await post(b" " * (1024 * 1024 - 2) + b"{}") == 200  # just under: read
            for body in (b"[]", b"1", b'"x"', b"null", b"true", b"[1, 2]", b"{not json",
                         b"", b"\xff\xfe{}",
                         b"[" * 100_000 + b"]" * 100_000,
                         b'{"update_id": 1, "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
                         b'{"update_id": 1, "x": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001):
                assert await post(body) == 400, body[:40]
            assert await post(b'{"update_id": 1, "message": 7}') == 200  # unreadable: taken
            update = take_update(server, server.send_text(YP, "/start"))
            assert await web.post(update) == 200  # a real update still goes through
        assert server.bot_texts(YP)[0].startswith("Hi, welcome")
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


async def test_a_deep_string_is_not_mistaken_for_deep_nesting(server, db, practice_content,
                                                               clock):
    """Brackets inside a message's text are text, not nesting."""
    server.add_user(YP, "Sam")
    async with web_instance(server, db, practice_content, clock) as web:
        update = take_update(server, server.send_text(YP, "[[[[" * 500 + '\\"{{{{' * 100))
        assert await web.post(update) == 200
    assert server.bot_texts(YP)


async def test_the_web_process_waits_out_a_get_me_blip_then_answers(server, db,
                                                                    practice_content, clock):
    """`rise-bot webhook` starts its application in the ASGI lifespan: a 500 from getMe there
    is tried again (it used to end the process), and the first update is answered."""
    server.add_user(2001, "Sam")
    server.inject_fault("getMe", "500")
    async with web_instance(server, db, practice_content, clock) as web:
        update = take_update(server, server.send_text(2001, "/start"))
        assert await web.post(update) == 200
    assert len(server.calls_for("getMe")) == 2
    assert server.bot_texts(2001)[0].startswith("Hi, welcome")

