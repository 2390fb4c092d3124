"""A check-in from the young person's side, and what workers get when it goes unanswered."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import Alert, CheckinAnswer
from flows.base import Event
from tests.checkins.helpers import (
    DUTY,
    WORKER,
    YP,
    latest_checkin,
    live_until,
    person_of,
    press_on_checkin,
    set_checkins,
    team,
)


async def first_checkin(system, clock, jo):
    """Daily at 18:00, then live until the first one arrives (Monday 2 March 2026)."""
    await set_checkins(system, jo, YP, "Every day", "18:00")
    timeline = await live_until(system, clock, clock() + timedelta(hours=2))
    assert timeline.texts(YP) == ["Hey, it's me 🙂\nHow are you feeling?"]
    assert system.phones.buttons[YP][-1] == ["😢", "🙁", "😐", "🙂", "😄",
                                             "⏰ Ask me in 1 hour", "Not now"]


async def alerts(system) -> list[Alert]:
    async with system.services.db.transaction() as session:
        return list(await session.scalars(select(Alert).order_by(Alert.id)))


async def test_a_check_in_interrupts_a_module_and_hands_it_back(system, clock):
    jo = await team(system)
    sam = await system.young_person(YP, WORKER)
    await sam.press("📚 Modules")
    await sam.press("Practice module")
    step = sam.texts()[-1]
    await first_checkin(system, clock, jo)

    replies = await press_on_checkin(system, sam, "mood", "4")
    assert [r.text for r in replies] == ["Thanks for telling me.\nDo you feel safe right now?"]
    assert sam.labels() == ["Yes", "Not sure", "No", "🆘 Help"]
    replies = await sam.press("Yes")
    assert replies[0].text == ("Anything you want to tell us? You can type it, or tap Skip.\n"
                               "If it sounds like you are not safe, a worker will be told.")
    replies = await sam.send("had a good day at school")
    assert replies[0].text == "Thanks for checking in 💛 Speak soon."
    assert replies[1].text == step  # back in the module, where they were

    answer = await latest_checkin(system, YP)
    assert (answer.outcome, answer.mood, answer.safe) == ("answered", 4, "yes")
    assert "school" not in repr(answer.__dict__)  # free text is never stored
    assert await alerts(system) == []


async def test_not_safe_pages_the_duty_worker(system, clock):
    jo = await team(system)
    sam = await system.young_person(YP, WORKER)
    await first_checkin(system, clock, jo)
    await press_on_checkin(system, sam, "mood", "1")
    replies = await sam.press("No")
    assert replies[0].text.startswith("Thank you for telling me. A worker has been told straight "
                                      "away, so they can help.\nIf you are in danger right now, "
                                      "call 999.")
    assert replies[1].text.startswith("Anything you want to tell us?")
    await system.settle()
    pseudonym = (await person_of(system, YP)).pseudonym
    [page] = system.phones.take(DUTY)
    assert page.startswith(f"🚨 HIGH alert #1 – {pseudonym}\nAbout: check-in: not safe\n")
    assert "From: a check-in" in page
    [alert] = await alerts(system)
    assert alert.excerpt is None  # nothing they typed


async def test_not_sure_flags_their_worker_and_offers_to_talk(system, clock):
    jo = await team(system)
    sam = await system.young_person(YP, WORKER)
    await first_checkin(system, clock, jo)
    await press_on_checkin(system, sam, "mood", "3")
    replies = await sam.press("Not sure")
    assert replies[0].text == ("Thank you for telling me. Your worker will see this, so they "
                               "can check in with you.\nWould you like to talk to someone?")
    replies = await sam.press("💬 Yes, I'd like to talk")
    assert replies[0].text.startswith("OK. I've asked a worker to get in touch with you.")
    assert replies[1].text.startswith("Anything you want to tell us?")
    await system.settle()
    pseudonym = (await person_of(system, YP)).pseudonym
    flag, talk = system.phones.take(WORKER)
    assert flag.startswith(f"⚠️ MEDIUM alert #1 – {pseudonym}\nAbout: check-in: not sure they are safe\n")
    assert talk == (f"💬 Alert #1 – {pseudonym} would like to talk. Please get in touch when "
                    "you can.")
    assert system.phones.take(DUTY) == []
    [alert] = await alerts(system)
    assert alert.categories["names"] == ["checkin_not_sure", "wants_to_talk"]


async def test_snooze_asks_again_in_an_hour_and_skip_is_not_a_miss(system, clock):
    jo = await team(system)
    sam = await system.young_person(YP, WORKER)
    await first_checkin(system, clock, jo)  # 18:00
    replies = await press_on_checkin(system, sam, "snooze")
    assert replies[0].text == "OK, I'll ask again in an hour."
    timeline = await live_until(system, clock, clock() + timedelta(minutes=59))
    assert timeline.texts(YP) == []
    timeline = await live_until(system, clock, clock() + timedelta(minutes=2))
    assert timeline.texts(YP) == ["Hey, it's me 🙂\nHow are you feeling?"]
    replies = await press_on_checkin(system, sam, "skip")
    assert replies[0].text == "That's OK. Speak soon 💛"
    await live_until(system, clock, clock() + timedelta(days=1, hours=4))  # next one missed
    async with system.services.db.transaction() as session:
        outcomes = [a.outcome for a in await session.scalars(select(CheckinAnswer))]
    assert outcomes == ["skipped", "missed"]
    assert await alerts(system) == []  # a skip breaks the run: no flag


async def test_two_missed_in_a_row_flag_the_assigned_worker(system, clock):
    jo = await team(system)
    await system.young_person(YP, WORKER)
    await first_checkin(system, clock, jo)  # Monday 18:00
    await live_until(system, clock, clock() + timedelta(hours=3))  # 21:00: missed
    assert await alerts(system) == []
    timeline = await live_until(system, clock, clock() + timedelta(days=1))  # Tuesday 21:00
    assert len(timeline.texts(YP)) == 1
    [alert] = await alerts(system)
    assert (alert.severity, alert.source, alert.categories["names"]) == (2, "checkin",
                                                                         ["missed_checkins"])
    pseudonym = (await person_of(system, YP)).pseudonym
    [flag] = timeline.texts(WORKER)
    assert flag.startswith(f"⚠️ MEDIUM alert #1 – {pseudonym}\nAbout: missed check-ins")
    assert timeline.texts(DUTY) == []


async def test_one_missed_check_in_pages_the_duty_list_for_someone_who_has_gone_missing(
        system, clock):
    jo = await team(system)
    await system.young_person(YP, WORKER)
    replies = await set_checkins(system, jo, YP, "⬜ Gone missing before")
    assert "Gone missing before: yes" in replies[0].text
    assert "One missed check-in pages the duty worker." in replies[0].text
    await first_checkin(system, clock, jo)
    timeline = await live_until(system, clock, clock() + timedelta(hours=3))
    [page] = timeline.texts(DUTY)
    assert page.splitlines()[1] == "About: missed check-ins, may be missing"
    assert page.startswith("🚨 HIGH alert #1")


async def test_a_stale_or_forged_check_in_button_changes_nothing_but_not_safe_is_heard(
        system, clock):
    await team(system)
    sam = await system.young_person(YP, WORKER)
    await sam.event(Event.button("ci:mood:999:2"))
    replies = await sam.event(Event.button("ci:safe:999:no"))
    assert replies[0].text.startswith("Thank you for telling me. A worker has been told")
    await system.settle()
    assert system.phones.take(DUTY)[0].startswith("🚨 HIGH alert #1")
