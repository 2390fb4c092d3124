"""`/checkins`: a support worker schedules check-ins for one of their young people.

/checkins -> pick a young person -> daily, weekdays, weekly on chosen days, or a custom list of
times -> a local time -> saved, with the next check-in shown. Also: stop, quiet hours, and the
"high risk" and "has gone missing before" flags that make a single missed check-in urgent.

Buttons carry plain ids (`ck:<action>:<young person id>:...`); every press goes through
`CaseFeature`, which looks the young person up again and asks the one access rule, and every
look or change is audited.
"""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import func, select

from bot.checkins import CHECKIN, Checkins, quiet_hours, recurrence_of
from bot.db.models import CheckinAnswer, CheckinSchedule, Job, Person
from bot.features.registry import worker_feature
from bot.recurrence import DAY_NAMES
from bot.workers.case import CaseFeature, label
from bot.workers.desk import Desk
from flows import callback
from flows.base import Button, Event, Keyboard, Reply
from flows.clock_words import parse_time

TIMES = ("08:00", "12:00", "16:00", "18:00", "20:00")
QUIET_PRESETS = ("2200-0700", "2100-0700", "2100-0800", "2300-0800")  # no colons in button data
NOT_YOURS = "That young person is not on your caseload."
STALE = "That button no longer works. Please start again with /checkins."
NOBODY = "You have no young people to schedule check-ins for yet."


class CheckinsFeature(CaseFeature):
    name: ClassVar[str] = "checkins"
    commands: ClassVar[dict[str, str]] = {"checkins": "schedule or change a young person's check-ins"}
    prefix: ClassVar[str] = "ck"
    question: ClassVar[str] = "Check-ins for which young person?"
    page: ClassVar[str] = "p"
    page_size: ClassVar[int] = 6
    nobody: ClassVar[str] = NOBODY
    refused: ClassVar[str] = NOT_YOURS
    stale: ClassVar[str] = STALE
    # pat: a pattern; wd: tick a weekday (mask[, day]); wdone: days ticked (mask); t: a time
    # picked (pattern, hhmm); tt: type a time (pattern); q/qs: quiet hours (preset); risk, miss
    actions: ClassVar[dict[str, tuple[int, ...]]] = {
        "pat": (1,), "wd": (1, 2), "wdone": (1,), "t": (2,), "tt": (1,), "stop": (0,),
        "q": (0,), "qs": (1,), "risk": (0,), "miss": (0,)}

    def __init__(self, checkins: Checkins):
        self.checkins = checkins

    async def handle(self, desk: Desk, event: Event) -> list[Reply] | None:
        if event.kind == "text" and desk.awaited and desk.awaited[0] == self.name:
            return await self._typed(desk, desk.awaited[1], event.text)
        return await super().handle(desk, event)

    # --- buttons (their young person already checked by CaseFeature) ---------------------------

    async def choose(self, desk: Desk, person: Person) -> list[Reply]:
        await desk.audit("checkins_viewed", person)
        return [await self._summary(desk, person)]

    async def other(self, desk: Desk, action: str, person: Person, rest: list[str]) -> list[Reply]:
        if action == "pat" and rest == ["custom"]:
            desk.awaiting(self.name, "times", person_id=person.id)
            return [Reply(f"Type the times for {label(person)}'s check-ins, every day, like "
                          "\"08:00, 16:30\".")]
        if action == "pat" and rest in (["daily"], ["weekdays"]):
            return [self._time_picker(person, rest[0])]
        if action == "wd":
            mask = _mask(rest[0])
            if mask is None:
                return [Reply(STALE)]
            day = callback.parse_number(rest[1]) if len(rest) == 2 else None
            if day is not None and 1 <= day <= 7:
                mask ^= 1 << day
            return [self._day_picker(person, mask)]
        if action == "wdone":
            mask = _mask(rest[0])
            if not mask:
                return [Reply(desk.content.text("staff.said.pick_a_day")), self._day_picker(person, 0)]
            return [self._time_picker(person, f"w{mask:x}")]
        if action == "t":
            at = parse_time(rest[1][:2] + ":" + rest[1][2:]) if len(rest[1]) == 4 else None
            pattern = _pattern(rest[0])
            if at is None or pattern is None:
                return [Reply(STALE)]
            return await self._save(desk, person, pattern[0], [f"{at:%H:%M}"], pattern[1])
        if action == "tt" and _pattern(rest[0]) is not None:
            desk.awaiting(self.name, "time", person_id=person.id, pattern=rest[0])
            return [Reply(desk.content.text("staff.said.type_a_time"))]
        if action == "stop":
            stopped = await self.checkins.stop(desk.session, person, desk.now)
            await desk.audit("checkins_stopped", person)
            said = "⏹ Check-ins stopped" if stopped else "There were no check-ins to stop"
            return [Reply(f"{said} for {label(person)}."), await self._summary(desk, person)]
        if action == "q":
            return [self._quiet_picker(person)]
        if action == "qs" and rest[0] in QUIET_PRESETS:
            start, end = (f"{x[:2]}:{x[2:]}" for x in rest[0].split("-"))
            person.quiet_start, person.quiet_end = start, end
            await self.checkins.reschedule(desk.session, person, desk.now)
            await desk.audit("quiet_hours_set", person, start=start, end=end)
            return [Reply(f"🌙 Quiet hours for {label(person)}: {start}–{end}."),
                    await self._summary(desk, person)]
        if action in ("risk", "miss"):
            if action == "risk":
                person.high_risk = not person.high_risk
                await desk.audit("high_risk_set", person, value=person.high_risk)
            else:
                person.missing_history = not person.missing_history
                await desk.audit("missing_history_set", person, value=person.missing_history)
            return [await self._summary(desk, person)]
        return [Reply(STALE)]

    async def _typed(self, desk: Desk, what: str, text: str) -> list[Reply]:
        context = dict(desk.convo.context)
        person = await self.young_person(desk, str(context.get("person_id", "")))
        if person is None:
            desk.clear_awaiting()
            return [Reply(NOT_YOURS)]
        raw = [piece for piece in text.replace(";", ",").replace(" and ", ",").split(",")
               if piece.strip()]
        times = [parse_time(piece) for piece in raw]
        if not times or any(t is None for t in times) or (what == "time" and len(times) != 1):
            example = "18:30" if what == "time" else "08:00, 16:30"
            return [Reply(f"Sorry, I couldn't read that. Please type times like {example}.")]
        desk.clear_awaiting()
        hhmm = [f"{t:%H:%M}" for t in times if t is not None]
        if what == "times":
            return await self._save(desk, person, "custom", hhmm, [])
        pattern = _pattern(str(context.get("pattern", "")))
        if pattern is None:
            return [Reply(STALE)]
        return await self._save(desk, person, pattern[0], hhmm, pattern[1])

    # --- saving --------------------------------------------------------------------------------

    async def _save(self, desk: Desk, person: Person, pattern: str, times: list[str],
                    days: list[int]) -> list[Reply]:
        row, _ = await self.checkins.set_schedule(desk.session, person, pattern=pattern,
                                                  times=times, days=days, by=desk.worker,
                                                  now=desk.now)
        await desk.audit("checkins_set", person, pattern=pattern, times=times, days=days,
                         version=row.version)
        return [Reply(f"✅ Check-ins for {label(person)} are set: "
                      f"{recurrence_of(row).describe()}."), await self._summary(desk, person)]

    # --- what workers see ------------------------------------------------------------------------

    async def _summary(self, desk: Desk, person: Person) -> Reply:
        session = desk.session
        row = await session.scalar(select(CheckinSchedule).where(
            CheckinSchedule.person_id == person.id))
        next_due = await session.scalar(select(func.min(Job.due_at)).where(
            Job.kind == CHECKIN, Job.person_id == person.id, Job.status == "pending"))
        lines = [f"Check-ins for {label(person)}"]
        if row is not None and row.active:
            lines.append(f"When: {recurrence_of(row).describe()} ({self.checkins.zone.key})")
            if next_due is not None:
                local = next_due.astimezone(self.checkins.zone)
                lines.append(f"Next: {local:%a} {local.day} {local:%b %H:%M}")
        else:
            lines.append("When: no check-ins scheduled")
        lines.append(f"Quiet hours: {quiet_hours(person).describe()}")
        lines.append(f"High risk: {'yes' if person.high_risk else 'no'} · "
                     f"Gone missing before: {'yes' if person.missing_history else 'no'}")
        outcomes = (await session.scalars(
            select(CheckinAnswer.outcome).where(CheckinAnswer.person_id == person.id)
            .order_by(CheckinAnswer.sent_at.desc()).limit(7))).all()
        if outcomes:
            lines.append("Last check-ins (newest first): " + ", ".join(outcomes))
        if person.high_risk or person.missing_history:
            lines.append("One missed check-in pages the duty worker.")
        return Reply("\n".join(lines), self._options(person, active=bool(row and row.active)))

    def _options(self, person: Person, *, active: bool) -> Keyboard:
        pid = person.id
        rows: list[tuple[Button, ...]] = [
            (Button("Every day", f"ck:pat:{pid}:daily"),
             Button("Weekdays", f"ck:pat:{pid}:weekdays")),
            (Button("Some days", f"ck:wd:{pid}:0"),
             Button("Custom times", f"ck:pat:{pid}:custom")),
            (Button("🌙 Quiet hours", f"ck:q:{pid}"),),
            (Button(f"{'✅' if person.high_risk else '⬜'} High risk", f"ck:risk:{pid}"),
             Button(f"{'✅' if person.missing_history else '⬜'} Gone missing before",
                    f"ck:miss:{pid}")),
        ]
        if active:
            rows.append((Button("⏹ Stop check-ins", f"ck:stop:{pid}"),))
        return tuple(rows)

    def _time_picker(self, person: Person, pattern: str) -> Reply:
        buttons = [Button(t, f"ck:t:{person.id}:{pattern}:{t.replace(':', '')}") for t in TIMES]
        return Reply(f"What time (UK time) for {label(person)}?",
                     (tuple(buttons[:3]), tuple(buttons[3:]),
                      (Button("Type a time", f"ck:tt:{person.id}:{pattern}"),)))

    def _day_picker(self, person: Person, mask: int) -> Reply:
        days = [Button(f"{'☑️' if mask & (1 << d) else '⬜'} {DAY_NAMES[d - 1]}",
                       f"ck:wd:{person.id}:{mask:x}:{d}") for d in range(1, 8)]
        return Reply(f"Which days for {label(person)}? Tap to tick, then Done.",
                     (tuple(days[:4]), tuple(days[4:]),
                      (Button("Done ✅", f"ck:wdone:{person.id}:{mask:x}"),)))

    def _quiet_picker(self, person: Person) -> Reply:
        return Reply(f"Quiet hours for {label(person)}: nothing scheduled is sent then, and a "
                     "check-in due inside them waits until they end.",
                     tuple((Button(_quiet_label(p), f"ck:qs:{person.id}:{p}"),)
                           for p in QUIET_PRESETS))


def _quiet_label(preset: str) -> str:
    """"2200-0700" -> "22:00–07:00"."""
    start, end = preset.split("-")
    return f"{start[:2]}:{start[2:]}–{end[:2]}:{end[2:]}"


def _mask(raw: str) -> int | None:
    return callback.parse_mask(raw, 8)


def _pattern(raw: str) -> tuple[str, list[int]] | None:
    """"daily", "weekdays" or "w<days mask>" -> (pattern, ISO days)."""
    if raw in ("daily", "weekdays"):
        return raw, []
    if raw.startswith("w"):
        mask = _mask(raw[1:])
        days = [d for d in range(1, 8) if mask and mask & (1 << d)]
        return ("weekly", days) if days else None
    return None


FEATURE = worker_feature(CheckinsFeature, needs={"checkins"},
                         build=lambda kit: CheckinsFeature(kit.checkins))
