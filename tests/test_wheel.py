"""The outcome wheel: filled in with buttons, stored, drawn as a chart, offered on a schedule."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from bot.care import wellbeing
from bot.db.models import Job, WheelResult
from bot.features.registry import WORKER, YOUNG_PERSON
from bot.pictures.charts import wheel_chart
from bot.router import ConversationRouter
from bot.time.clock import Clock
from bot.time.outbox import as_reply
from tests.conftest import router_for
from tests.transcript import Chat
from tests.wellbeing_helpers import link_to_worker, outbox_for, person

FIRST = [3, 4, 2, 5, 4, 6, 3, 2]
SECOND = [7, 4, 5, 6, 3, 8, 6, 5]
AREAS = ["safe", "relationships", "online", "health", "family", "friends", "school", "self"]


@pytest.fixture
def router(db, content, clock) -> ConversationRouter:
    return router_for(db, content, clock, sides=(YOUNG_PERSON, WORKER))


@pytest.fixture
async def sky(router, db) -> Chat:
    chat = Chat(router, telegram_id=5201)
    await chat.onboard(nickname="Sky")
    await link_to_worker(db, 5201)
    return chat


async def fill_in(chat: Chat, scores: list[int]) -> list:
    replies = []
    for score in scores:
        replies = await chat.press(str(score))
    return replies


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data)).size


async def test_the_first_wheel_from_the_end_of_onboarding(router, db):
    chat = Chat(router, telegram_id=5202)
    await chat.onboard(nickname="Sky")
    replies = await chat.press("🎯 Fill in my wheel")
    assert replies[0].text.startswith("🎯 Your wheel\nThere are 8 quick questions")
    assert chat.labels() == ["Let's go", "Not now", "🆘 Help"]

    replies = await chat.press("Let's go")
    assert replies[0].text == ("1 of 8: Feeling safe\nHow safe do you feel these days?\n"
                               "1 = Not safe at all\n10 = Really safe")
    assert [[b.label for b in row] for row in replies[0].buttons] == [
        ["1", "2", "3", "4", "5"], ["6", "7", "8", "9", "10"], ["◀️ Back", "Not now"],
        ["🆘 Help"]]
    replies = await chat.press("3")
    assert replies[0].text.startswith("2 of 8: Relationships\n")
    replies = await chat.press("◀️ Back")  # change their mind about the first one
    assert replies[0].text.startswith("1 of 8: Feeling safe\n")

    replies = await fill_in(chat, FIRST)
    assert replies[0].text == "Thank you for filling in your wheel! 🎯"
    chart = replies[1]
    assert chart.photo is not None and png_size(chart.photo) == (800, 800)
    assert chart.text == (
        "🎯 Your wheel\nThis is your first wheel. Next time, you will see what has changed.\n\n"
        "Feeling safe: 3\nRelationships: 4\nStaying safe online: 2\nHealth and wellbeing: 5\n"
        "Family and home: 4\nFriends: 6\nSchool, college or work: 3\nFeeling good about myself: 2")
    assert replies[2].text == "What would you like to do, Sky?"

    async with db.transaction() as session:
        [row] = (await session.scalars(select(WheelResult))).all()
    assert row.scores == dict(zip(AREAS, FIRST, strict=True))
    assert row.asked_by == "self"


async def test_the_second_wheel_shows_what_changed_and_the_worker_gets_the_chart(sky, db, clock,
                                                                              content):
    await sky.press("🎯 My wheel")
    await sky.press("Let's go")
    await fill_in(sky, FIRST)
    clock.advance(days=42)
    replies = await sky.press("🎯 My wheel")
    assert replies[0].text.startswith("🎯 Time for your wheel\nSame 8 quick questions")
    await sky.press("Let's go")
    replies = await fill_in(sky, SECOND)
    assert replies[1].text == (
        "🎯 Your wheel: 2 Mar and now\n\n"
        "Feeling safe: 3 → 7 ⬆️ up 4\nRelationships: 4, the same\n"
        "Staying safe online: 2 → 5 ⬆️ up 3\nHealth and wellbeing: 5 → 6 ⬆️ up 1\n"
        "Family and home: 4 → 3 ⬇️ down 1\nFriends: 6 → 8 ⬆️ up 2\n"
        "School, college or work: 3 → 6 ⬆️ up 3\nFeeling good about myself: 2 → 5 ⬆️ up 3")

    # the chart's data is what was stored: first and latest, in the wheel's order
    async with db.transaction() as session:
        wheels = await wellbeing.wheels_of(session, (await person(db, 5201)).id)
    chart = await wellbeing.wheel_drawing(content, wheels, "Your wheel").chart()
    assert [(s.label, s.values) for s in chart.series] == [
        ("First (2 Mar)", tuple(wheels[0].scores[a] for a in AREAS)),
        ("Now (13 Apr)", tuple(wheels[1].scores[a] for a in AREAS))]
    assert [s.values for s in chart.series] == [tuple(FIRST), tuple(SECOND)]
    assert chart.labels[0] == "Feeling safe" and len(chart.labels) == 8
    assert png_size(chart.png) == (800, 800)
    assert replies[1].photo is not None and png_size(replies[1].photo) == (800, 800)

    # the worker's copy is drawn by the outbox sender, not inside the young person's update
    first_copy, second_copy = await outbox_for(db, 9001)
    assert second_copy.photo is None
    worker_chart = await as_reply(second_copy).photo.chart()
    assert [s.values for s in worker_chart.series] == [tuple(FIRST), tuple(SECOND)]
    assert png_size(worker_chart.png) == (800, 800)
    assert second_copy.text.startswith(f"🎯 {(await person(db, 5201)).pseudonym} filled in their "
                                       "wheel (by themselves, 13 Apr).\n\nFeeling safe: 3 → 7 ⬆️ up 4")


def test_the_chart_plots_what_it_is_given_and_refuses_what_does_not_fit():
    labels = [f"Area {i}" for i in range(8)]
    chart = wheel_chart(labels, [("Now", FIRST)])
    assert [(s.label, s.values) for s in chart.series] == [("Now", tuple(FIRST))]
    assert png_size(chart.png) == (800, 800)
    with pytest.raises(ValueError):
        wheel_chart(labels, [("Now", [1, 2, 3])])
    with pytest.raises(ValueError):
        wheel_chart(labels, [("a", FIRST), ("b", FIRST), ("c", FIRST)])


async def test_a_stale_score_button_is_not_counted_for_another_question(sky, db):
    await sky.press("🎯 My wheel")
    await sky.press("Let's go")
    await sky.press("5")
    replies = await sky.press_data("wh:score:0:9")  # from the first question's message
    assert replies[0].text == "That button is from an older message. Here's where we are now:"
    assert replies[1].text.startswith("2 of 8: Relationships")


async def test_the_wheel_comes_round_on_schedule_and_hands_back_to_the_module(sky, router, db,
                                                                             clock, content):
    await sky.press("🎯 My wheel")
    await sky.press("Let's go")
    await fill_in(sky, FIRST)
    async with db.transaction() as session:
        [job] = (await session.scalars(select(Job).where(Job.kind == "wheel_due"))).all()
    assert job.due_at == clock() + timedelta(weeks=6)

    ticker = Clock(db, clock)
    wellbeing.register_jobs(ticker, content)
    clock.advance(weeks=6)
    assert await ticker.tick() == 1
    [nudge] = [m for m in await outbox_for(db, 5201)]
    assert nudge.text == ("Hey, it's me 🙂\n"
                          "It's time to fill in your wheel again. It takes about 2 minutes.")
    assert nudge.buttons == {"rows": [[["🎯 Fill in my wheel", "wh:enter:schedule"]]]}

    # they are half-way through a module when they tap it
    await sky.press("📚 Modules")
    await sky.press(sky.labels()[0])  # the first module
    replies = await sky.press_data("wh:enter:schedule")
    assert replies[0].text.startswith("🎯 Time for your wheel")
    await sky.press("Let's go")
    replies = await fill_in(sky, SECOND)
    assert replies[2].text.startswith("Step 1 of")  # back in the module, where they were
    async with db.transaction() as session:
        wheels = (await session.scalars(select(WheelResult).order_by(WheelResult.id))).all()
        pending = (await session.scalars(select(Job).where(
            Job.kind == "wheel_due", Job.status == "pending"))).all()
    assert [w.asked_by for w in wheels] == ["self", "schedule"]
    assert [j.due_at for j in pending] == [clock() + timedelta(weeks=6)]


async def test_the_worker_sees_the_history_asks_for_a_wheel_and_sets_the_gap(sky, router, db,
                                                                            clock):
    jo = Chat(router, telegram_id=9001)
    replies = await jo.send("/wheel")
    await jo.press(jo.labels()[0])
    assert jo.last[0].text.endswith("has not filled in a wheel yet. Offered every 6 weeks.")

    await sky.press("🎯 My wheel")
    await sky.press("Let's go")
    await fill_in(sky, FIRST)
    clock.advance(days=14)

    await jo.press("📨 Ask for a new wheel")
    nudge = (await outbox_for(db, 5201))[-1]
    assert nudge.text.startswith("Hey, it's me 🙂\n")
    assert nudge.buttons == {"rows": [[["🎯 Fill in my wheel", "wh:enter:worker"]]]}
    await sky.press_data("wh:enter:worker")
    await sky.press("Let's go")
    await fill_in(sky, SECOND)

    replies = await jo.send("/wheel")
    replies = await jo.press(jo.labels()[0])
    chart, table = replies
    assert chart.photo is not None and png_size(chart.photo) == (800, 800)
    assert chart.text.splitlines()[2] == "Feeling safe: 3 → 7 ⬆️ up 4"
    assert table.text.splitlines()[2:5] == [
        "                           2 Mar 16 Mar",
        "Feeling safe                   3      7",
        "Relationships                  4      4"]
    assert jo.labels() == ["📨 Ask for a new wheel", "4 weeks", "✓ 6 weeks", "8 weeks", "12 weeks",
                           "Only when asked"]
    replies = await jo.press("12 weeks")
    assert replies[0].text.endswith("will be offered every 12 weeks. Next: 8 Jun.")
    async with db.transaction() as session:
        wheels = (await session.scalars(select(WheelResult).order_by(WheelResult.id))).all()
        worker = await session.scalar(select(WheelResult.asked_by_id).where(
            WheelResult.asked_by == "worker"))
        pending = (await session.scalars(select(Job).where(
            Job.kind == "wheel_due", Job.status == "pending"))).all()
    assert [w.asked_by for w in wheels] == ["self", "worker"]
    assert worker == (await person(db, 9001)).id
    assert len(pending) == 1 and pending[0].due_at == wheels[-1].taken_at + timedelta(weeks=12)

    await jo.press("Only when asked")
    async with db.transaction() as session:
        pending = (await session.scalars(select(Job).where(
            Job.kind == "wheel_due", Job.status == "pending"))).all()
    assert pending == []


async def test_charts_are_drawn_in_another_process_so_the_event_loop_keeps_running():
    """While a chart is drawn, other people's replies are not held up (a thread would hold
    the GIL for the whole drawing)."""
    import os

    from bot.pictures import charts

    labels = [f"Area {n}" for n in range(8)]
    drawn = await asyncio.gather(*(charts.draw_wheel_chart(labels, [("Then", FIRST), ("Now", SECOND)])
                                   for _ in range(3)))
    assert [c.series[1].values for c in drawn] == [tuple(SECOND)] * 3
    assert [png_size(c.png) for c in drawn] == [(800, 800)] * 3
    helpers = charts._POOL._processes if charts._POOL is not None else {}
    assert helpers and os.getpid() not in helpers  # drawn by the helper process


def test_the_chart_helper_leaves_when_the_bot_process_is_killed(tmp_path):
    """A web process killed outright (SIGKILL) must not leave its helper running for ever."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "draw.py"
    script.write_text(
        "import asyncio, time\n"
        "from bot.pictures import charts\n"
        "if __name__ == '__main__':\n"
        "    asyncio.run(charts.draw_wheel_chart(['a', 'b', 'c'], [('Now', [1, 2, 3])]))\n"
        "    print(*charts._POOL._processes, flush=True)\n"
        "    time.sleep(60)\n")
    bot = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                           cwd=Path(__file__).resolve().parent.parent)
    helper = int(bot.stdout.readline())
    os.kill(bot.pid, signal.SIGKILL)
    bot.wait()
    for _ in range(100):
        try:
            os.kill(helper, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{helper}/stat") as stat:  # gone but not reaped is gone too
            if stat.read().split()[2] == "Z":
                break
        time.sleep(0.1)
    else:
        os.kill(helper, signal.SIGKILL)
        raise AssertionError("the chart helper outlived the bot process")


async def test_the_chart_is_drawn_after_the_wheel_is_saved_with_no_lock_held(sky, db, clock,
                                                                             monkeypatch):
    """Drawing takes a seventh of a second: inside the transaction it held the young person's
    lock (and on SQLite every writer's). It is drawn once the update has committed."""
    from bot.pictures import charts

    seen: list[tuple[int, bool]] = []
    draw = charts.WheelDrawing.draw

    async def draw_and_look(drawing: charts.WheelDrawing) -> bytes:
        async with db.sessions() as session:
            saved = len((await session.scalars(select(WheelResult))).all())
        # another update of the same young person would take this lock first: it is free
        async with asyncio.timeout(3), db.transaction() as session:
            await db.claim_update(session, 5201, None, clock())
            seen.append((saved, True))
        return await draw(drawing)

    monkeypatch.setattr(charts.WheelDrawing, "draw", draw_and_look)
    await sky.press("🎯 My wheel")
    await sky.press("Let's go")
    replies = await fill_in(sky, FIRST)
    assert seen == [(1, True)]  # the wheel was already saved when its chart was drawn
    assert png_size(replies[1].photo) == (800, 800)


async def test_a_chart_that_cannot_be_drawn_still_leaves_its_words_and_the_help_button(
        sky, monkeypatch):
    """The wheel is saved before the chart is drawn: if drawing fails, the young person still
    gets what changed, in words, and help one tap away, instead of no answer at all."""
    from bot.pictures import charts

    async def broken(_drawing):
        raise RuntimeError("the chart helper died")

    monkeypatch.setattr(charts.WheelDrawing, "draw", broken)
    await sky.press("🎯 My wheel")
    await sky.press("Let's go")
    replies = await fill_in(sky, FIRST)
    assert replies[0].text == "Thank you for filling in your wheel! 🎯"
    assert replies[1].photo is None
    assert replies[1].text.startswith("🎯 Your wheel\nThis is your first wheel.")
    assert replies[-1].text == "What would you like to do, Sky?"
    assert sky.labels()[-1] == "🆘 Help"
