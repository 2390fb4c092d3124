"""Outcome wheels and closure: the records, the chart, the schedule, the summary.

Used by the router (a young person's own wheels), the worker features (/wheel, /close) and the
clock ("wheel_due" jobs). Safety plans are kept by `bot.records.safety_plans`; the closure summary
shows the plan, which is the young person's own words and never logged.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEntry, Job, ModuleProgress, OutboxMessage, Person
from bot.db.models import WheelResult as WheelRow
from bot.pictures.charts import WheelDrawing
from bot.records import safety_plans
from bot.time import clock as jobs
from bot.time.outbox import enqueue
from content.loader import Content
from flows.base import Button, Keyboard, Reply, keyboard
from flows.common import contacts_text
from flows.safety_plan import plan_filled, plan_text
from flows.wheel import change_lines, series

WHEEL_DUE = "wheel_due"
CLOSURE_MODULE = "closure"
STOPPED_AT_CLOSURE = ("checkin", "checkin_miss", "reminder", WHEEL_DUE)
WHEEL_GAPS_WEEKS = (4, 6, 8, 12)
ASKED = {"self": "by themselves", "schedule": "on schedule", "worker": "a worker asked"}


# --- wheels ---------------------------------------------------------------------------------------


async def wheels_of(session: AsyncSession, person_id: int) -> list[WheelRow]:
    """Every wheel of one young person, oldest first."""
    return list((await session.scalars(select(WheelRow).where(WheelRow.person_id == person_id)
                                       .order_by(WheelRow.taken_at, WheelRow.id))).all())


async def wheels_done(session: AsyncSession, person_id: int) -> int:
    """How many wheels they have finished (Profile.wheels_done)."""
    return await session.scalar(select(func.count()).select_from(WheelRow)
                                .where(WheelRow.person_id == person_id)) or 0


async def save_wheel(session: AsyncSession, person: Person, scores: Mapping[str, int],
                     asked_by: str, now: datetime) -> WheelRow:
    """Store a wheel; who asked comes from our own records, never from the button pressed."""
    asker_id = None
    if asked_by == "worker":
        asker_id = await session.scalar(
            select(AuditEntry.actor_id).where(AuditEntry.action == "wheel.ask",
                                              AuditEntry.subject_id == person.id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(1))
        if asker_id is None:
            asked_by = "self"
    row = WheelRow(person_id=person.id, taken_at=now, scores=dict(scores), asked_by=asked_by,
                   asked_by_id=asker_id)
    session.add(row)
    await session.flush()
    await schedule_next_wheel(session, person, now)
    return row


async def schedule_next_wheel(session: AsyncSession, person: Person, after: datetime) -> Job | None:
    """One pending "wheel_due" job at the person's gap after `after` (none if off or closed)."""
    await jobs.cancel(session, kind=WHEEL_DUE, person_id=person.id)
    if person.wheel_every_weeks is None or person.closed_at is not None:
        return None
    return await jobs.schedule(session, WHEEL_DUE, after + timedelta(weeks=person.wheel_every_weeks),
                               person_id=person.id)


def short_date(when: datetime) -> str:
    return f"{when.day} {when:%b}"


def wheel_drawing(content: Content, wheels: list[WheelRow], title: str) -> WheelDrawing | None:
    """The first and the latest wheel, overlaid: drawn when sent, not inside the transaction."""
    if not wheels:
        return None
    text = content.text
    first, latest = wheels[0], wheels[-1]
    drawn = [(text("wheel.legend_latest", date=short_date(latest.taken_at)),
              series(content, latest.scores))]
    if len(wheels) > 1:
        drawn.insert(0, (text("wheel.legend_first", date=short_date(first.taken_at)),
                         series(content, first.scores)))
    return WheelDrawing.of([area.short for area in content.wheel.areas], drawn, title)



def changes_caption(content: Content, wheels: list[WheelRow]) -> str:
    """The chart's caption for the young person: what changed, one line per area."""
    text = content.text
    latest = wheels[-1]
    if len(wheels) == 1:
        return "\n".join([text("wheel.chart_caption_first"), "",
                          *change_lines(content, None, latest.scores)])
    first = wheels[0]
    return "\n".join([text("wheel.chart_caption", first=short_date(first.taken_at)), "",
                      *change_lines(content, first.scores, latest.scores)])


async def after_wheel(session: AsyncSession, content: Content, person: Person,
                      now: datetime) -> list[Reply]:
    """The young person gets their chart at once; their worker gets a copy through the outbox."""
    wheels = await wheels_of(session, person.id)
    chart = wheel_drawing(content, wheels, content.text("wheel.chart_title"))
    assert chart is not None
    caption = changes_caption(content, wheels)
    worker = await session.get(Person, person.worker_id) if person.worker_id else None
    if worker is not None and worker.telegram_id is not None:
        latest = wheels[-1]
        await enqueue(session, chat_id=worker.telegram_id, now=now,
                      photo=wheel_drawing(content, wheels, person.pseudonym),
                      text=f"🎯 {person.pseudonym} filled in their wheel "
                           f"({ASKED[latest.asked_by]}, {short_date(latest.taken_at)}).\n\n"
                           + "\n".join(worker_change_lines(content, wheels)),
                      buttons=keyboard([Button("See their wheels", f"wwheel:see:{person.id}")]))
    return [Reply(caption, photo=chart)]


def worker_change_lines(content: Content, wheels: list[WheelRow]) -> list[str]:
    first = wheels[0].scores if len(wheels) > 1 else None
    return change_lines(content, first, wheels[-1].scores)


def wheel_table(content: Content, wheels: list[WheelRow], *, last: int = 5) -> str:
    """A small table: areas down the side, the latest few wheels' dates across."""
    shown = wheels[-last:]
    width = max(len(area.name) for area in content.wheel.areas)
    header = " " * width + " " + " ".join(f"{short_date(w.taken_at):>6}" for w in shown)
    lines = [header]
    for area in content.wheel.areas:
        cells = " ".join(f"{w.scores.get(area.id, '-'):>6}" for w in shown)
        lines.append(f"{area.name:<{width}} {cells}")
    return "\n".join(lines)


def wheel_nudge(content: Content, reason: str) -> tuple[str, Keyboard]:
    """The message that invites a young person to fill in their wheel: a neutral first line."""
    text = content.text
    return text("wheel.nudge"), keyboard([Button(text("wheel.nudge_button"), f"wh:enter:{reason}")])


async def wheel_due(session: AsyncSession, job: Job, now: datetime, *, content: Content) -> None:
    """A "wheel_due" job: invite the young person, and keep asking every gap until they do."""
    person = await session.get(Person, job.person_id) if job.person_id else None
    if (person is None or not person.active or person.closed_at is not None
            or person.telegram_id is None or person.wheel_every_weeks is None):
        return
    body, buttons = wheel_nudge(content, "schedule")
    await enqueue(session, chat_id=person.telegram_id, text=body, buttons=buttons, now=now,
                  dedupe_key=f"wheel_due:{job.id}")
    await jobs.schedule(session, WHEEL_DUE, now + timedelta(weeks=person.wheel_every_weeks),
                        person_id=person.id)


def register_jobs(ticker: jobs.Clock, content: Content) -> None:
    """Give the clock the handlers for this feature's job kinds."""

    async def handler(session: AsyncSession, job: Job, now: datetime) -> None:
        await wheel_due(session, job, now, content=content)

    ticker.register(WHEEL_DUE, handler)


# --- closure --------------------------------------------------------------------------------------


async def start_closure(session: AsyncSession, content: Content, worker: Person, young: Person,
                        now: datetime, *, nudge: bool = True) -> None:
    """Assign the closure module and tell the young person it is there for them."""
    young.closure_started_at = young.closure_started_at or now
    row = await session.scalar(select(ModuleProgress).where(
        ModuleProgress.person_id == young.id, ModuleProgress.module_id == CLOSURE_MODULE))
    if row is None:
        module = content.modules[CLOSURE_MODULE]
        row = ModuleProgress(person_id=young.id, module_id=CLOSURE_MODULE,
                             module_version=module.version, answers={})
        session.add(row)
    row.assigned_at, row.assigned_by_id = now, worker.id
    if nudge and young.telegram_id is not None:
        text = content.text
        await enqueue(session, chat_id=young.telegram_id, text=text("closure.nudge"), now=now,
                      buttons=keyboard([Button(text("closure.nudge_button"),
                                               f"menu:open:{CLOSURE_MODULE}")]))
    await session.flush()


async def finish_closure(session: AsyncSession, content: Content, young: Person, now: datetime,
                         *, tell_young_person_directly: bool) -> list[Reply]:
    """Send the summary to the young person and their worker; stop check-ins; start the
    retention clock. Returns the young person's messages when they are the one talking now."""
    if young.closed_at is not None:
        return []
    wheels = await wheels_of(session, young.id)
    plan = await safety_plans.get_plan(session, young.id)
    done = await completed_modules(session, content, young.id)
    chart = wheel_drawing(content, wheels, content.text("wheel.chart_title"))
    mine = [Reply(young_person_summary(content, young, done, wheels, plan))]
    if chart is not None:
        mine.insert(0, Reply(changes_caption(content, wheels)[:1024], photo=chart))
    if plan_filled(plan):
        mine.append(Reply(plan_text(content, plan, for_young_person=True)))
    young.closed_at = now
    young.closure_started_at = young.closure_started_at or now
    for kind in STOPPED_AT_CLOSURE:
        await jobs.cancel(session, kind=kind, person_id=young.id)
    worker = await session.get(Person, young.worker_id) if young.worker_id else None
    if worker is not None and worker.telegram_id is not None:
        worker_chart = wheel_drawing(content, wheels, young.pseudonym)
        summary = worker_summary(content, young, done, wheels, plan)
        if worker_chart is not None:
            await enqueue(session, chat_id=worker.telegram_id, now=now, photo=worker_chart,
                          text=f"🎯 {young.pseudonym}: first and latest wheel")
        await enqueue(session, chat_id=worker.telegram_id, now=now, text=summary)
    if tell_young_person_directly or young.telegram_id is None:
        return mine
    for reply in mine:  # each arrives on its own, so each starts with the neutral line
        text = neutral_first_line(content, reply.text)
        await enqueue(session, chat_id=young.telegram_id, now=now,
                      text=text[:1024] if reply.photo else text,
                      buttons=reply.buttons, photo=reply.photo)
    return []


def neutral_first_line(content: Content, text: str) -> str:
    """What a locked phone shows of a message is its first line: make it the neutral one."""
    first = content.text("scheduled.first_line").strip()
    return text if text.startswith(first) else f"{first}\n{text}"


async def completed_modules(session: AsyncSession, content: Content, person_id: int) -> list[str]:
    rows = (await session.scalars(select(ModuleProgress).where(
        ModuleProgress.person_id == person_id, ModuleProgress.completed_at.is_not(None))
        .order_by(ModuleProgress.completed_at))).all()
    return [content.modules[r.module_id].title for r in rows if r.module_id in content.modules]


def young_person_summary(content: Content, young: Person, done: list[str],
                         wheels: list[WheelRow], plan: Mapping[str, Any]) -> str:
    text = content.text
    parts = [text("closure.title", nickname=young.nickname) if young.nickname
             else text("closure.title_no_name")]
    parts.append("\n".join([text("closure.modules"), *[f"• {title}" for title in done]])
                 if done else text("closure.no_modules"))
    if len(wheels) > 1:
        parts.append("\n".join([text("closure.wheel"), *worker_change_lines(content, wheels)]))
    elif not wheels:
        parts.append(text("closure.no_wheel"))
    parts.append(text("closure.plan") if plan_filled(plan) else text("closure.no_plan"))
    people = [person for person in plan.get("people") or [] if isinstance(person, dict)
              and person.get("name")]
    parts.append("\n".join([text("closure.your_people"),
                            *[f"• {person['name']}" + (f": {person['number']}"
                                                      if person.get("number") else "")
                              for person in people]]) if people else text("closure.no_people"))
    local = [key for key in ("local_team", "local_out_of_hours", "childline", "emergency")
             if key in content.contacts.contacts]
    parts.append(text("closure.back_in_touch") + "\n" + text("closure.contacts_title") + "\n"
                 + contacts_text(content, local))
    parts.append(text("closure.thanks"))
    return "\n\n".join(parts)


def worker_summary(content: Content, young: Person, done: list[str], wheels: list[WheelRow],
                   plan: Mapping[str, Any]) -> str:
    lines = [f"✅ Closure summary for {young.pseudonym}", "",
             f"Modules completed ({len(done)}): " + (", ".join(done) or "none")]
    if wheels:
        lines += ["", f"Wheels: {len(wheels)} (first {short_date(wheels[0].taken_at)}, "
                      f"latest {short_date(wheels[-1].taken_at)})",
                  *worker_change_lines(content, wheels)]
    else:
        lines += ["", "Wheels: none"]
    lines += ["", plan_text(content, plan, for_young_person=False), "",
              "Check-ins and wheel reminders have stopped. The young person can still use "
              "Help and read modules. The retention clock has started."]
    return "\n".join(lines)


async def pending_outbox(session: AsyncSession, chat_id: int) -> list[OutboxMessage]:
    """Messages waiting for one chat (tests and the worker views)."""
    return list((await session.scalars(select(OutboxMessage).where(
        OutboxMessage.chat_id == chat_id, OutboxMessage.status == "pending")
        .order_by(OutboxMessage.id))).all())
