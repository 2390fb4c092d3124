"""The safety plan: the young person builds it at their own pace, and changes it any time.

overview -> a section -> add (tap a suggestion, or type) / take one off -> back to the overview;
"People I trust" asks for a name, then a number. `/myplan` shows the whole plan as one message.
This is the one place a young person's own words are kept on purpose (they chose to write their
plan); the router still runs every typed text through the safety check first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from content.loader import Content
from content.schema import PlanSection
from flows.base import Button, Event, Flow, Goto, SavePlanSection, Turn, keyboard
from flows.common import contacts_text, menu_button, rows

MAX_ITEM = 100
MAX_NAME = 40
_PHONE = re.compile(r"^\+?[\d\s().-]+$")


class PlanFlow(Flow):
    name = "plan"
    prefix = "plan"
    profile_needs = frozenset({"safety_plan"})
    interrupts = True  # a worker's "update your plan" button works from anywhere, then hands back
    STATES: ClassVar[list[str]] = ["overview", "section", "removing", "number", "whole"]
    # a typed item, a trusted person's name or number, the code word
    sensitive_states: ClassVar[frozenset[str]] = frozenset({"section", "number"})
    TRANSITIONS: ClassVar[list[dict]] = [
        # trigger   from                                  to           what happens
        {"trigger": "enter", "source": "*", "dest": "whole", "conditions": "wants_whole",
         "after": "show"},
        {"trigger": "enter", "source": "*", "dest": "overview", "after": "show"},
        {"trigger": "open", "source": "*", "dest": "section", "conditions": "section_known",
         "after": ["choose_section", "show"]},
        {"trigger": "add", "source": "section", "dest": "section", "after": "add_suggestion"},
        {"trigger": "type", "source": "section", "dest": "number",
         "conditions": ["for_people", "name_ok", "has_room"], "after": ["add_person", "show"]},
        {"trigger": "type", "source": "section", "dest": "section", "after": "add_typed"},
        {"trigger": "type", "source": "number", "dest": "section", "conditions": "number_ok",
         "after": ["save_number", "show"]},
        {"trigger": "type", "source": "number", "dest": "number", "after": "refuse_number"},
        {"trigger": "skip", "source": "number", "dest": "section", "after": "show"},
        {"trigger": "remove", "source": "section", "dest": "removing", "after": "show"},
        {"trigger": "drop", "source": "removing", "dest": "section", "after": ["drop_item", "show"]},
        {"trigger": "back", "source": "*", "dest": "overview", "after": "show"},
        {"trigger": "see", "source": "*", "dest": "whole", "after": "show"},
        {"trigger": "done", "source": "*", "dest": None, "after": "finish"},
    ]

    def trigger_for(self, event: Event) -> str | None:
        if event.kind == "text":
            return "type"
        return super().trigger_for(event)

    # --- what is in the plan (this turn's changes first, then what was saved) ------------------

    def _section(self, turn: Turn) -> PlanSection:
        section = self.content.safety_plan.section(turn.context.get("section", ""))
        assert section is not None
        return section

    def _value(self, turn: Turn, section: PlanSection) -> Any:
        for effect in reversed(turn.effects):
            if isinstance(effect, SavePlanSection) and effect.section == section.id:
                return effect.value
        return turn.profile.safety_plan.get(section.id, "" if section.kind == "word" else [])

    def _items(self, turn: Turn) -> list[Any]:
        section = self._section(turn)
        value = self._value(turn, section)
        if section.kind == "word":
            return [value] if value else []
        return list(value)

    def _save(self, turn: Turn, items: list[Any]) -> None:
        section = self._section(turn)
        value: Any = (items[-1] if items else "") if section.kind == "word" else items
        turn.effects.append(SavePlanSection(section.id, value))

    # --- conditions ---------------------------------------------------------------------------

    def wants_whole(self, turn: Turn) -> bool:
        return turn.event.args == "whole"

    def section_known(self, turn: Turn) -> bool:
        return self.content.safety_plan.section(self.button_arg(turn)) is not None

    def for_people(self, turn: Turn) -> bool:
        return self._section(turn).kind == "people"

    def name_ok(self, turn: Turn) -> bool:
        return _clean(turn.event.text, MAX_NAME) is not None

    def has_room(self, turn: Turn) -> bool:
        return len(self._items(turn)) < self._section(turn).max_items

    def number_ok(self, turn: Turn) -> bool:
        return clean_number(turn.event.text) is not None

    # --- saying what each state asks ----------------------------------------------------------

    def show(self, turn: Turn) -> None:
        text = self.content.text
        if turn.state == "overview":
            buttons = [Button(text("plan.section_button", emoji=s.emoji, title=s.title,
                                   count=len(_as_list(turn.profile.safety_plan.get(s.id)))),
                              f"plan:open:{s.id}") for s in self.content.safety_plan.sections]
            turn.say(text("plan.intro"), keyboard(
                *rows(buttons), [Button(text("plan.see_button"), "plan:see")],
                [Button(text("plan.done_button"), "plan:done")]))
        elif turn.state == "section":
            self._show_section(turn)
        elif turn.state == "removing":
            labels = [_label(item) for item in self._items(turn)]
            buttons = [Button(f"🗑 {label}"[:40], f"plan:drop:{i}") for i, label in enumerate(labels)]
            turn.say(text("plan.remove_ask"), keyboard(
                *rows(buttons), [Button(text("plan.back_button"), "plan:back")]))
        elif turn.state == "number":
            items = self._items(turn)
            index = turn.context.get("person", len(items) - 1)
            name = items[index]["name"] if 0 <= index < len(items) else ""
            turn.say(text("plan.number_ask", name=name), keyboard(
                [Button(text("buttons.skip"), "plan:skip")]))
        elif turn.state == "whole":
            turn.say(plan_text(self.content, turn.profile.safety_plan, for_young_person=True),
                     keyboard([Button(text("plan.change_button"), "plan:back")],
                              [menu_button(self.content)]))

    def _show_section(self, turn: Turn) -> None:
        text = self.content.text
        section = self._section(turn)
        items = self._items(turn)
        lines = [text("plan.section_title", emoji=section.emoji, title=section.title), ""]
        lines += [f"• {_label(item)}" for item in items] or [text("plan.nothing_yet")]
        lines += ["", section.ask.strip()]
        taken = {_label(item) for item in items}
        ideas = [Button(s, f"plan:add:{i}") for i, s in enumerate(section.suggestions)
                 if s not in taken]
        if len(items) >= section.max_items and section.kind != "word":
            ideas = []
        remove = [Button(text("plan.remove_button"), "plan:remove")] if items else []
        turn.say("\n".join(lines), keyboard(
            *rows(ideas, per_row=2), remove, [Button(text("plan.back_button"), "plan:back")]))

    # --- callbacks ----------------------------------------------------------------------------

    def choose_section(self, turn: Turn) -> None:
        turn.context = {"section": self.button_arg(turn)}

    def add_suggestion(self, turn: Turn) -> None:
        """A suggestion tapped: add it (or, for the code word, make it the word)."""
        section = self._section(turn)
        index = self.button_number(turn)
        if index is not None and index < len(section.suggestions):
            self._add(turn, section.suggestions[index])
        self.show(turn)

    def add_typed(self, turn: Turn) -> None:
        section = self._section(turn)
        item = _clean(turn.event.text, MAX_NAME if section.kind == "people" else MAX_ITEM)
        if item is None:
            turn.say(self.content.text("plan.too_long"))
        else:
            self._add(turn, item)
        self.show(turn)

    def _add(self, turn: Turn, item: str) -> None:
        section = self._section(turn)
        text = self.content.text
        if section.kind == "word":
            self._save(turn, [item])
            turn.say(text("plan.word_set", word=item))
            return
        items = self._items(turn)
        if len(items) >= section.max_items:
            turn.say(text("plan.full"))
            return
        if section.kind == "people":  # only when full: a name goes through add_person
            return
        if item not in items:
            self._save(turn, [*items, item])
        turn.say(text("plan.added"))

    def add_person(self, turn: Turn) -> None:
        name = _clean(turn.event.text, MAX_NAME)
        items = self._items(turn)
        self._save(turn, [*items, {"name": name, "number": ""}])
        turn.context["person"] = len(items)

    def save_number(self, turn: Turn) -> None:
        items = self._items(turn)
        index = turn.context.pop("person", len(items) - 1)
        if 0 <= index < len(items):
            items[index] = {**items[index], "number": clean_number(turn.event.text)}
            self._save(turn, items)
        turn.say(self.content.text("plan.added"))

    def refuse_number(self, turn: Turn) -> None:
        turn.say(self.content.text("plan.number_bad"))
        self.show(turn)

    def drop_item(self, turn: Turn) -> None:
        items = self._items(turn)
        index = self.button_number(turn)
        if index is not None and index < len(items):
            del items[index]
            self._save(turn, items)
            turn.say(self.content.text("plan.removed"))

    def finish(self, turn: Turn) -> None:
        turn.say(self.content.text("plan.saved"))
        turn.goto = Goto("return")


# --- the plan as one message ----------------------------------------------------------------------


def plan_text(content: Content, plan: Mapping[str, Any], *, for_young_person: bool) -> str:
    """The whole plan as one clear message, with help contacts; empty parts are left out."""
    text = content.text
    parts = [text("plan.whole_title")]
    filled = False
    for section in content.safety_plan.sections:
        items = _as_list(plan.get(section.id))
        if not items:
            continue
        filled = True
        lines = [text("plan.section_title", emoji=section.emoji, title=section.title)]
        lines += [f"• {_label(item)}" for item in items]
        parts.append("\n".join(lines))
    if not filled:
        parts.append(text("plan.whole_empty") if for_young_person else text("plan.nothing_yet"))
    if for_young_person:
        crisis = content.contacts.crisis
        if crisis:  # every plan carries the crisis lines, whatever the young person wrote
            parts.append(text("plan.crisis_title") + "\n" + contacts_text(content, crisis))
        others = [key for key in content.contacts.help_now if key not in crisis]
        parts.append(text("plan.whole_footer") + ("\n" + contacts_text(content, others)
                                                  if others else ""))
    return "\n\n".join(parts)


def plan_filled(plan: Mapping[str, Any]) -> bool:
    return any(_as_list(value) for value in plan.values())


def _as_list(value: Any) -> list[Any]:
    if not value:
        return []
    return list(value) if isinstance(value, list) else [value]


def _label(item: Any) -> str:
    if isinstance(item, dict):
        number = item.get("number")
        return f"{item.get('name', '')}: {number}" if number else str(item.get("name", ""))
    return str(item)


def _clean(raw: str, limit: int) -> str | None:
    text = " ".join(raw.split())
    return text if 1 <= len(text) <= limit else None


def clean_number(raw: str) -> str | None:
    """A phone number as typed, tidied; None if it does not look like one (3 to 15 digits)."""
    text = " ".join(raw.split())
    digits = re.sub(r"\D", "", text)
    if not _PHONE.match(text) or not 3 <= len(digits) <= 15:
        return None
    return text
