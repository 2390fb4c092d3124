"""The detector hears how young people talk: meaning, context kept in the database, long texts.

The context tests run the lexicon alone (the default for tests): there "hes here" is nothing on
its own, so a page proves the earlier message was read from the database. The model rates
"hes here" critical even alone, which would prove nothing here.
"""


from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Alert, RecentMessage
from tests.e2e.test_alerts import joined_young_person, on_duty_worker
from tests.e2e.webhook_harness import take_update, web_instance

semantic = pytest.mark.semantic  # both channels, as the bot runs them
FEARFUL = "im really scared of my ex, he keeps turning up"

YP = 2101


@semantic
async def test_a_goodbye_that_names_a_place_pages_the_duty_worker(stack):
    dee = await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    replies = await sam.send("sorry for everything. im up on the multi storey car park by "
                             "the station, it's better this way. love you all x")
    assert "call 999" in replies[0] and "Samaritans: call 116 123" in replies[0]
    assert await stack.deliver() == 1
    page = dee.new_texts()[0]
    assert page.startswith(("🚨 CRITICAL alert #1", "🚨 HIGH alert #1"))
    assert "About: suicide" in page


async def test_hes_here_alone_raises_nothing(stack):
    await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    await sam.send("hes here")
    async with stack.db.transaction() as session:
        assert await session.scalar(select(Alert)) is None


async def test_hes_here_after_an_earlier_fearful_message_pages_even_across_a_restart(stack):
    dee = await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    await sam.send(FEARFUL)  # a medium flag (no worker of their own: to the duty list)
    await stack.deliver()
    assert dee.new_texts()[0].startswith("⚠️ MEDIUM alert #1")
    await stack.restart_bot()  # nothing of the context lived in the process
    replies = await sam.send("hes here")
    assert replies[0].startswith("Thank you for telling me. That sounds really hard.")
    await stack.deliver()
    page = dee.new_texts()[0]
    assert page.startswith("🚨 HIGH alert #1")
    assert f"“{FEARFUL}”\n“hes here”" in page


async def test_hes_here_on_a_second_web_process_reads_the_first_ones_context(
        server, db, db_place, practice_content, clock):
    second_db = Database(db_place[0], schema=db_place[1])
    server.add_user(YP, "Sam")
    steps = ["/start", ("Let's start",), ("OK, I understand",), "Sky", ("14 to 17",),
             FEARFUL, "hes here"]
    try:
        async with web_instance(server, db, practice_content, clock) as a, \
                web_instance(server, second_db, practice_content, clock) as b:
            for n, step in enumerate(steps):
                update_id = (server.press(YP, step[0]) if isinstance(step, tuple)
                             else server.send_text(YP, step))
                assert await (a, b)[n % 2].post(take_update(server, update_id)) == 200
        async with db.transaction() as session:
            alert = await session.scalar(select(Alert))
            kept = (await session.scalars(select(RecentMessage))).all()
        assert alert.severity == 3  # high: "hes here" was read beside the fear before it
        assert [r.text for r in kept] == [FEARFUL, "hes here"]  # decrypted: stored encrypted
    finally:
        await second_db.dispose()


@semantic
async def test_danger_at_the_end_of_4000_characters_pages_and_the_page_quotes_it(stack):
    dee = await on_duty_worker(stack)
    sam = await joined_young_person(stack)
    ramble = ("so today was kind of a normal day, we had maths first and then science and the "
              "teacher was going on about homework again and my mate said something funny at "
              "lunch. ") * 24
    message = ramble[:3940] + " anyway hes downstairs now with a knife and says hes going to kill me"
    assert len(message) >= 4000
    replies = await sam.send(message)
    assert replies[0].startswith("I'm really glad you told me.")
    await stack.deliver()
    page = dee.new_texts()[0]
    assert page.startswith("🚨 CRITICAL alert #1")
    assert "knife" in page and "kill me" in page
    assert page.count("maths first") <= 1  # the quote is the part around the danger
