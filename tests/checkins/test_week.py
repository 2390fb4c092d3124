"""A week of check-ins as the young person and their worker see it: set from Telegram, sent at
local times across the clock change, never inside quiet hours; changed or stopped at once."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.db.models import AuditEntry, Job
from tests.checkins.helpers import WORKER, YP, live_until, person_of, set_checkins, team

LONDON = ZoneInfo("Europe/London")


def local(moments):
    return [f"{m.astimezone(LONDON):%a %d %H:%M}" for m in moments]


async def test_a_week_across_the_clock_change_with_quiet_hours(system, clock):
    clock.now = datetime(2026, 3, 23, 12, 0, tzinfo=UTC)  # Monday; clocks go forward on Sunday
    jo = await team(system)
    await system.young_person(YP, WORKER)
    pseudonym = (await person_of(system, YP)).pseudonym

    replies = await set_checkins(system, jo, YP, "Custom times")
    assert replies[0].text == (f"Type the times for {pseudonym} (Blue Fox)'s check-ins, every "
                               "day, like \"08:00, 16:30\".")
    replies = await jo.send("6:30, 18:00")  # 06:30 is inside the default quiet hours
    assert replies[0].text == (f"✅ Check-ins for {pseudonym} (Blue Fox) are set: every day at "
                               "06:30, 18:00.")
    assert replies[1].text.splitlines()[1:4] == [
        "When: every day at 06:30, 18:00 (Europe/London)",
        "Next: Mon 23 Mar 18:00",
        "Quiet hours: 22:00–07:00"]

    timeline = await live_until(system, clock, datetime(2026, 3, 30, 12, 0, tzinfo=UTC))
    sent = timeline.times(YP)
    assert local(sent) == [
        "Mon 23 18:00",
        "Tue 24 07:00", "Tue 24 18:00",  # 06:30 waits for the end of quiet hours
        "Wed 25 07:00", "Wed 25 18:00",
        "Thu 26 07:00", "Thu 26 18:00",
        "Fri 27 07:00", "Fri 27 18:00",
        "Sat 28 07:00", "Sat 28 18:00",
        "Sun 29 07:00", "Sun 29 18:00",  # British Summer Time from 01:00 UTC
        "Mon 30 07:00",
    ]
    assert [f"{m:%d %H:%M}" for m in sent[9:14]] == [
        "28 07:00", "28 18:00", "29 06:00", "29 17:00", "30 06:00"]  # the same wall clock in UTC
    assert all(text.startswith("Hey, it's me 🙂\nHow are you feeling?")
               for text in timeline.texts(YP))


async def test_weekly_on_chosen_days_and_a_change_or_stop_takes_effect_at_once(system, clock):
    jo = await team(system)  # the fake clock starts on Monday 2 March 2026, 16:00
    await system.young_person(YP, WORKER)
    await set_checkins(system, jo, YP, "Some days", "⬜ Tue", "⬜ Fri", "Done ✅")
    replies = await jo.press("Type a time")
    assert replies[0].text == "Type the time, like 18:30."
    replies = await jo.send("4.15pm")
    assert replies[0].text.endswith("are set: every Tue, Fri at 16:15.")
    assert "Next: Tue 3 Mar 16:15" in replies[1].text

    timeline = await live_until(system, clock, datetime(2026, 3, 9, 0, 0, tzinfo=UTC))
    assert local(timeline.times(YP)) == ["Tue 03 16:15", "Fri 06 16:15"]

    await set_checkins(system, jo, YP, "Weekdays", "08:00")  # replaces the old schedule
    async with system.services.db.transaction() as session:
        pending = (await session.scalars(select(Job).where(Job.kind == "checkin",
                                                           Job.status == "pending"))).all()
    assert [f"{j.due_at.astimezone(LONDON):%a %d %H:%M}" for j in pending] == ["Mon 09 08:00"]

    replies = await set_checkins(system, jo, YP, "⏹ Stop check-ins")
    assert replies[0].text.startswith("⏹ Check-ins stopped for")
    assert "When: no check-ins scheduled" in replies[1].text
    timeline = await live_until(system, clock, datetime(2026, 3, 16, 0, 0, tzinfo=UTC))
    assert timeline.texts(YP) == []
    async with system.services.db.transaction() as session:
        actions = [a.action for a in await session.scalars(select(AuditEntry))]
    assert actions.count("checkins_set") == 2 and "checkins_stopped" in actions


async def test_quiet_hours_are_per_young_person(system, clock):
    jo = await team(system)
    await system.young_person(YP, WORKER)
    replies = await set_checkins(system, jo, YP, "🌙 Quiet hours", "21:00–08:00")
    assert replies[0].text.startswith("🌙 Quiet hours for ")
    assert replies[0].text.endswith(": 21:00–08:00.")
    assert "Quiet hours: 21:00–08:00" in replies[1].text
    await set_checkins(system, jo, YP, "Every day", "Type a time")
    replies = await jo.send("21:30")
    assert "Next: Tue 3 Mar 08:00" in replies[1].text  # 21:30 is quiet for this young person


async def test_a_worker_cannot_schedule_for_someone_elses_young_person(system):
    jo = await team(system)
    other = await system.worker(9010, "support_worker", "Al")
    await system.young_person(YP, WORKER)
    person = await person_of(system, YP)
    replies = await other.send("/checkins")
    assert replies[0].text == "You have no young people to schedule check-ins for yet."
    from flows.base import Event

    for forged in (f"ck:y:{person.id}", f"ck:t:{person.id}:daily:1800", f"ck:stop:{person.id}",
                   f"ck:risk:{person.id}"):
        replies = await other.event(Event.button(forged))
        assert replies[0].text == "That young person is not on your caseload."
    assert (await person_of(system, YP)).high_risk is False
    manager = system.chat(9003)
    replies = await manager.event(Event.button(f"ck:y:{person.id}"))
    assert replies[0].text.startswith(f"Check-ins for {person.pseudonym}")
    assert jo is not None
