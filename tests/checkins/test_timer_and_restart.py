"""The safety timer, module nudges, and check-ins across a restart or downtime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.app.services import build_services
from bot.care.checkins import schedule_module_reminders
from bot.db.models import Alert, CheckinAnswer, Job, ModuleProgress, SafetyTimer
from bot.time.claims import claim
from bot.time.outbox import OutboxSender
from flows.base import Event
from tests.checkins.helpers import (
    DUTY,
    WORKER,
    YP,
    live_until,
    person_of,
    set_checkins,
    team,
)


async def the_timer(system) -> SafetyTimer:
    async with system.services.db.transaction() as session:
        return await session.scalar(select(SafetyTimer).order_by(SafetyTimer.id.desc()).limit(1))


async def test_a_timer_nobody_answers_pages_the_duty_list_with_where_and_who(system, clock):
    await team(system)
    sam = await system.young_person(YP, WORKER)
    replies = await sam.press("⏱ Safety timer")
    assert replies[0].text == ("⏱ Safety timer\nWhen should I check on you?\n"
                               "Tap a button, or type a time like 21:30.")
    assert sam.labels() == ["In 1 hour", "In 2 hours", "In 4 hours", "Cancel", "🆘 Help"]
    replies = await sam.press("In 2 hours")
    assert replies[0].text.startswith("Where are you going, and who with?")
    replies = await sam.send("party at 12 Elm Road with Kai and his mates")
    assert replies[0].text == (
        "⏱ Your timer is set. I'll check on you in 2 hours.\nIf you don't answer within 15 "
        "minutes, a worker will be told, so they can help.")
    assert replies[1].text.startswith("What would you like to do, Blue Fox?")  # back to the menu

    timeline = await live_until(system, clock, clock() + timedelta(hours=2))
    assert timeline.texts(YP) == ["Hey, it's me 🙂\nAre you OK?"]
    assert system.phones.buttons[YP][-1] == ["I'm OK", "I need help"]
    timeline = await live_until(system, clock, clock() + timedelta(minutes=14))
    assert timeline.texts(DUTY) == []
    timeline = await live_until(system, clock, clock() + timedelta(minutes=1))
    pseudonym = (await person_of(system, YP)).pseudonym
    [page] = timeline.texts(DUTY)
    assert page.startswith(f"🚨 HIGH alert #1 – {pseudonym}\nAbout: safety timer ran out\n")
    assert "From: their safety timer" in page
    assert "What they said (most recent last):\n“party at 12 Elm Road with Kai and his mates”\n" \
        in page
    timer = await the_timer(system)
    assert (timer.status, timer.where_who, timer.alert_id) == ("missed", None, 1)


async def test_i_need_help_pages_at_once_and_im_ok_ends_the_timer(system, clock):
    await team(system)
    sam = await system.young_person(YP, WORKER)
    await sam.send("/timer")
    await sam.send("9.30pm")
    replies = await sam.press("Skip")
    assert replies[0].text.startswith("⏱ Your timer is set. I'll check on you at 21:30.")
    timeline = await live_until(system, clock, datetime(2026, 3, 2, 21, 30, tzinfo=UTC))
    assert timeline.texts(YP) == ["Hey, it's me 🙂\nAre you OK?"]  # not held by quiet hours
    timer = await the_timer(system)
    replies = await sam.event(Event.button(f"tm:ok:{timer.id}"))
    assert replies[0].text == "Great, I'm glad you're OK 💛 Your timer is off now."
    timeline = await live_until(system, clock, clock() + timedelta(hours=1))
    assert timeline.texts(DUTY) == []

    await sam.send("/timer")
    await sam.press("In 1 hour")
    await sam.send("with my cousin")
    await live_until(system, clock, clock() + timedelta(hours=1))
    timer = await the_timer(system)
    replies = await sam.event(Event.button(f"tm:help:{timer.id}"))
    assert replies[0].text.startswith("Thank you for telling me. A worker has been told straight")
    await system.settle()
    [page] = system.phones.take(DUTY)
    assert "\n“with my cousin”\n" in page and "About: safety timer ran out" in page


async def test_im_back_safe_ends_the_timer_early(system, clock):
    await team(system)
    sam = await system.young_person(YP, WORKER)
    await sam.send("/timer")
    await sam.press("In 4 hours")
    await sam.send("cinema with Lou")
    replies = await sam.send("/timer")
    assert replies[0].text == "⏱ Your safety timer is on."
    replies = await sam.press("✅ I'm back safe")
    assert replies[0].text == "Great, I'm glad you're back safe 💛 Your timer is off now."
    timeline = await live_until(system, clock, clock() + timedelta(hours=5))
    assert timeline.texts(YP) == [] and timeline.texts(DUTY) == []
    assert (await the_timer(system)).where_who is None


async def test_a_restart_between_due_and_send_delivers_once(system, clock):
    jo = await team(system)
    await system.young_person(YP, WORKER)
    await set_checkins(system, jo, YP, "Every day", "18:00")
    clock.now = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    async with system.services.db.transaction() as session:  # a process claims it, then dies
        [claimed] = await claim(session, Job, due=Job.due_at <= clock(), order_by=Job.due_at,
                                limit=10, now=clock(), claimed_status="claimed")
    assert claimed.kind == "checkin"

    restarted = build_services(system.services.db, content=system.services.content, now=clock)
    sender = OutboxSender(system.services.db, {"telegram": system.phones}, clock)
    assert await restarted.clock.tick() == 0  # still someone else's, for a while
    clock.advance(minutes=5)
    assert await restarted.clock.tick() == 1
    assert await system.services.clock.tick() == 0
    # the new process dies again after the check-in was queued but before it was sent
    restarted = build_services(system.services.db, content=system.services.content, now=clock)
    assert await restarted.clock.tick() == 0
    assert await sender.deliver_due() == 1
    assert await OutboxSender(system.services.db, {"telegram": system.phones},
                              clock).deliver_due() == 0
    assert system.phones.take(YP) == ["Hey, it's me 🙂\nHow are you feeling?"]


async def test_after_downtime_a_late_check_in_is_sent_once_and_an_old_one_is_missed(
        system, clock):
    jo = await team(system)
    await system.young_person(YP, WORKER)
    await set_checkins(system, jo, YP, "Every day", "Type a time")
    await jo.send("12:00")  # next: Tuesday 12:00
    clock.now = datetime(2026, 3, 3, 13, 59, tzinfo=UTC)  # down since 11:00: 1 h 59 late
    timeline = await live_until(system, clock, clock())
    assert timeline.texts(YP) == ["Hey, it's me 🙂\nHow are you feeling?"]

    clock.now = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)  # down for three days
    timeline = await live_until(system, clock, clock())
    assert timeline.texts(YP) == []  # no burst of old check-ins
    async with system.services.db.transaction() as session:
        statuses = [j.status for j in await session.scalars(
            select(Job).where(Job.kind == "checkin").order_by(Job.id))]
        answers = (await session.scalars(select(CheckinAnswer))).all()
    assert statuses == ["done", "missed", "pending"]  # Wednesday's not sent; Saturday's next
    assert len(answers) == 1
    timeline = await live_until(system, clock, datetime(2026, 3, 7, 12, 0, tzinfo=UTC))
    assert timeline.texts(YP) == ["Hey, it's me 🙂\nHow are you feeling?"]


async def test_an_assigned_module_not_started_is_nudged_once_a_day_three_times(system, clock):
    sam = await system.young_person(YP)
    person = await person_of(system, YP)
    clock.now = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)
    async with system.services.db.transaction() as session:
        session.add(ModuleProgress(person_id=person.id, module_id="practice", answers={},
                                   assigned_at=clock()))
        await schedule_module_reminders(session, person.id, "practice", clock())
    timeline = await live_until(system, clock, datetime(2026, 3, 12, 0, 0, tzinfo=UTC))
    times = [f"{t:%a %d %H:%M}" for t in timeline.times(YP)]
    assert times == ["Fri 06 07:00", "Sat 07 07:00", "Sun 08 07:00"]  # 22:30 + 3 days is quiet
    assert timeline.texts(YP)[0].startswith("Hey, it's me 🙂\nYour worker picked something for "
                                            "you: Practice module.")
    assert system.phones.buttons[YP][-1] == ["📚 Have a look"]
    replies = await sam.event(Event.button("menu:open:practice"))
    assert "Practice module" in replies[0].text


async def test_a_started_module_is_not_nudged(system, clock):
    sam = await system.young_person(YP)
    person = await person_of(system, YP)
    async with system.services.db.transaction() as session:
        session.add(ModuleProgress(person_id=person.id, module_id="practice", answers={},
                                   assigned_at=clock()))
        await schedule_module_reminders(session, person.id, "practice", clock())
    await sam.press("📚 Modules")
    await sam.press("⭐ Practice module")
    timeline = await live_until(system, clock, clock() + timedelta(days=10))
    assert timeline.texts(YP) == []
    async with system.services.db.transaction() as session:
        assert await session.scalar(select(Alert)) is None
