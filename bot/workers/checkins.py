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

from bot.care.checkins import CHECKIN, Checkins, quiet_hours, recurrence_of
from bot.care.recurrence import day_names
from bot.db.models import CheckinAnswer, CheckinSchedule, Job, Person
from bot.features.registry import worker_feature
from bot.workers.case import CaseFeature, label
from bot.workers.desk import Desk
from bot.workers.table import IDLE, WorkerTable
from flows import callback
from flows.base import Button, Event, Keyboard, Reply
from flows.clock_words import parse_time

TIMES = ("08:00", "12:00", "16:00", "18:00", "20:00")
QUIET_PRESETS = ("2200-0700", "2100-0700", "2100-0800", "2300-0800")  # no colons in button data


class CheckinsFeature(CaseFeature, WorkerTable):
    name: ClassVar[str] = "checkins"
    commands: ClassVar[tuple[str, ...]] = ("checkins",)
    prefix: ClassVar[str] = "ck"
    question: ClassVar[str] = "staff.checkins.question"
    page: ClassVar[str] = "p"
    page_size: ClassVar[int] = 6
    nobody: ClassVar[str] = "staff.checkins.nobody"
    stale: ClassVar[str] = "staff.checkins.stale"
    # pat: a pattern; wd: tick a weekday (mask[, day]); wdone: days ticked (mask); t: a time
    # picked (pattern, hhmm); tt: type a time (pattern); q/qs: quiet hours (preset); risk, miss
    actions: ClassVar[dict[str, tuple[int, ...]]] = {
        "pat": (1,), "wd": (1, 2), "wdone": (1,), "t": (2,), "tt": (1,), "stop": (0,),
        "q": (0,), "qs": (1,), "risk": (0,), "miss": (0,)}

    # "Custom times" waits for a typed list of times, "Type a time" for one; their buttons
    # still work meanwhile
    STATES: ClassVar[list[str]] = ["times", "time"]
    TRANSITIONS: ClassVar[list[dict]] = [
        # trigger   from                to        when          what happens
        {"trigger": "typed", "source": ["times", "time"], "dest": IDLE, "conditions": "readable",
         "after": "save_typed"},
        {"trigger": "typed", "source": "times", "dest": "times", "after": "unreadable"},
        {"trigger": "typed", "source": "time", "dest": "time", "after": "unreadable"},
        {"trigger": "blank", "source": "times", "dest": "times", "after": "unreadable"},
        {"trigger": "blank", "source": "time", "dest": "time", "after": "unreadable"},
    ]

    def __init__(self, checkins: Checkins):
        self.checkins = checkins

    async def handle(self, desk: Desk, event: Event) -> list[Reply] | None:
        taken = await self.run(desk, event)
        return taken if taken is not None else await super().handle(desk, event)

    # --- buttons (their young person already checked by CaseFeature) ---------------------------

    async def choose(self, desk: Desk, person: Person) -> list[Reply]:
        await desk.audit("checkins_viewed", person)
        return [await self._summary(desk, person)]

    async def other(self, desk: Desk, action: str, person: Person, rest: list[str]) -> list[Reply]:
        if action == "pat" and rest == ["custom"]:
            self.wait(desk, "times", person_id=person.id)
            return [Reply(desk.say("staff.checkins.type_times", label=label(person)))]
        if action == "pat" and rest in (["daily"], ["weekdays"]):
            return [self._time_picker(desk, person, rest[0])]
        if action == "wd":
            mask = _mask(rest[0])
            if mask is None:
                return [Reply(desk.say(self.stale))]
            day = callback.parse_number(rest[1]) if len(rest) == 2 else None
            if day is not None and 1 <= day <= 7:
                mask ^= 1 << day
            return [self._day_picker(desk, person, mask)]
        if action == "wdone":
            mask = _mask(rest[0])
            if not mask:
                return [Reply(desk.say("staff.said.pick_a_day")), self._day_picker(desk, person, 0)]
            return [self._time_picker(desk, person, f"w{mask:x}")]
        if action == "t":
            at = parse_time(rest[1][:2] + ":" + rest[1][2:]) if len(rest[1]) == 4 else None
            pattern = _pattern(rest[0])
            if at is None or pattern is None:
                return [Reply(desk.say(self.stale))]
            return await self._save(desk, person, pattern[0], [f"{at:%H:%M}"], pattern[1])
        if action == "tt" and _pattern(rest[0]) is not None:
            self.wait(desk, "time", person_id=person.id, pattern=rest[0])
            return [Reply(desk.content.text("staff.said.type_a_time"))]
        if action == "stop":
            stopped = await self.checkins.stop(desk.session, person, desk.now)
            await desk.audit("checkins_stopped", person)
            said = "staff.checkins.stopped" if stopped else "staff.checkins.none_to_stop"
            return [Reply(desk.say(said, label=label(person))), await self._summary(desk, person)]
        if action == "q":
            return [self._quiet_picker(desk, person)]
        if action == "qs" and rest[0] in QUIET_PRESETS:
            start, end = (f"{x[:2]}:{x[2:]}" for x in rest[0].split("-"))
            person.quiet_start, person.quiet_end = start, end
            await self.checkins.reschedule(desk.session, person, desk.now)
            await desk.audit("quiet_hours_set", person, start=start, end=end)
            return [Reply(desk.say("staff.checkins.quiet_set", label=label(person), start=start,
                                   end=end)), await self._summary(desk, person)]
        if action in ("risk", "miss"):
            if action == "risk":
                person.high_risk = not person.high_risk
                await desk.audit("high_risk_set", person, value=person.high_risk)
            else:
                person.missing_history = not person.missing_history
                await desk.audit("missing_history_set", person, value=person.missing_history)
            return [await self._summary(desk, person)]
        return [Reply(desk.say(self.stale))]

    # --- typed times (the table above) ---------------------------------------------------------

    def readable(self, desk: Desk, event: Event) -> bool:
        return _typed_times(event.text, self.waiting_in(desk)) is not None

    async def _typed_for(self, desk: Desk) -> Person | None:
        """The young person the times are for, checked again now; if gone, stop waiting."""
        person = await self.young_person(desk, str(desk.convo.context.get("person_id", "")))
        if person is None:
            desk.clear_awaiting()
        return person

    async def unreadable(self, desk: Desk, event: Event) -> list[Reply]:
        if await self._typed_for(desk) is None:
            return [Reply(desk.say(self.refused))]
        example = desk.say("staff.checkins.example_time" if self.waiting_in(desk) == "time"
                           else "staff.checkins.example_times")
        return [Reply(desk.say("staff.checkins.unreadable", example=example))]

    async def save_typed(self, desk: Desk, event: Event) -> list[Reply]:
        what, context = self.waiting_in(desk), dict(desk.convo.context)
        person = await self._typed_for(desk)
        if person is None:
            return [Reply(desk.say(self.refused))]
        hhmm = _typed_times(event.text, what) or []
        if what == "times":
            return await self._save(desk, person, "custom", hhmm, [])
        pattern = _pattern(str(context.get("pattern", "")))
        if pattern is None:
            return [Reply(desk.say(self.stale))]
        return await self._save(desk, person, pattern[0], hhmm, pattern[1])

    # --- saving --------------------------------------------------------------------------------

    async def _save(self, desk: Desk, person: Person, pattern: str, times: list[str],
                    days: list[int]) -> list[Reply]:
        row, _ = await self.checkins.set_schedule(desk.session, person, pattern=pattern,
                                                  times=times, days=days, by=desk.worker,
                                                  now=desk.now)
        await desk.audit("checkins_set", person, pattern=pattern, times=times, days=days,
                         version=row.version)
        return [Reply(desk.say("staff.checkins.set", label=label(person),
                               when=recurrence_of(row).describe(desk.content))),
                await self._summary(desk, person)]

    # --- what workers see ------------------------------------------------------------------------

    async def _summary(self, desk: Desk, person: Person) -> Reply:
        session = desk.session
        row = await session.scalar(select(CheckinSchedule).where(
            CheckinSchedule.person_id == person.id))
        next_due = await session.scalar(select(func.min(Job.due_at)).where(
            Job.kind == CHECKIN, Job.person_id == person.id, Job.status == "pending"))
        say = desk.say
        lines = [say("staff.checkins.title", label=label(person))]
        if row is not None and row.active:
            lines.append(say("staff.checkins.when", when=recurrence_of(row).describe(desk.content),
                             zone=self.checkins.zone.key))
            if next_due is not None:
                local = next_due.astimezone(self.checkins.zone)
                lines.append(say("staff.checkins.next", weekday=f"{local:%a}", day=local.day,
                                 month=f"{local:%b}", time=f"{local:%H:%M}"))
        else:
            lines.append(say("staff.checkins.none_scheduled"))
        lines.append(say("staff.checkins.quiet", quiet=quiet_hours(person).describe(desk.content)))
        lines.append(say("staff.checkins.flags", high_risk=_yes_no(desk, person.high_risk),
                         missing=_yes_no(desk, person.missing_history)))
        outcomes = (await session.scalars(
            select(CheckinAnswer.outcome).where(CheckinAnswer.person_id == person.id)
            .order_by(CheckinAnswer.sent_at.desc()).limit(7))).all()
        if outcomes:
            lines.append(say("staff.checkins.last", outcomes=", ".join(outcomes)))
        if person.high_risk or person.missing_history:
            lines.append(say("staff.checkins.one_missed_pages"))
        return Reply("\n".join(lines),
                     self._options(desk, person, active=bool(row and row.active)))

    def _options(self, desk: Desk, person: Person, *, active: bool) -> Keyboard:
        pid, say = person.id, desk.say
        rows: list[tuple[Button, ...]] = [
            (Button(say("staff.checkins.every_day_button"), f"ck:pat:{pid}:daily"),
             Button(say("staff.checkins.weekdays_button"), f"ck:pat:{pid}:weekdays")),
            (Button(say("staff.checkins.some_days_button"), f"ck:wd:{pid}:0"),
             Button(say("staff.checkins.custom_button"), f"ck:pat:{pid}:custom")),
            (Button(say("staff.checkins.quiet_button"), f"ck:q:{pid}"),),
            (Button(say("staff.checkins.high_risk_button", box=_box(desk, person.high_risk)),
                    f"ck:risk:{pid}"),
             Button(say("staff.checkins.missing_button", box=_box(desk, person.missing_history)),
                    f"ck:miss:{pid}")),
        ]
        if active:
            rows.append((Button(say("staff.checkins.stop_button"), f"ck:stop:{pid}"),))
        return tuple(rows)

    def _time_picker(self, desk: Desk, person: Person, pattern: str) -> Reply:
        buttons = [Button(t, f"ck:t:{person.id}:{pattern}:{t.replace(':', '')}") for t in TIMES]
        return Reply(desk.say("staff.checkins.time_question", label=label(person)),
                     (tuple(buttons[:3]), tuple(buttons[3:]),
                      (Button(desk.say("staff.checkins.type_a_time_button"),
                              f"ck:tt:{person.id}:{pattern}"),)))

    def _day_picker(self, desk: Desk, person: Person, mask: int) -> Reply:
        names = day_names(desk.content)
        days = [Button(desk.say("staff.checkins.day_ticked" if mask & (1 << d)
                                else "staff.checkins.day_unticked", day=names[d - 1]),
                       f"ck:wd:{person.id}:{mask:x}:{d}") for d in range(1, 8)]
        return Reply(desk.say("staff.checkins.day_question", label=label(person)),
                     (tuple(days[:4]), tuple(days[4:]),
                      (Button(desk.say("staff.case.done"), f"ck:wdone:{person.id}:{mask:x}"),)))

    def _quiet_picker(self, desk: Desk, person: Person) -> Reply:
        return Reply(desk.say("staff.checkins.quiet_question", label=label(person)),
                     tuple((Button(_quiet_label(p), f"ck:qs:{person.id}:{p}"),)
                           for p in QUIET_PRESETS))


def _yes_no(desk: Desk, value: bool) -> str:
    return desk.say("staff.checkins.yes" if value else "staff.checkins.no")


def _box(desk: Desk, ticked: bool) -> str:
    return desk.say("staff.checkins.ticked" if ticked else "staff.checkins.unticked")


def _quiet_label(preset: str) -> str:
    """"2200-0700" -> "22:00–07:00"."""
    start, end = preset.split("-")
    return f"{start[:2]}:{start[2:]}–{end[:2]}:{end[2:]}"


def _mask(raw: str) -> int | None:
    return callback.parse_mask(raw, 8)


def _typed_times(text: str, what: str) -> list[str] | None:
    """Typed check-in times as "HH:MM" ("08:00, 4.30pm and 18:00"); exactly one for "time";
    None when any piece is not a time."""
    raw = [piece for piece in text.replace(";", ",").replace(" and ", ",").split(",")
           if piece.strip()]
    times = [parse_time(piece) for piece in raw]
    if not times or any(t is None for t in times) or (what == "time" and len(times) != 1):
        return None
    return [f"{t:%H:%M}" for t in times if t is not None]


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
