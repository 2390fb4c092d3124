"""Discreet by default: whatever the bot sends a young person out of the blue (through the
outbox) starts with a neutral line, because the first line is what a locked phone shows."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.care.checkins import schedule_module_reminders
from bot.db.models import ModuleProgress, Relay, Role, SafetyTimer
from bot.records import people
from flows.base import Event
from tests.checkins.helpers import live_until, person_of, set_checkins

YP, JO, DEE = 5001, 9001, 9002
NEUTRAL = {"Hey, it's me 🙂", "💬 New message"}
REVEALING = ("alert", "danger", "safe", "worker", "abuse", "police", "exploitation", "cse",
             "help", "risk", "rise")


@pytest.fixture
def system(db, content, practice_content, clock):
    """The whole system without Telegram, with the real modules (closure too) and the practice one."""
    from bot.app.services import build_services
    from bot.time.outbox import OutboxSender
    from tests.workers_fixture import Phones, System

    both = replace(content, modules={**content.modules, **practice_content.modules})
    services = build_services(db, content=both, now=clock)
    phones = Phones()
    services.transports.update({"telegram": phones, "email": phones})
    sender = OutboxSender(db, services.transports, clock)
    services.router.on_commit.append(sender.kick)
    return System(services=services, phones=phones, sender=sender)


def first_lines(texts: list[str]) -> list[str]:
    return [text.split("\n", 1)[0] for text in texts]


def revealing(line: str) -> list[str]:
    return [word for word in REVEALING if re.search(rf"\b{word}", line.lower())]


async def test_every_kind_of_outbox_message_to_a_young_person_starts_with_a_neutral_line(
        system, clock):
    received: dict[str, list[str]] = {}

    async def collect(kind: str) -> None:
        await system.settle()
        texts = system.phones.take(YP)
        assert texts, f"{kind}: nothing was sent"
        received[kind] = texts

    async def live(kind: str, **delta: float) -> list[str]:
        """Let time pass (due jobs run, the outbox is delivered); what the young person got."""
        texts = (await live_until(system, clock, clock() + timedelta(**delta))).texts(YP)
        assert texts, f"{kind}: nothing was sent"
        received[kind] = texts
        return texts

    # nobody at all on duty: the young person is told to call 999
    sam = system.chat(YP)
    await sam.onboard()
    await sam.send("he's hurting me right now")
    await collect("nobody reachable")

    jo = await system.worker(JO, Role.SUPPORT_WORKER, "Jo")
    dee = await system.worker(DEE, Role.DUTY_WORKER, "Dee", on_duty=True)
    async with system.services.db.transaction() as session:  # Jo is their worker
        young = await people.find_by_telegram(session, YP)
        young.worker_id = (await people.find_by_telegram(session, JO)).id

    # the duty worker talks with them through the bot, then ends the chat
    await dee.event(Event.button("al:talk:1"))
    await collect("relay started")
    await dee.send("Are you somewhere you can talk?")
    await collect("relay message")
    async with system.services.db.transaction() as session:
        relay = await session.scalar(select(Relay))
    await dee.event(Event.button(f"rl:end:{relay.id}"))
    await collect("relay ended")
    await dee.event(Event.button("al:resolve:1"))
    await dee.send("Spoke to them")

    # a worker assigns a module; not started, it is nudged
    await jo.send("/assign")
    await jo.press(jo.labels()[0])
    await jo.press("⬜ Practice module")
    await jo.press("Done ✅")
    await jo.press("In 1 week")
    await collect("assignment")
    person = await person_of(system, YP)
    async with system.services.db.transaction() as session:
        progress = await session.scalar(select(ModuleProgress).where(
            ModuleProgress.person_id == person.id))
        await schedule_module_reminders(session, person.id, progress.module_id, clock())
    await live("module nudge", days=6)  # three, a day apart, from day 3

    # the worker asks for a new wheel and for a look at the safety plan
    await jo.send("/wheel")
    await jo.press(jo.labels()[0])
    await jo.press("📨 Ask for a new wheel")
    await collect("wheel nudge")
    await sam.send("/myplan")
    await sam.send("/menu")
    await sam.press("🛟 My safety plan")
    await sam.press("🏠 Safe places (0)")
    await sam.send("My nan's flat")
    await jo.send("/plan")
    await jo.press(jo.labels()[0])
    await jo.press("📨 Ask them to update it")
    await collect("plan nudge")

    # a scheduled check-in
    await set_checkins(system, jo, YP, "Every day", "18:00")
    await live("check-in", hours=24)

    # the safety timer's question, answered
    await sam.send("/timer")
    await sam.press("In 1 hour")
    await sam.press("Skip")
    await live("timer question", hours=1, minutes=1)
    async with system.services.db.transaction() as session:
        timer = await session.scalar(select(SafetyTimer))
    await sam.event(Event.button(f"tm:ok:{timer.id}"))

    # closure: the nudge into "Looking back", then the summary sent now
    await jo.send("/close")
    await jo.press(jo.labels()[0])
    await jo.press("✅ Start closure")
    await collect("closure nudge")
    await jo.send("/close")
    await jo.press(jo.labels()[0])
    await jo.press("📨 Start and send summary now")
    await collect("closure summary")

    assert {kind: first_lines(texts) for kind, texts in received.items()} == {
        "nobody reachable": ["Hey, it's me 🙂"],
        "relay started": ["Hey, it's me 🙂"],
        "relay message": ["💬 New message"],
        "relay ended": ["💬 New message"],
        "check-in": ["Hey, it's me 🙂"],
        "timer question": ["Hey, it's me 🙂"],
        "assignment": ["Hey, it's me 🙂"],
        "module nudge": ["Hey, it's me 🙂"] * 3,
        "wheel nudge": ["Hey, it's me 🙂"],
        "plan nudge": ["Hey, it's me 🙂"],
        "closure nudge": ["Hey, it's me 🙂"],
        "closure summary": ["Hey, it's me 🙂", "Hey, it's me 🙂"],  # the summary, the plan
    }
    for kind, texts in received.items():
        for line in first_lines(texts):
            assert line in NEUTRAL and revealing(line) == [], (kind, line)


def test_the_revealing_words_are_caught():
    assert revealing("⚠️ Alert: your worker") == ["alert", "worker"]
    assert revealing("🛟 My safety plan") == ["safe"]
    assert revealing("Hey, it's me 🙂") == []
