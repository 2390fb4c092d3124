"""A check-in: how are you feeling -> do you feel safe -> anything to tell us -> back to where
they were.

The question arrives from the clock (through the outbox), so its buttons can be pressed whatever
the young person is doing: the flow interrupts, and hands back afterwards. Buttons carry the
check-in's id (`ci:<trigger>:<id>:<value>`); the router checks it belongs to them. "No" pages the
duty worker, "Not sure" flags their own worker. Only the mood number and the safe answer are
kept; what they type is checked for danger by the router and never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from content.loader import Content
from flows.base import Button, Event, Flow, Goto, Keyboard, Turn, keyboard
from flows.callback import MAX_ROW_ID, parse_number

MOODS = (1, 2, 3, 4, 5)
SAFE_ANSWERS = ("yes", "unsure", "no")


@dataclass(frozen=True)
class RecordCheckin:
    """Store a mood (1-5) or a safe answer on a check-in; "no" and "unsure" alert."""

    checkin_id: int
    mood: int | None = None
    safe: str | None = None


@dataclass(frozen=True)
class SnoozeCheckin:
    checkin_id: int


@dataclass(frozen=True)
class SkipCheckin:
    checkin_id: int


@dataclass(frozen=True)
class AskToTalk:
    """After "Not sure": the young person would like a worker to get in touch."""

    checkin_id: int


def checkin_question(content: Content, checkin_id: int) -> tuple[str, Keyboard]:
    """What the clock sends: a neutral first line, five moods, snooze and skip."""
    text = content.text
    moods = [Button(text(f"checkin.mood_{n}"), f"ci:mood:{checkin_id}:{n}") for n in MOODS]
    return text("checkin.ask"), keyboard(
        moods,
        [Button(text("checkin.snooze_button"), f"ci:snooze:{checkin_id}"),
         Button(text("checkin.skip_button"), f"ci:skip:{checkin_id}")])


class CheckinFlow(Flow):
    name = "checkin"
    prefix = "ci"
    interrupts = True
    STATES: ClassVar[list[str]] = ["mood", "safe", "talk", "tell"]
    TRANSITIONS: ClassVar[list[dict]] = [
        # trigger   from     to       what happens
        {"trigger": "mood", "source": "*", "dest": "safe", "conditions": "valid_mood",
         "after": ["record_mood", "show"]},
        {"trigger": "safe", "source": "safe", "dest": "talk", "conditions": "is_unsure",
         "after": ["record_safe", "offer_talk"]},
        {"trigger": "safe", "source": "safe", "dest": "tell", "conditions": "valid_safe",
         "after": ["record_safe", "show"]},
        {"trigger": "talk", "source": "talk", "dest": "tell", "after": ["ask_to_talk", "show"]},
        {"trigger": "notalk", "source": "talk", "dest": "tell", "after": "show"},
        {"trigger": "tell", "source": "tell", "dest": "tell", "after": "finish"},
        {"trigger": "done", "source": "tell", "dest": "tell", "after": "finish"},
        {"trigger": "snooze", "source": "*", "dest": "mood", "conditions": "has_id",
         "after": "snooze_checkin"},
        {"trigger": "skip", "source": "*", "dest": "mood", "conditions": "has_id",
         "after": "skip_checkin"},
    ]

    def trigger_for(self, event: Event) -> str | None:
        if event.kind == "text":
            return "tell"
        return super().trigger_for(event)

    # --- reading the buttons ------------------------------------------------------------------

    def _args(self, turn: Turn) -> list[str]:
        return self.button_arg(turn).split(":")

    def _id(self, turn: Turn) -> int | None:
        return parse_number(self._args(turn)[0], MAX_ROW_ID)

    def has_id(self, turn: Turn) -> bool:
        return self._id(turn) is not None

    def valid_mood(self, turn: Turn) -> bool:
        args = self._args(turn)
        return self.has_id(turn) and len(args) == 2 and args[1] in {str(m) for m in MOODS}

    def valid_safe(self, turn: Turn) -> bool:
        return self._args(turn)[-1] in SAFE_ANSWERS and "checkin" in turn.context

    def is_unsure(self, turn: Turn) -> bool:
        return self.valid_safe(turn) and self._args(turn)[-1] == "unsure"

    # --- saying things ------------------------------------------------------------------------

    def show(self, turn: Turn) -> None:
        text = self.content.text
        checkin = turn.context.get("checkin", 0)
        if turn.state == "mood":
            turn.say(*checkin_question(self.content, checkin))
        elif turn.state == "safe":
            turn.say(text("checkin.safe_question"), keyboard([
                Button(text(f"checkin.safe_{answer}"), f"ci:safe:{checkin}:{answer}")
                for answer in SAFE_ANSWERS]))
        elif turn.state == "talk":
            self.offer_talk(turn)
        elif turn.state == "tell":
            turn.say(text("checkin.tell"), keyboard([Button(text("buttons.skip"), "ci:done")]))

    # --- callbacks ----------------------------------------------------------------------------

    def record_mood(self, turn: Turn) -> None:
        checkin = self._id(turn)
        assert checkin is not None
        turn.context = {"checkin": checkin}
        turn.effects.append(RecordCheckin(checkin, mood=int(self._args(turn)[1])))

    def record_safe(self, turn: Turn) -> None:
        answer = self._args(turn)[-1]
        turn.effects.append(RecordCheckin(turn.context["checkin"], safe=answer))
        if answer == "no":
            turn.say(self.content.text("checkin.not_safe"))

    def offer_talk(self, turn: Turn) -> None:
        text = self.content.text
        turn.say(text("checkin.unsure"), keyboard(
            [Button(text("checkin.talk_button"), "ci:talk")],
            [Button(text("checkin.no_talk_button"), "ci:notalk")]))

    def ask_to_talk(self, turn: Turn) -> None:
        turn.effects.append(AskToTalk(turn.context["checkin"]))
        turn.say(self.content.text("checkin.talk_asked"))

    def finish(self, turn: Turn) -> None:
        turn.say(self.content.text("checkin.thanks"))
        turn.goto = Goto("return")

    def snooze_checkin(self, turn: Turn) -> None:
        checkin = self._id(turn)
        assert checkin is not None
        turn.effects.append(SnoozeCheckin(checkin))
        turn.say(self.content.text("checkin.snoozed"))
        turn.goto = Goto("return")

    def skip_checkin(self, turn: Turn) -> None:
        checkin = self._id(turn)
        assert checkin is not None
        turn.effects.append(SkipCheckin(checkin))
        turn.say(self.content.text("checkin.skipped"))
        turn.goto = Goto("return")
