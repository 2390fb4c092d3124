"""The outcome wheel: eight areas of life, one per message, each scored 1 to 10 with buttons.

intro -> area 1 .. area 8 -> saved (the router answers with the chart) -> back to where they
were. It interrupts: a "time for your wheel" button works from anywhere and hands back after.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from content.loader import Content
from flows.base import Button, Flow, Goto, SaveWheel, Turn, keyboard
from flows.callback import parse_number

REASONS = ("self", "schedule", "worker")


@dataclass(frozen=True)
class WheelConcern:
    """Scores at or below an area's `flag_at` (1 for feeling safe): the worker is flagged at
    once, not at the next review. (area id, score) pairs; handled by `bot.safety.wheel_concerns`."""

    scores: tuple[tuple[str, int], ...]


class WheelFlow(Flow):
    name = "wheel"
    prefix = "wh"
    profile_needs = frozenset({"wheels_done"})
    interrupts = True
    STATES: ClassVar[list[str]] = ["intro", "area"]
    TRANSITIONS: ClassVar[list[dict]] = [
        # trigger   from       to        what happens
        {"trigger": "enter", "source": "*", "dest": "intro", "after": ["begin", "show"]},
        {"trigger": "go", "source": "intro", "dest": "area", "after": ["first_area", "show"]},
        {"trigger": "score", "source": "area", "dest": "area", "conditions": "for_this_area",
         "after": "record"},
        {"trigger": "back", "source": "area", "dest": "intro", "conditions": "on_first_area",
         "after": "show"},
        {"trigger": "back", "source": "area", "dest": "area", "after": ["previous_area", "show"]},
        {"trigger": "later", "source": "*", "dest": None, "after": "not_now"},
    ]

    def show(self, turn: Turn) -> None:
        text = self.content.text
        if turn.state == "intro":
            again = turn.profile.wheels_done > 0
            turn.say(text("wheel.intro_again" if again else "wheel.intro"), keyboard(
                [Button(text("wheel.start_button"), "wh:go"),
                 Button(text("wheel.later_button"), "wh:later")]))
            return
        areas = self.content.wheel.areas
        index = turn.context["area"]
        area = areas[index]
        numbers = [Button(str(n), f"wh:score:{index}:{n}") for n in range(1, 11)]
        turn.say(text("wheel.area", number=index + 1, total=len(areas), name=area.name,
                      question=area.question, low=area.low, high=area.high),
                 keyboard(numbers[:5], numbers[5:],
                          [Button(text("buttons.back"), "wh:back"),
                           Button(text("wheel.later_button"), "wh:later")]))

    # --- conditions ---------------------------------------------------------------------------

    def for_this_area(self, turn: Turn) -> bool:
        """`<area>:<score>`: a button from an older question is stale, not a score for this one."""
        area, _, raw_score = self.button_arg(turn).partition(":")
        score = parse_number(raw_score)
        return area == str(turn.context.get("area")) and score is not None and 1 <= score <= 10

    def on_first_area(self, turn: Turn) -> bool:
        return turn.context.get("area", 0) == 0

    # --- callbacks ----------------------------------------------------------------------------

    def begin(self, turn: Turn) -> None:
        """Remember why the wheel was opened: by them, by the schedule, or their worker asked."""
        reason = turn.event.args or self.button_arg(turn)
        turn.context = {"asked_by": reason if reason in REASONS else "self"}

    def first_area(self, turn: Turn) -> None:
        turn.context.update(area=0, scores={})

    def previous_area(self, turn: Turn) -> None:
        turn.context["area"] -= 1

    def record(self, turn: Turn) -> None:
        areas = self.content.wheel.areas
        index = turn.context["area"]
        score = parse_number(self.button_arg(turn).partition(":")[2])
        turn.context["scores"] = {**turn.context.get("scores", {}), areas[index].id: score}
        if index + 1 < len(areas):
            turn.context["area"] = index + 1
            self.show(turn)
            return
        scores = {area.id: turn.context["scores"][area.id] for area in areas}
        turn.effects.append(SaveWheel(scores, turn.context.get("asked_by", "self")))
        turn.say(self.content.text("wheel.thanks"))
        low = tuple((area.id, scores[area.id]) for area in areas
                    if area.flag_at is not None and scores[area.id] <= area.flag_at)
        if low:  # said plainly: the worker is told, and where help is now
            turn.effects.append(WheelConcern(low))
            turn.say(self.content.text("wheel.flagged"))
        turn.goto = Goto("return")

    def not_now(self, turn: Turn) -> None:
        turn.say(self.content.text("wheel.later"))
        turn.goto = Goto("return")


# --- what changed, in words -----------------------------------------------------------------------


def change_lines(content: Content, first: Mapping[str, int] | None,
                 latest: Mapping[str, int]) -> list[str]:
    """One line per area: the first score, the latest, and which way it moved."""
    text = content.text
    lines = []
    for area in content.wheel.areas:
        after = latest.get(area.id)
        before = first.get(area.id) if first else None
        if after is None:
            continue
        if before is None:
            lines.append(text("wheel.first_score", name=area.name, after=after))
        elif after > before:
            lines.append(text("wheel.change_up", name=area.name, before=before, after=after,
                              by=after - before))
        elif after < before:
            lines.append(text("wheel.change_down", name=area.name, before=before, after=after,
                              by=before - after))
        else:
            lines.append(text("wheel.change_same", name=area.name, after=after))
    return lines


def series(content: Content, scores: Mapping[str, int]) -> Sequence[int]:
    """Scores in the order of the wheel's areas (what the chart plots)."""
    return [int(scores.get(area.id, 0)) for area in content.wheel.areas]
