"""What check-in tests share: a team, a young person, and a way to live through time.

Time is the fake clock: `live_until` jumps straight to each due job, runs it and delivers the
outbox, and remembers when (UTC) each phone received each message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from bot.db.models import CheckinAnswer, Job, Person, Role
from bot.records import people
from flows.base import Event

YP, WORKER, DUTY, MANAGER = 5001, 9001, 9002, 9003


@dataclass
class Received:
    at: datetime
    text: str


@dataclass
class Timeline:
    """Every message a phone received, with the fake time it arrived."""

    by_chat: dict[int, list[Received]] = field(default_factory=dict)

    def texts(self, chat_id: int) -> list[str]:
        return [r.text for r in self.by_chat.get(chat_id, [])]

    def times(self, chat_id: int) -> list[datetime]:
        return [r.at for r in self.by_chat.get(chat_id, [])]


async def settle_and_record(system, clock, timeline: Timeline) -> None:
    await system.settle()
    for chat_id, texts in system.phones.inbox.items():
        for text in texts:
            timeline.by_chat.setdefault(chat_id, []).append(Received(clock(), text))
        texts.clear()


async def next_due(system) -> datetime | None:
    async with system.services.db.transaction() as session:
        return await session.scalar(select(func.min(Job.due_at)).where(Job.status == "pending"))


async def live_until(system, clock, end: datetime, timeline: Timeline | None = None) -> Timeline:
    """Jump from one due job to the next until `end`, running and delivering each."""
    timeline = timeline or Timeline()
    await settle_and_record(system, clock, timeline)
    while True:
        due = await next_due(system)
        if due is None or due > end:
            break
        clock.now = max(clock.now, due)
        await settle_and_record(system, clock, timeline)
    clock.now = max(clock.now, end)
    await settle_and_record(system, clock, timeline)
    return timeline


async def team(system, *, duty: bool = True):
    """A support worker (Jo), an on-duty worker (Dee), a manager (Mo)."""
    jo = await system.worker(WORKER, Role.SUPPORT_WORKER, "Jo")
    if duty:
        await system.worker(DUTY, Role.DUTY_WORKER, "Dee", on_duty=True)
    await system.worker(MANAGER, Role.MANAGER, "Mo")
    return jo


async def person_of(system, telegram_id: int) -> Person:
    async with system.services.db.transaction() as session:
        person = await people.find_by_telegram(session, telegram_id)
        assert person is not None
        return person


async def latest_checkin(system, telegram_id: int) -> CheckinAnswer:
    person = await person_of(system, telegram_id)
    async with system.services.db.transaction() as session:
        return await session.scalar(select(CheckinAnswer).where(
            CheckinAnswer.person_id == person.id).order_by(CheckinAnswer.id.desc()).limit(1))


async def press_on_checkin(system, chat, trigger: str, value: str | None = None):
    """Press a button on the newest check-in the clock sent (its buttons carry its id)."""
    answer = await latest_checkin(system, chat.who.telegram_id)
    data = f"ci:{trigger}:{answer.id}" + (f":{value}" if value else "")
    return await chat.event(Event.button(data))


async def set_checkins(system, worker_chat, yp_telegram_id: int, *presses: str):
    """A worker sets check-ins through /checkins: pick the young person, then the presses."""
    person = await person_of(system, yp_telegram_id)
    await worker_chat.send("/checkins")
    await worker_chat.press(f"{person.pseudonym} ({person.nickname})")
    replies = []
    for press in presses:
        replies = await (worker_chat.send(press[1:]) if press.startswith("✍") else
                         worker_chat.press(press))
    return replies
