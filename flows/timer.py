"""The safety timer: a young person going somewhere they are unsure about asks to be checked on.

/timer or "⏱ Safety timer" -> when (1, 2, 4 hours or a typed time) -> where and who (optional)
-> confirmation -> back to where they were. At the time, the clock asks "Are you OK?"; "I need
help", or no answer within 15 minutes, pages the duty worker with what they told us. The flow
interrupts, so "I'm OK", "I need help" and "I'm back safe" work whatever they are doing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from content.loader import Content
from flows.base import Button, Event, Flow, Goto, Keyboard, Turn, keyboard
from flows.callback import MAX_ROW_ID
from flows.clock_words import parse_hhmm

HOURS = (1, 2, 4)
TIME_WORDS = ("hour", "hours")


@dataclass(frozen=True)
class StartTimer:
    """Set a timer `minutes` from now, or at the next local `at` ("21:30")."""

    minutes: int | None = None
    at: str | None = None
    where_who: str | None = None


@dataclass(frozen=True)
class AnswerTimer:
    """The answer to "Are you OK?" on timer `timer_id`; not OK pages the duty worker."""

    timer_id: int
    ok: bool


@dataclass(frozen=True)
class EndTimer:
    """"I'm back safe": the running timer ends early."""


def timer_question(content: Content, timer_id: int) -> tuple[str, Keyboard]:
    """What the clock sends when the timer is up."""
    text = content.text
    return text("timer.ask"), keyboard([Button(text("timer.ok_button"), f"tm:ok:{timer_id}"),
                                        Button(text("timer.help_button"), f"tm:help:{timer_id}")])


def parse_clock_time(text: str) -> str | None:
    """A typed time like 21:30 or 9.30pm, as "HH:MM"; None if it is not one."""
    return parse_hhmm(text)


class TimerFlow(Flow):
    name = "timer"
    prefix = "tm"
    profile_needs = frozenset({"timer_running"})
    interrupts = True
    STATES: ClassVar[list[str]] = ["idle", "when", "where", "running"]
    sensitive_states: ClassVar[frozenset[str]] = frozenset({"when", "where"})  # time, where-who
    TRANSITIONS: ClassVar[list[dict]] = [
        # trigger   from       to         what happens
        {"trigger": "open", "source": "*", "dest": "running", "conditions": "timer_on",
         "after": "show"},
        {"trigger": "open", "source": "*", "dest": "when", "after": "show"},
        {"trigger": "hours", "source": "when", "dest": "where", "conditions": "valid_hours",
         "after": ["remember_hours", "show"]},
        {"trigger": "typed", "source": "when", "dest": "where", "conditions": "valid_time",
         "after": ["remember_time", "show"]},
        {"trigger": "typed", "source": "when", "dest": "when", "after": "refuse_time"},
        {"trigger": "typed", "source": "where", "dest": "running", "after": "start_timer"},
        {"trigger": "skip", "source": "where", "dest": "running", "after": "start_timer"},
        {"trigger": "cancel", "source": "*", "dest": "idle", "after": "cancel_timer"},
        {"trigger": "ok", "source": "*", "dest": "idle", "conditions": "has_id",
         "after": "all_ok"},
        {"trigger": "help", "source": "*", "dest": "idle", "conditions": "has_id",
         "after": "needs_help"},
        {"trigger": "end", "source": "*", "dest": "idle", "after": "back_safe"},
    ]

    def trigger_for(self, event: Event) -> str | None:
        if event.kind in ("command", "enter"):
            return "open"
        if event.kind == "text":
            return "typed"
        return super().trigger_for(event)

    # --- conditions ---------------------------------------------------------------------------

    def timer_on(self, turn: Turn) -> bool:
        return turn.profile.timer_running

    def valid_hours(self, turn: Turn) -> bool:
        return self.button_arg(turn) in {str(h) for h in HOURS}

    def valid_time(self, turn: Turn) -> bool:
        return parse_clock_time(turn.event.text) is not None

    def has_id(self, turn: Turn) -> bool:
        return self.button_number(turn, MAX_ROW_ID) is not None

    # --- saying things ------------------------------------------------------------------------

    def show(self, turn: Turn) -> None:
        text = self.content.text
        cancel = Button(text("timer.cancel_button"), "tm:cancel")
        if turn.state == "when":
            turn.say(text("timer.when"), keyboard(
                [Button(text(f"timer.hours_{h}"), f"tm:hours:{h}") for h in HOURS], [cancel]))
        elif turn.state == "where":
            turn.say(text("timer.where"), keyboard([Button(text("buttons.skip"), "tm:skip")],
                                                   [cancel]))
        elif turn.state == "running":
            turn.say(text("timer.running"), self._running_buttons())
        else:
            turn.say(text("timer.cancelled"))

    def _running_buttons(self) -> Keyboard:
        text = self.content.text
        return keyboard([Button(text("timer.back_safe_button"), "tm:end")],
                        [Button(text("buttons.menu"), "menu:enter")])

    # --- callbacks ----------------------------------------------------------------------------

    def remember_hours(self, turn: Turn) -> None:
        turn.context = {"minutes": int(self.button_arg(turn)) * 60}

    def remember_time(self, turn: Turn) -> None:
        turn.context = {"at": parse_clock_time(turn.event.text)}

    def refuse_time(self, turn: Turn) -> None:
        turn.say(self.content.text("timer.bad_time"))

    def start_timer(self, turn: Turn) -> None:
        where_who = turn.event.text.strip()[:500] if turn.event.kind == "text" else None
        minutes, at = turn.context.get("minutes"), turn.context.get("at")
        turn.effects.append(StartTimer(minutes=minutes, at=at, where_who=where_who or None))
        text = self.content.text
        if at:
            said = text("timer.set_at", time=at)
        else:
            hours = (minutes or 60) // 60
            said = text("timer.set_in", hours=f"{hours} {TIME_WORDS[hours > 1]}")
        turn.context = {}
        turn.say(said, self._running_buttons())
        turn.goto = Goto("return")

    def cancel_timer(self, turn: Turn) -> None:
        turn.say(self.content.text("timer.cancelled"))
        turn.goto = Goto("return")

    def all_ok(self, turn: Turn) -> None:
        turn.effects.append(AnswerTimer(self.button_number(turn, MAX_ROW_ID), ok=True))
        turn.say(self.content.text("timer.ok"))
        turn.goto = Goto("return")

    def needs_help(self, turn: Turn) -> None:
        turn.effects.append(AnswerTimer(self.button_number(turn, MAX_ROW_ID), ok=False))
        turn.say(self.content.text("timer.need_help"))
        turn.goto = Goto("return")

    def back_safe(self, turn: Turn) -> None:
        turn.effects.append(EndTimer())
        turn.say(self.content.text("timer.back_safe"))
        turn.goto = Goto("return")
